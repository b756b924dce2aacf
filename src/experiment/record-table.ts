/**
 * Metric records in compact columnar storage: one typed array per field, in pages, plus per-run
 * row lists in step order. A record costs about 60 bytes instead of a few hundred as an
 * object, appending one costs the same however long the history, and a run's rows in step order
 * need no sort. Fields present only now and then (test metrics, AutoDrop's angle, LEAP's band) are
 * columns of their own with a byte saying whether a row has a value, made only for the pages
 * that hold one. Records come out as MetricRecord objects on
 * demand (`get`, iteration); views and exports that go over everything read the columns instead.
 */
import { DENSE, emptyColumns, SPARSE, type RecordColumns, type SparseField } from './record-columns';
import { clearSparse, Journal, newPage, PAGE_BITS, PAGE_ROWS, ROW_MASK, setSparse, sparseAt, type Page } from './record-page';
import type { MetricRecord } from './records';
import { asRun, asStep, type RunIndex, type Step } from '../util/ids';

const INITIAL_CAPACITY = 256;

export class RecordTable implements Iterable<MetricRecord> {
  private size = 0;
  /** Rows the pages hold. */
  private capacity = INITIAL_CAPACITY;
  /** Row r is at index r & ROW_MASK of page r >>> PAGE_BITS. */
  private pages: Page[] = [newPage(INITIAL_CAPACITY)];
  /** Per run: its rows in step order. */
  private byRun: number[][] = [];
  /** Every row appended or replaced, in order: views fold in what changed since they last looked (journalSince). */
  private journal = new Journal();
  /** Counts clear(): a view folded from an earlier generation must start over. */
  generation = 0;

  /** Number of records. */
  get length(): number {
    return this.size;
  }

  /** Approximate bytes held (typed arrays at capacity, optional columns made, row lists). */
  get bytes(): number {
    const sparse = this.pages.reduce((sum, page) => sum + Object.keys(page.sparse).length * page.runs.length * 9, 0);
    return this.capacity * (4 + 4 + 1 + 8 * DENSE.length) + this.journal.bytes + sparse + this.size * 8;
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
    this.journal.push(row);
    return row;
  }

  /** How many changes the table has seen (a cursor for journalSince). */
  get version(): number {
    return this.journal.size;
  }

  /**
   * The rows appended or replaced since the table's version was `version`, in order, up to the end
   * of a page of the journal (a view of it; empty when there are none): a view reads on from
   * `version` + its length until it reaches the table's version.
   */
  journalSince(version: number): Uint32Array {
    return this.journal.since(version);
  }

  /**
   * Calls `visit` with each row appended or replaced since the table's version was `version`, in
   * order, at most `limit` of them, across the journal's pages; returns how many it visited (the
   * view's version moves on by that much).
   */
  eachChange(version: number, visit: (row: number) => void, limit = Number.POSITIVE_INFINITY): number {
    let seen = 0;
    for (let rows = this.journal.since(version); rows.length > 0 && seen < limit; rows = this.journal.since(version + seen)) {
      const count = Math.min(rows.length, limit - seen);
      for (let i = 0; i < count; i++) visit(rows[i]);
      seen += count;
    }
    return seen;
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
    const n = columns.length;
    const { run: runs, step: steps, diverged } = columns;
    const { epoch, trainLoss, trainAccuracy, lr, lrExpected, wallMs } = columns.dense;
    // The optional fields: where each is next present (columns.sparse[f].at is in record order).
    const ats = SPARSE.map((field) => columns.sparse[field].at);
    const values = SPARSE.map((field) => columns.sparse[field].values);
    const next = new Uint32Array(SPARSE.length);
    for (let i = 0; i < n; i++) {
      const existing = this.rowOf(runs[i], steps[i]);
      const row = existing >= 0 ? existing : this.append(runs[i], steps[i]);
      const page = this.pages[row >>> PAGE_BITS];
      const at = row & ROW_MASK;
      const dense = page.dense;
      dense.epoch[at] = epoch[i];
      dense.trainLoss[at] = trainLoss[i];
      dense.trainAccuracy[at] = trainAccuracy[i];
      dense.lr[at] = lr[i];
      dense.lrExpected[at] = lrExpected[i];
      dense.wallMs[at] = wallMs[i];
      page.diverged[at] = diverged[i];
      for (let f = 0; f < SPARSE.length; f++) {
        if (next[f] < ats[f].length && ats[f][next[f]] === i) setSparse(page, at, SPARSE[f], values[f][next[f]++]);
        else if (existing >= 0) clearSparse(page, at, SPARSE[f]); // a record replaces the whole record (a new row has none)
      }
      this.journal.push(row);
    }
  }

