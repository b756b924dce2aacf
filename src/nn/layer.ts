/**
 * The contract between the GPU network and its layers. A layer is built once for fixed buffers:
 * its forward and backward dispatch lists (with their bind groups) are recorded at build time
 * and replayed every step.
 */
import type { Dispatch } from '../gpu/commands';
import type { GpuContext } from '../gpu/device';
import type { WgslStruct } from '../gpu/layout';
import type { ParamLayout } from '../gpu/param-layout';
import type { Activation, ResolvedLayer, ResolvedModel } from './spec';

export interface BuildContext {
  gpu: GpuContext;
  runs: number;
  batch: number;
  model: ResolvedModel;
  layout: ParamLayout;
  params: GPUBuffer;
  grads: GPUBuffer;
  /** A 16-byte buffer bound at a read-only binding that a kernel variant ignores. */
  dummy: GPUBuffer;
  /** Its twin for ignored read-write bindings (a buffer cannot be both in one dispatch). */
  dummyOut: GPUBuffer;
  /** A zeroed storage buffer of `floats` f32 (owned and destroyed by the network). */
  alloc(label: string, floats: number): GPUBuffer;
  /** A uniform buffer holding one `struct` record (owned by the network). */
  uniform<F extends string>(label: string, struct: WgslStruct<F>, values: Readonly<Record<F, number>>): GPUBuffer;
}

/** "Multiply the incoming gradient by act'(preact)": a fusable gradient epilogue. */
export interface ActGrad {
  activation: Activation;
  preact: GPUBuffer;
}

/** Non-parameter state of a layer (BatchNorm running statistics) and its initial value. */
export interface LayerState {
  buffer: GPUBuffer;
  initial: Float32Array;
}

export interface GpuLayer {
  resolved: ResolvedLayer;
  /** [R][B][outSize] f32. */
  output: GPUBuffer;
  forwardTrain: Dispatch[];
  forwardEval: Dispatch[];
  /** Present when this layer's backward expects the gradient w.r.t. its pre-activation. */
  fusedActivation: ActGrad | null;
  /** Whether backward can apply an ActGrad epilogue to the input gradient it writes. */
  canFuseInputGrad: boolean;
  /** The input gradient is the output gradient itself (flatten, activation): no copy, no dispatch. */
  passthroughGrad: boolean;
  /** Records: param grads into ctx.grads, and dIn (if non-null) with optional epilogue. */
  backward(dOut: GPUBuffer, dIn: GPUBuffer | null, dInAct: ActGrad | null): Dispatch[];
  state?: LayerState[];
}

export type LayerFactory = (ctx: BuildContext, layer: ResolvedLayer, input: GPUBuffer) => GpuLayer;
