/**
 * Stacked parameters of R runs in one buffer. Tensor t occupies a slab of R segments, one per
 * run, each padded to a multiple of SEGMENT_ALIGN floats (256 bytes, WebGPU's storage offset
 * alignment), so element (t, run, i) lives at offset[t] + run·runStride[t] + i. Gradients and
 * optimizer state use the same layout, which lets one update dispatch cover everything.
 *
 * Below both the network (src/nn, whose kernels index parameters through it) and the optimizer
 * (src/optim, whose update and AutoDrop passes walk it chunk by chunk): it knows tensor sizes only.
 */
import { WgslConstants } from './layout';

export const SEGMENT_ALIGN = 64;

/**
 * The chunk table as WGSL reads it: CHUNK_FLOATS (= SEGMENT_ALIGN) floats per chunk, each entry
 * tensor | run << CHUNK_RUN_SHIFT, so tensor = entry & CHUNK_TENSOR_MASK and run = entry >> CHUNK_RUN_SHIFT.
 */
export const CHUNK = new WgslConstants('CHUNK', { floats: SEGMENT_ALIGN, runShift: 16, tensorMask: 0xffff });

/** What the stacked layout and the passes over it (update, AutoDrop) know of a parameter tensor. */
export interface StackedTensor {
  /** Elements of one run's tensor. */
  size: number;
  /** false for a fixed (frozen) layer: the update leaves it alone. */
  trainable: boolean;
  /** Whether weight decay applies (weights yes; biases and BN affine no, by convention). */
  decay: boolean;
}

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
  /** Per SEGMENT_ALIGN-sized chunk: tensor index (low 16 bits) and run (high 16 bits); see CHUNK. */
  chunkTable: Uint32Array;
}

/** Lays out tensors of the given sizes for `runs` stacked runs. */
export function layoutParams(tensors: readonly Pick<StackedTensor, 'size'>[], runs: number): ParamLayout {
  if (runs < 1 || runs > 0xffff) throw new Error(`runs must be in [1, 65535], got ${runs}`);
  if (tensors.length > CHUNK.values.tensorMask + 1) throw new Error(`at most ${CHUNK.values.tensorMask + 1} tensors, got ${tensors.length}`);
  const slots: TensorSlot[] = [];
  const chunks: number[] = [];
  let offset = 0;
  tensors.forEach((tensor, t) => {
    const runStride = Math.ceil(tensor.size / SEGMENT_ALIGN) * SEGMENT_ALIGN;
    slots.push({ offset, runStride, size: tensor.size });
    for (let run = 0; run < runs; run++) {
      for (let c = 0; c < runStride / SEGMENT_ALIGN; c++) chunks.push(t | (run << CHUNK.values.runShift));
    }
    offset += runStride * runs;
  });
  return { runs, slots, total: Math.max(offset, SEGMENT_ALIGN), chunkTable: new Uint32Array(chunks.length ? chunks : [0]) };
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
