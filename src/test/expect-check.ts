/** Vitest side of the GPU checks (src/check/): run a check once and assert that its verdict has no failure. */
import { expect } from 'vitest';
import { runCheck } from '../check/run';
import type { GpuCheck } from '../check/verdict';
import type { GpuContext } from '../gpu/device';
import { testGpu } from './gpu';

/** Runs `check` on `gpu` (default: the test device) and fails the test with every failure of its verdict. */
export async function expectCheck(check: GpuCheck, gpu?: GpuContext): Promise<void> {
  const verdict = await runCheck(check, gpu ?? (await testGpu()));
  expect(verdict.failures, `${check.name}:\n${verdict.failures.join('\n')}`).toEqual([]);
}
