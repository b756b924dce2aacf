/**
 * Metric records as columns of typed arrays (RecordColumns), the form in which records cross from
 * the engine's Worker to the page and are saved in IndexedDB, and the fields a record table keeps
 * (./record-table.ts): dense fields every record has, optional ones it may lack.
 */
import type { MetricRecord } from './records';
import { asRun, asStep } from '../util/ids';

/** The dense numeric fields, one Float64Array each. */
export const DENSE = ['epoch', 'trainLoss', 'trainAccuracy', 'lr', 'lrExpected', 'wallMs'] as const;
/** The optional fields, a map from row to value each (absent: no entry). */
export const SPARSE = ['testLoss', 'testAccuracy', 'lrBandLow', 'lrBandHigh', 'angle'] as const;

export type DenseField = (typeof DENSE)[number];
export type SparseField = (typeof SPARSE)[number];

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

/** Columns for `n` records, zeroed (their optional fields to be filled in). */
export function emptyColumns(n: number): RecordColumns {
  return {
    length: n,
    run: new Uint32Array(n),
    step: new Uint32Array(n),
    diverged: new Uint8Array(n),
    dense: Object.fromEntries(DENSE.map((field) => [field, new Float64Array(n)])) as Record<DenseField, Float64Array>,
    sparse: {} as RecordColumns['sparse'],
  };
}

/** The columns of `records`, in order. */
export function recordColumns(records: readonly MetricRecord[]): RecordColumns {
  const n = records.length;
  const columns = emptyColumns(n);
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

/** A record to read rows into (RecordTable.readInto). */
export function blankRecord(): MetricRecord {
  return { run: asRun(0), step: asStep(0), epoch: 0, trainLoss: Number.NaN, trainAccuracy: Number.NaN, lr: 0, lrExpected: 0, diverged: false, wallMs: 0 };
}

/** The records of `columns`, in order (as objects: for what needs them, such as a restore's replay). */
export function columnRecords(columns: RecordColumns): MetricRecord[] {
  const records: MetricRecord[] = [];
  for (let i = 0; i < columns.length; i++) {
    const { dense } = columns;
    records.push({
      run: asRun(columns.run[i]),
      step: asStep(columns.step[i]),
      epoch: dense.epoch[i],
      trainLoss: dense.trainLoss[i],
      trainAccuracy: dense.trainAccuracy[i],
      lr: dense.lr[i],
      lrExpected: dense.lrExpected[i],
      diverged: columns.diverged[i] === 1,
      wallMs: dense.wallMs[i],
    });
  }
  for (const field of SPARSE) {
    const { at, values } = columns.sparse[field];
    at.forEach((i, k) => (records[i][field] = values[k]));
  }
  return records;
}

/** `parts` one after another, as one set of columns. */
export function concatColumns(parts: readonly RecordColumns[]): RecordColumns {
  if (parts.length === 1) return parts[0];
  const n = parts.reduce((sum, part) => sum + part.length, 0);
  const joined = <T extends Uint32Array | Uint8Array | Float64Array>(make: new (n: number) => T, of: (part: RecordColumns) => T): T => {
    const out = new make(parts.reduce((sum, part) => sum + of(part).length, 0));
    let offset = 0;
    for (const part of parts) {
      out.set(of(part), offset);
      offset += of(part).length;
    }
    return out;
  };
  const sparse = {} as RecordColumns['sparse'];
  for (const field of SPARSE) {
    // Positions shift by the lengths of the parts before.
    const at = new Uint32Array(parts.reduce((sum, part) => sum + part.sparse[field].at.length, 0));
    let [offset, k] = [0, 0];
    for (const part of parts) {
      for (const i of part.sparse[field].at) at[k++] = i + offset;
      offset += part.length;
    }
    sparse[field] = { at, values: joined(Float64Array, (part) => part.sparse[field].values) };
  }
  return {
    length: n,
    run: joined(Uint32Array, (part) => part.run),
    step: joined(Uint32Array, (part) => part.step),
    diverged: joined(Uint8Array, (part) => part.diverged),
    dense: Object.fromEntries(DENSE.map((field) => [field, joined(Float64Array, (part) => part.dense[field])])) as Record<DenseField, Float64Array>,
    sparse,
  };
}

/** Why `value` is not a set of record columns (a saved chunk read back), or null when it is. */
export function columnsIssue(value: unknown): string | null {
  const columns = value as Partial<RecordColumns> | null;
  if (!columns || typeof columns !== 'object') return 'not an object';
  if (Array.isArray(columns)) return 'a list of records, not columns';
  const n = columns.length;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) return `length ${String(n)} is not a count`;
  if (!(columns.run instanceof Uint32Array) || columns.run.length !== n) return 'its run column is not ' + n + ' unsigned integers';
  if (!(columns.step instanceof Uint32Array) || columns.step.length !== n) return 'its step column is not ' + n + ' unsigned integers';
  if (!(columns.diverged instanceof Uint8Array) || columns.diverged.length !== n) return 'its diverged column is not ' + n + ' bytes';
  for (const field of DENSE) if (!(columns.dense?.[field] instanceof Float64Array) || columns.dense[field].length !== n) return `its ${field} column is not ${n} numbers`;
  for (const field of SPARSE) {
    const sparse = columns.sparse?.[field];
    if (!sparse || !(sparse.at instanceof Uint32Array) || !(sparse.values instanceof Float64Array) || sparse.at.length !== sparse.values.length) return `its ${field} column is not positions with values`;
    if (sparse.at.some((i, k) => i >= n || (k > 0 && i <= sparse.at[k - 1]))) return `its ${field} positions are not increasing rows below ${n}`;
  }
  return null;
}
