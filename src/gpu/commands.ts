import { checkWorkgroups, type GpuContext } from './device';
import type { KernelSpec } from './pipelines';

/** One recorded compute dispatch: pipeline, its bind group and workgroup counts. */
export interface Dispatch {
  label: string;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
}

/**
 * Builds a dispatch for `kernel` with `bindings` (binding index order 0..n-1 of group 0).
 * Bind groups are created once when a network is built, never per step.
 */
export function makeDispatch(
  ctx: GpuContext,
  kernel: KernelSpec,
  bindings: GPUBuffer[],
  workgroups: [number, number?, number?],
): Dispatch {
  const pipeline = ctx.pipelines.get(kernel);
  const counts: [number, number, number] = [workgroups[0], workgroups[1] ?? 1, workgroups[2] ?? 1];
  checkWorkgroups(ctx, counts, kernel.name);
  const bindGroup = ctx.device.createBindGroup({
    label: kernel.name,
    layout: pipeline.getBindGroupLayout(0),
    entries: bindings.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  return { label: kernel.name, pipeline, bindGroup, workgroups: counts };
}

/**
 * Extra work of one training step, encoded after the step's own dispatches (e.g. AutoDrop's angle
 * pass after the update): dispatches into the open `pass`; optionally copies into the encoder once
 * the pass has ended (`afterPass`) and work right after the submit (`afterSubmit`, e.g. starting an
 * asynchronous readback). Declared here, below both the Trainer that calls it and the optimizer
 * parts that provide one.
 */
export type StepHook = (
  pass: GPUComputePassEncoder,
  step: number,
) => { afterPass?: (encoder: GPUCommandEncoder) => void; afterSubmit?: () => void } | void;

/** Encodes `dispatches` in order into one compute pass. */
export function encodeDispatches(pass: GPUComputePassEncoder, dispatches: readonly Dispatch[]): void {
  for (const dispatch of dispatches) {
    pass.setPipeline(dispatch.pipeline);
    pass.setBindGroup(0, dispatch.bindGroup);
    const [x, y, z] = dispatch.workgroups;
    if (x > 0 && y > 0 && z > 0) pass.dispatchWorkgroups(x, y, z);
  }
}

/** Runs `dispatches` in one encoder and one submit (tests and one-off work). */
export function runDispatches(ctx: GpuContext, dispatches: readonly Dispatch[]): void {
  const encoder = ctx.device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  encodeDispatches(pass, dispatches);
  pass.end();
  ctx.device.queue.submit([encoder.finish()]);
}

/**
 * Workgroups of ⌈count / perGroup⌉ along x, wrapping onto y past maxComputeWorkgroupsPerDimension
 * (the kernels number workgroups as x + y·groups.x).
 */
export function wrappedGroups(gpu: GpuContext, count: number, perGroup: number): [number, number] {
  const groups = Math.max(1, Math.ceil(count / perGroup));
  const x = Math.min(groups, gpu.limits.maxComputeWorkgroupsPerDimension);
  return [x, Math.ceil(groups / x)];
}

/** ceil(a / b) for workgroup counts. */
export function divCeil(a: number, b: number): number {
  return Math.ceil(a / b);
}
