/**
 * One chart's rows, folded in as records arrive (display only; exports read the raw records).
 * A fold takes the table rows changed since the last one, in arrival order, and does work in
 * proportion to them, never to the history: each run's debiased EMA carries its state, each step
 * becomes one row (every series' value: a run's, or a method's mean ± std over its replicates),
 * and the rows go through a bucketed min/max decimation that keeps at most ~maxRows rows (each
 * bucket keeps its first and last row and, for every series, the rows of its minimum and maximum,
 * so spikes survive; when there are too many buckets, neighbours merge and the bucket size doubles).
 */
import type { RecordTable } from '../src/experiment/record-table';
import { meanStd, type ChartOptions, type ChartRow, type MetricKey, type SeriesSpec } from './series';

/**
 * A computed row before it is drawn: x, then per series its value and band (NaN: none). (Plain
 * arrays of numbers: a typed array per row and series, with its buffer, was most of the charts'
 * garbage in a sweep.)
 */
interface RowValues {
  x: number;
  mean: number[];
  low: number[];
  high: number[];
}

/** `count` NaNs. */
function nans(count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(Number.NaN);
  return out;
}

/** Records folded between two looks for complete steps (a restore's fold of 300,000 records). */
const FINISH_EVERY = 4096;

/** A decimation bucket: how many rows it stands for, and the rows it keeps. */
interface Bucket {
  count: number;
  kept: RowValues[];
}

/** The value of `key` a chart plots for a table row (undefined: no point at this step). */
function rowValue(table: RecordTable, row: number, key: MetricKey): number | undefined {
  const value = table.valueAt(row, key);
  return typeof value === 'number' ? value : undefined;
}

export class ChartModel {
  /** Per stacked run: the series it belongs to and its place among that series' runs (−1: not drawn). */
  private readonly seriesOf = new Map<number, { series: number; slot: number }>();
  /** Per stacked run: the debiased EMA's state and the last step folded in. */
  private readonly ema = new Map<number, { last: number; count: number; step: number }>();
  /** Steps seen in this fold, not yet rows: per series, the values of its runs. */
  private pending = new Map<number, { x: number; values: number[][]; bands: number[] }>();
  private buckets: Bucket[] = [];
  private bucketSize = 1;
  private readonly maxBuckets: number;
  /** The table version folded so far. */
  version = 0;
  /** Nothing folded yet: the first fold goes by runs (foldRuns). */
  private fresh = true;
  /** A first fold in progress: the drawn runs' row lists, how far each is to be read, and the next index. */
  private rebuild: { lists: ReadonlyArray<readonly number[]>; lengths: number[]; longest: number; next: number } | null = null;
  /** The table's generation it was folded from (a cleared table starts a new one: build the model again). */
  generation = -1;
  /** Each series' band key in the rows (its id and ":band"). */
  private readonly bandKeys: string[];

  constructor(
    private readonly series: readonly SeriesSpec[],
    private readonly options: ChartOptions,
    /** The table generation it folds (a cleared table starts a new one: build a new model). */
    readonly tableGeneration?: number,
  ) {
    series.forEach((spec, index) => spec.runs.forEach((run, slot) => this.seriesOf.set(run, { series: index, slot })));
    this.bandKeys = series.map((spec) => `${spec.id}:band`);
    this.maxBuckets = Math.max(1, Math.floor((options.maxPoints - 2) / (2 + 2 * Math.max(series.length, 1))));
  }

  /**
   * Folds in the table's changes since `this.version` (all of it the first time), about `budget`
   * rows at most (a long first fold goes on in later calls, so that no call is a long task);
   * returns whether it has caught up with the table.
   */
  update(table: RecordTable, budget = Infinity): boolean {
    if (this.generation !== -1 && this.generation !== table.generation) throw new Error('the table was cleared: make a new ChartModel');
    this.generation = table.generation;
    let left = budget;
    if (this.fresh) {
      this.fresh = false;
      this.startRuns(table);
    }
    if (this.rebuild) left = this.foldRuns(table, left);
    if (this.rebuild) return false;
    let taken = 0;
    this.version += table.eachChange(
      this.version,
      (row) => {
        this.take(table, row);
        // A long fold turns its complete steps into rows as it goes, so that it never holds every step at once.
        if (++taken % FINISH_EVERY === 0) this.finishSteps(this.completeThrough());
      },
      Math.max(0, left),
    );
    const caughtUp = this.version === table.version;
    // Caught up, every step folded has all its runs (a block brings every run of its steps); else only the complete ones.
    this.finishSteps(caughtUp ? Infinity : this.completeThrough());
    return caughtUp;
  }

