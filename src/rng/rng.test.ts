/**
 * The counter-based RNG: Philox-4x32-10 against Random123's known-answer vectors, the WGSL twin
 * (shaders/rng.wgsl) bit-exact with the TypeScript one on the GPU (./rng.check.ts), and the statistics
 * of RandomStream.
 */
import { describe, expect, it } from 'vitest';
import { expectCheck } from '../test/expect-check';
import { leapNormal, lrdUniform, updateBits } from './draws';
import { mulhi32, normalFromBits, philox4x32, uniformFromBits, uniformOpenFromBits } from './philox';
import { RNG_CHECKS } from './rng.check';
import { RandomStream, streamId } from './stream';

const hex = (words: ArrayLike<number>) => Array.from(words, (w) => (w >>> 0).toString(16).padStart(8, '0')).join(' ');

describe('Philox-4x32-10 (TypeScript)', () => {
  // Random123 kat_vectors, philox4x32 10 rounds: counter (4 words), key (2 words) → output.
  const KAT: Array<[number[], number[], string]> = [
    [[0, 0, 0, 0], [0, 0], '6627e8d5 e169c58d bc57ac4c 9b00dbd8'],
    [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], '408f276d 41c83b0e a20bc7c6 6d5451fd'],
    [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], 'd16cfe09 94fdcceb 5001e420 24126ea1'],
  ];
  for (const [counter, key, expected] of KAT) {
    it(`counter ${hex(counter)} key ${hex(key)} → ${expected}`, () => {
      expect(hex(philox4x32(counter[0], counter[1], counter[2], counter[3], key[0], key[1]))).toBe(expected);
    });
  }

  it('mulhi32 is the high word of the exact 64-bit product', () => {
    const stream = new RandomStream(123, 4);
    const pairs: Array<[number, number]> = [[0, 0], [0xffffffff, 0xffffffff], [0xd2511f53, 0xffffffff], [1, 0xffffffff], [0x10000, 0x10000]];
    for (let i = 0; i < 2000; i++) pairs.push([stream.uint32(), stream.uint32()]);
    for (const [a, b] of pairs) {
      expect(mulhi32(a, b), `${a} * ${b}`).toBe(Number((BigInt(a) * BigInt(b)) >> 32n));
    }
  });

  it('uniforms are exact multiples of 2^-24 in [0, 1) and (0, 1]', () => {
    expect(uniformFromBits(0)).toBe(0);
    expect(uniformFromBits(0xffffffff)).toBe(1 - 2 ** -24);
    expect(uniformOpenFromBits(0)).toBe(2 ** -24);
    expect(uniformOpenFromBits(0xffffffff)).toBe(1);
    expect(uniformFromBits(0x12345678)).toBe(0x123456 * 2 ** -24);
    expect(Math.fround(uniformFromBits(0x9abcdef0))).toBe(uniformFromBits(0x9abcdef0)); // exact in f32 too
    expect(Math.abs(normalFromBits(0xffffffff, 0))).toBe(0); // u1 = 1 → radius 0 (−0: √(−2·0))
  });
});

/** philox (4 words), update_bits (4), bitcast uniform, uniform_open and normal: 11 u32 words per counter. */
describe('shaders/rng.wgsl on the GPU vs src/rng (TypeScript)', () => {
  for (const check of RNG_CHECKS) it(check.name, () => expectCheck(check));

  it('the draw helpers compose updateBits as documented (LRD: uniform of word 0, LEAP: normal of words 1, 2)', () => {
    const bits = updateBits(5, 2, 3, 17, 41, 0);
    expect(lrdUniform(5, 2, 3, 17, 41)).toBe(uniformFromBits(bits[0]));
    expect(leapNormal(5, 2, 3, 17, 41, 'element')).toBe(normalFromBits(bits[1], bits[2]));
    const tensorBits = updateBits(5, 2, 3, 17, 0, 1);
    expect(leapNormal(5, 2, 3, 17, 41, 'tensor')).toBe(normalFromBits(tensorBits[1], tensorBits[2]));
    const globalBits = updateBits(5, 2, 0, 17, 0, 2);
    expect(leapNormal(5, 2, 3, 17, 41, 'global')).toBe(normalFromBits(globalBits[1], globalBits[2]));
  });
});

describe('RandomStream', () => {
  const N = 200_000;

  /** Mean and unbiased variance of `n` draws. */
  function moments(draw: () => number, n: number) {
    let sum = 0;
    let sumSq = 0;
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = draw();
    for (const v of values) sum += v;
    const mean = sum / n;
    for (const v of values) sumSq += (v - mean) ** 2;
    return { mean, variance: sumSq / (n - 1), values };
  }

  it('uniform: mean 1/2, variance 1/12 within 5 standard errors; range [0, 1)', () => {
    const stream = new RandomStream(42, streamId(7, 1));
    const { mean, variance, values } = moments(() => stream.uniform(), N);
    // SE(mean) = σ/√N; SE(s²) = √((μ4 − σ⁴)/N) with μ4 = 1/80, σ⁴ = 1/144 for U(0, 1).
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / N));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(5 * Math.sqrt((1 / 80 - 1 / 144) / N));
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    // the 10 deciles each hold about N/10 draws (binomial SE)
    const deciles = new Array(10).fill(0);
    for (const v of values) deciles[Math.floor(v * 10)]++;
    for (const c of deciles) expect(Math.abs(c - N / 10)).toBeLessThan(5 * Math.sqrt(N * 0.1 * 0.9));
  });
  it('normal: mean 0, variance 1 within 5 standard errors; symmetric tails', () => {
    const normals = new RandomStream(43, streamId(7, 2));
    const { mean, variance, values } = moments(() => normals.normal(), N);
    expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(1 / N));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / N)); // SE(s²) = √(2/N) for N(0, 1)
    const beyond = (t: number) => values.filter((v) => Math.abs(v) > t).length / N;
    expect(Math.abs(beyond(1.959964) - 0.05)).toBeLessThan(5 * Math.sqrt(0.05 * 0.95 / N));
    expect(values.every(Number.isFinite)).toBe(true);
  });

  it('below(n): every value in [0, n) about equally often', () => {
    const ints = new RandomStream(44);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[ints.below(7)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(5 * Math.sqrt(70_000 * (1 / 7) * (6 / 7)));
  });

  it('is reproducible, keyed by (seed, streamId), and the i-th block is philox((i,0,0,0), (seed, id))', () => {
    const a = new RandomStream(9, 3);
    const b = new RandomStream(9, 3);
    const c = new RandomStream(9, 4);
    const d = new RandomStream(10, 3);
    const draws = (s: RandomStream) => Array.from({ length: 12 }, () => s.uint32());
    const first = draws(a);
    expect(draws(b)).toEqual(first);
    expect(draws(c)).not.toEqual(first);
    expect(draws(d)).not.toEqual(first);
    expect(first.slice(4, 8)).toEqual(Array.from(philox4x32(1, 0, 0, 0, 9, 3)));
    expect(() => new RandomStream(-1)).toThrow(/seed must be an integer in \[0, 2\^32\)/);
    expect(() => new RandomStream(2 ** 32)).toThrow(/seed/);
  });

  it('streamId mixes its parts (FNV-1a): order and every part matter', () => {
    expect(streamId(1, 2)).not.toBe(streamId(2, 1));
    expect(streamId(1, 2, 0)).not.toBe(streamId(1, 2));
    expect(streamId(1, 0, 3)).not.toBe(streamId(1, 1, 3));
    expect(streamId()).toBe(0x811c9dc5);
  });
});
