import { describe, expect, it } from 'vitest';
import { asRun, asStep } from '../util/ids';
import { RecordTable } from './record-table';
import { PAGE_ROWS } from './record-page';
import { blankRecord, columnRecords, columnsIssue, concatColumns, recordColumns } from './record-columns';
import type { MetricRecord } from './records';

const record = (run: number, step: number, extra: Partial<MetricRecord> = {}): MetricRecord => ({
  run: asRun(run), step: asStep(step), epoch: step / 4, trainLoss: 1 / step, trainAccuracy: 0.5, lr: 0.1, lrExpected: 0.05, diverged: false, wallMs: step * 2, ...extra,
});

describe('RecordTable', () => {
  it('upserts by run and step: appends, replaces an evaluated step, keeps each run in step order', () => {
    const table = new RecordTable();
    table.push(record(0, 1), record(1, 1), record(0, 3), record(0, 4));
    table.upsert(record(0, 3, { testAccuracy: 0.5, testLoss: Number.NaN }));
    table.upsert(record(0, 2));
    expect(table.length).toBe(5);
    expect(table.ofRun(0).map((r) => r.step)).toEqual([1, 2, 3, 4]);
    expect(table.ofRun(0)[2]).toEqual(record(0, 3, { testAccuracy: 0.5, testLoss: Number.NaN }));
    expect(table.lastOf(1)).toEqual(record(1, 1));
    expect(table.rowOf(0, 5)).toBe(-1);
    expect([...table].map((r) => `${r.run}@${r.step}`)).toEqual(['0@1', '1@1', '0@3', '0@4', '0@2']); // insertion order
  });

  it('keeps every value exactly (−0, NaN, ±Infinity, optional fields absent or present)', () => {
    const odd = record(2, 7, { trainLoss: Number.NEGATIVE_INFINITY, lrBandLow: -0, lrBandHigh: 1e-300, angle: Number.NaN, diverged: true, wallMs: 0.1 + 0.2 });
    const table = RecordTable.of([odd, record(2, 8)]);
    expect(Object.is(table.get(0).lrBandLow, -0)).toBe(true);
    expect(table.get(0)).toEqual(odd);
    expect(Object.keys(table.get(1))).not.toContain('testLoss');
    expect(table.valueAt(0, 'angle')).toBeNaN();
    expect(table.valueAt(1, 'angle')).toBeUndefined();
    table.set(1, { angle: 12.5 });
    expect(table.get(1).angle).toBe(12.5);
  });

  it('the journal is paged: read on from a version across pages, every change comes once, in order, and no page is copied as it grows', () => {
    const table = new RecordTable();
    const steps = Math.ceil((2 * PAGE_ROWS + 5) / 3);
    const all = Array.from({ length: 3 * steps }, (_, i) => record(i % 3, 1 + Math.floor(i / 3)));
    table.pushColumns(recordColumns(all.slice(0, 1000)));
    const firstPage = table.journalSince(0);
    table.pushColumns(recordColumns(all.slice(1000)));
    table.upsert(record(1, 1, { testAccuracy: 0.5 })); // a change of row 1 at the end
    const readOn = (from: number) => {
      const rows: number[] = [];
      const chunks: number[] = [];
      for (let version = from, part = table.journalSince(version); part.length > 0; version += part.length, part = table.journalSince(version)) {
        rows.push(...part);
        chunks.push(part.length);
      }
      return { rows, chunks };
    };
    const whole = readOn(0);
    expect(table.version).toBe(all.length + 1);
    expect(whole.rows).toEqual([...Array.from({ length: all.length }, (_, row) => row), 1]);
    expect(whole.chunks).toEqual([PAGE_ROWS, PAGE_ROWS, all.length + 1 - 2 * PAGE_ROWS]);
    expect(readOn(PAGE_ROWS - 3).rows).toEqual(whole.rows.slice(PAGE_ROWS - 3));
    expect(readOn(table.version).rows).toEqual([]);
    // eachChange visits across a page's end, at most `limit`, and says how many.
    const visited: number[] = [];
    expect(table.eachChange(PAGE_ROWS - 3, (row) => visited.push(row), 10)).toBe(10);
    expect(visited).toEqual(whole.rows.slice(PAGE_ROWS - 3, PAGE_ROWS + 7));
    visited.length = 0;
    expect(table.eachChange(5, (row) => visited.push(row))).toBe(table.version - 5);
    expect(visited).toEqual(whole.rows.slice(5));
    // The view taken of the first 1,000 changes still reads them (the page grew by a copy only while it was the first and short).
    expect([...firstPage]).toEqual(whole.rows.slice(0, 1000));
  });

  it('a journal of the rows that changed: a view folds in only what is new; clear starts a new generation', () => {
    const table = RecordTable.of([record(0, 1), record(0, 2)]);
    const seen = table.version;
    table.upsert(record(0, 3));
    table.upsert(record(0, 1, { testAccuracy: 0.9 }));
    expect([...table.journalSince(seen)]).toEqual([2, 0]);
    const generation = table.generation;
    table.clear();
    expect([table.length, table.version, table.generation]).toEqual([0, 0, generation + 1]);
  });

  it('costs about 60 bytes a record (objects cost several hundred)', () => {
    const table = new RecordTable();
    for (let step = 1; step <= 20_000; step++) for (let run = 0; run < 6; run++) table.upsert(record(run, step));
    expect(table.length).toBe(120_000);
    expect(table.bytes / table.length).toBeLessThan(110); // capacity doubling included
  });

  it('takes the records of a long run in one call (a restore after 50,000 steps of 6 runs: 300,000 records)', () => {
    const records = Array.from({ length: 300_000 }, (_, i) => record(i % 6, Math.floor(i / 6) + 1));
    const table = new RecordTable();
    table.pushAll(records); // a spread of this many arguments overflows the call stack
    expect(table.length).toBe(300_000);
    expect(table.get(table.rowOf(5, 50_000))).toMatchObject({ run: 5, step: 50_000 });
  });

  it('takes records as columns exactly as one by one: upserts, optional fields gained and lost, every value bit for bit', () => {
    const before = [record(0, 1, { angle: 3 }), record(1, 1), record(0, 2, { testLoss: 0.5 })];
    const records = [
      record(0, 3, { trainLoss: Number.NaN, lrBandLow: -0, lrBandHigh: Number.POSITIVE_INFINITY }),
      record(0, 1), // replaces a record that had an angle: the angle goes
      record(1, 1, { testAccuracy: 0.25, testLoss: Number.NEGATIVE_INFINITY, diverged: true }),
      record(2, 5, { angle: Number.NaN, wallMs: 0.1 + 0.2 }),
      record(0, 2, { testLoss: 0.75, testAccuracy: 1 }),
      record(1, 0),
    ];
    const byRecord = RecordTable.of(before);
    const byColumns = RecordTable.of(before);
    byRecord.pushAll(records);
    byColumns.pushColumns(recordColumns(records));
    expect(byColumns.toArray()).toEqual(byRecord.toArray());
    expect(Object.is(byColumns.get(byColumns.rowOf(0, 3)).lrBandLow, -0)).toBe(true);
    expect(byColumns.ofRun(1).map((r) => r.step)).toEqual([0, 1]);
    expect(byColumns.get(byColumns.rowOf(0, 1)).angle).toBeUndefined();
    expect([...byColumns.journalSince(before.length)]).toEqual([...byRecord.journalSince(before.length)]);
    expect(recordColumns([]).length).toBe(0);
  });
});

