/**
 * Metric records in compact columnar storage: one typed array per field, grown by doubling, plus
 * per-run row lists in step order. A record costs about 60 bytes instead of a few hundred as an
 * object, appending one costs the same however long the history, and a run's rows in step order
 * need no sort. Fields present only now and then (test metrics, AutoDrop's angle, LEAP's band) are
 * kept apart, so most records pay nothing for them. Records come out as MetricRecord objects on
 * demand (`get`, iteration); views and exports that go over everything read the columns instead.
 */
import type { MetricRecord } from './records';
import { asRun, asStep, type RunIndex, type Step } from '../util/ids';

/** The dense numeric fields, one Float64Array each. */
const DENSE = ['epoch', 'trainLoss', 'trainAccuracy', 'lr', 'lrExpected', 'wallMs'] as const;
/** The optional fields, a map from row to value each (absent: no entry). */
const SPARSE = ['testLoss', 'testAccuracy', 'lrBandLow', 'lrBandHigh', 'angle'] as const;

type DenseField = (typeof DENSE)[number];
type SparseField = (typeof SPARSE)[number];

const INITIAL_CAPACITY = 256;

/**
 * Records as columns of typed arrays: how many records cross from the engine's Worker to the page
 * at once (a restore's 300,000), since a structured clone copies a typed array in one piece where
 * it would rebuild 300,000 objects. `at` lists the records (indices into the columns) that have
 * the optional field, in order.
 */
export interface RecordColumns {
  length: number;
  run: Uint32Array;
  step: Uint32Array;
  diverged: Uint8Array;
  dense: Record<DenseField, Float64Array>;
  sparse: Record<SparseField, { at: Uint32Array; values: Float64Array }>;
}

/** The columns of `records`, in order. */
export function recordColumns(records: readonly MetricRecord[]): RecordColumns {
  const n = records.length;
  const columns: RecordColumns = {
    length: n,
    run: new Uint32Array(n),
    step: new Uint32Array(n),
    diverged: new Uint8Array(n),
    dense: Object.fromEntries(DENSE.map((field) => [field, new Float64Array(n)])) as Record<DenseField, Float64Array>,
    sparse: {} as RecordColumns['sparse'],
  };
  const at: Record<SparseField, number[]> = Object.fromEntries(SPARSE.map((field) => [field, []])) as unknown as Record<SparseField, number[]>;
  records.forEach((record, i) => {
    columns.run[i] = record.run;
    columns.step[i] = record.step;
    columns.diverged[i] = record.diverged ? 1 : 0;
    for (const field of DENSE) columns.dense[field][i] = record[field];
    for (const field of SPARSE) if (record[field] !== undefined) at[field].push(i);
  });
  for (const field of SPARSE) {
    const rows = at[field];
    columns.sparse[field] = { at: Uint32Array.from(rows), values: Float64Array.from(rows, (i) => records[i][field] as number) };
  }
  return columns;
}

/** A typed array twice as long holding `array`'s values. */
function grown<T extends Float64Array | Uint32Array | Uint8Array>(array: T, capacity: number): T {
  const next = new (array.constructor as new (length: number) => T)(capacity);
  next.set(array);
  return next;
}

export class RecordTable implements Iterable<MetricRecord> {
  private size = 0;
  private capacity = INITIAL_CAPACITY;
  private runs = new Uint32Array(INITIAL_CAPACITY);
  private steps = new Uint32Array(INITIAL_CAPACITY);
  private diverged = new Uint8Array(INITIAL_CAPACITY);
  private dense: Record<DenseField, Float64Array> = Object.fromEntries(DENSE.map((field) => [field, new Float64Array(INITIAL_CAPACITY)])) as Record<DenseField, Float64Array>;
  private readonly sparse: Record<SparseField, Map<number, number>> = Object.fromEntries(SPARSE.map((field) => [field, new Map()])) as Record<SparseField, Map<number, number>>;
  /** Per run: its rows in step order. */
  private byRun: number[][] = [];
  /** Every row appended or replaced, in order: views fold in what changed since they last looked (journalSince). */
  private journal = new Uint32Array(INITIAL_CAPACITY);
  private journalSize = 0;
  /** Counts clear(): a view folded from an earlier generation must start over. */
  generation = 0;

