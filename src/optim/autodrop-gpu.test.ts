/** AutoDrop's GPU angle path vs the float64 reference: the checks of ./autodrop-gpu.check.ts, one test each. */
import { describe, it } from 'vitest';
import { expectCheck } from '../test/expect-check';
import { AUTODROP_CHECKS } from './autodrop-gpu.check';

describe('AutoDrop GPU angle path vs float64 reference', () => {
  for (const check of AUTODROP_CHECKS) it(check.name, () => expectCheck(check));
});