  /** Whether every change of `table` is folded in. */
  caughtUp(table: RecordTable): boolean {
    return !this.fresh && this.rebuild === null && this.version === table.version && this.generation === table.generation;
  }

  /**
   * The first fold reads the rows of the runs this chart draws, each run in step order, the runs in
   * step (their i-th rows together, in run order, as the journal has them); the journal from the
   * table's version now on comes after. A sweep's new focus rebuilds its charts this way over 36
   * runs' rows, not the journal of all 576 (a million rows after 2,000 steps: a 150 ms task).
   */
  private startRuns(table: RecordTable): void {
    const lists = [...this.seriesOf.keys()].sort((a, b) => a - b).map((run) => table.rowsOf(run));
    const lengths = lists.map((rows) => rows.length); // rows added later come through the journal
    this.rebuild = { lists, lengths, longest: Math.max(0, ...lengths), next: 0 };
    this.version = table.version;
  }

  /** Goes on with the first fold for about `budget` rows; returns the budget left (the fold is done when `rebuild` is null). */
  private foldRuns(table: RecordTable, budget: number): number {
    const rebuild = this.rebuild!;
    const { lists, lengths } = rebuild;
    let [left, taken] = [budget, 0];
    while (rebuild.next < rebuild.longest && left > 0) {
      const i = rebuild.next++;
      for (let r = 0; r < lists.length; r++) if (i < lengths[r]) this.take(table, lists[r][i]);
      left -= lists.length;
      taken += lists.length;
      if (taken >= FINISH_EVERY) {
        this.finishSteps(this.completeThrough());
        taken = 0;
      }
    }
    if (rebuild.next >= rebuild.longest) this.rebuild = null;
    this.finishSteps(this.completeThrough());
    return left;
  }

  /**
   * The last step every run of this chart has reached in the records folded so far (−1 while
   * one has none): each run's records come in step order, so no step up to it gets another value.
   */
  private completeThrough(): number {
    let through = Infinity;
    for (const run of this.seriesOf.keys()) through = Math.min(through, this.ema.get(run)?.step ?? -1);
    return Number.isFinite(through) ? through : -1;
  }

  /**
   * One record (a table row, read field by field: a fold makes no record objects): the value of
   * this chart's metric, smoothed, waiting for its step's other runs. Other runs' rows (a sweep's
   * charts show 36 of its 576 runs) are passed over.
   */
  private take(table: RecordTable, row: number): void {
    const run = table.runAt(row);
    const place = this.seriesOf.get(run);
    if (!place) return;
    const value = rowValue(table, row, this.options.metric);
    if (value === undefined) return;
    const recordStep = table.stepAt(row);
    const state = this.ema.get(run) ?? { last: 0, count: 0, step: -1 };
    if (recordStep <= state.step) return; // a step seen already (its record re-sent with test metrics)
    state.step = recordStep;
    let shown = value;
    if (this.options.smoothing > 0 && Number.isFinite(value)) {
      const w = Math.min(this.options.smoothing, 0.999);
      state.last = state.last * w + (1 - w) * value;
      state.count++;
      shown = state.last / (1 - w ** state.count);
    }
    this.ema.set(run, state);
    let step = this.pending.get(recordStep);
    if (!step) {
      const x = this.options.axis === 'step' ? recordStep : this.options.axis === 'epoch' ? (table.valueAt(row, 'epoch') as number) : (table.valueAt(row, 'wallMs') as number) / 1000;
      step = { x, values: this.series.map((spec) => nans(spec.runs.length)), bands: nans(2 * this.series.length) };
      this.pending.set(recordStep, step);
    }
    step.values[place.series][place.slot] = shown;
    if (this.options.band && this.series[place.series].runs.length === 1) {
      const low = table.valueAt(row, 'lrBandLow');
      const high = table.valueAt(row, 'lrBandHigh');
      if (typeof low === 'number' && typeof high === 'number') {
        step.bands[2 * place.series] = low;
        step.bands[2 * place.series + 1] = high;
      }
    }
  }

