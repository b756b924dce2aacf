/**
 * Chart data, display only: debiased EMA smoothing, min/max decimation and the mean ± std of
 * replicates. Nothing here touches the raw records the store keeps for export.
 */
import { RecordTable } from '../src/experiment/record-table';
import type { MetricRecord } from '../src/experiment/records';
import { ChartModel } from './chart-model';

/** A numeric field of a metric record that a chart can plot. */
export type MetricKey = 'trainLoss' | 'testLoss' | 'testAccuracy' | 'lr' | 'lrExpected' | 'angle';
/** What the x axis counts. */
export type XAxisKind = 'step' | 'epoch' | 'wall';

/** One point of one series: x and y (y may be missing: a gap). */
export interface Point {
  x: number;
  y: number;
}

/**
 * TensorBoard's debiased exponential moving average: m_i = w·m_{i−1} + (1 − w)·y_i with m_0 = 0,
 * shown as m_i / (1 − w^(i+1)); non-finite values pass through unsmoothed and do not enter m.
 * weight 0 returns the values unchanged.
 */
export function smoothEma(values: readonly number[], weight: number): number[] {
  if (!(weight > 0)) return [...values];
  const w = Math.min(weight, 0.999);
  let last = 0;
  let count = 0;
  return values.map((value) => {
    if (!Number.isFinite(value)) return value;
    last = last * w + (1 - w) * value;
    count++;
    return last / (1 - w ** count);
  });
}

/**
 * Indices of the rows to draw so that at most ~maxPoints rows remain: the rows are cut into
 * buckets, and in each bucket the rows holding the minimum and the maximum of every series are
 * kept (spikes survive), plus the first and last row. Returns all indices when few enough.
 */
export function decimateIndices(rowCount: number, series: ReadonlyArray<ArrayLike<number>>, maxPoints: number): number[] {
  if (rowCount <= maxPoints) return Array.from({ length: rowCount }, (_, i) => i);
  const perBucket = Math.max(2, 2 * Math.max(series.length, 1));
  const buckets = Math.max(1, Math.floor((maxPoints - 2) / perBucket));
  const size = rowCount / buckets;
  const keep = new Set<number>([0, rowCount - 1]);
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * size);
    const end = Math.min(rowCount, Math.floor((b + 1) * size));
    if (end <= start) continue;
    if (series.length === 0) keep.add(start);
    for (const values of series) {
      let low = -1;
      let high = -1;
      for (let i = start; i < end; i++) {
        const v = values[i];
        if (!Number.isFinite(v)) continue;
        if (low < 0 || v < values[low]) low = i;
        if (high < 0 || v > values[high]) high = i;
      }
      if (low >= 0) keep.add(low);
      if (high >= 0) keep.add(high);
      if (low < 0) keep.add(start);
    }
  }
  return [...keep].sort((a, b) => a - b);
}

/** Mean and (population) standard deviation of the finite values; NaN when there are none. */
export function meanStd(values: ArrayLike<number>): { mean: number; std: number } {
  // Two passes by index, no copy: the charts call it for every step of every replicated series.
  let sum = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) {
      sum += values[i];
      count++;
    }
  }
  if (count === 0) return { mean: Number.NaN, std: Number.NaN };
  const mean = sum / count;
  let squares = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) squares += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(squares / count) };
}

/** One line of a chart: a stacked run, or a method's mean over its replicates. */
export interface SeriesSpec {
  id: string;
  label: string;
  color: string;
  /** Stacked run indices it covers (one, or every replicate of a method). */
  runs: number[];
  /** Dash pattern (not colour alone). */
  dash: string;
  /** The run key of the method it draws (legend hover highlights it). */
  runKey?: number;
}

/** The x of a record on the chosen axis: step, epoch or wall time in seconds. */
export function xOf(record: MetricRecord, axis: XAxisKind): number {
  return axis === 'step' ? record.step : axis === 'epoch' ? record.epoch : record.wallMs / 1000;
}

export interface ChartOptions {
  metric: MetricKey;
  axis: XAxisKind;
  smoothing: number;
  logY: boolean;
  maxPoints: number;
  /** Draw LEAP's band (lrBandLow..lrBandHigh) as an area for the effective-LR chart. */
  band?: boolean;
}

/** A chart row: x plus, per series id, its value (`<id>`) and optional band (`<id>:band` = [low, high]). */
export type ChartRow = Record<string, number | [number, number] | undefined> & { x: number };

/**
 * The rows a chart draws from every record at once (./chart-model.ts folds them in as they come;
 * this builds one from scratch): one row per logged step that has `metric` for any series; each
 * series its (smoothed) value, or the mean over its replicates with a ±std band. On a log axis
 * values ≤ 0 are dropped (a gap). Decimated to ~maxPoints rows.
 */
export function buildChartRows(records: RecordTable | ReadonlyArray<readonly MetricRecord[]>, series: readonly SeriesSpec[], options: ChartOptions): ChartRow[] {
  const table = records instanceof RecordTable ? records : RecordTable.of(records.flat());
  const model = new ChartModel(series, options);
  model.update(table);
  return model.rows();
}

/** Dash patterns, one per series in turn, so that lines differ by more than colour. */
export const DASHES = ['', '6 3', '2 3', '8 3 2 3', '12 4', '4 2 4 2 10 2', '1 2', '10 3 3 3 3 3'];

/** A run's dash pattern: by its run key, so that it stays with the run through removals, duplicates and reorders. */
export const dashOf = (runKey: number) => DASHES[runKey % DASHES.length];
