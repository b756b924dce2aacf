/**
 * The WebGPU runtime in Node (Dawn): the pipeline cache, limit checks with messages naming the
 * limit, asynchronous readback that never blocks the next submit, and device-lost reporting.
 */
import { describe, expect, it } from 'vitest';
import { mlp } from '../nn/models';
import { GpuNetwork } from '../nn/network';
import { resolveModel } from '../nn/spec';
import { testGpu } from '../test/gpu';
import { createStorage, upload } from './buffers';
import { makeDispatch, runDispatches } from './commands';
import { checkBufferFits, checkWorkgroups, type GpuContext } from './device';
import { acquireNodeGpu } from './node';
import { PipelineCache, type KernelSpec } from './pipelines';
import { AsyncReadback, readF32 } from './readback';

/** y[i] = x[i] · SCALE + OFFSET (SCALE overridable), or y[i] = x[i] + 1 at entry `plus_one`. */
const AFFINE_WGSL = /* wgsl */ `
override SCALE: f32 = 1.0;
override OFFSET: f32 = 0.0;
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x < arrayLength(&y)) { y[gid.x] = x[gid.x] * SCALE + OFFSET; }
}

@compute @workgroup_size(64)
fn plus_one(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x < arrayLength(&y)) { y[gid.x] = x[gid.x] + 1.0; }
}
`;

const affine = (constants?: Record<string, number>, entryPoint?: string, source = AFFINE_WGSL): KernelSpec => ({
  name: 'affine', source, entryPoint, constants,
});

/** A context whose limits are `limits` (the checks only read ctx.limits). */
const withLimits = (limits: Partial<GPUSupportedLimits>) => ({ limits }) as unknown as GpuContext;

describe('PipelineCache', () => {
  it('compiles once per (source, entry point, constants); size counts the variants', async () => {
    const gpu = await testGpu();
    const cache = new PipelineCache(gpu.device);
    expect(cache.size).toBe(0);
    const base = cache.get(affine({ SCALE: 2, OFFSET: 1 }));
    expect(cache.size).toBe(1);
    expect(cache.get(affine({ SCALE: 2, OFFSET: 1 }))).toBe(base);
    expect(cache.get(affine({ OFFSET: 1, SCALE: 2 }))).toBe(base); // key order does not matter
    expect(cache.get({ ...affine({ SCALE: 2, OFFSET: 1 }), name: 'renamed' })).toBe(base); // the label is not part of the key
    expect(cache.get(affine({ SCALE: 2, OFFSET: 1 }, 'main'))).toBe(base); // 'main' is the default entry
    expect(cache.size).toBe(1);
    expect(cache.get(affine({ SCALE: 3, OFFSET: 1 }))).not.toBe(base);
    expect(cache.size).toBe(2);
    cache.get(affine(undefined, 'plus_one'));
    expect(cache.size).toBe(3);
    cache.get(affine({ SCALE: 2, OFFSET: 1 }, undefined, `${AFFINE_WGSL}\n// another module`));
    expect(cache.size).toBe(4);
    cache.get(affine(undefined, 'plus_one'));
    expect(cache.size).toBe(4);
  });

  it('the compiled variants compute what their constants say', async () => {
    const gpu = await testGpu();
    const x = createStorage(gpu.device, 'x', new Float32Array([1, 2, 3, 4]));
    const y = createStorage(gpu.device, 'y', 16);
    const run = async (kernel: KernelSpec) => {
      runDispatches(gpu, [makeDispatch(gpu, kernel, [x, y], [1])]);
      return Array.from(await readF32(gpu.device, y, 4));
    };
    expect(await run(affine({ SCALE: 2, OFFSET: 1 }))).toEqual([3, 5, 7, 9]);
    expect(await run(affine({ SCALE: -1 }))).toEqual([-1, -2, -3, -4]);
    expect(await run(affine(undefined, 'plus_one'))).toEqual([2, 3, 4, 5]);
    x.destroy();
    y.destroy();
    expect(gpu.errors).toEqual([]);
  });

  it('building the same network twice compiles nothing new', async () => {
    const gpu = await testGpu();
    const model = resolveModel(mlp({ inputSize: 5, hidden: [7, 6], outputs: 3, activation: 'tanh', batchNorm: true }));
    const first = new GpuNetwork(gpu, model, { runs: 2, batch: 4 });
    const compiled = gpu.pipelines.size;
    const second = new GpuNetwork(gpu, model, { runs: 3, batch: 9 }); // other sizes: uniforms differ, kernels do not
    expect(gpu.pipelines.size).toBe(compiled);
    first.destroy();
    second.destroy();
  });
});

