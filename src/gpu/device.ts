/**
 * Device acquisition for a page, a Worker or Node (see ./node.ts for the Node entry).
 * The engine never touches `navigator` elsewhere: everything takes a GpuContext.
 */
import { PipelineCache } from './pipelines';

/** What we log about the adapter once per run (vendor, architecture, device, description). */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

export interface GpuContext {
  device: GPUDevice;
  adapter: AdapterSummary;
  limits: GPUSupportedLimits;
  pipelines: PipelineCache;
  /** Resolves with a readable reason when the device is lost (never rejects). */
  lost: Promise<string>;
  /** Uncaptured validation/out-of-memory errors, most recent last (also logged). */
  errors: string[];
  /**
   * The device has WGSL `subgroups` and every subgroup is 4 invocations (SwiftShader), so a quad is
   * a whole subgroup: shaders/matmul_quad.wgsl shares operand loads within it. False elsewhere.
   */
  quads?: boolean;
}

/** Thrown when no usable WebGPU adapter exists; the message says what to install or enable. */
export class NoAdapterError extends Error {}

/** Limits we raise above WebGPU's defaults when the adapter allows it. */
const WANTED_LIMITS = [
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupsPerDimension',
] as const;

/** Summarises GPUAdapterInfo (whose fields are getters, invisible to JSON.stringify). */
export function summarizeAdapter(info: GPUAdapterInfo | undefined): AdapterSummary {
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
  };
}

/**
 * Requests an adapter and a device from `gpu` (navigator.gpu in a page or Worker, the Dawn
 * object in Node) with the limits this engine uses raised to what the adapter supports.
 * `noAdapterHint` is appended to the error when no adapter exists.
 */
export async function acquireGpu(
  gpu: GPU | undefined,
  noAdapterHint = 'Use a browser with WebGPU enabled (Chrome/Edge 113+, or Chromium with --enable-unsafe-webgpu).',
): Promise<GpuContext> {
  if (!gpu) throw new NoAdapterError(`WebGPU is not available here (navigator.gpu is undefined). ${noAdapterHint}`);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new NoAdapterError(`No WebGPU adapter was found. ${noAdapterHint}`);
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const quads = adapter.features.has('subgroups') && adapter.info?.subgroupMinSize === 4 && adapter.info.subgroupMaxSize === 4;
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures: quads ? ['subgroups' as GPUFeatureName] : [] });
  const errors: string[] = [];
  device.addEventListener('uncapturederror', (event) => {
    const message = (event as GPUUncapturedErrorEvent).error.message;
    errors.push(message);
    console.error(`WebGPU error: ${message}`);
  });
  const lost = device.lost.then((info) => `GPU device lost (${info.reason}): ${info.message}`);
  return {
    device,
    adapter: summarizeAdapter(adapter.info),
    limits: device.limits,
    pipelines: new PipelineCache(device),
    lost,
    errors,
    quads,
  };
}

/** A buffer larger than a device limit: the message names the limit; `bytes` and `limit` let a caller split the work. */
export class BufferLimitError extends Error {
  constructor(
    message: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(message);
    this.name = 'BufferLimitError';
  }
}

/** Throws a BufferLimitError naming the limit when `bytes` exceeds the storage binding or buffer size limit. */
export function checkBufferFits(ctx: GpuContext, bytes: number, what: string): void {
  if (bytes > ctx.limits.maxStorageBufferBindingSize) {
    throw new BufferLimitError(
      `${what} needs ${bytes} bytes but device.limits.maxStorageBufferBindingSize is ${ctx.limits.maxStorageBufferBindingSize}: use fewer runs, a smaller batch or a smaller model.`,
      bytes,
      ctx.limits.maxStorageBufferBindingSize,
    );
  }
  if (bytes > ctx.limits.maxBufferSize) {
    throw new BufferLimitError(`${what} needs ${bytes} bytes but device.limits.maxBufferSize is ${ctx.limits.maxBufferSize}.`, bytes, ctx.limits.maxBufferSize);
  }
}

/** Throws an error naming the limit when a dispatch needs more workgroups than allowed. */
export function checkWorkgroups(ctx: GpuContext, counts: readonly number[], what: string): void {
  const max = ctx.limits.maxComputeWorkgroupsPerDimension;
  counts.forEach((count, axis) => {
    if (count > max) {
      throw new Error(
        `${what} needs ${count} workgroups along ${'xyz'[axis]} but device.limits.maxComputeWorkgroupsPerDimension is ${max}: reduce the batch size or layer width.`,
      );
    }
  });
}
