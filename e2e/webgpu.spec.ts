import { expect, test } from '@playwright/test';

// WebGPU in real Chromium. No adapter is a FAILURE, never a skip (DESIGN.md).
const NO_ADAPTER =
  'navigator.gpu.requestAdapter() returned null. Chromium needs --enable-unsafe-webgpu ' +
  '(playwright.config.ts) and an http://127.0.0.1 page (not about:blank); without a GPU it uses ' +
  'the SwiftShader shipped by Debian `chromium` (/usr/lib/chromium/libvk_swiftshader.so). ' +
  `Browser: ${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'} (set CHROMIUM_PATH to change).`;

test('navigator.gpu gives an adapter', async ({ page }) => {
  await page.goto('/');
  const info = await page.evaluate(async () => {
    if (!('gpu' in navigator)) return 'no navigator.gpu';
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) return null;
    const { vendor, architecture, device, description } = adapter.info;
    return { vendor, architecture, device, description, fallback: adapter.info.isFallbackAdapter };
  });
  expect(info, 'navigator.gpu is missing: WebGPU is off (is --enable-unsafe-webgpu set?)').not.toBe('no navigator.gpu');
  expect(info, NO_ADAPTER).not.toBeNull();
  console.log(`WebGPU adapter (Chromium): ${JSON.stringify(info)}`);
});

test('a compute shader doubles 64 floats', async ({ page }) => {
  await page.goto('/');
  const result = await page.evaluate(async () => {
    const adapter = await navigator.gpu?.requestAdapter();
    if (!adapter) return null;
    const device = await adapter.requestDevice();
    device.pushErrorScope('validation');
    const n = 64;
    const input = Float32Array.from({ length: n }, (_, i) => i - 20.25);
    const data = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    const read = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(data, 0, input);
    const module = device.createShaderModule({
      code: `@group(0) @binding(0) var<storage, read_write> x: array<f32>;
             @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
               x[id.x] = 2.0 * x[id.x];
             }`,
    });
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const bind = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: data } }] });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(1);
    pass.end();
    encoder.copyBufferToBuffer(data, 0, read, 0, n * 4);
    device.queue.submit([encoder.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const out = Array.from(new Float32Array(read.getMappedRange()));
    const error = await device.popErrorScope();
    device.destroy();
    return { input: Array.from(input), out, error: error?.message ?? null };
  });
  expect(result, NO_ADAPTER).not.toBeNull();
  expect(result!.error).toBeNull();
  expect(result!.out).toEqual(result!.input.map((v) => 2 * v));
});
