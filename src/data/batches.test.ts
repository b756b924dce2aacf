import { describe, expect, it } from 'vitest';
import { RandomStream } from '../rng/stream';
import { batchRows, epochPermutation, shuffleInPlace, stepsPerEpoch } from './batches';

const isPermutation = (order: Uint32Array) => {
  const sorted = Array.from(order).sort((a, b) => a - b);
  return sorted.every((value, index) => value === index);
};

describe('epochPermutation', () => {
  it('is a permutation of 0..count-1', () => {
    for (const count of [0, 1, 2, 7, 1000, 60000]) {
      const order = epochPermutation(count, 42, 0, 0);
      expect(order.length).toBe(count);
      expect(isPermutation(order)).toBe(true);
    }
  });

  it('is deterministic and differs across seeds, replicates and epochs', () => {
    const base = Array.from(epochPermutation(500, 1, 0, 0));
    expect(Array.from(epochPermutation(500, 1, 0, 0))).toEqual(base);
    expect(Array.from(epochPermutation(500, 2, 0, 0))).not.toEqual(base);
    expect(Array.from(epochPermutation(500, 1, 1, 0))).not.toEqual(base);
    expect(Array.from(epochPermutation(500, 1, 0, 1))).not.toEqual(base);
    // (replicate, epoch) = (1, 0) and (0, 1) are different streams too
    expect(Array.from(epochPermutation(500, 1, 1, 0))).not.toEqual(Array.from(epochPermutation(500, 1, 0, 1)));
  });

  it('shuffles: each position is roughly uniform over rows', () => {
    const count = 4;
    const trials = 4000;
    const hits = Array.from({ length: count }, () => new Array<number>(count).fill(0));
    for (let epoch = 0; epoch < trials; epoch++) {
      epochPermutation(count, 3, 0, epoch).forEach((row, position) => hits[position][row]++);
    }
    for (const row of hits.flat()) expect(Math.abs(row / trials - 1 / count)).toBeLessThan(0.04);
  });

  it('rejects bad arguments naming them', () => {
    expect(() => epochPermutation(-1, 0, 0, 0)).toThrow(/count must be an integer/);
    expect(() => epochPermutation(5, 1.5, 0, 0)).toThrow(/seed must be an integer/);
    expect(() => epochPermutation(5, 0, -1, 0)).toThrow(/replicate must be an integer/);
    expect(() => epochPermutation(5, 0, 0, NaN)).toThrow(/epoch must be an integer/);
  });
});

describe('shuffleInPlace', () => {
  it('shuffles any index-assignable array with a given stream', () => {
    const values = [10, 20, 30, 40, 50];
    shuffleInPlace(values, new RandomStream(9, 1));
    expect([...values].sort((a, b) => a - b)).toEqual([10, 20, 30, 40, 50]);
  });
});

describe('stepsPerEpoch and batchRows', () => {
  it('drops the last partial batch', () => {
    expect(stepsPerEpoch(100, 32)).toBe(3);
    expect(stepsPerEpoch(96, 32)).toBe(3);
    expect(stepsPerEpoch(60000, 128)).toBe(468);
    expect(stepsPerEpoch(5, 5)).toBe(1);
  });

  it('rejects a batch size that is not a positive integer or exceeds the rows', () => {
    expect(() => stepsPerEpoch(10, 0)).toThrow(/batchSize must be an integer in \[1, /);
    expect(() => stepsPerEpoch(10, 2.5)).toThrow(/batchSize must be an integer/);
    expect(() => stepsPerEpoch(10, 11)).toThrow(/batchSize \(11\) must not exceed the number of training rows \(10\)/);
  });

  it('batchRows slices the permutation per step', () => {
    const order = epochPermutation(10, 5, 0, 0);
    expect(Array.from(batchRows(order, 0, 4))).toEqual(Array.from(order.slice(0, 4)));
    expect(Array.from(batchRows(order, 1, 4))).toEqual(Array.from(order.slice(4, 8)));
    expect(() => batchRows(order, 2, 4)).toThrow(/stepInEpoch must be an integer in \[0, 1\], got 2/);
  });
});
