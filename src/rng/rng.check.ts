/**
 * GPU check (src/check/verdict.ts) of shaders/rng.wgsl against src/rng (TypeScript): philox4x32,
 * update_bits, rng_uniform(_open) bit-exact and rng_normal to 1e-5 for 10k counters. Run by
 * rng.test.ts and the GPU check.
 */
import rngWgsl from '../../shaders/rng.wgsl?raw';
import type { GpuCheck, Verdict } from '../check/verdict';
import { createStorage } from '../gpu/buffers';
import { makeDispatch, runDispatches } from '../gpu/commands';
import type { GpuContext } from '../gpu/device';
import { composeWgsl } from '../gpu/pipelines';
import { readBuffer } from '../gpu/readback';
import { updateBits } from './draws';
import { normalFromBits, philox4x32, uniformFromBits, uniformOpenFromBits } from './philox';
import { RandomStream, streamId } from './stream';

const hex = (words: ArrayLike<number>) => Array.from(words, (w) => (w >>> 0).toString(16).padStart(8, '0')).join(' ');

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

/** The 10,240 counters through the WGSL and the TypeScript Philox. */
async function checkRng(gpu: GpuContext, v: Verdict): Promise<void> {
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
  v.record('bits', gpuBits);
  v.equal('KAT through the GPU', hex(gpuBits.subarray(0, 4)), '6627e8d5 e169c58d bc57ac4c 9b00dbd8');
  let mismatch = -1;
  for (let i = 0; i < expectedBits.length && mismatch < 0; i++) if (gpuBits[i] !== expectedBits[i]) mismatch = i;
  v.isTrue('bits equal', mismatch < 0, `first differing word ${mismatch}: gpu ${gpuBits[mismatch]}, ts ${expectedBits[mismatch]}`);
  // Uniforms: exact (multiples of 2^-24 below 1 are exact in f32).
  v.allClose('uniforms', gpuUniform, expectedUniform, { rtol: 0, atol: 0 });
  // Normals: GPU log differs from Math.log by an ulp or so (and the result is rounded to f32).
  v.allClose('normals', gpuNormal, expectedNormal, { rtol: 0, atol: 1e-5 });
  let maxError = 0;
  gpuNormal.forEach((z, i) => (maxError = Math.max(maxError, Math.abs(z - expectedNormal[i]))));
  v.record('rng_normal vs normalFromBits: max abs error', maxError);
}

/** The GPU test of rng.test.ts. */
export const RNG_CHECKS: GpuCheck[] = [
  { name: 'philox4x32, update_bits, rng_uniform(_open) bit-exact and rng_normal to 1e-5 for 10k counters', family: 'rng', run: checkRng },
];
