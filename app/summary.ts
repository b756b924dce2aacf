/**
 * The summary table's numbers, from the raw records: per stacked run (final and best test
 * accuracy, final losses, steps to a target loss, divergence, ms per step) and per method across
 * its replicates (mean ± std).
 */
import type { MetricRecord } from '../src/experiment/records';
import { meanStd } from './series';

export interface RunStats {
  step: number;
  /** The latest finite training loss. */
  trainLoss: number;
  finalTestAccuracy: number;
  bestTestAccuracy: number;
  finalTestLoss: number;
  /** First step whose training loss is ≤ the target; NaN if never. */
  stepsToTarget: number;
  diverged: boolean;
  msPerStep: number;
}

/** Statistics of one run's records (in step order). */
export function runStats(records: readonly MetricRecord[], targetLoss: number, divergedAt: number | null): RunStats {
  let trainLoss = Number.NaN;
  let finalTestAccuracy = Number.NaN;
  let bestTestAccuracy = Number.NaN;
  let finalTestLoss = Number.NaN;
  let stepsToTarget = Number.NaN;
  for (const record of records) {
    if (Number.isFinite(record.trainLoss)) {
      trainLoss = record.trainLoss;
      if (Number.isNaN(stepsToTarget) && record.trainLoss <= targetLoss) stepsToTarget = record.step;
    }
    if (record.testAccuracy !== undefined) {
      finalTestAccuracy = record.testAccuracy;
      if (!(bestTestAccuracy >= record.testAccuracy)) bestTestAccuracy = record.testAccuracy;
    }
    if (record.testLoss !== undefined) finalTestLoss = record.testLoss;
  }
  const last = records[records.length - 1];
  return {
    step: last?.step ?? 0,
    trainLoss,
    finalTestAccuracy,
    bestTestAccuracy,
    finalTestLoss,
    stepsToTarget,
    diverged: divergedAt !== null || (last?.diverged ?? false),
    msPerStep: last && last.step > 0 ? last.wallMs / last.step : Number.NaN,
  };
}

export type StatKey = Exclude<keyof RunStats, 'diverged'>;

/** Mean ± std of each statistic over replicates; `diverged` counts the replicates that diverged. */
export function aggregateStats(stats: readonly RunStats[]): { mean: Record<StatKey, number>; std: Record<StatKey, number>; diverged: number } {
  const keys: StatKey[] = ['step', 'trainLoss', 'finalTestAccuracy', 'bestTestAccuracy', 'finalTestLoss', 'stepsToTarget', 'msPerStep'];
  const mean = {} as Record<StatKey, number>;
  const std = {} as Record<StatKey, number>;
  for (const key of keys) {
    const result = meanStd(stats.map((s) => s[key]));
    mean[key] = result.mean;
    std[key] = result.std;
  }
  return { mean, std, diverged: stats.filter((s) => s.diverged).length };
}
