/**
 * From the outcomes of a sweep's stacked runs to its conclusions: the runs grouped by method and
 * sweep point (a group's runs are its replicates), the sensitivity of each method to a swept field
 * (mean and 95 % interval over replicates at each value, the best value, the values within a
 * tolerance of it), the paired comparison of every method with a reference group (with Holm's
 * correction across the methods compared), and the paired difference curve over steps.
 */
import type { MetricRecord } from '../experiment/records';
import { sweepLabel, type SweptValues } from '../experiment/sweep';
import { holm, meanInterval, pairedComparison, type MeanInterval, type PairedResult } from './paired';
import { OUTCOME_METRICS, type CurveField, type OutcomeMetric, type RunOutcome } from './run-outcome';

/** What the analysis needs to know of a stacked run (an ExpandedRun or a view's RunSummary). */
export interface SweepRun {
  label: string;
  method: number;
  point?: number;
  replicate: number;
  swept?: SweptValues;
  color?: string;
}

/** A method at one sweep point: its replicates. */
export interface SweepGroup {
  /** "method:point". */
  key: string;
  method: number;
  point: number;
  /** The method's label with its swept values. */
  label: string;
  /** The method's own label. */
  methodLabel: string;
  color: string;
  swept: SweptValues;
  /** Stacked run of each replicate, by replicate. */
  runs: number[];
}

/** The key of a method's sweep point. */
export const groupKey = (method: number, point = 0) => `${method}:${point}`;

/** The runs grouped by method and sweep point, in run order. */
export function groupRuns(runs: readonly SweepRun[]): SweepGroup[] {
  const groups = new Map<string, SweepGroup>();
  runs.forEach((run, index) => {
    const key = groupKey(run.method, run.point);
    let group = groups.get(key);
    if (!group) {
      const swept = run.swept ?? {};
      group = { key, method: run.method, point: run.point ?? 0, label: sweepLabel(run.label, swept), methodLabel: run.label, color: run.color ?? '#888888', swept, runs: [] };
      groups.set(key, group);
    }
    group.runs[run.replicate] = index;
  });
  return [...groups.values()];
}

/** The outcome `metric` of each replicate of `group` (NaN where a run has none). */
export function groupValues(group: SweepGroup, outcomes: readonly RunOutcome[], metric: OutcomeMetric): number[] {
  return group.runs.map((run) => outcomes[run]?.[metric] ?? Number.NaN);
}

/** Whether mean `a` is better than `b` for `metric` (NaN is never better). */
export function better(metric: OutcomeMetric, a: number, b: number): boolean {
  if (!Number.isFinite(a)) return false;
  if (!Number.isFinite(b)) return true;
  return OUTCOME_METRICS[metric].higherIsBetter ? a > b : a < b;
}

/** One point of a sensitivity curve: a group, its summary over replicates, and how many replicates diverged. */
export interface SensitivityPoint {
  group: SweepGroup;
  /** The value of the x field. */
  x: number;
  stats: MeanInterval;
  diverged: number;
}

/** A method's sensitivity to the x field (at fixed values of the other axes: `others`). */
export interface SensitivitySeries {
  method: number;
  label: string;
  color: string;
  /** The other swept values shared by the points (empty with one axis). */
  others: SweptValues;
  points: SensitivityPoint[];
  /** Index of the best point (best mean), or -1 when none has a value. */
  best: number;
  /** Indices of the contiguous points around the best whose mean is within `tolerance` of it. */
  withinTolerance: number[];
}

/**
 * The sensitivity curves of every method to `xField`: per method (and per value of the other
 * axes), its points in order of x, each the mean and 95 % interval of `metric` over replicates;
 * the best point, and the contiguous points whose mean m satisfies |m − best| ≤ tolerance·|best|.
 */
export function sensitivity(
  groups: readonly SweepGroup[],
  outcomes: readonly RunOutcome[],
  metric: OutcomeMetric,
  xField: string,
  tolerance: number,
): SensitivitySeries[] {
  const series = new Map<string, SensitivitySeries>();
  for (const group of groups) {
    const x = group.swept[xField];
    if (x === undefined) continue;
    const others = Object.fromEntries(Object.entries(group.swept).filter(([field]) => field !== xField));
    const key = `${group.method}|${JSON.stringify(others)}`;
    let line = series.get(key);
    if (!line) {
      const label = sweepLabel(group.methodLabel, others);
      line = { method: group.method, label, color: group.color, others, points: [], best: -1, withinTolerance: [] };
      series.set(key, line);
    }
    const values = groupValues(group, outcomes, metric);
    line.points.push({ group, x, stats: meanInterval(values), diverged: group.runs.filter((run) => outcomes[run]?.diverged).length });
  }
  for (const line of series.values()) {
    line.points.sort((a, b) => a.x - b.x);
    line.best = bestIndex(line.points.map((point) => point.stats.mean), metric);
    line.withinTolerance = toleranceRange(line.points.map((point) => point.stats.mean), line.best, tolerance);
  }
  return [...series.values()];
}

