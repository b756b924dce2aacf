/**
 * The sweep workload of `npm run bench` (issue 15): the playground's MLP on the spiral, its 6
 * methods × 8 rates × 3 seeds = 144 runs, trained stacked in one experiment against the same 144
 * runs trained one experiment at a time, in the same invocation (both through createRunner and
 * ExperimentRunner.advance, as the page and the CLI train); then the scaling curve: ms per step for
 * R = 1, 6, 36, 144, 576 stacked runs of the same sweep, so that the cost per run as R grows shows.
 */
import type { GpuContext } from '../gpu/device';
import { parseExperiment, type ExperimentConfig } from '../experiment/config';
import { loadExperimentDataset } from '../experiment/datasets';
import { defaultExperimentInput } from '../experiment/defaults';
import { expandRuns, runnerRun } from '../experiment/expand';
import { ExperimentRunner } from '../experiment/runner';
import { createRunner } from '../experiment/setup';

export interface SweepBenchResult {
  runs: number;
  steps: number;
  stackedMs: number;
  oneAtATimeMs: number;
  speedup: number;
  /** Whether the stacked and the one-at-a-time runs ended with the same final train losses (bit for bit). */
  identical: boolean;
  /** ms per step (median of the timed blocks) by stacked runs R. */
  scaling: Array<{ runs: number; msPerStep: number; msPerRunStep: number }>;
}

/** The playground's experiment swept over `rates` log-spaced rates 0.003–1 with `seeds` replicates, `steps` steps. */
export function sweepBenchConfig(rates: number, seeds: number, steps: number): ExperimentConfig {
  return parseExperiment({
    ...defaultExperimentInput(),
    replicates: seeds,
    budget: { unit: 'steps', amount: steps },
    sweep: { axes: [{ kind: 'range', field: 'lr', from: 0.003, to: 1, count: rates, spacing: 'log' }] },
  });
}

const finalLosses = (runner: ExperimentRunner, runs: number): number[] => {
  const last: number[] = new Array<number>(runs).fill(Number.NaN);
  for (const record of runner.records) if (!Number.isNaN(record.trainLoss)) last[record.run] = record.trainLoss;
  return last;
};

/** Times the stacked sweep against its runs one experiment at a time, then the scaling curve. */
export async function runSweepBench(gpu: GpuContext, options: { steps?: number; scalingSteps?: number; log?: (line: string) => void } = {}): Promise<SweepBenchResult> {
  const steps = options.steps ?? 600;
  const log = options.log ?? (() => {});
  const config = sweepBenchConfig(8, 3, steps);
  const dataset = await loadExperimentDataset(config.dataset, config.seed, {});
  let started = performance.now();
  const stacked = createRunner(gpu, config, dataset);
  await stacked.advance(steps);
  const stackedMs = performance.now() - started;
  const runs = stacked.runs.length;
  const stackedLosses = finalLosses(stacked, runs);
  stacked.destroy();
  log(`sweep: ${runs} runs × ${steps} steps stacked: ${(stackedMs / 1000).toFixed(1)} s`);
  // One experiment per run: the same run (its replicate's init, data order and draws), alone.
  const expanded = expandRuns(config);
  const single = parseExperiment({ ...defaultExperimentInput(), budget: { unit: 'steps', amount: steps } });
  const template = createRunner(gpu, single, dataset);
  const { model } = template;
  const runnerOptions = { ...template.options };
  template.destroy();
  started = performance.now();
  const aloneLosses: number[] = [];
  for (const [index, run] of expanded.entries()) {
    const runner = new ExperimentRunner(gpu, model, dataset, [runnerRun(run)], runnerOptions);
    await runner.advance(steps);
    aloneLosses.push(finalLosses(runner, 1)[0]);
    runner.destroy();
    if (index % 24 === 23) log(`  one at a time: ${index + 1}/${runs} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  const oneAtATimeMs = performance.now() - started;
  const identical = aloneLosses.every((loss, index) => Object.is(loss, stackedLosses[index]));
  log(`sweep: the same ${runs} runs one experiment at a time: ${(oneAtATimeMs / 1000).toFixed(1)} s`);
  const scaling = await scalingCurve(gpu, options.scalingSteps ?? 50, log);
  return { runs, steps, stackedMs, oneAtATimeMs, speedup: oneAtATimeMs / stackedMs, identical, scaling };
}

/** ms per step of the first R runs of a 6 methods × 32 rates × 3 seeds sweep (576 runs), for R = 1, 6, 36, 144, 576. */
async function scalingCurve(gpu: GpuContext, steps: number, log: (line: string) => void): Promise<SweepBenchResult['scaling']> {
  const config = sweepBenchConfig(32, 3, 100_000);
  const dataset = await loadExperimentDataset(config.dataset, config.seed, {});
  const all = expandRuns(config);
  const template = createRunner(gpu, { ...config, sweep: undefined, replicates: 1 }, dataset);
  const { model } = template;
  const runnerOptions = { ...template.options, budgetSteps: 100_000 };
  template.destroy();
  const curve: SweepBenchResult['scaling'] = [];
  for (const count of [1, 6, 36, 144, 576]) {
    // An even spread of methods and rates among the first `count` runs: every (576 / count)-th run.
    const chosen = all.filter((_, index) => index % (all.length / count) === 0).map(runnerRun);
    const runner = new ExperimentRunner(gpu, model, dataset, chosen, runnerOptions);
    await runner.advance(10); // warm-up: pipelines, first readbacks
    const started = performance.now();
    await runner.advance(steps);
    const msPerStep = (performance.now() - started) / steps;
    runner.destroy();
    curve.push({ runs: count, msPerStep, msPerRunStep: msPerStep / count });
    log(`  R=${count}: ${msPerStep.toFixed(2)} ms/step, ${(msPerStep / count).toFixed(3)} ms per run-step`);
  }
  return curve;
}

/** The sweep workload's report: stacked vs one at a time, the target, and the scaling curve. */
export function sweepBenchTable(result: SweepBenchResult): string {
  const lines = [
    `Sweep workload (Node + Dawn): the playground's MLP 2-32-32-2 on the spiral, 6 methods × 8 rates × 3 seeds = ${result.runs} runs, ${result.steps} steps`,
    '| how | wall time | per run |',
    '|---|---|---|',
    `| stacked in one experiment | ${(result.stackedMs / 1000).toFixed(1)} s | ${(result.stackedMs / result.runs).toFixed(0)} ms |`,
    `| one experiment at a time | ${(result.oneAtATimeMs / 1000).toFixed(1)} s | ${(result.oneAtATimeMs / result.runs).toFixed(0)} ms |`,
    `stacked is ${result.speedup.toFixed(2)}× faster (target ≥ 5×: ${result.speedup >= 5 ? 'met' : 'NOT met'}); final train losses identical bit for bit: ${result.identical ? 'yes' : 'NO'}`,
    '',
    'Scaling (an even spread of the methods and rates of a 576-run sweep):',
    '| R | ms/step | ms per run-step |',
    '|---|---|---|',
    ...result.scaling.map((row) => `| ${row.runs} | ${row.msPerStep.toFixed(2)} | ${row.msPerRunStep.toFixed(3)} |`),
  ];
  return lines.join('\n');
}
