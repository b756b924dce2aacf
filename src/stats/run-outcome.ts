/**
 * What one stacked run ended with, from its metric records: final and best test accuracy, final
 * train and test loss, steps to a target loss, divergence. The sweep views, the CLI's --summary
 * and its paired table read these (the page and the CLI compute them alike).
 */
import type { MetricRecord } from '../experiment/records';

/** A run's outcome a sweep compares. */
export type OutcomeMetric = 'finalTestAccuracy' | 'bestTestAccuracy' | 'finalTrainLoss' | 'finalTestLoss';

/** A record field an outcome's curve (and a paired difference curve) follows. */
export type CurveField = 'testAccuracy' | 'trainLoss' | 'testLoss';

/** Each outcome metric: its words, whether larger is better, and the record field its curve plots. */
export const OUTCOME_METRICS: Record<OutcomeMetric, { label: string; higherIsBetter: boolean; curve: CurveField }> = {
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

/**
 * runOutcome of every run, folded in record by record in any order, a step's record re-sent with
 * its test metrics included: each take() costs the same however long the run (the page's sweep
 * views follow 576 runs while they train). Equals runOutcome of each run's latest records.
 */
export class OutcomeTracker {
  private readonly runs = new Map<number, { step: number; trainStep: number; finalTrainLoss: number; stepsToTarget: number; testStep: number; finalTestAccuracy: number; bestTestAccuracy: number; testLossStep: number; finalTestLoss: number; diverged: boolean }>();

  constructor(readonly targetLoss: number) {}

  /** Folds in one record (new, or a newer version of a step's). */
  take(record: MetricRecord): void {
    let run = this.runs.get(record.run);
    if (!run) {
      run = { step: 0, trainStep: -1, finalTrainLoss: Number.NaN, stepsToTarget: Number.NaN, testStep: -1, finalTestAccuracy: Number.NaN, bestTestAccuracy: Number.NaN, testLossStep: -1, finalTestLoss: Number.NaN, diverged: false };
      this.runs.set(record.run, run);
    }
    const { step } = record;
    run.step = Math.max(run.step, step);
    if ((!Number.isNaN(record.trainLoss) || record.diverged) && step >= run.trainStep) {
      run.trainStep = step;
      run.finalTrainLoss = record.trainLoss;
    }
    if (record.trainLoss <= this.targetLoss && !(run.stepsToTarget <= step)) run.stepsToTarget = step;
    if (record.testAccuracy !== undefined) {
      if (step >= run.testStep) {
        run.testStep = step;
        run.finalTestAccuracy = record.testAccuracy;
      }
      if (!(run.bestTestAccuracy >= record.testAccuracy)) run.bestTestAccuracy = record.testAccuracy;
    }
    if (record.testLoss !== undefined && step >= run.testLossStep) {
      run.testLossStep = step;
      run.finalTestLoss = record.testLoss;
    }
    if (record.diverged) run.diverged = true;
  }

  /** The outcome of stacked run `run` so far. */
  outcome(run: number, divergedAt: number | null = null): RunOutcome {
    const r = this.runs.get(run);
    if (!r) return runOutcome([], this.targetLoss, divergedAt);
    const { step, finalTestAccuracy, bestTestAccuracy, finalTrainLoss, finalTestLoss, stepsToTarget } = r;
    return { step, finalTestAccuracy, bestTestAccuracy, finalTrainLoss, finalTestLoss, stepsToTarget, diverged: divergedAt !== null || r.diverged };
  }
}

/** Records split by stacked run (each in the order given). */
export function recordsByRun(records: Iterable<MetricRecord>, runCount: number): MetricRecord[][] {
  const byRun: MetricRecord[][] = Array.from({ length: runCount }, () => []);
  for (const record of records) byRun[record.run]?.push(record);
  return byRun;
}