/** Index of the best of `means` for `metric` (-1 when none is finite). */
export function bestIndex(means: readonly number[], metric: OutcomeMetric): number {
  let best = -1;
  means.forEach((mean, index) => {
    if (better(metric, mean, best < 0 ? Number.NaN : means[best])) best = index;
  });
  return best;
}

/** The contiguous indices around `best` whose value v satisfies |v − means[best]| ≤ tolerance·|means[best]|. */
export function toleranceRange(means: readonly number[], best: number, tolerance: number): number[] {
  if (best < 0) return [];
  const limit = tolerance * Math.abs(means[best]);
  const within = (index: number) => Number.isFinite(means[index]) && Math.abs(means[index] - means[best]) <= limit;
  let low = best;
  let high = best;
  while (low > 0 && within(low - 1)) low--;
  while (high < means.length - 1 && within(high + 1)) high++;
  return Array.from({ length: high - low + 1 }, (_, k) => low + k);
}

/** The best group of each method for `metric` (by its mean over replicates), by method. */
export function bestGroups(groups: readonly SweepGroup[], outcomes: readonly RunOutcome[], metric: OutcomeMetric): Map<number, SweepGroup> {
  const best = new Map<number, { group: SweepGroup; mean: number }>();
  for (const group of groups) {
    const mean = meanInterval(groupValues(group, outcomes, metric)).mean;
    const current = best.get(group.method);
    if (!current || better(metric, mean, current.mean)) best.set(group.method, { group, mean });
  }
  return new Map([...best].map(([method, { group }]) => [method, group]));
}

/** One row of the paired table: a method's group against the reference. */
export interface PairedRow {
  group: SweepGroup;
  result: PairedResult;
  /** Holm-adjusted p-values across the rows (null where the test has none). */
  tTestHolm: number | null;
  wilcoxonHolm: number | null;
}

/** Which group of each other method meets the reference: its best, or the one at the reference's swept values. */
export type CompareAt = 'best' | 'same';

/**
 * Every other method against the reference group, replicate by replicate: with `compareAt` 'same'
 * the method's group at the reference's swept values (where several match, e.g. with a second axis
 * only the method has, the best of them), with 'best' the method's best group. Holm's correction
 * runs over the rows, each test on its own.
 */
export function pairedTable(groups: readonly SweepGroup[], outcomes: readonly RunOutcome[], metric: OutcomeMetric, reference: SweepGroup, compareAt: CompareAt): PairedRow[] {
  const referenceValues = groupValues(reference, outcomes, metric);
  const best = bestGroups(groups, outcomes, metric);
  const chosen: SweepGroup[] = [];
  for (const method of new Set(groups.map((group) => group.method))) {
    if (method === reference.method) continue;
    if (compareAt === 'best') {
      chosen.push(best.get(method)!);
      continue;
    }
    const matching = groups.filter((group) => group.method === method && Object.entries(reference.swept).every(([field, value]) => !(field in group.swept) || group.swept[field] === value));
    const top = bestGroups(matching, outcomes, metric).get(method);
    if (top) chosen.push(top);
  }
  const results = chosen.map((group) => pairedComparison(groupValues(group, outcomes, metric), referenceValues));
  const tHolm = holm(results.map((result) => result.tTest.p));
  const wHolm = holm(results.map((result) => result.wilcoxon.p));
  return chosen.map((group, index) => ({ group, result: results[index], tTestHolm: tHolm[index], wilcoxonHolm: wHolm[index] }));
}

/** One step of a run's curve as a difference curve reads it: its step and the field it follows (a record is one). */
export type CurvePoint = Pick<MetricRecord, 'step'> & Partial<Pick<MetricRecord, CurveField>>;

/** One step of a difference curve: the mean paired difference and its 95 % interval over replicates. */
export interface DifferencePoint {
  step: number;
  n: number;
  mean: number;
  low: number;
  high: number;
}

/**
 * The paired difference curve of `group` − `reference` for the record field `field`: at every step
 * where both have it, d_r(s) = group_r(s) − reference_r(s) over replicates r, its mean and 95 % interval.
 */
export function differenceCurve(
  records: ReadonlyArray<readonly CurvePoint[]>,
  group: SweepGroup,
  reference: SweepGroup,
  field: CurveField,
): DifferencePoint[] {
  const valuesOf = (run: number | undefined) => {
    const map = new Map<number, number>();
    for (const record of run === undefined ? [] : (records[run] ?? [])) {
      const value = record[field];
      if (value !== undefined) map.set(record.step, value);
    }
    return map;
  };
  const pairs = group.runs.map((run, replicate) => [valuesOf(run), valuesOf(reference.runs[replicate])] as const);
  const steps = [...new Set(pairs.flatMap(([a]) => [...a.keys()]))].sort((a, b) => a - b);
  return steps.flatMap((step) => {
    const differences = pairs.flatMap(([a, b]) => (a.has(step) && b.has(step) ? [a.get(step)! - b.get(step)!] : []));
    if (differences.length === 0) return [];
    const stats = meanInterval(differences);
    return stats.n === 0 ? [] : [{ step, n: stats.n, mean: stats.mean, low: stats.low, high: stats.high }];
  });
}
