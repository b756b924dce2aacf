import { describe, expect, it } from 'vitest';
import { coincidences, describeCoincidence, innerTicks, linearTicks, strokeWidths, yDomain } from './chart-axes';
import type { ChartRow, SeriesSpec } from './series';

const spec = (id: string): SeriesSpec => ({ id, label: id.toUpperCase(), color: '#000000', runs: [0], dash: '' });
const rows = (columns: Record<string, Array<number | undefined>>): ChartRow[] =>
  columns[Object.keys(columns)[0]].map((_, i) => ({ x: i + 1, ...Object.fromEntries(Object.entries(columns).map(([id, values]) => [id, values[i]])) }));

describe('yDomain', () => {
  it('spans [0, 1] for an accuracy, whatever the data (a 2-class upload drew -1 to 3)', () => {
    expect(yDomain(rows({ a: [1, 1, 1] }), ['a'], 'unit')).toEqual([0, 1]);
  });

  it('pads a log axis so that no line lies on its edge (LRD 0.05 under a 0.1 baseline)', () => {
    const [low, high] = yDomain(rows({ base: [0.1, 0.1], lrd: [0.05, 0.05] }), ['base', 'lrd'], 'log')!;
    expect(low).toBeLessThan(0.05 / 1.1);
    expect(high).toBeGreaterThan(0.1 * 1.1);
  });

  it('pads a linear axis out to whole ticks, counting bands, never below 0 for non-negative data', () => {
    const domain = yDomain([{ x: 1, a: 22.7, 'a:band': [20, 151] }], ['a'], 'linear')!;
    expect(domain[0]).toBeLessThan(20);
    expect(domain[0]).toBeGreaterThanOrEqual(0);
    expect(domain[1]).toBeGreaterThan(151);
    expect(linearTicks(domain)).toEqual([0, 50, 100, 150, 200]);
    const [low, high] = yDomain(rows({ a: [0.5, 0.5] }), ['a'], 'linear')!;
    expect(low).toBeLessThan(0.5);
    expect(high).toBeGreaterThan(0.5);
    expect(yDomain(rows({ a: [undefined] }), ['a'], 'linear')).toBeUndefined();
  });
});

describe('coincidences', () => {
  const series = ['base', 'lrd', 'leap', 'ralr', 'drop'].map(spec);
  const data = rows({
    base: [0.1, 0.1, 0.1, 0.1],
    lrd: [0.05, 0.05, 0.05, 0.05],
    leap: [0.1, 0.1, 0.1, 0.1],
    ralr: [0.1, 0.3, 0.1, 0.1],
    drop: [0.1, 0.05, 0.025, 0.0125],
  });

  it('groups the lines drawn on top of each other, from the first in drawing order', () => {
    const groups = coincidences(data, series);
    expect(groups).toEqual([{ ids: ['base', 'leap', 'ralr'], shares: [1, 1, 0.75] }]);
    expect(describeCoincidence(groups[0], (id) => id.toUpperCase())).toBe('BASE, LEAP (every point), RALR (75 %)');
  });

  it('draws the lower lines of a group wider, so that each shows beside the ones above', () => {
    const widths = strokeWidths(coincidences(data, series), 2);
    expect([widths.get('base'), widths.get('leap'), widths.get('ralr'), widths.get('lrd')]).toEqual([5, 3.5, 2, undefined]);
  });
});

describe('strokeWidths', () => {
  it('keeps a big group within 6 px more than the top line', () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    const widths = strokeWidths([{ ids, shares: ids.map(() => 1) }], 2);
    expect(widths.get('a')).toBeCloseTo(8);
    expect(widths.get('f')).toBe(2);
  });
});

describe('innerTicks', () => {
  it('puts round ticks inside the x range of the data', () => {
    expect(innerTicks(1, 322)).toEqual([0, 100, 200, 300].filter((x) => x >= 1));
    expect(innerTicks(30, 600)).toEqual([200, 400, 600]);
    expect(innerTicks(5, 5)).toBeUndefined();
  });
});
