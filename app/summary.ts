/**
 * The summary table's numbers, from the raw records: per stacked run (final and best test
 * accuracy, final losses, steps to a target loss, divergence, ms per step) and per method across
 * its replicates (mean ± std).
 */
import { type RecordTable } from '../src/experiment/record-table';
import { blankRecord } from '../src/experiment/record-columns';
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

/**
 * runStats of every run, folded in as records arrive: per run the running values (latest finite
 * loss, final and best test metrics, the first step at the target) are kept, and an update reads
 * only the table's changes since the last one (a step's records re-sent with test metrics
 * included), never the whole history.
 */
export class StatsTracker {
  private readonly perRun = new Map<number, { step: number; trainLoss: number; finalTestAccuracy: number; bestTestAccuracy: number; finalTestLoss: number; stepsToTarget: number; diverged: boolean; wallMs: number; testStep: number }>();
  private version = 0;
  readonly generation: number;

  constructor(
    private readonly table: RecordTable,
    readonly targetLoss: number,
    generation = table.generation,
  ) {
    this.generation = generation;
  }

  /** The statistics of runs 0 … count − 1, the table's changes folded in first (`_version`: the change counter a view re-renders on). */
  statsOf(count: number, divergedAt: ReadonlyArray<number | null>, _version?: number): RunStats[] {
    this.update();
    return Array.from({ length: count }, (_, run) => this.stats(run, divergedAt[run] ?? null));
  }

  /** Folds in the table's changes since the last update (each read into one scratch record: none made). */
  update(): void {
    this.version += this.table.eachChange(this.version, (row) => this.take(this.table.readInto(row, this.scratch)));
  }

  private readonly scratch = blankRecord();

  private take(record: MetricRecord): void {
    const run = this.perRun.get(record.run) ?? { step: 0, trainLoss: Number.NaN, finalTestAccuracy: Number.NaN, bestTestAccuracy: Number.NaN, finalTestLoss: Number.NaN, stepsToTarget: Number.NaN, diverged: false, wallMs: 0, testStep: -1 };
    this.perRun.set(record.run, run);
    if (record.step > run.step) {
      run.step = record.step;
      run.diverged = record.diverged;
      run.wallMs = record.wallMs;
      if (Number.isFinite(record.trainLoss)) {
        run.trainLoss = record.trainLoss;
        if (Number.isNaN(run.stepsToTarget) && record.trainLoss <= this.targetLoss) run.stepsToTarget = record.step;
      }
    }
    if (record.testAccuracy !== undefined && record.step > run.testStep) {
      run.testStep = record.step;
      run.finalTestAccuracy = record.testAccuracy;
      if (!(run.bestTestAccuracy >= record.testAccuracy)) run.bestTestAccuracy = record.testAccuracy;
      if (record.testLoss !== undefined) run.finalTestLoss = record.testLoss;
    }
  }

  /** The statistics of stacked run `run` (as runStats gives them). */
  stats(run: number, divergedAt: number | null): RunStats {
    const r = this.perRun.get(run);
    if (!r) return runStats([], this.targetLoss, divergedAt);
    const { step, trainLoss, finalTestAccuracy, bestTestAccuracy, finalTestLoss, stepsToTarget } = r;
    return { step, trainLoss, finalTestAccuracy, bestTestAccuracy, finalTestLoss, stepsToTarget, diverged: divergedAt !== null || r.diverged, msPerStep: step > 0 ? r.wallMs / step : Number.NaN };
  }
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
