import { describe, expect, it } from 'vitest';
import { RecordTable } from '../src/experiment/record-table';
import type { MetricRecord } from '../src/experiment/records';
import { differenceCurve, type SweepGroup } from '../src/stats/sweep-analysis';
import { asRun, asStep } from '../src/util/ids';
import { CURVE_POINTS, curveOf } from './sweep-view';

// The sweep panel's difference curve reads each compared run at a bounded number of steps, straight
// from the record table's columns: its cost per redraw does not grow with the run's length.

const record = (run: number, step: number): MetricRecord => ({
  run: asRun(run), step: asStep(step), epoch: step / 10, trainLoss: 1 / step + run, trainAccuracy: 0.5, lr: 0.1, lrExpected: 0.1, diverged: false, wallMs: step,
  ...(step % 10 === 0 ? { testAccuracy: 0.5 + run * 0.01 + step * 1e-6, testLoss: 0.3 } : {}),
});

function table(steps: number, runs = 4): RecordTable {
  const records: MetricRecord[] = [];
  for (let step = 1; step <= steps; step++) for (let run = 0; run < runs; run++) records.push(record(run, step));
  return RecordTable.of(records);
}

describe('curveOf', () => {
  it('gives every step with the field while there are few, with the values of the records', () => {
    const t = table(100);
    const points = curveOf(t, 2, 'testAccuracy');
    expect(points.map((p) => p.step)).toEqual(Array.from({ length: 10 }, (_, i) => 10 * (i + 1)));
    expect(points.map((p) => p.testAccuracy)).toEqual(t.ofRun(2).filter((r) => r.testAccuracy !== undefined).map((r) => r.testAccuracy));
    expect(curveOf(t, 1, 'trainLoss')).toHaveLength(100);
  });

  it('keeps at most about CURVE_POINTS steps of a long run, the last included, the same steps for every run', () => {
    const t = table(20_000);
    const a = curveOf(t, 0, 'trainLoss');
    const b = curveOf(t, 3, 'trainLoss');
    expect(a.length).toBeLessThanOrEqual(CURVE_POINTS + 1);
    expect(a.length).toBeGreaterThan(CURVE_POINTS / 2);
    expect(a[a.length - 1].step).toBe(20_000);
    expect(b.map((p) => p.step)).toEqual(a.map((p) => p.step));
    // The difference curve over these points equals the one over every record, at the same steps.
    const group: SweepGroup = { key: '0:0', method: 0, point: 0, label: 'a', methodLabel: 'a', color: '#000', swept: {}, runs: [0, 1] };
    const reference: SweepGroup = { ...group, key: '1:0', method: 1, runs: [2, 3] };
    const sparse = differenceCurve([a, curveOf(t, 1, 'trainLoss'), curveOf(t, 2, 'trainLoss'), b], group, reference, 'trainLoss');
    const full = differenceCurve([0, 1, 2, 3].map((run) => t.ofRun(run)), group, reference, 'trainLoss');
    const at = new Map(full.map((p) => [p.step, p]));
    expect(sparse.length).toBe(a.length);
    for (const point of sparse) expect(point).toEqual(at.get(point.step));
  });
});
