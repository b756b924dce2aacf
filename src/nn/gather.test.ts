/** The minibatch gather on the GPU: the checks of ./gather.check.ts, one test each. */
import { describe, it } from 'vitest';
import { expectCheck } from '../test/expect-check';
import { GATHER_CHECKS } from './gather.check';

describe('minibatch gather', () => {
  for (const check of GATHER_CHECKS) it(check.name, () => expectCheck(check));
});
