/**
 * Other kernel choices timed on the adapter at hand (the GPU check on a real GPU, or --tune): the
 * tuning's alternatives for the matmuls, the vec4 update and the fused small-MLP step, each on
 * the workload it moves, so that one run on a new kind of GPU shows which constants to pick
 * (src/gpu/tuning.ts).
 */
import { withTuning, type GpuContext } from '../gpu/device';
import type { Tuning } from '../gpu/tuning';
import { benchCase, benchCases } from './bench-core';
import { fmt } from './bench-report';

/** One timing: the workload, the choices changed (none: the adapter's), ms per step. */
export interface TuneResult {
  workload: string;
  runs: number;
  variant: string;
  choices: Partial<Tuning>;
  msPerStep: number;
}

/** The alternatives per workload: [workload, runs, choices] (the adapter's own choices are timed first). */
function variants(): Array<[string, number, Partial<Tuning>[]]> {
  const matmul: Partial<Tuning>[] = [
    { matmulVec4Block: 4, matmulVec4Workgroup: [8, 8] },
    { matmulVec4Block: 4, matmulVec4Workgroup: [16, 16] },
    { matmulVec4Block: 4, matmulVec4Workgroup: [16, 4] },
    { matmulVec4Block: 8, matmulVec4Workgroup: [4, 4] },
    { matmulVec4Block: 8, matmulVec4Workgroup: [8, 8] },
    { matmulWorkgroup: [16, 16] },
  ];
  const update: Partial<Tuning>[] = [
    { updateVec4Elements: 4, updateVec4Workgroup: 256 },
    { updateVec4Elements: 4, updateVec4Workgroup: 64 },
    { updateVec4Elements: 16, updateVec4Workgroup: 256 },
    { updateVec4Elements: 64, updateVec4Workgroup: 64 },
  ];
  const smallMlp: Partial<Tuning>[] = [
    { smallMlpGranule: 32, smallMlpMaxThreads: 256, smallMlpGradPairs: true },
    { smallMlpGranule: 32, smallMlpMaxThreads: 256, smallMlpGradPairs: false },
    { smallMlpGranule: 64, smallMlpMaxThreads: 256, smallMlpGradPairs: true },
    { smallMlpGranule: 8, smallMlpMaxThreads: 8, smallMlpGradPairs: false },
  ];
  return [['mlp-adam', 1, matmul], ['mlp-adam', 6, matmul], ['adam-16m', 1, update], ['sweep', 576, smallMlp], ['mlp-tiny', 1, smallMlp]];
}

/** Times the adapter's choices and each alternative on its workload; stops early when `pastDeadline()`. */
export async function tuneKernels(gpu: GpuContext, options: { scale: number; repeats: number; pastDeadline: () => boolean }): Promise<TuneResult[]> {
  const results: TuneResult[] = [];
  for (const [id, runs, alternatives] of variants()) {
    const spec = benchCases().find((c) => c.id === id)!;
    for (const choices of [{}, ...alternatives]) {
      if (options.pastDeadline()) return results;
      let ctx: GpuContext;
      try {
        ctx = withTuning(gpu, choices);
      } catch {
        continue; // not allowed on this device (limits)
      }
      const variant = Object.keys(choices).length ? Object.entries(choices).map(([key, value]) => `${key} ${JSON.stringify(value)}`).join(', ') : 'the adapter’s choices';
      const result = await benchCase(ctx, spec, runs, options.repeats, options.scale);
      results.push({ workload: id, runs, variant, choices, msPerStep: result.msPerStep });
      console.error(`  tune ${id} R=${runs}: ${variant}: ${result.msPerStep.toFixed(3)} ms/step`);
    }
  }
  return results;
}

/** The timings as a table, each relative to the adapter's choices on the same workload. */
export function tuneTable(results: TuneResult[]): string {
  const base = (r: TuneResult) => results.find((x) => x.workload === r.workload && x.runs === r.runs && !Object.keys(x.choices).length);
  return [
    'Other kernel choices on this adapter (ms/step, median; relative to its own choices)',
    '| workload | R | choices | ms/step | relative |',
    '|---|---|---|---|---|',
    ...results.map((r) => `| ${r.workload} | ${r.runs} | ${r.variant} | ${fmt(r.msPerStep)} | ${base(r) ? (r.msPerStep / base(r)!.msPerStep).toFixed(2) : '–'} |`),
  ].join('\n');
}