  /** Number of records. */
  get length(): number {
    return this.size;
  }

  /** Approximate bytes held (typed arrays at capacity, sparse entries, row lists). */
  get bytes(): number {
    const sparse = SPARSE.reduce((sum, field) => sum + this.sparse[field].size, 0);
    return this.capacity * (4 + 4 + 1 + 8 * DENSE.length) + this.journal.length * 4 + sparse * 40 + this.size * 8;
  }

  /** Every run that has a record, counted up to the highest index. */
  get runCount(): number {
    return this.byRun.length;
  }

  /** Appends a record, or replaces the record of the same run and step (returns its row). */
  upsert(record: MetricRecord): number {
    const existing = this.rowOf(record.run, record.step);
    const row = existing >= 0 ? existing : this.append(record.run, record.step);
    this.write(row, record);
    if (this.journalSize === this.journal.length) this.journal = grown(this.journal, this.journal.length * 2);
    this.journal[this.journalSize++] = row;
    return row;
  }

  /** How many changes the table has seen (a cursor for journalSince). */
  get version(): number {
    return this.journalSize;
  }

  /** The rows appended or replaced since the table's version was `version`, in order (a view of the journal). */
  journalSince(version: number): Uint32Array {
    return this.journal.subarray(Math.min(version, this.journalSize), this.journalSize);
  }

  /** Appends every record (each an upsert). */
  push(...records: readonly MetricRecord[]): void {
    this.pushAll(records);
  }

  /** push() for any number of records (a spread of hundreds of thousands overflows the call stack: a restored 50,000-step run has 300,000). */
  pushAll(records: Iterable<MetricRecord>): void {
    for (const record of records) this.upsert(record);
  }

  /** Appends every record of `columns` (each an upsert, in order), with no record object made. */
  pushColumns(columns: RecordColumns): void {
    const next = Object.fromEntries(SPARSE.map((field) => [field, 0])) as Record<SparseField, number>;
    for (let i = 0; i < columns.length; i++) {
      const [run, step] = [columns.run[i], columns.step[i]];
      const existing = this.rowOf(run, step);
      const row = existing >= 0 ? existing : this.append(run, step);
      for (const field of DENSE) this.dense[field][row] = columns.dense[field][i];
      this.diverged[row] = columns.diverged[i];
      for (const field of SPARSE) {
        const { at, values } = columns.sparse[field];
        if (at[next[field]] === i) this.sparse[field].set(row, values[next[field]++]);
        else this.sparse[field].delete(row);
      }
      if (this.journalSize === this.journal.length) this.journal = grown(this.journal, this.journal.length * 2);
      this.journal[this.journalSize++] = row;
    }
  }

