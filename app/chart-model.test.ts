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
    const get = table.get.bind(table);
    table.get = (row: number) => (read++, get(row));
    for (const batch of blocks(20_000, 10)) {
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
    expect(rows[rows.length - 1].x).toBe(20_000);
    expect(rows.every((row, i) => i === 0 || row.x > rows[i - 1].x)).toBe(true);
    expect(rows[0]['m0:band']).toBeDefined(); // replicates: mean ± std
  });

  it('a cleared table asks for a new model', () => {
    const table = RecordTable.of([record(0, 1, 1)]);
    const model = new ChartModel(series, options);
    model.update(table);
    table.clear();
    expect(() => model.update(table)).toThrow(/cleared/);
  });
});
