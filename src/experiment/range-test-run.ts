/**
 * Runs the LR range test (./range-test.ts) of an experiment's runs, stacked, in a TrainingSession of
 * its own on the caller's GPU (the experiment loaded elsewhere is left as it is). Training stops at
 * N steps or once every run's smoothed loss has passed stopFactor × its minimum.
 */
import type { Dataset } from '../data/types';
import type { GpuContext } from '../gpu/device';
import type { ExperimentConfig } from './config';
import { rangeTestConfig, rangeTestCurve, smoothLosses, stopIndex, type RangeTestCurve, type RangeTestOptions } from './range-test';
import { TrainingSession } from './session';

/** The range test's curves, one per run of the config. */
export interface RangeTestResult {
  options: RangeTestOptions;
  curves: RangeTestCurve[];
  /** Steps trained (all runs stopped, or N). */
  steps: number;
}

/** Steps trained between two checks of the stop rule. */
const CHECK_EVERY = 10;

/** Trains the range test of `config` on `dataset`; `onProgress` hears the step reached after each check. */
export async function runRangeTest(
  gpu: GpuContext,
  config: ExperimentConfig,
  dataset: Dataset,
  options: RangeTestOptions,
  onProgress: (step: number, total: number) => void = () => {},
): Promise<RangeTestResult> {
  const session = new TrainingSession(gpu, { loadDataset: async () => dataset });
  try {
    await session.load(rangeTestConfig(config, options));
    const runner = session.runner;
    const lossesOf = () => {
      const losses: number[][] = runner.runs.map(() => []);
      for (const record of runner.records) if (!Number.isNaN(record.trainLoss) || record.diverged) losses[record.run][record.step - 1] = record.trainLoss;
      return losses;
    };
    while (runner.step < options.steps) {
      await session.start({ until: Math.min(options.steps, runner.step + CHECK_EVERY) });
      onProgress(runner.step, options.steps);
      const stopped = lossesOf().every((losses) => stopIndex(smoothLosses(losses), options.stopFactor) !== null);
      if (stopped) break;
    }
    const losses = lossesOf();
    const curves = config.runs.map((run, method) => rangeTestCurve({ method, label: run.label, color: run.color }, losses[method], options));
    return { options, curves, steps: runner.step };
  } finally {
    await session.close();
  }
}
