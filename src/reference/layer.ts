/**
 * Float64 reference layers for ONE run: the oracle the GPU kernels are tested against.
 * A layer maps a batch X (B × inSize, row-major) to Y (B × outSize) and back-propagates.
 */
import type { ResolvedLayer } from '../nn/spec';

export interface RefForward {
  output: Float64Array;
  /** Whatever backward needs (inputs, pre-activations, argmax, normalised values…). */
  cache: Record<string, Float64Array | number>;
}

export interface RefContext {
  batch: number;
  /** This run's parameter tensors (model.tensors order). */
  params: Float64Array[];
  /** Where backward writes parameter gradients (same shapes as params). */
  grads: Float64Array[];
  /** Non-parameter state keyed by layer index (BatchNorm running statistics). */
  state: Map<number, Record<string, Float64Array>>;
  train: boolean;
}

export interface RefLayer {
  forward(ctx: RefContext, layer: ResolvedLayer, input: Float64Array): RefForward;
  /** Given dY (gradient w.r.t. the output), writes param grads into ctx.grads and returns dX. */
  backward(ctx: RefContext, layer: ResolvedLayer, forward: RefForward, dOut: Float64Array): Float64Array;
  /** Initial non-parameter state (BatchNorm: running mean 0, running var 1). */
  initState?(layer: ResolvedLayer): Record<string, Float64Array>;
}
