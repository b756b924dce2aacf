/**
 * The `records` of a results document. Version 2 writes them as columns, one JSON array per field
 * (`{"run": [0, 1, …], "step": [1, 1, …], "testLoss": [null, …], …}`, absent values null), in
 * chunks, so that a file costs about 8 bytes per number and no single string holds the history
 * (`pandas.DataFrame(doc["records"])` reads it as a table). Version 1 wrote one object per record;
 * both are read. JSON has no NaN or ±Infinity, and a diverged run's loss is exactly that: a
 * non-finite number is written as the string "NaN", "Infinity" or "-Infinity" (and −0 as `-0`),
 * and read back as the number, so every record survives the round trip bit for bit.
 */
import { z } from 'zod';
import { expected, integer as integerIn } from '../util/validate';
import { columnsIssue, type RecordColumns } from './record-columns';
import type { RecordTable } from './record-table';
import type { MetricRecord } from './records';

/** An integer in [min, max] (default: any integer >= min). */
export const integer = (min: number, max = Number.MAX_SAFE_INTEGER, text = `must be an integer >= ${min}`) => integerIn(min, max, text);

const finite = (min: number) => z.number(expected(`must be a number >= ${min}`)).min(min, `must be a number >= ${min}`);

/** How a non-finite number is written in a record. */
const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };
const METRIC_TEXT = 'must be a number, "NaN", "Infinity" or "-Infinity"';

/** A metric value: a JSON number, or one of the strings of NON_FINITE (decoded to the number). */
const metric = () =>
  z
    .union([z.number(), z.enum(Object.keys(NON_FINITE) as [string, ...string[]])], expected(METRIC_TEXT))
    .transform((value) => (typeof value === 'number' ? value : NON_FINITE[value]));

/** A metric value held in memory (a structured clone, not JSON): any number, NaN and ±Infinity included. */
const memoryMetric = () => z.custom<number>((value) => typeof value === 'number', expected('must be a number'));

const flag = () => z.boolean(expected('must be true or false'));

/** Each field's value, and whether a record may leave it out; `metric` reads a metric value. */
const fieldsWith = (value: () => z.ZodType) =>
  ({
    run: [integer(0), false],
    step: [integer(0), false],
    epoch: [finite(0), false],
    trainLoss: [value(), false],
    trainAccuracy: [value(), false],
    testLoss: [value(), true],
    testAccuracy: [value(), true],
    lr: [value(), false],
    lrExpected: [value(), false],
    lrBandLow: [value(), true],
    lrBandHigh: [value(), true],
    angle: [value(), true],
    diverged: [flag(), false],
    wallMs: [finite(0), false],
  }) satisfies Record<keyof MetricRecord, [z.ZodType, boolean]>;

/** The fields of a record in a JSON document. */
const FIELDS = fieldsWith(metric);

/** A record's fields, in the order they are written. */
export const RECORD_FIELDS = Object.keys(FIELDS) as Array<keyof MetricRecord>;

/** One object per record, its fields read by `fields`. */
const recordObjectOf = (fields: ReturnType<typeof fieldsWith>) =>
  z.strictObject(
    Object.fromEntries(RECORD_FIELDS.map((field) => [field, fields[field][1] ? fields[field][0].optional() : fields[field][0]])) as unknown as { [K in keyof MetricRecord]: z.ZodType },
    expected('must be an object { run, step, trainLoss, … }'),
  );

/** Version 1: one object per record. */
const recordObject = recordObjectOf(FIELDS);

/** Version 2: one array per field, all of one length; optional fields hold null where absent. */
const recordColumns = z
  .strictObject(
    Object.fromEntries(RECORD_FIELDS.map((field) => [field, z.array(FIELDS[field][1] ? FIELDS[field][0].nullable() : FIELDS[field][0], expected('must be a list'))])) as unknown as {
      [K in keyof MetricRecord]: z.ZodArray<z.ZodType>;
    },
    expected('must be an object of columns { run: […], step: […], … }'),
  )
  .superRefine((parsed, ctx) => {
    const columns = parsed as Record<keyof MetricRecord, unknown[]>;
    const length = columns.run.length;
    for (const field of RECORD_FIELDS) {
      if (columns[field].length !== length) ctx.addIssue({ code: 'custom', path: [field], message: `must have ${length} values, one per record (as "run" has), not ${columns[field].length}` });
    }
  });

