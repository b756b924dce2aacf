/**
 * Stacked parameters of R runs in one buffer. Tensor t occupies a slab of R segments, one per
 * run, each padded to a multiple of SEGMENT_ALIGN floats (256 bytes, WebGPU's storage offset
 * alignment), so element (t, run, i) lives at offset[t] + run·runStride[t] + i. Gradients and
 * optimizer state use the same layout, which lets one update dispatch cover everything.
 */
import { RandomStream, StreamPurpose, streamId } from '../rng/stream';
import type { ParamTensor, ResolvedModel } from './spec';

export const SEGMENT_ALIGN = 64;

export interface TensorSlot {
  offset: number;
  runStride: number;
  size: number;
}

export interface ParamLayout {
  runs: number;
  slots: TensorSlot[];
  /** Total floats, a multiple of SEGMENT_ALIGN. */
  total: number;
  /** Per SEGMENT_ALIGN-sized chunk: tensor index (low 16 bits) and run (high 16 bits). */
  chunkTable: Uint32Array;
}

/** Lays out `tensors` for `runs` stacked runs. */
export function layoutParams(tensors: readonly ParamTensor[], runs: number): ParamLayout {
  if (runs < 1 || runs > 0xffff) throw new Error(`runs must be in [1, 65535], got ${runs}`);
  const slots: TensorSlot[] = [];
  const chunks: number[] = [];
  let offset = 0;
  tensors.forEach((tensor, t) => {
    const runStride = Math.ceil(tensor.size / SEGMENT_ALIGN) * SEGMENT_ALIGN;
    slots.push({ offset, runStride, size: tensor.size });
    for (let run = 0; run < runs; run++) {
      for (let c = 0; c < runStride / SEGMENT_ALIGN; c++) chunks.push(t | (run << 16));
    }
    offset += runStride * runs;
  });
  return { runs, slots, total: Math.max(offset, SEGMENT_ALIGN), chunkTable: new Uint32Array(chunks.length ? chunks : [0]) };
}

/**
 * Initial values of one tensor for one replicate: He-uniform U(±√(6/fanIn)), Glorot-uniform
 * U(±√(6/(fanIn+fanOut))), zeros or ones, drawn from Philox keyed by (seed, init, replicate, t).
 */
export function initTensor(tensor: ParamTensor, tensorIndex: number, seed: number, replicate: number): Float64Array {
  const values = new Float64Array(tensor.size);
  if (tensor.init === 'zeros') return values;
  if (tensor.init === 'ones') return values.fill(1);
  const limit =
    tensor.init === 'he_uniform' ? Math.sqrt(6 / tensor.fanIn) : Math.sqrt(6 / (tensor.fanIn + tensor.fanOut));
  const stream = new RandomStream(seed, streamId(StreamPurpose.init, replicate, tensorIndex));
  for (let i = 0; i < values.length; i++) values[i] = (2 * stream.uniform() - 1) * limit;
  return values;
}

/**
 * Stacked initial parameters for all runs: run r gets replicate `replicates[r]`'s values (runs
 * of one replicate share their init: a controlled comparison).
 */
export function initParams(model: ResolvedModel, layout: ParamLayout, seed: number, replicates: readonly number[]): Float32Array {
  if (replicates.length !== layout.runs) throw new Error(`replicates has ${replicates.length} entries for ${layout.runs} runs`);
  const stacked = new Float32Array(layout.total);
  const cache = new Map<string, Float64Array>();
  model.tensors.forEach((tensor, t) => {
    const slot = layout.slots[t];
    replicates.forEach((replicate, run) => {
      const key = `${t}:${replicate}`;
      let values = cache.get(key);
      if (!values) {
        values = initTensor(tensor, t, seed, replicate);
        cache.set(key, values);
      }
      stacked.set(values, slot.offset + run * slot.runStride);
    });
  });
  return stacked;
}

/** Tensor t of run `run` out of a stacked array, as float64. */
export function tensorOfRun(stacked: ArrayLike<number>, layout: ParamLayout, t: number, run: number): Float64Array {
  const slot = layout.slots[t];
  const start = slot.offset + run * slot.runStride;
  return Float64Array.from({ length: slot.size }, (_, i) => stacked[start + i]);
}

/** All tensors of run `run` (float64 copies). */
export function paramsOfRun(stacked: ArrayLike<number>, layout: ParamLayout, run: number): Float64Array[] {
  return layout.slots.map((_, t) => tensorOfRun(stacked, layout, t, run));
}

/** Writes float64 tensors of one run into a stacked array. */
export function setParamsOfRun(stacked: Float32Array, layout: ParamLayout, run: number, values: readonly Float64Array[]): void {
  values.forEach((tensor, t) => {
    const slot = layout.slots[t];
    stacked.set(tensor, slot.offset + run * slot.runStride);
  });
}
