import { describe, expect, it } from 'vitest';
import { generateToy, TOY_NAMES, type ToyOptions } from './toys';
import { assertDataset } from './types';

const options: ToyOptions = { count: 400, noise: 0, seed: 7, testFraction: 0.25 };

describe('generateToy', () => {
  for (const name of TOY_NAMES) {
    describe(name, () => {
      it('has the right shapes and passes assertDataset', () => {
        const ds = assertDataset(generateToy(name, options));
        expect(ds).toMatchObject({ name, inputShape: [2], numClasses: 2, scale: 1, shift: 0 });
        expect(ds.train.count).toBe(300);
        expect(ds.test.count).toBe(100);
        expect(ds.train.x).toBeInstanceOf(Float32Array);
        expect(ds.train.x.length).toBe(600);
        expect(ds.test.y.length).toBe(100);
      });

      it('is deterministic from the seed and changes with it', () => {
        const a = generateToy(name, options);
        const b = generateToy(name, options);
        const c = generateToy(name, { ...options, seed: 8 });
        expect(Array.from(a.train.x)).toEqual(Array.from(b.train.x));
        expect(Array.from(a.test.y)).toEqual(Array.from(b.test.y));
        expect(Array.from(a.train.x)).not.toEqual(Array.from(c.train.x));
      });

      it('is balanced in both splits without noise, and features lie roughly in [-1, 1]', () => {
        const ds = generateToy(name, options);
        for (const split of [ds.train, ds.test]) {
          const ones = Array.from(split.y).reduce((sum, label) => sum + label, 0);
          expect(ones).toBe(split.count / 2);
        }
        const limit = name === 'gaussians' ? 2 : 1;
        for (const value of ds.train.x) expect(Math.abs(value)).toBeLessThanOrEqual(limit);
      });

      it('stays roughly balanced with noise', () => {
        const ds = generateToy(name, { ...options, count: 2000, noise: 0.3 });
        const ones = Array.from(ds.train.y).reduce((sum, label) => sum + label, 0);
        expect(ones / ds.train.count).toBeGreaterThan(0.35);
        expect(ones / ds.train.count).toBeLessThan(0.65);
      });
    });
  }

  it('labels follow the geometry (circles: inner is class 1; xor: same-sign quadrants; gaussians: centers)', () => {
    const circles = generateToy('circles', options);
    for (let row = 0; row < circles.train.count; row++) {
      const radius = Math.hypot(circles.train.x[2 * row], circles.train.x[2 * row + 1]) * 6;
      expect(circles.train.y[row]).toBe(radius < 2.5 ? 1 : 0);
    }
    const xor = generateToy('xor', options);
    for (let row = 0; row < xor.train.count; row++) {
      expect(xor.train.y[row]).toBe(xor.train.x[2 * row] * xor.train.x[2 * row + 1] >= 0 ? 1 : 0);
    }
    const gauss = generateToy('gaussians', { ...options, count: 2000 });
    let meanOfClass1 = 0;
    for (let row = 0; row < gauss.train.count; row++) if (gauss.train.y[row] === 1) meanOfClass1 += gauss.train.x[2 * row];
    expect((meanOfClass1 / (gauss.train.count / 2)) * 6).toBeCloseTo(2, 0);
  });

  it('different toys with the same seed use different random streams', () => {
    const spiral = generateToy('spiral', options);
    const moons = generateToy('moons', options);
    expect(Array.from(spiral.train.x.slice(0, 4))).not.toEqual(Array.from(moons.train.x.slice(0, 4)));
  });

  it('rejects bad options naming the field', () => {
    expect(() => generateToy('spiral', { ...options, count: 1 })).toThrow(/count must be an integer in \[2, /);
    expect(() => generateToy('spiral', { ...options, count: 10.5 })).toThrow(/count must be an integer/);
    expect(() => generateToy('spiral', { ...options, noise: -0.1 })).toThrow(/noise must be a finite number >= 0, got -0.1/);
    expect(() => generateToy('spiral', { ...options, noise: NaN })).toThrow(/noise must be/);
    expect(() => generateToy('spiral', { ...options, testFraction: 0 })).toThrow(/testFraction must be a number with 0 < testFraction < 1, got 0/);
    expect(() => generateToy('spiral', { ...options, testFraction: 1 })).toThrow(/testFraction/);
    expect(() => generateToy('spiral', { ...options, seed: -1 })).toThrow(/seed must be an integer in \[0, 2\^32\), got -1/);
    expect(() => generateToy('donut' as never, options)).toThrow(/toy name must be one of spiral, circles, xor, gaussians, moons; got "donut"/);
  });
});