  /** The row of `run` at `step`, or −1. */
  rowOf(run: number, step: number): number {
    const rows = this.byRun[run];
    if (!rows || rows.length === 0) return -1;
    let lo = 0;
    let hi = rows.length - 1;
    if (this.steps[rows[hi]] === step) return rows[hi]; // the common case: the latest step
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = this.steps[rows[mid]];
      if (at === step) return rows[mid];
      if (at < step) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** The record in `row`, as an object. */
  get(row: number): MetricRecord {
    const record: MetricRecord = {
      run: asRun(this.runs[row]),
      step: asStep(this.steps[row]),
      epoch: this.dense.epoch[row],
      trainLoss: this.dense.trainLoss[row],
      trainAccuracy: this.dense.trainAccuracy[row],
      lr: this.dense.lr[row],
      lrExpected: this.dense.lrExpected[row],
      diverged: this.diverged[row] === 1,
      wallMs: this.dense.wallMs[row],
    };
    for (const field of SPARSE) {
      const value = this.sparse[field].get(row);
      if (value !== undefined) record[field] = value;
    }
    return record;
  }

  /** The value of `field` in `row` (undefined when absent), without making the record object. */
  valueAt(row: number, field: keyof MetricRecord): number | boolean | undefined {
    switch (field) {
      case 'run':
        return this.runs[row];
      case 'step':
        return this.steps[row];
      case 'diverged':
        return this.diverged[row] === 1;
      case 'testLoss':
      case 'testAccuracy':
      case 'lrBandLow':
      case 'lrBandHigh':
      case 'angle':
        return this.sparse[field].get(row);
      default:
        return this.dense[field][row];
    }
  }

  /** A table of `records` (each an upsert, in order). */
  static of(records: Iterable<MetricRecord>): RecordTable {
    const table = new RecordTable();
    for (const record of records) table.upsert(record);
    return table;
  }

  /** Sets fields of the record in `row` (an evaluation's test metrics, a window's angle). */
  set(row: number, fields: Partial<Pick<MetricRecord, SparseField>>): void {
    for (const field of SPARSE) {
      const value = fields[field];
      if (value !== undefined) this.sparse[field].set(row, value);
    }
  }

  /** The rows of `run` in step order (do not modify). */
  rowsOf(run: number): readonly number[] {
    return this.byRun[run] ?? [];
  }

  /** The records of `run` in step order. */
  ofRun(run: number): MetricRecord[] {
    return this.rowsOf(run).map((row) => this.get(row));
  }

  /** The last record of `run` (its highest step), if any. */
  lastOf(run: number): MetricRecord | undefined {
    const rows = this.rowsOf(run);
    return rows.length ? this.get(rows[rows.length - 1]) : undefined;
  }

  /** The step of the record in `row`. */
  stepAt(row: number): Step {
    return asStep(this.steps[row]);
  }

  /** The run of the record in `row`. */
  runAt(row: number): RunIndex {
    return asRun(this.runs[row]);
  }

  /** Every record, in the order they were first added. */
  *[Symbol.iterator](): Iterator<MetricRecord> {
    for (let row = 0; row < this.size; row++) yield this.get(row);
  }

  /** Every record as objects (O(n) objects: for tests and small tables; exports stream instead). */
  toArray(): MetricRecord[] {
    return [...this];
  }

  /** The records that `keep` accepts. */
  filter(keep: (record: MetricRecord) => boolean): MetricRecord[] {
    const out: MetricRecord[] = [];
    for (const record of this) if (keep(record)) out.push(record);
    return out;
  }

  /** `fn` of every record, in order. */
  map<T>(fn: (record: MetricRecord) => T): T[] {
    const out: T[] = [];
    for (const record of this) out.push(fn(record));
    return out;
  }

  /** The first record `test` accepts. */
  find(test: (record: MetricRecord) => boolean): MetricRecord | undefined {
    for (const record of this) if (test(record)) return record;
    return undefined;
  }

  /** Whether `test` accepts any record. */
  some(test: (record: MetricRecord) => boolean): boolean {
    return this.find(test) !== undefined;
  }

  /** The records of rows from `start` on (those added since a table was `start` long). */
  slice(start: number): MetricRecord[] {
    const out: MetricRecord[] = [];
    for (let row = start; row < this.size; row++) out.push(this.get(row));
    return out;
  }

  /** Forgets every record. */
  clear(): void {
    this.size = 0;
    this.journalSize = 0;
    this.generation++;
    this.byRun = [];
    for (const field of SPARSE) this.sparse[field].clear();
  }

  private append(run: number, step: number): number {
    if (this.size === this.capacity) this.grow();
    const row = this.size++;
    this.runs[row] = run;
    this.steps[row] = step;
    const rows = (this.byRun[run] ??= []);
    for (let r = this.byRun.length - 1; r >= 0; r--) this.byRun[r] ??= [];
    if (rows.length === 0 || this.steps[rows[rows.length - 1]] < step) rows.push(row);
    else {
      let at = rows.length;
      while (at > 0 && this.steps[rows[at - 1]] > step) at--;
      rows.splice(at, 0, row);
    }
    return row;
  }

  private write(row: number, record: MetricRecord): void {
    for (const field of DENSE) this.dense[field][row] = record[field];
    this.diverged[row] = record.diverged ? 1 : 0;
    for (const field of SPARSE) {
      const value = record[field];
      if (value === undefined) this.sparse[field].delete(row);
      else this.sparse[field].set(row, value);
    }
  }

  private grow(): void {
    this.capacity *= 2;
    this.runs = grown(this.runs, this.capacity);
    this.steps = grown(this.steps, this.capacity);
    this.diverged = grown(this.diverged, this.capacity);
    for (const field of DENSE) this.dense[field] = grown(this.dense[field], this.capacity);
  }
}
