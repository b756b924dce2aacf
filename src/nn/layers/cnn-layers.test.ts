/**
 * Conv2d, max-pool and BatchNorm GPU layers, one at a time, against the float64 reference: the GPU
 * checks of ./cnn-layers.check.ts, one test each.
 */
import { describe, it } from 'vitest';
import { expectCheck } from '../../test/expect-check';
import { CNN_LAYER_CHECKS } from './cnn-layers.check';

describe('CNN layers on the GPU vs the float64 reference (R = 2 runs)', () => {
  for (const check of CNN_LAYER_CHECKS) it(check.name, () => expectCheck(check));
});
