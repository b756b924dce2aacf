/**
 * A dataset split resident on the GPU (u8 images packed 4 per word, or f32 rows) and the gather
 * dispatch that fills a network's input/labels for the current step:
 *   row = order[run·orderRunStride + batchOffset + b],  X[run][b] = data[row]·scale + shift
 */
import type { Dataset, DataSplit } from '../data/types';
import { createStorage, upload } from '../gpu/buffers';
import { divCeil, makeDispatch, type Dispatch } from '../gpu/commands';
import { checkBufferFits, type GpuContext } from '../gpu/device';
import { gatherKernel } from './kernels';
import { GATHER_DIMS } from './layouts';
import type { GpuNetwork } from './network';

export class GpuSplit {
  readonly data: GPUBuffer;
  readonly labels: GPUBuffer;
  readonly count: number;
  readonly features: number;
  readonly isU8: boolean;

  constructor(
    readonly gpu: GpuContext,
    split: DataSplit,
    readonly scale: number,
    readonly shift: number,
    label: string,
  ) {
    this.count = split.count;
    this.features = split.x.length / split.count;
    this.isU8 = split.x instanceof Uint8Array;
    if (!(split.y instanceof Uint32Array)) throw new Error(`${label}: labels must be class indices (Uint32Array)`);
    checkBufferFits(gpu, split.x.byteLength, `${label} features`);
    const bytes = split.x instanceof Uint8Array ? padTo4(split.x) : split.x;
    this.data = createStorage(gpu.device, `${label}.x`, bytes);
    this.labels = createStorage(gpu.device, `${label}.y`, split.y);
  }

  destroy(): void {
    this.data.destroy();
    this.labels.destroy();
  }
}

function padTo4(bytes: Uint8Array): Uint8Array {
  if (bytes.length % 4 === 0) return bytes;
  const padded = new Uint8Array(Math.ceil(bytes.length / 4) * 4);
  padded.set(bytes);
  return padded;
}

/** Uploads both splits of a dataset. */
export function uploadDataset(gpu: GpuContext, dataset: Dataset): { train: GpuSplit; test: GpuSplit } {
  return {
    train: new GpuSplit(gpu, dataset.train, dataset.scale, dataset.shift, `${dataset.name}.train`),
    test: new GpuSplit(gpu, dataset.test, dataset.scale, dataset.shift, `${dataset.name}.test`),
  };
}

/**
 * A gather into `network.input`/`network.labels` from `split` through an order buffer of
 * `orderRunStride` rows per run (0: all runs read the same order).
 */
export function gatherDispatch(network: GpuNetwork, split: GpuSplit, order: GPUBuffer, orderRunStride: number): Dispatch {
  if (split.features !== network.model.inputSize) {
    throw new Error(`dataset rows have ${split.features} features but the model input needs ${network.model.inputSize}`);
  }
  const { batch, runs } = network;
  const dims = network.createUniform('gather', GATHER_DIMS, { batch, features: split.features, orderRun: orderRunStride, scale: split.scale, shift: split.shift });
  const bindings = [dims, network.stepInfo, split.data, split.labels, order, network.input, network.labels];
  if (split.features % 4 === 0 && batch <= 65535) {
    return makeDispatch(network.gpu, gatherKernel(split.isU8, true), bindings, [divCeil(split.features, 256), batch, runs]);
  }
  const groups = divCeil(batch * split.features, 256);
  return makeDispatch(network.gpu, gatherKernel(split.isU8), bindings, [Math.min(groups, 65535), divCeil(groups, 65535), runs]);
}

/** An order buffer for `runs` × `rows` u32 indices. */
export function createOrderBuffer(network: GpuNetwork, rows: number, runs: number): GPUBuffer {
  return network.allocate('order', rows * runs);
}

/** Writes per-run orders (each a Uint32Array of `rows` indices) into an order buffer. */
export function writeOrders(gpu: GpuContext, buffer: GPUBuffer, orders: readonly Uint32Array[]): void {
  const rows = orders[0].length;
  const all = new Uint32Array(rows * orders.length);
  orders.forEach((order, run) => all.set(order, run * rows));
  upload(gpu.device, buffer, all);
}