  /** The row of `run` at `step`, or −1. */
  rowOf(run: number, step: number): number {
    const rows = this.byRun[run];
    if (!rows || rows.length === 0) return -1;
    let lo = 0;
    let hi = rows.length - 1;
    const last = this.stepOf(rows[hi]);
    if (last === step) return rows[hi]; // an evaluation re-sends the latest step
    if (last < step) return -1; // a new step: the common case while training
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = this.stepOf(rows[mid]);
      if (at === step) return rows[mid];
      if (at < step) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** The step in `row` (stepAt without the brand). */
  private stepOf(row: number): number {
    return this.pages[row >>> PAGE_BITS].steps[row & ROW_MASK];
  }

  /** The record in `row`, as an object. */
  get(row: number): MetricRecord {
    const { runs, steps, dense, diverged } = this.pages[row >>> PAGE_BITS];
    const at = row & ROW_MASK;
    const record: MetricRecord = {
      run: asRun(runs[at]),
      step: asStep(steps[at]),
      epoch: dense.epoch[at],
      trainLoss: dense.trainLoss[at],
      trainAccuracy: dense.trainAccuracy[at],
      lr: dense.lr[at],
      lrExpected: dense.lrExpected[at],
      diverged: diverged[at] === 1,
      wallMs: dense.wallMs[at],
    };
    for (const field of SPARSE) {
      const value = sparseAt(this.pages[row >>> PAGE_BITS], at, field);
      if (value !== undefined) record[field] = value;
    }
    return record;
  }

  /**
   * The record in `row` written into `into` (a scratch record a fold reuses: no object made; an
   * optional field the row lacks becomes undefined). Returns `into`.
   */
  readInto(row: number, into: MetricRecord): MetricRecord {
    const { runs, steps, dense, diverged } = this.pages[row >>> PAGE_BITS];
    const at = row & ROW_MASK;
    into.run = asRun(runs[at]);
    into.step = asStep(steps[at]);
    into.epoch = dense.epoch[at];
    into.trainLoss = dense.trainLoss[at];
    into.trainAccuracy = dense.trainAccuracy[at];
    into.lr = dense.lr[at];
    into.lrExpected = dense.lrExpected[at];
    into.diverged = diverged[at] === 1;
    into.wallMs = dense.wallMs[at];
    for (const field of SPARSE) into[field] = sparseAt(this.pages[row >>> PAGE_BITS], at, field);
    return into;
  }

  /** The value of `field` in `row` (undefined when absent), without making the record object. */
  valueAt(row: number, field: keyof MetricRecord): number | boolean | undefined {
    const page = this.pages[row >>> PAGE_BITS];
    const at = row & ROW_MASK;
    switch (field) {
      case 'run':
        return page.runs[at];
      case 'step':
        return page.steps[at];
      case 'diverged':
        return page.diverged[at] === 1;
      case 'testLoss':
      case 'testAccuracy':
      case 'lrBandLow':
      case 'lrBandHigh':
      case 'angle':
        return sparseAt(page, at, field);
      default:
        return page.dense[field][at];
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
      if (value !== undefined) setSparse(this.pages[row >>> PAGE_BITS], row & ROW_MASK, field, value);
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
    return asStep(this.stepOf(row));
  }

  /** The run of the record in `row`. */
  runAt(row: number): RunIndex {
    return asRun(this.pages[row >>> PAGE_BITS].runs[row & ROW_MASK]);
  }

  /** Every record as columns, in the order they were first added (one copy; no record object made). */
  toColumns(): RecordColumns {
    const n = this.size;
    const columns = emptyColumns(n);
    this.pages.forEach((page, p) => {
      const [from, count] = [p * PAGE_ROWS, Math.min(PAGE_ROWS, n - p * PAGE_ROWS)];
      if (count <= 0) return;
      columns.run.set(page.runs.subarray(0, count), from);
      columns.step.set(page.steps.subarray(0, count), from);
      columns.diverged.set(page.diverged.subarray(0, count), from);
      for (const field of DENSE) columns.dense[field].set(page.dense[field].subarray(0, count), from);
    });
    for (const field of SPARSE) {
      const rows: number[] = [];
      const values: number[] = [];
      this.pages.forEach((page, p) => {
        const column = page.sparse[field];
        if (!column) return;
        const count = Math.min(page.runs.length, n - p * PAGE_ROWS);
        for (let at = 0; at < count; at++) {
          if (column.has[at] !== 1) continue;
          rows.push(p * PAGE_ROWS + at);
          values.push(column.values[at]);
        }
      });
      columns.sparse[field] = { at: Uint32Array.from(rows), values: Float64Array.from(values) };
    }
    return columns;
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
    this.generation++;
    this.byRun = [];
    this.pages = [newPage(INITIAL_CAPACITY)]; // a big history's memory goes with it
    this.journal = new Journal();
    this.capacity = INITIAL_CAPACITY;
  }

  private append(run: number, step: number): number {
    if (this.size === this.capacity) this.grow();
    const row = this.size++;
    const page = this.pages[row >>> PAGE_BITS];
    page.runs[row & ROW_MASK] = run;
    page.steps[row & ROW_MASK] = step;
    while (this.byRun.length <= run) this.byRun.push([]); // every run below a new one gets its (maybe empty) list
    const rows = this.byRun[run];
    if (rows.length === 0 || this.stepOf(rows[rows.length - 1]) < step) rows.push(row);
    else {
      let at = rows.length;
      while (at > 0 && this.stepOf(rows[at - 1]) > step) at--;
      rows.splice(at, 0, row);
    }
    return row;
  }

  private write(row: number, record: MetricRecord): void {
    const page = this.pages[row >>> PAGE_BITS];
    const at = row & ROW_MASK;
    for (const field of DENSE) page.dense[field][at] = record[field];
    page.diverged[at] = record.diverged ? 1 : 0;
    for (const field of SPARSE) {
      const value = record[field];
      if (value === undefined) clearSparse(page, at, field);
      else setSparse(page, at, field, value);
    }
  }

  /** Room for more rows: the first page doubles up to PAGE_ROWS, then a page is added (nothing copied). */
  private grow(): void {
    if (this.capacity < PAGE_ROWS) {
      this.capacity = Math.min(this.capacity * 2, PAGE_ROWS);
      this.pages[0] = newPage(this.capacity, this.pages[0]);
    } else {
      this.pages.push(newPage(PAGE_ROWS));
      this.capacity += PAGE_ROWS;
    }
  }
}
