/** Reading the saved results log back: chunks as columns (this version) or as record lists (earlier ones). */
import { describe, expect, it } from 'vitest';
import { columnRecords, recordColumns, type RecordColumns } from '../src/experiment/record-columns';
import type { MetricRecord } from '../src/experiment/records';
import { asRun, asStep } from '../src/util/ids';
import { headOf, recordsOfChunks } from './persist';

const record = (run: number, step: number, fields: Partial<MetricRecord> = {}): MetricRecord => ({
  run: asRun(run), step: asStep(step), epoch: step, trainLoss: 1 / step, trainAccuracy: 0.5, lr: 0.1, lrExpected: 0.1, diverged: false, wallMs: step, ...fields,
});

describe('recordsOfChunks', () => {
  it('reads an earlier version\'s chunk and this version\'s columns alike, into columns; a later record of a step replaces the earlier in its place', () => {
    const old = [record(0, 1), record(1, 1)];
    const columns = recordColumns([record(0, 2), record(1, 1, { testLoss: 0.25 }), record(1, 2, { angle: 89.5 })]);
    const read = recordsOfChunks([old, columns]);
    expect(read?.run).toBeInstanceOf(Uint32Array);
    expect(columnRecords(read as RecordColumns)).toEqual([record(0, 1), record(1, 1, { testLoss: 0.25 }), record(0, 2), record(1, 2, { angle: 89.5 })]);
  });

  it('a chunk that is neither (missing, or columns of the wrong shape) means no log', () => {
    const columns = recordColumns([record(0, 1)]);
    expect(recordsOfChunks([columns, undefined])).toBeNull();
    expect(recordsOfChunks([{ ...columns, trainLoss: undefined, dense: { ...columns.dense, trainLoss: [1] } }])).toBeNull();
    expect(recordsOfChunks([])?.length).toBe(0);
  });
});

describe('headOf', () => {
  const context = { config: { name: 'x' }, runs: [{ label: 'a' }] };
  const head = { step: 10, diverged: [null], chunks: 2, savedAt: '2026-12-06T00:00:00.000Z' };
  it('joins this version\'s head with its context, and reads an earlier version\'s head that carries its own', () => {
    expect(headOf(head, context)).toEqual({ ...head, ...context });
    const earlier = { ...head, config: { name: 'old' }, runs: [] };
    expect(headOf(earlier, undefined)).toEqual(earlier);
  });

  it('a head without a context (or no head) is no log', () => {
    expect(headOf(head, undefined)).toBeNull();
    expect(headOf(undefined, context)).toBeNull();
  });
});
