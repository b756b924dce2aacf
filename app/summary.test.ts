// The summary's statistics folded in batch by batch (StatsTracker) equal runStats over each run's
// records, across pages of the table's journal, with evaluations re-sent and a target reached.
import { describe, expect, it } from 'vitest';
import { PAGE_ROWS } from '../src/experiment/record-page';
import { RecordTable } from '../src/experiment/record-table';
import type { MetricRecord } from '../src/experiment/records';
import { asRun, asStep } from '../src/util/ids';
import { aggregateStats, runStats, StatsTracker } from './summary';

const record = (run: number, step: number, extra: Partial<MetricRecord> = {}): MetricRecord => ({
  run: asRun(run), step: asStep(step), epoch: step / 10, trainLoss: run === 2 && step > 20_000 ? Number.NaN : (1 + run) / Math.sqrt(step), trainAccuracy: 0.5, lr: 0.1, lrExpected: 0.1, diverged: false, wallMs: 2 * step, ...extra,
});

describe('StatsTracker', () => {
  it('folded batch by batch over more than a page of changes, it gives runStats of every run', () => {
    const table = new RecordTable();
    const tracker = new StatsTracker(table, 0.01);
    const steps = Math.ceil((1.2 * PAGE_ROWS) / 3);
    for (let start = 1; start <= steps; start += 50) {
      const batch: MetricRecord[] = [];
      for (let step = start; step < start + 50 && step <= steps; step++) for (let run = 0; run < 3; run++) batch.push(record(run, step));
      table.push(...batch);
      const end = Math.min(start + 49, steps);
      if (end % 500 === 0) table.push(...[0, 1, 2].map((run) => record(run, end, { testAccuracy: 0.5 + end / (4 * steps) - (run === 1 && end > steps / 2 ? 0.3 : 0), testLoss: 1 / end })));
      if (start % 20_000 === 1) tracker.statsOf(3, [null, null, null]); // the summary redraws now and then
    }
    expect(table.version).toBeGreaterThan(PAGE_ROWS);
    const divergedAt = [null, null, 20_001];
    const folded = tracker.statsOf(3, divergedAt);
    const direct = [0, 1, 2].map((run) => runStats(table.ofRun(run), 0.01, divergedAt[run]));
    expect(folded).toEqual(direct);
    expect(folded[0].stepsToTarget).toBe(10_000); // 1/√step ≤ 0.01
    expect(folded[2].trainLoss).toBe(3 / Math.sqrt(20_000)); // the last finite loss
    expect(folded[1].bestTestAccuracy).toBeGreaterThan(folded[1].finalTestAccuracy);
    expect(aggregateStats(folded).diverged).toBe(1);
  });
});