/** Version 1's `records`: a list of record objects. */
export const recordList = z.array(recordObject, expected('must be a list of metric records'));

/**
 * Records as objects in memory (the page's saved log, read from IndexedDB by structured clone):
 * the fields of a version-1 record, with non-finite metrics as the numbers themselves.
 */
export const memoryRecordList = z.array(recordObjectOf(fieldsWith(memoryMetric)), expected('must be a list of metric records'));

/**
 * Why records held in memory as typed columns (the page's saved log: src/experiment/record-columns.ts)
 * cannot be read, each issue naming the record and field as a document's would; none: []. The
 * arrays' types settle the integers and numbers; what is left is their shape, and the ranges of
 * epoch, wall time and the divergence flag.
 */
export function memoryColumnsIssues(columns: unknown): string[] {
  const shape = columnsIssue(columns);
  if (shape) return [`records: ${shape}`];
  const { length, dense, diverged } = columns as RecordColumns;
  const issues: string[] = [];
  for (let row = 0; row < length && issues.length <= 20; row++) {
    for (const field of ['epoch', 'wallMs'] as const) {
      const value = dense[field][row];
      if (!(value >= 0 && Number.isFinite(value))) issues.push(`records.${row}.${field}: must be a number >= 0 (got ${value})`);
    }
    if (diverged[row] > 1) issues.push(`records.${row}.diverged: must be true or false (got ${diverged[row]})`);
  }
  return issues;
}

/** The schema of a document's `records`: columns (version 2) unless it is a list (version 1). */
export const recordsSchemaOf = (records: unknown) => (Array.isArray(records) ? recordList : recordColumns);

/** The records a parsed `records` holds, each with its fields in RECORD_FIELDS order (absent ones left out). */
export function recordsOf(parsed: unknown): MetricRecord[] {
  const pick = (valueOf: (field: keyof MetricRecord) => unknown) => {
    const out: Partial<Record<keyof MetricRecord, unknown>> = {};
    for (const field of RECORD_FIELDS) {
      const value = valueOf(field);
      if (value !== undefined && value !== null) out[field] = value;
    }
    return out as unknown as MetricRecord;
  };
  if (Array.isArray(parsed)) return parsed.map((record) => pick((field) => (record as Record<string, unknown>)[field]));
  const columns = parsed as Record<keyof MetricRecord, unknown[]>;
  return columns.run.map((_, row) => pick((field) => columns[field][row]));
}

/** A record number as JSON: non-finite as its NON_FINITE string, −0 as `-0` (JSON.stringify would write 0). */
function numberJson(value: number): string {
  if (Number.isFinite(value)) return Object.is(value, -0) ? '-0' : String(value); // String(x) === JSON.stringify(x) for finite x
  return `"${value}"`; // "NaN", "Infinity", "-Infinity"
}

/** A cell of a column: null when absent. */
const cellJson = (value: number | boolean | undefined): string => (value === undefined ? 'null' : typeof value === 'number' ? numberJson(value) : String(value));

/**
 * The records of `table` as the version-2 `records` object, in chunks of about `valuesPerChunk`
 * values, indented to sit in the document at `indent`.
 */
export function* recordsJsonChunks(table: RecordTable, indent = '  ', valuesPerChunk = 20_000): Generator<string> {
  yield '{\n';
  for (let f = 0; f < RECORD_FIELDS.length; f++) {
    const field = RECORD_FIELDS[f];
    let cells: string[] = [];
    let first = true;
    yield `${indent}  ${JSON.stringify(field)}: [`;
    for (let row = 0; row < table.length; row++) {
      cells.push(cellJson(table.valueAt(row, field)));
      if (cells.length >= valuesPerChunk) {
        yield `${first ? '' : ','}${cells.join(',')}`;
        first = false;
        cells = [];
      }
    }
    if (cells.length > 0) yield `${first ? '' : ','}${cells.join(',')}`;
    yield `]${f < RECORD_FIELDS.length - 1 ? ',' : ''}\n`;
  }
  yield `${indent}}`;
}
