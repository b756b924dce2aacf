/**
 * Device acquisition for a page, a Worker or Node (see ./node.ts for the Node entry).
 * The engine never touches `navigator` elsewhere: everything takes a GpuContext.
 */
import { PipelineCache } from './pipelines';
import { adapterTraits, checkTuning, overrideTuning, tuningFor, type Tuning, type TuningProfile } from './tuning';

/** What we log about the adapter once per run (vendor, architecture, device, description). */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

/** Everything the GPU check reports about an adapter: its info, subgroup sizes, features and limits. */
export interface AdapterReport extends AdapterSummary {
  subgroupMinSize: number | null;
  subgroupMaxSize: number | null;
  isFallbackAdapter: boolean | null;
  features: string[];
  limits: Record<string, number>;
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
  /** The adapter-driven kernel choices (./tuning.ts); with `quads`, the device has WGSL `subgroups`. */
  tuning: Tuning;
  /** The device has `timestamp-query` (per-kernel timing in the benchmark's profile mode). */
  timestamps: boolean;
  /** The adapter in full (info, subgroup sizes, features, limits), for reports. */
  report: AdapterReport;
}

/** Options of acquireGpu. */
export interface AcquireOptions {
  /** Another profile's choices, or single choices replaced (tests, the GPU check's --tuning). */
  tuning?: TuningProfile | Partial<Tuning>;
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

/** The adapter's info, subgroup sizes, features and limits as plain data. */
export function reportAdapter(adapter: GPUAdapter): AdapterReport {
  const traits = adapterTraits(adapter);
  const limits: Record<string, number> = {};
  for (const name in adapter.limits) {
    const value = (adapter.limits as unknown as Record<string, unknown>)[name];
    if (typeof value === 'number') limits[name] = value;
  }
  return {
    ...summarizeAdapter(adapter.info),
    subgroupMinSize: traits.subgroupMinSize ?? null,
    subgroupMaxSize: traits.subgroupMaxSize ?? null,
    isFallbackAdapter: traits.isFallbackAdapter ?? null,
    features: [...adapter.features].map(String).sort(),
    limits,
  };
}

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
  options: AcquireOptions = {},
): Promise<GpuContext> {
  if (!gpu) throw new NoAdapterError(`WebGPU is not available here (navigator.gpu is undefined). ${noAdapterHint}`);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new NoAdapterError(`No WebGPU adapter was found. ${noAdapterHint}`);
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const traits = adapterTraits(adapter);
  const tuning = overrideTuning(tuningFor(traits), traits, options.tuning);
  checkTuning(tuning, adapter.limits);
  if (tuning.quads && !traits.subgroups) throw new Error('tuning.quads needs the adapter feature `subgroups`');
  const timestamps = adapter.features.has('timestamp-query');
  const requiredFeatures: GPUFeatureName[] = [];
  if (tuning.quads) requiredFeatures.push('subgroups' as GPUFeatureName);
  if (timestamps) requiredFeatures.push('timestamp-query');
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
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
    tuning,
    timestamps,
    report: reportAdapter(adapter),
  };
}

/** The traits tuning reads, from a report (./tuning.ts). */
function traitsOfReport(report: AdapterReport) {
  return {
    ...report,
    subgroupMinSize: report.subgroupMinSize ?? undefined,
    subgroupMaxSize: report.subgroupMaxSize ?? undefined,
    isFallbackAdapter: report.isFallbackAdapter ?? undefined,
    subgroups: report.features.includes('subgroups'),
    maxComputeInvocationsPerWorkgroup: report.limits.maxComputeInvocationsPerWorkgroup,
  };
}

/**
 * `ctx` with other kernel choices on the same device: a profile's (./tuning.ts) or single fields
 * replaced. Quads stay off where the device was made without `subgroups`.
 */
export function withTuning(ctx: GpuContext, tuning: TuningProfile | Partial<Tuning>): GpuContext {
  const chosen = overrideTuning(ctx.tuning, traitsOfReport(ctx.report), tuning);
  const quads = chosen.quads && ctx.device.features.has('subgroups');
  const result = { ...chosen, quads };
  checkTuning(result, ctx.limits);
  return { ...ctx, tuning: result };
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