describe('RecordTable pages and columns', () => {
  it('holds rows past a page (65,536) in place: lookups, values and the run lists span pages; clear frees them', () => {
    const table = new RecordTable();
    const steps = 35_000; // two runs: 70,000 rows, past the first page
    for (let step = 1; step <= steps; step++) table.push(record(0, step), record(1, step));
    table.upsert(record(1, 34_000, { testLoss: 0.25 }));
    expect(table.length).toBe(2 * steps);
    expect(table.rowOf(1, steps)).toBe(2 * steps - 1);
    expect(table.get(table.rowOf(1, steps))).toEqual(record(1, steps));
    expect(table.get(table.rowOf(0, 33_000))).toEqual(record(0, 33_000)); // row 65,998: the second page
    expect(table.valueAt(table.rowOf(1, 34_000), 'testLoss')).toBe(0.25);
    expect(table.rowsOf(0).length).toBe(steps);
    expect(table.stepAt(table.rowsOf(0)[steps - 1])).toBe(steps);
    expect(table.runAt(70_000 - 2)).toBe(0);
    table.clear();
    expect(table.length).toBe(0);
    expect(table.bytes).toBeLessThan(100_000);
    table.push(record(3, 1));
    expect(table.toArray()).toEqual([record(3, 1)]);
  });

  it('toColumns and columnRecords give back the records; concatColumns joins chunks with their optional fields', () => {
    const records = [record(0, 1, { testLoss: 0.5 }), record(1, 1), record(0, 2, { angle: 80, lrBandLow: -0 }), record(1, 2, { testAccuracy: 0.75 })];
    const table = RecordTable.of(records);
    expect(columnRecords(table.toColumns())).toEqual(records);
    const scratch = blankRecord();
    records.forEach((expected, row) => expect(table.readInto(row, scratch)).toEqual(expected)); // absent fields read as undefined
    expect(table.readInto(1, scratch).testLoss).toBeUndefined();
    expect(Object.is(columnRecords(table.toColumns())[2].lrBandLow, -0)).toBe(true);
    const joined = concatColumns([recordColumns(records.slice(0, 1)), recordColumns([]), recordColumns(records.slice(1))]);
    expect(columnRecords(joined)).toEqual(records);
    expect(columnsIssue(joined)).toBeNull();
    expect(columnsIssue([records[0]])).toBe('a list of records, not columns');
    expect(columnsIssue({ ...joined, step: new Uint32Array(1) })).toBe('its step column is not 4 unsigned integers');
    // pushColumns: a later record of the same run and step replaces the whole record, in one batch or the next.
    const upserted = RecordTable.of([record(0, 1, { angle: 1 })]);
    upserted.pushColumns(recordColumns([record(0, 2, { lrBandLow: 0.5 }), record(0, 1, { testLoss: 2 }), record(0, 2, { testAccuracy: 0.5 })]));
    expect(upserted.toArray()).toEqual([record(0, 1, { testLoss: 2 }), record(0, 2, { testAccuracy: 0.5 })]);
    expect([...upserted.journalSince(1)]).toEqual([1, 0, 1]);
    expect(columnsIssue({ ...joined, sparse: { ...joined.sparse, angle: { at: Uint32Array.of(9), values: Float64Array.of(1) } } })).toMatch(/angle positions/);
  });
});
