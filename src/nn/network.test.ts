/** GpuNetwork vs the float64 reference: the GPU checks of ./network.check.ts, one test each. */
import { describe, it } from 'vitest';
import { expectCheck } from '../test/expect-check';
import { NETWORK_CHECKS } from './network.check';

describe('GpuNetwork vs float64 reference', () => {
  for (const check of NETWORK_CHECKS) it(check.name, () => expectCheck(check));
});
