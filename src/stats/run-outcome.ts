/**
 * What one stacked run ended with, from its metric records: final and best test accuracy, final
 * train and test loss, steps to a target loss, divergence. The sweep views, the CLI's --summary
 * and its paired table read these (the page and the CLI compute them alike).
 */
import type { MetricRecord } from '../experiment/records';

/** A run's outcome a sweep compares. */
export type OutcomeMetric = 'finalTestAccuracy' | 'bestTestAccuracy' | 'finalTrainLoss' | 'finalTestLoss';

/** Each outcome metric: its words, whether larger is better, and the record field its curve plots. */
export const OUTCOME_METRICS: Record<OutcomeMetric, { label: string; higherIsBetter: boolean; curve: 'testAccuracy' | 'trainLoss' | 'testLoss' }> = {
  finalTestAccuracy: { label: 'final test accuracy', higherIsBetter: true, curve: 'testAccuracy' },
  bestTestAccuracy: { label: 'best test accuracy', higherIsBetter: true, curve: 'testAccuracy' },
  finalTrainLoss: { label: 'final train loss', higherIsBetter: false, curve: 'trainLoss' },
  finalTestLoss: { label: 'final test loss', higherIsBetter: false, curve: 'testLoss' },
};

export interface RunOutcome extends Record<OutcomeMetric, number> {
  /** The last step logged. */
  step: number;
  /** First step whose train loss is ≤ the target; NaN if never. */
  stepsToTarget: number;
  diverged: boolean;
}

/**
 * The outcome of one run's records (any order): the last test accuracy and test loss evaluated,
 * the best test accuracy, the last train loss logged (NaN or ∞ once diverged), steps to `targetLoss`.
 */
export function runOutcome(records: readonly MetricRecord[], targetLoss: number, divergedAt: number | null = null): RunOutcome {
  const ordered = [...records].sort((a, b) => a.step - b.step);
  const outcome: RunOutcome = {
    step: 0, finalTestAccuracy: Number.NaN, bestTestAccuracy: Number.NaN, finalTrainLoss: Number.NaN, finalTestLoss: Number.NaN, stepsToTarget: Number.NaN, diverged: divergedAt !== null,
  };
  for (const record of ordered) {
    outcome.step = record.step;
    if (!Number.isNaN(record.trainLoss) || record.diverged) outcome.finalTrainLoss = record.trainLoss;
    if (Number.isNaN(outcome.stepsToTarget) && record.trainLoss <= targetLoss) outcome.stepsToTarget = record.step;
    if (record.testAccuracy !== undefined) {
      outcome.finalTestAccuracy = record.testAccuracy;
      if (!(outcome.bestTestAccuracy >= record.testAccuracy)) outcome.bestTestAccuracy = record.testAccuracy;
    }
    if (record.testLoss !== undefined) outcome.finalTestLoss = record.testLoss;
    if (record.diverged) outcome.diverged = true;
  }
  return outcome;
}

/** Records split by stacked run (each in the order given). */
export function recordsByRun(records: Iterable<MetricRecord>, runCount: number): MetricRecord[][] {
  const byRun: MetricRecord[][] = Array.from({ length: runCount }, () => []);
  for (const record of records) byRun[record.run]?.push(record);
  return byRun;
}
