import { describe, expect, it } from 'vitest';
import { RecordTable } from '../src/experiment/record-table';
import type { MetricRecord } from '../src/experiment/records';
import { asRun, asStep } from '../src/util/ids';
import { ChartModel } from './chart-model';
import type { ChartOptions, SeriesSpec } from './series';

const record = (run: number, step: number, trainLoss: number, extra: Partial<MetricRecord> = {}): MetricRecord => ({
  run: asRun(run), step: asStep(step), epoch: step / 10, trainLoss, trainAccuracy: 0.5, lr: 0.1, lrExpected: 0.1, diverged: false, wallMs: step, ...extra,
});
const series: SeriesSpec[] = [
  { id: 'm0', label: 'a', color: '#000', runs: [0, 1], dash: '', runKey: 0 },
  { id: 'r2', label: 'b', color: '#111', runs: [2], dash: '', runKey: 1 },
];
const options: ChartOptions = { metric: 'trainLoss', axis: 'step', smoothing: 0.6, logY: true, maxPoints: 300 };
const loss = (run: number, step: number) => (step === 7_777 && run === 2 ? 50 : 1 / Math.sqrt(step) + run * 0.01);

/** Blocks of `block` steps for runs 0–2 (as the engine sends them), with an evaluation now and then. */
function* blocks(steps: number, block: number): Generator<MetricRecord[]> {
  for (let start = 1; start <= steps; start += block) {
    const records: MetricRecord[] = [];
    for (let step = start; step < start + block && step <= steps; step++) for (let run = 0; run < 3; run++) records.push(record(run, step, loss(run, step)));
    yield records;
    const end = Math.min(start + block - 1, steps);
    if (end % 100 === 0) yield [0, 1, 2].map((run) => record(run, end, loss(run, end), { testLoss: 0.5 })); // re-sent with test metrics
  }
}

describe('ChartModel (incremental)', () => {
  it('folding the records in batch by batch gives the rows of one fold over everything', () => {
    const live = new RecordTable();
    const model = new ChartModel(series, options);
    for (const batch of blocks(3000, 10)) {
      live.push(...batch);
      model.update(live);
    }
    const once = new ChartModel(series, options);
    once.update(live);
    expect(model.rows()).toEqual(once.rows());
  });

  it('keeps at most ~maxPoints rows however long the run, spikes included; an update reads only what changed', () => {
    const table = new RecordTable();
    const model = new ChartModel(series, options);
    let read = 0;
    const runAt = table.runAt.bind(table);
    table.runAt = (row: number) => (read++, runAt(row));
    for (const batch of blocks(25_000, 10)) { // 75,750 changes: the journal's second page too
      table.push(...batch);
      const before = read;
      model.update(table);
      expect(read - before).toBe(batch.length); // the batch, not the history
    }
    const rows = model.rows();
    expect(rows.length).toBeLessThanOrEqual(options.maxPoints);
    expect(rows.length).toBeGreaterThan(50);
    expect(rows.some((row) => (row.r2 as number) > 5)).toBe(true); // the spike at step 7777 survived (smoothed)
    expect(rows[0].x).toBe(1);
    expect(rows[rows.length - 1].x).toBe(25_000);
    expect(rows.every((row, i) => i === 0 || row.x > rows[i - 1].x)).toBe(true);
    expect(rows[0]['m0:band']).toBeDefined(); // replicates: mean ± std
  });

  it('one fold over a restore (every record at once, in step or in run order) gives the same rows, holding a bounded number of steps', () => {
    const batches = [...blocks(6000, 10)];
    const live = new RecordTable();
    const model = new ChartModel(series, options);
    for (const batch of batches) {
      live.push(...batch);
      model.update(live);
    }
    const all = batches.flat();
    const byRun = [...all].sort((a, b) => a.run - b.run || a.step - b.step);
    for (const order of [all, byRun]) {
      const restored = RecordTable.of(order);
      const once = new ChartModel(series, options);
      const pending = (once as unknown as { pending: Map<number, unknown> }).pending;
      let most = 0;
      type Take = { take: (table: RecordTable, row: number) => void };
      const take = (once as unknown as Take).take.bind(once);
      (once as unknown as Take).take = (table, row) => {
        take(table, row);
        most = Math.max(most, (once as unknown as { pending: Map<number, unknown> }).pending.size);
      };
      once.update(restored);
      expect(once.rows()).toEqual(model.rows());
      expect(pending.size).toBe(0);
      // The first fold goes through the runs in step, whatever the table's order: the complete
      // steps become rows as it goes (not all 6,000 held at once).
      expect(most).toBeLessThan(2000);
    }
  });

  it("passes over the rows of runs it does not draw (a sweep's focus): the same rows as a table of its runs alone", () => {
    const own = [...blocks(500, 10)].flat();
    const others = own.map((r) => ({ ...r, run: asRun(r.run + 3), trainLoss: 100 + r.trainLoss }));
    const mixed = new ChartModel(series, options);
    const table = RecordTable.of(own.flatMap((r, i) => [r, others[i]]));
    let read = 0;
    const runAt = table.runAt.bind(table);
    table.runAt = (row: number) => (read++, runAt(row));
    mixed.update(table);
    expect(read).toBe(RecordTable.of(own).length); // a first fold reads its own runs' rows only (one per step)
    const alone = new ChartModel(series, options);
    alone.update(RecordTable.of(own));
    expect(mixed.rows()).toEqual(alone.rows());
    // Then batches: the same rows as folding everything at once.
    const more = [...blocks(600, 10)].flat().filter((r) => r.step > 500);
    table.push(...more.flatMap((r) => [r, { ...r, run: asRun(r.run + 3) }]));
    mixed.update(table);
    const whole = new ChartModel(series, options);
    whole.update(RecordTable.of([...own, ...more]));
    expect(mixed.rows()).toEqual(whole.rows());
  });

  it('a first fold with a budget goes on over several calls (none reads much more than the budget) to the rows of one fold; records that come meanwhile are folded in after', () => {
    const batches = [...blocks(4000, 10)];
    const table = RecordTable.of(batches.slice(0, 300).flat());
    const whole = new ChartModel(series, options);
    whole.update(table);
    const sliced = new ChartModel(series, options);
    let read = 0;
    const runAt = table.runAt.bind(table);
    table.runAt = (row: number) => (read++, runAt(row));
    let calls = 0;
    for (;;) {
      const before = read;
      const done = sliced.update(table, 1000);
      expect(read - before).toBeLessThanOrEqual(1000 + 3);
      calls++;
      if (calls === 3) table.push(...batches.slice(300).flat()); // training goes on meanwhile
      if (done) break;
    }
    expect(calls).toBeGreaterThan(9);
    expect(sliced.caughtUp(table)).toBe(true);
    whole.update(table);
    expect(sliced.rows()).toEqual(whole.rows());
  });

  it('a cleared table asks for a new model', () => {
    const table = RecordTable.of([record(0, 1, 1)]);
    const model = new ChartModel(series, options);
    model.update(table);
    table.clear();
    expect(() => model.update(table)).toThrow(/cleared/);
  });
});
