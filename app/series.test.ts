import { describe, expect, it } from 'vitest';
import type { MetricRecord } from '../src/experiment/records';
import { buildChartRows, decimateIndices, meanStd, smoothEma, type SeriesSpec } from './series';
import { asRun, asStep } from '../src/util/ids';

const record = (run: number, step: number, fields: Partial<MetricRecord> = {}): MetricRecord => ({
  run: asRun(run), step: asStep(step), epoch: step / 10, trainLoss: 1 / step, trainAccuracy: 0.5, lr: 0.1, lrExpected: 0.1, diverged: false, wallMs: step * 2, ...fields,
});

describe('smoothEma (debiased, as TensorBoard)', () => {
  it('is the identity at weight 0 and debiases the first value', () => {
    expect(smoothEma([3, 1, 2], 0)).toEqual([3, 1, 2]);
    expect(smoothEma([5, 5, 5], 0.9)).toEqual([5, 5, 5].map(() => expect.closeTo(5, 12)));
  });
  it('matches the recurrence m = w m + (1 − w) y, shown as m / (1 − wⁿ)', () => {
    const w = 0.6;
    const values = [1, 4, 2, 8];
    let m = 0;
    const expected = values.map((y, i) => {
      m = w * m + (1 - w) * y;
      return m / (1 - w ** (i + 1));
    });
    expect(smoothEma(values, w)).toEqual(expected.map((e) => expect.closeTo(e, 12)));
  });
  it('passes non-finite values through without poisoning later ones', () => {
    const out = smoothEma([1, Number.NaN, 1], 0.5);
    expect(out[1]).toBeNaN();
    expect(out[2]).toBeCloseTo(1, 12);
  });
});

describe('decimateIndices', () => {
  it('keeps every row when few enough', () => {
    expect(decimateIndices(5, [[1, 2, 3, 4, 5]], 10)).toEqual([0, 1, 2, 3, 4]);
  });
  it('keeps at most ~maxPoints rows, the ends, and every spike of every series', () => {
    const n = 20_000;
    const a = Array.from({ length: n }, (_, i) => Math.sin(i / 100));
    const b = Array.from({ length: n }, () => 1);
    a[12_345] = 50; // a RALR-like spike
    b[777] = -3;
    const kept = decimateIndices(n, [a, b], 1000);
    expect(kept.length).toBeLessThanOrEqual(1000);
    expect(kept.length).toBeGreaterThan(100);
    expect(kept).toContain(0);
    expect(kept).toContain(n - 1);
    expect(kept).toContain(12_345);
    expect(kept).toContain(777);
    expect([...kept].sort((x, y) => x - y)).toEqual(kept);
  });
});

describe('meanStd', () => {
  it('is the mean and population std of the finite values', () => {
    expect(meanStd([1, 3, Number.NaN])).toEqual({ mean: 2, std: 1 });
    expect(meanStd([Number.NaN]).mean).toBeNaN();
  });
});

describe('buildChartRows', () => {
  const runs = [
    [record(0, 1), record(0, 2, { testAccuracy: 0.7 }), record(0, 3)],
    [record(1, 1, { trainLoss: 2 }), record(1, 2, { trainLoss: 4, testAccuracy: 0.9 }), record(1, 3, { trainLoss: 6 })],
  ];
  const single: SeriesSpec[] = [
    { id: 'r0', label: 'a', color: '#000', runs: [0], dash: '' },
    { id: 'r1', label: 'b', color: '#111', runs: [1], dash: '' },
  ];
  const options = { metric: 'trainLoss' as const, axis: 'step' as const, smoothing: 0, logY: false, maxPoints: 1000 };

  it('puts every run\'s value at its step and leaves the raw records untouched', () => {
    const copy = JSON.stringify(runs);
    const rows = buildChartRows(runs, single, options);
    expect(rows).toEqual([
      { x: 1, r0: 1, r1: 2 },
      { x: 2, r0: 0.5, r1: 4 },
      { x: 3, r0: 1 / 3, r1: 6 },
    ]);
    expect(JSON.stringify(runs)).toBe(copy);
  });
  it('has test metrics at evaluation steps only, and x in epochs or seconds', () => {
    expect(buildChartRows(runs, single, { ...options, metric: 'testAccuracy', axis: 'epoch' })).toEqual([{ x: 0.2, r0: 0.7, r1: 0.9 }]);
    expect(buildChartRows(runs, single, { ...options, axis: 'wall' }).map((r) => r.x)).toEqual([0.002, 0.004, 0.006]);
  });
  it('averages replicates with a ±std band', () => {
    const rows = buildChartRows(runs, [{ id: 'm0', label: 'm', color: '#000', runs: [0, 1], dash: '' }], options);
    expect(rows[0]).toEqual({ x: 1, m0: 1.5, 'm0:band': [1, 2] });
  });
  it('drops values ≤ 0 on a log axis (a gap, not a crash) and draws LEAP\'s band', () => {
    const leap = [[record(0, 1, { lrExpected: 0.1, lrBandLow: -0.05, lrBandHigh: 0.15 }), record(0, 2, { lrExpected: 0 })]];
    const rows = buildChartRows(leap, [single[0]], { ...options, metric: 'lrExpected', logY: true, band: true });
    expect(rows[0].r0).toBe(0.1);
    expect(rows[0]['r0:band']).toBeUndefined(); // its low end is negative: no band on a log axis
    expect(rows[1].r0).toBeUndefined();
    const linear = buildChartRows(leap, [single[0]], { ...options, metric: 'lrExpected', band: true });
    expect(linear[0]['r0:band']).toEqual([-0.05, 0.15]);
  });
});
