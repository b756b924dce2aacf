import { describe, expect, it } from 'vitest';
import { nearestRow } from './LinePlot';
import { logTicks, makeScale, pathAlong, pathOf } from './plot-frame';

// The live charts' and sweep views' SVG plots: log-axis ticks, scales, paths and the hover readout's row.

describe('logTicks', () => {
  it('gives the powers of ten over several decades, every other one when many', () => {
    expect(logTicks(-3, 1)).toEqual([0.001, 0.01, 0.1, 1, 10]);
    expect(logTicks(-8, 0)).toEqual([1e-8, 1e-6, 1e-4, 0.01, 1]);
  });

  it('gives 1, 2 and 5 times them over a decade or two (a loss from 0.06 to 0.7)', () => {
    expect(logTicks(Math.log10(0.06), Math.log10(0.7))).toEqual([0.1, 0.2, 0.5]);
  });

  it('gives round linear ticks over less (an effective rate from 0.04 to 0.12), never the raw ends', () => {
    const ticks = logTicks(Math.log10(0.04), Math.log10(0.12));
    expect(ticks).toEqual([0.05, 0.1]);
    const narrow = logTicks(Math.log10(0.0991), Math.log10(0.1009));
    expect(narrow.length).toBeGreaterThanOrEqual(2);
    for (const tick of narrow) {
      expect(tick).toBeGreaterThanOrEqual(0.0991);
      expect(tick).toBeLessThanOrEqual(0.1009);
    }
  });
});

describe('makeScale', () => {
  it('maps a linear and a log domain onto pixels (y grows downwards)', () => {
    const linear = makeScale(0, 1, 200, 0, false);
    expect([linear(0), linear(0.5), linear(1)]).toEqual([200, 100, 0]);
    const log = makeScale(0.01, 1, 200, 0, true);
    expect([log(0.01), log(0.1), log(1)]).toEqual([200, 100, 0]);
    expect(log(0)).toBeNaN();
  });

  it('widens a single value into a span around it', () => {
    const scale = makeScale(5, 5, 0, 100, false);
    expect(scale(5)).toBeCloseTo(50);
  });
});

describe('pathOf and nearestRow', () => {
  it('lifts the pen over a missing point', () => {
    expect(pathOf([[0, 1], [1, Number.NaN], [2, 3], [3, 4]])).toBe('M0.0,1.0M2.0,3.0L3.0,4.0');
  });

  it('writes each coordinate as toFixed(1) would, to the tenth, whatever its size or sign; long paths too', () => {
    const values = [0, -0, 0.04, -0.04, 0.96, 9.95, 123.45, -987.65, 1e6 + 0.3, -2.5e9, 3e15, -1e22, 1234.5678];
    let state = 7;
    for (let i = 0; i < 3000; i++) values.push(((state = (state * 48271) % 2147483647) / 2147483647 - 0.3) * 10 ** ((i % 8) - 1));
    const d = pathAlong(values.length, (i) => i, (i) => values[i]);
    const written = d.split(/[ML]/).slice(1).map((pair) => pair.split(','));
    expect(written).toHaveLength(values.length);
    written.forEach(([x, y], i) => {
      expect(x).toBe(i.toFixed(1));
      const expected = values[i].toFixed(1);
      // Equal, or one tenth apart where v·10 lands on a half in floating point (0.35·10 = 3.5).
      if (y !== expected) expect(Math.abs(Number(y) - Number(expected))).toBeCloseTo(0.1, 6);
    });
    expect(written.filter(([, y], i) => y !== values[i].toFixed(1)).length).toBeLessThan(values.length / 100);
  });

  it('finds the row nearest an x, at the ends and between rows', () => {
    const rows = [0, 10, 20, 40].map((x) => ({ x }));
    expect([-5, 4, 6, 29, 31, 100].map((x) => nearestRow(rows, x))).toEqual([0, 0, 1, 2, 3, 3]);
    expect(nearestRow([], 3)).toBe(-1);
    expect(nearestRow(rows, Number.NaN)).toBe(-1);
  });
});
