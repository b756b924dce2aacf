/** The Worker's event batches: what the page gets, and how records travel (as columns). */
import { describe, expect, it } from 'vitest';
import { columnRecords } from '../src/experiment/record-columns';
import type { MetricRecord } from '../src/experiment/records';
import type { SessionState } from '../src/experiment/session-events';
import { asRun, asStep } from '../src/util/ids';
import type { EventBatch } from './engine-protocol';
import { EventHub, MAX_RECORDS } from './event-hub';

const record = (run: number, step: number, fields: Partial<MetricRecord> = {}): MetricRecord => ({
  run: asRun(run), step: asStep(step), epoch: step, trainLoss: 1 / step, trainAccuracy: 0, lr: 0.1, lrExpected: 0.1, diverged: false, wallMs: step, ...fields,
});
const state = { step: asStep(0) } as SessionState;

function hub() {
  const batches: EventBatch[] = [];
  const events = new EventHub(() => state, 1_000_000);
  events.subscribe((batch) => batches.push(batch));
  batches.length = 0; // the state posted on subscribing
  return { events, batches };
}

describe('EventHub', () => {
  it("posts a batch's metrics events as one event of columns; a load or reset between them starts another; AutoDrop's decisions are not posted", () => {
    const { events, batches } = hub();
    events.emit({ kind: 'metrics', records: [record(0, 1), record(1, 1)] });
    events.emit({ kind: 'autodrop', run: asRun(0), step: asStep(1), decision: {} as never, effectStep: asStep(2) });
    events.emit({ kind: 'metrics', records: [record(0, 2), record(1, 2, { testLoss: 0.5 })] });
    events.emit({ kind: 'diverged', run: asRun(1), step: asStep(2), reason: 'NaN' });
    events.emit({ kind: 'error', message: 'a note', deviceLost: false });
    events.emit({ kind: 'progress', step: asStep(2), budgetSteps: 10 });
    events.emit({ kind: 'metrics', records: [record(0, 3)] });
    events.emit({ kind: 'loaded', applied: {} as never });
    events.emit({ kind: 'metrics', records: [record(0, 1)] });
    events.flush();
    expect(batches).toHaveLength(1);
    expect(batches[0].events.map((event) => event.kind)).toEqual(['metrics', 'diverged', 'error', 'progress', 'loaded', 'metrics']);
    const [first, , , , , last] = batches[0].events;
    if (first.kind !== 'metrics' || last.kind !== 'metrics') throw new Error('not metrics');
    expect(first.records.step).toBeInstanceOf(Uint32Array);
    expect(columnRecords(first.records)).toEqual([record(0, 1), record(1, 1), record(0, 2), record(1, 2, { testLoss: 0.5 }), record(0, 3)]);
    expect(columnRecords(last.records)).toEqual([record(0, 1)]);
  });

  it('cuts a batch of more than MAX_RECORDS records into posts, in order, each with the state', () => {
    const { events, batches } = hub();
    const many = Array.from({ length: 2 * MAX_RECORDS + 5 }, (_, i) => record(i % 7, 1 + Math.floor(i / 7)));
    events.emit({ kind: 'metrics', records: many.slice(0, 10) });
    events.emit({ kind: 'progress', step: asStep(1), budgetSteps: 10 });
    events.emit({ kind: 'metrics', records: many.slice(10) });
    events.flush();
    expect(batches.map((batch) => batch.events.map((event) => (event.kind === 'metrics' ? event.records.length : event.kind)))).toEqual([
      [MAX_RECORDS],
      [MAX_RECORDS],
      [5, 'progress'], // (the records joined the first metrics event; the progress after them)
    ]);
    expect(batches.every((batch) => batch.state === state)).toBe(true);
    expect(batches.flatMap((batch) => batch.events.flatMap((event) => (event.kind === 'metrics' ? columnRecords(event.records) : [])))).toEqual(many);
  });

  it('keeps the latest progress; a reset drops the metrics and progress queued before it', () => {
    const { events, batches } = hub();
    events.emit({ kind: 'metrics', records: [record(0, 1)] });
    events.emit({ kind: 'progress', step: asStep(1), budgetSteps: 10 });
    events.emit({ kind: 'progress', step: asStep(2), budgetSteps: 10 });
    events.flush();
    expect(batches[0].events.map((event) => (event.kind === 'progress' ? `progress ${event.step}` : event.kind))).toEqual(['metrics', 'progress 2']);
    events.emit({ kind: 'metrics', records: [record(0, 2)] });
    events.emit({ kind: 'reset' });
    events.emit({ kind: 'metrics', records: [record(0, 1)] });
    events.flush();
    const after = batches[1].events;
    expect(after.map((event) => event.kind)).toEqual(['reset', 'metrics']);
    expect(after[1].kind === 'metrics' && columnRecords(after[1].records)).toEqual([record(0, 1)]);
  });
});
