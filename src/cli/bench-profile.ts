/**
 * The benchmark's profile mode: the time of each dispatch of one training step. Where the device
 * has `timestamp-query`, one step is encoded as it runs (one encoder, one submit) with each
 * dispatch in its own compute pass whose timestampWrites bracket it: GPU time per kernel, without
 * the submit round trip. Elsewhere each dispatch is submitted and waited for alone (wall time,
 * round trip included: small dispatches read high).
 */
import type { GpuContext } from '../gpu/device';
import { median, makeStepper, type BenchCase, type Stepper } from './bench-core';

/** One dispatch's median time over the repeats, ms. */
export interface ProfilePart {
  label: string;
  ms: number;
}

/** A profile: how it was measured, each dispatch's time, and the step's span (first begin to last end; timestamps only). */
export interface Profile {
  method: 'timestamps' | 'submits';
  parts: ProfilePart[];
  stepMs: number | null;
}

/** Times each part of one step with timestamp queries, `repeats` times; medians per part and of the step's span. */
async function timestampProfile(gpu: GpuContext, stepper: Stepper, repeats: number): Promise<Profile> {
  const { device } = gpu;
  const parts = stepper.parts();
  const count = 2 * parts.length;
  const querySet = device.createQuerySet({ label: 'profile.timestamps', type: 'timestamp', count });
  const resolved = device.createBuffer({ label: 'profile.resolved', size: count * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const staging = device.createBuffer({ label: 'profile.staging', size: count * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const times = parts.map(() => [] as number[]);
  const spans: number[] = [];
  try {
    for (let repeat = 0; repeat < repeats; repeat++) {
      const encoder = device.createCommandEncoder();
      parts.forEach((part, index) => {
        const pass = encoder.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * index, endOfPassWriteIndex: 2 * index + 1 } });
        part.encode(pass);
        pass.end();
      });
      encoder.resolveQuerySet(querySet, 0, count, resolved, 0);
      encoder.copyBufferToBuffer(resolved, 0, staging, 0, count * 8);
      device.queue.submit([encoder.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      const stamps = new BigUint64Array(staging.getMappedRange().slice(0));
      staging.unmap();
      const ns = (index: number) => Number(stamps[index]);
      parts.forEach((_, index) => times[index].push(Math.max(0, ns(2 * index + 1) - ns(2 * index)) / 1e6));
      spans.push(Math.max(0, ns(count - 1) - ns(0)) / 1e6);
    }
  } finally {
    querySet.destroy();
    resolved.destroy();
    staging.destroy();
  }
  return { method: 'timestamps', parts: parts.map((part, index) => ({ label: part.label, ms: median(times[index]) })), stepMs: median(spans) };
}

/** Submits each part alone and waits for it, `repeats` times; median wall time per part. */
async function submitProfile(gpu: GpuContext, stepper: Stepper, repeats: number): Promise<Profile> {
  const parts = stepper.parts();
  const times = parts.map(() => [] as number[]);
  for (let repeat = 0; repeat < repeats; repeat++) {
    for (const [index, part] of parts.entries()) {
      const start = performance.now();
      const encoder = gpu.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      part.encode(pass);
      pass.end();
      gpu.device.queue.submit([encoder.finish()]);
      await gpu.device.queue.onSubmittedWorkDone();
      times[index].push(performance.now() - start);
    }
  }
  return { method: 'submits', parts: parts.map((part, index) => ({ label: part.label, ms: median(times[index]) })), stepMs: null };
}

/**
 * Profiles one step of `spec` with `runs` stacked runs after a warm-up step: timestamp queries
 * where the device has them (unless `method` says 'submits'), else each dispatch submitted alone.
 */
export async function profileCase(gpu: GpuContext, spec: BenchCase, runs: number, repeats = 5, method?: Profile['method']): Promise<Profile> {
  const stepper = makeStepper(gpu, spec, runs);
  try {
    stepper.step();
    await gpu.device.queue.onSubmittedWorkDone();
    const useTimestamps = (method ?? (gpu.timestamps ? 'timestamps' : 'submits')) === 'timestamps';
    if (useTimestamps && !gpu.timestamps) throw new Error('profile: this device has no timestamp-query');
    return useTimestamps ? await timestampProfile(gpu, stepper, repeats) : await submitProfile(gpu, stepper, repeats);
  } finally {
    await stepper.destroy();
  }
}

/** A profile as text lines: each dispatch's ms and share, the sum, and the step's span. */
export function profileLines(title: string, profile: Profile): string[] {
  const total = profile.parts.reduce((sum, p) => sum + p.ms, 0);
  const how = profile.method === 'timestamps' ? 'GPU timestamps around each dispatch, one submit per step' : 'each dispatch submitted alone, wall time';
  return [
    `${title} (${how}; medians)`,
    ...profile.parts.map((p, i) => `${String(i).padStart(2)} ${p.label.padEnd(36)} ${p.ms.toFixed(3).padStart(9)} ms ${(total > 0 ? (100 * p.ms) / total : 0).toFixed(1).padStart(5)}%`),
    `sum ${total.toFixed(3)} ms${profile.stepMs !== null ? `; step span (first begin to last end) ${profile.stepMs.toFixed(3)} ms` : ''}`,
  ];
}
