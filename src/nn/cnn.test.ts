/**
 * Convolutional and BatchNorm networks end to end through GpuNetwork against the float64
 * ReferenceNetwork: the GPU checks of ./cnn.check.ts, one test each.
 */
import { describe, it } from 'vitest';
import { expectCheck } from '../test/expect-check';
import { CNN_CHECKS } from './cnn.check';

describe('CNN GpuNetwork vs float64 reference (R = 2 runs)', () => {
  for (const check of CNN_CHECKS) it(check.name, () => expectCheck(check));
});
