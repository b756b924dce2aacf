/**
 * The counter-based RNG: Philox-4x32-10 against Random123's known-answer vectors, the WGSL twin
 * (shaders/rng.wgsl) bit-exact with the TypeScript one on the GPU, and the statistics of RandomStream.
 */
import { describe, expect, it } from 'vitest';
import rngWgsl from '../../shaders/rng.wgsl?raw';
import { createStorage } from '../gpu/buffers';
import { makeDispatch, runDispatches } from '../gpu/commands';
import { composeWgsl } from '../gpu/pipelines';
import { readBuffer } from '../gpu/readback';
import { testGpu } from '../test/gpu';
import { leapNormal, lrdUniform, updateBits } from './draws';
import { mulhi32, normalFromBits, philox4x32, uniformFromBits, uniformOpenFromBits } from './philox';
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
const WORDS = 11;

/** A test kernel composing shaders/rng.wgsl: one invocation per input record of 8 u32 words. */
const TEST_KERNEL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> inputs: array<u32>;
@group(0) @binding(1) var<storage, read_write> outputs: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= arrayLength(&inputs) / 8u) { return; }
  let w = i * 8u;
  let counter = vec4u(inputs[w], inputs[w + 1u], inputs[w + 2u], inputs[w + 3u]);
  let key = vec2u(inputs[w + 4u], inputs[w + 5u]);
  let bits = philox4x32(counter, key);
  // update_bits(seed, run_key, tensor, step, element, scope) from the same words, re-ordered
  let draw = update_bits(key.x, key.y, counter.y, counter.z, counter.x, inputs[w + 6u] % 3u);
  let o = i * ${WORDS}u;
  outputs[o] = bits.x;
  outputs[o + 1u] = bits.y;
  outputs[o + 2u] = bits.z;
  outputs[o + 3u] = bits.w;
  outputs[o + 4u] = draw.x;
  outputs[o + 5u] = draw.y;
  outputs[o + 6u] = draw.z;
  outputs[o + 7u] = draw.w;
  outputs[o + 8u] = bitcast<u32>(rng_uniform(bits.x));
  outputs[o + 9u] = bitcast<u32>(rng_uniform_open(bits.y));
  outputs[o + 10u] = bitcast<u32>(rng_normal(bits.y, bits.z));
}
`;

describe('shaders/rng.wgsl on the GPU vs src/rng (TypeScript)', () => {
  it('philox4x32, update_bits, rng_uniform(_open) bit-exact and rng_normal to 1e-5 for 10k counters', async () => {
    const gpu = await testGpu();
    const count = 10_240;
    // Counters and keys from a RandomStream (all 32 bits exercised), plus the edge cases first.
    const stream = new RandomStream(2024, streamId(99));
    const inputs = new Uint32Array(count * 8);
    for (let i = 0; i < inputs.length; i++) inputs[i] = stream.uint32();
    inputs.set([0, 0, 0, 0, 0, 0, 0, 0], 0);
    inputs.set([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 1, 0], 8);
    inputs.set([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 2, 0], 16);
    for (let i = 3; i < 64; i++) inputs.set([i, 0, 0, 0, 7, i % 4], i * 8); // small counters, as the engine uses
    const inBuffer = createStorage(gpu.device, 'rng.in', inputs);
    const outBuffer = createStorage(gpu.device, 'rng.out', count * WORDS * 4);
    const kernel = { name: 'rng_test', source: composeWgsl(rngWgsl, TEST_KERNEL) };
    runDispatches(gpu, [makeDispatch(gpu, kernel, [inBuffer, outBuffer], [Math.ceil(count / 64)])]);
    const bytes = await readBuffer(gpu.device, outBuffer, count * WORDS * 4);
    inBuffer.destroy();
    outBuffer.destroy();
    expect(gpu.errors).toEqual([]);
    const asU32 = new Uint32Array(bytes);
    const asF32 = new Float32Array(bytes);

    const expectedBits = new Uint32Array(count * 8);
    const expectedUniform = new Float32Array(count * 2);
    const expectedNormal = new Float64Array(count);
    const gpuBits = new Uint32Array(count * 8);
    const gpuUniform = new Float32Array(count * 2);
    const gpuNormal = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const [c0, c1, c2, c3, k0, k1, scopeWord] = inputs.subarray(i * 8, i * 8 + 7);
      const bits = philox4x32(c0, c1, c2, c3, k0, k1);
      expectedBits.set(bits, i * 8);
      expectedBits.set(updateBits(k0, k1, c1, c2, c0, scopeWord % 3), i * 8 + 4);
      expectedUniform[2 * i] = uniformFromBits(bits[0]);
      expectedUniform[2 * i + 1] = uniformOpenFromBits(bits[1]);
      expectedNormal[i] = normalFromBits(bits[1], bits[2]);
      gpuBits.set(asU32.subarray(i * WORDS, i * WORDS + 8), i * 8);
      gpuUniform[2 * i] = asF32[i * WORDS + 8];
      gpuUniform[2 * i + 1] = asF32[i * WORDS + 9];
      gpuNormal[i] = asF32[i * WORDS + 10];
    }
    // Bits: exact. (The first record also checks the KAT vector through the GPU.)
    expect(hex(gpuBits.subarray(0, 4))).toBe('6627e8d5 e169c58d bc57ac4c 9b00dbd8');
    let mismatch = -1;
    for (let i = 0; i < expectedBits.length && mismatch < 0; i++) if (gpuBits[i] !== expectedBits[i]) mismatch = i;
    expect(mismatch, mismatch >= 0 ? `first differing word ${mismatch}: gpu ${gpuBits[mismatch]}, ts ${expectedBits[mismatch]}` : '').toBe(-1);
    // Uniforms: exact (multiples of 2^-24 below 1 are exact in f32).
    expect(gpuUniform).toBeAllClose(expectedUniform, { rtol: 0, atol: 0 });
    // Normals: GPU log differs from Math.log by an ulp or so (and the result is rounded to f32).
    expect(gpuNormal).toBeAllClose(expectedNormal, { rtol: 0, atol: 1e-5 });
    let maxError = 0;
    gpuNormal.forEach((z, i) => (maxError = Math.max(maxError, Math.abs(z - expectedNormal[i]))));
    console.info(`rng_normal vs normalFromBits: max abs error ${maxError.toExponential(2)} over ${count} draws`);
  });

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