describe('limit checks name the limit', () => {
  it('checkBufferFits: maxStorageBufferBindingSize, then maxBufferSize', () => {
    const ctx = withLimits({ maxStorageBufferBindingSize: 1024, maxBufferSize: 2048 });
    expect(() => checkBufferFits(ctx, 1024, 'params')).not.toThrow();
    expect(() => checkBufferFits(ctx, 1025, 'params')).toThrow(/params needs 1025 bytes but device\.limits\.maxStorageBufferBindingSize is 1024/);
    const odd = withLimits({ maxStorageBufferBindingSize: 4096, maxBufferSize: 2048 });
    expect(() => checkBufferFits(odd, 3000, 'activations')).toThrow(/activations needs 3000 bytes but device\.limits\.maxBufferSize is 2048/);
  });

  it('checkWorkgroups: maxComputeWorkgroupsPerDimension and the axis', () => {
    const ctx = withLimits({ maxComputeWorkgroupsPerDimension: 65535 });
    expect(() => checkWorkgroups(ctx, [65535, 65535, 65535], 'k')).not.toThrow();
    expect(() => checkWorkgroups(ctx, [1, 70000, 1], 'matmul')).toThrow(/matmul needs 70000 workgroups along y but device\.limits\.maxComputeWorkgroupsPerDimension is 65535/);
  });

  it('a GpuNetwork with an absurdly wide dense layer throws naming maxStorageBufferBindingSize', async () => {
    const gpu = await testGpu();
    const limit = gpu.limits.maxStorageBufferBindingSize;
    const units = Math.ceil(limit / 4 / 2) + 64; // a 2 × units weight matrix alone exceeds the binding limit
    const model = resolveModel(mlp({ inputSize: 2, hidden: [], outputs: units }));
    expect(() => new GpuNetwork(gpu, model, { runs: 1, batch: 1 })).toThrow(/maxStorageBufferBindingSize/);
    // stacking runs can cross the limit too (a model that fits once does not fit 4096 times)
    const fits = resolveModel(mlp({ inputSize: 2, hidden: [], outputs: Math.floor(units / 4096) }));
    expect(() => new GpuNetwork(gpu, fits, { runs: 4096, batch: 1 })).toThrow(/parameters of 4096 runs needs \d+ bytes but device\.limits\.maxStorageBufferBindingSize/);
    expect(gpu.errors).toEqual([]);
  });

  it('a dispatch wider than maxComputeWorkgroupsPerDimension throws naming the limit (before any GPU call)', async () => {
    const gpu = await testGpu();
    const max = gpu.limits.maxComputeWorkgroupsPerDimension;
    const x = createStorage(gpu.device, 'x', 16);
    const y = createStorage(gpu.device, 'y', 16);
    expect(() => makeDispatch(gpu, affine(), [x, y], [max + 1])).toThrow(
      new RegExp(`affine needs ${max + 1} workgroups along x but device\\.limits\\.maxComputeWorkgroupsPerDimension is ${max}`),
    );
    x.destroy();
    y.destroy();
  });
});

describe('AsyncReadback', () => {
  it('returns the bytes at record time; the next step is submitted while the map is pending', async () => {
    const gpu = await testGpu();
    const device = gpu.device;
    const count = 256;
    const source = createStorage(device, 'source', Float32Array.from({ length: count }, (_, i) => i));
    const target = createStorage(device, 'target', count * 4);
    const readback = new AsyncReadback(device, 64 * 4, 'test');
    const step = (kernel: KernelSpec) => makeDispatch(gpu, kernel, [source, target], [count / 64]);
    device.pushErrorScope('validation');

    // step 1: target = 2·source + 1, then read target[64..128) in the same encoder
    let encoder = device.createCommandEncoder();
    let pass = encoder.beginComputePass();
    const first = step(affine({ SCALE: 2, OFFSET: 1 }));
    pass.setPipeline(first.pipeline);
    pass.setBindGroup(0, first.bindGroup);
    pass.dispatchWorkgroups(count / 64);
    pass.end();
    const start1 = readback.record(encoder, target, 64 * 4);
    device.queue.submit([encoder.finish()]);
    const read1 = start1();
    expect(readback.pending).toBe(1);

    // step 2, submitted while the first map is pending: target = source + 1, read target[0..64)
    upload(device, source, Float32Array.from({ length: count }, (_, i) => -i));
    encoder = device.createCommandEncoder();
    pass = encoder.beginComputePass();
    const second = step(affine(undefined, 'plus_one'));
    pass.setPipeline(second.pipeline);
    pass.setBindGroup(0, second.bindGroup);
    pass.dispatchWorkgroups(count / 64);
    pass.end();
    const start2 = readback.record(encoder, target);
    device.queue.submit([encoder.finish()]);
    const read2 = start2();
    expect(readback.pending).toBe(2);

    const [bytes1, bytes2] = await Promise.all([read1, read2]);
    expect(readback.pending).toBe(0);
    expect(Array.from(new Float32Array(bytes1))).toEqual(Array.from({ length: 64 }, (_, i) => 2 * (64 + i) + 1));
    expect(Array.from(new Float32Array(bytes2))).toEqual(Array.from({ length: 64 }, (_, i) => 1 - i));

    // a third read reuses a recycled staging buffer and still returns fresh data
    encoder = device.createCommandEncoder();
    const start3 = readback.record(encoder, source, 4 * 4);
    device.queue.submit([encoder.finish()]);
    expect(Array.from(new Float32Array(await start3())).slice(0, 3)).toEqual([-4, -5, -6]);

    expect(await device.popErrorScope()).toBeNull();
    readback.destroy();
    source.destroy();
    target.destroy();
    expect(gpu.errors).toEqual([]);
  });
});

describe('device loss', () => {
  it('ctx.lost resolves with a readable reason when the device is destroyed', async () => {
    const ctx = await acquireNodeGpu(); // its own device: the shared test device stays alive
    let settled = false;
    void ctx.lost.then(() => (settled = true));
    await ctx.device.queue.onSubmittedWorkDone();
    expect(settled).toBe(false);
    ctx.device.destroy();
    const reason = await Promise.race([
      ctx.lost,
      new Promise<string>((_, reject) => setTimeout(() => reject(new Error('device.lost did not resolve in 10 s')), 10_000)),
    ]);
    expect(reason).toMatch(/^GPU device lost \(destroyed\)/);
    // the shared device is unaffected
    const gpu = await testGpu();
    const buffer = createStorage(gpu.device, 'alive', new Float32Array([7, 8]));
    expect(Array.from(await readF32(gpu.device, buffer, 2))).toEqual([7, 8]);
    buffer.destroy();
  });
});
