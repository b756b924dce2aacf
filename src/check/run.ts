/**
 * Running GPU checks (./verdict.ts): once with a verdict (the vitest files, through
 * src/test/expect-check.ts), or several times with the recorded numbers compared bit for bit
 * between repeats (the GPU check's race detector: on one adapter every computation here is
 * deterministic, so a difference is a data race or uninitialized memory).
 */
import type { GpuContext } from '../gpu/device';
import { firstDifference, Verdict, type GpuCheck } from './verdict';

/** Runs `check` once on `gpu`: its verdict, plus a failure for an exception, a WebGPU error, or no comparison at all. */
export async function runCheck(check: GpuCheck, gpu: GpuContext): Promise<Verdict> {
  const seenErrors = gpu.errors.length;
  const verdict = new Verdict();
  try {
    await check.run(gpu, verdict);
  } catch (error) {
    verdict.failures.push(`threw: ${(error as Error)?.stack ?? String(error)}`);
  }
  if (verdict.comparisons === 0) verdict.failures.push('the check compared nothing');
  verdict.noGpuErrors(gpu, seenErrors);
  return verdict;
}

/** The outcome of a check run `repeats` times. */
export interface RepeatedCheck {
  name: string;
  family: string;
  /** Failures of every repeat (a repeat's own failures are prefixed with its number after the first). */
  failures: string[];
  repeats: number;
  /** Numbers recorded per repeat. */
  numbers: number;
  /** The first number that differed between repeat 1 and a later one, or null when all agree bit for bit. */
  difference: string | null;
  /** Wall time of each repeat, ms. */
  ms: number[];
}

/** Runs `check` `repeats` times and compares every recorded number with the first repeat's, bit for bit. */
export async function repeatCheck(check: GpuCheck, gpu: GpuContext, repeats = 3): Promise<RepeatedCheck> {
  const verdicts: Verdict[] = [];
  const ms: number[] = [];
  for (let repeat = 0; repeat < repeats; repeat++) {
    const start = performance.now();
    verdicts.push(await runCheck(check, gpu));
    ms.push(performance.now() - start);
  }
  const failures = verdicts.flatMap((verdict, repeat) => verdict.failures.map((failure) => (repeat === 0 ? failure : `repeat ${repeat + 1}: ${failure}`)));
  let difference: string | null = null;
  for (let repeat = 1; repeat < repeats && difference === null; repeat++) {
    const found = firstDifference(verdicts[0].records, verdicts[repeat].records);
    if (found) difference = `repeat ${repeat + 1}: ${found}`;
  }
  const numbers = verdicts[0].records.reduce((total, record) => total + record.values.length, 0);
  return { name: check.name, family: check.family, failures, repeats, numbers, difference, ms };
}