  /** Turns the steps of this fold (up to `through`) into rows, in step order (a block brings every run of its steps). */
  private finishSteps(through = Infinity): void {
    if (through < 0) return;
    const steps = [...this.pending.keys()].filter((step) => step <= through).sort((a, b) => a - b);
    const positive = (v: number) => (this.options.logY && !(v > 0) ? Number.NaN : v);
    for (const key of steps) {
      const step = this.pending.get(key)!;
      const count = this.series.length;
      const row: RowValues = { x: step.x, mean: [], low: [], high: [] };
      for (let s = 0; s < count; s++) {
        const values = step.values[s];
        if (this.series[s].runs.length > 1) {
          const { mean, std } = meanStd(values);
          row.mean.push(positive(mean));
          row.low.push(positive(mean - std));
          row.high.push(positive(mean + std));
        } else {
          row.mean.push(positive(values[0]));
          row.low.push(positive(step.bands[2 * s]));
          row.high.push(positive(step.bands[2 * s + 1]));
        }
      }
      this.push(row); // (a value dropped on a log axis leaves a gap in its row, as a NaN loss does)
      this.pending.delete(key);
    }
  }

  /** Adds a row to the decimation: a new bucket every bucketSize rows, neighbours merged when there are too many. */
  private push(row: RowValues): void {
    const last = this.buckets[this.buckets.length - 1];
    if (last && last.count < this.bucketSize) {
      last.count++;
      last.kept = this.keep([...last.kept, row]);
    } else this.buckets.push({ count: 1, kept: [row] });
    if (this.buckets.length > this.maxBuckets) {
      const merged: Bucket[] = [];
      for (let i = 0; i < this.buckets.length; i += 2) {
        const a = this.buckets[i];
        const b = this.buckets[i + 1];
        merged.push(b ? { count: a.count + b.count, kept: this.keep([...a.kept, ...b.kept]) } : a);
      }
      this.buckets = merged;
      this.bucketSize *= 2;
    }
  }

  /** Of rows in x order: the first, the last, and each series' minimum and maximum. */
  private keep(rows: RowValues[]): RowValues[] {
    if (rows.length <= 2) return rows;
    const chosen = new Set<RowValues>([rows[0], rows[rows.length - 1]]);
    for (let s = 0; s < this.series.length; s++) {
      let low: RowValues | null = null;
      let high: RowValues | null = null;
      for (const row of rows) {
        const v = row.mean[s];
        if (!Number.isFinite(v)) continue;
        if (!low || v < low.mean[s]) low = row;
        if (!high || v > high.mean[s]) high = row;
      }
      if (low) chosen.add(low);
      if (high) chosen.add(high);
    }
    return rows.filter((row) => chosen.has(row));
  }

  /**
   * The rows to draw: x, per series id its value and (when it has one) its band; with `table`, its
   * changes folded in first (about `budget` rows of them: see update).
   */
  rows(table?: RecordTable, _version?: number, budget = Infinity): ChartRow[] {
    if (table) this.update(table, budget);
    const out: ChartRow[] = [];
    const floor = this.options.logY ? Number.MIN_VALUE : -Infinity;
    for (const bucket of this.buckets) {
      for (const values of bucket.kept) {
        const row: ChartRow = { x: values.x };
        for (let s = 0; s < this.series.length; s++) {
          const mean = values.mean[s];
          const low = values.low[s];
          const high = values.high[s];
          row[this.series[s].id] = Number.isFinite(mean) ? mean : undefined;
          if (Number.isFinite(low) && Number.isFinite(high)) row[this.bandKeys[s]] = [Math.max(low, floor), high];
        }
        out.push(row);
      }
    }
    return out;
  }
}
