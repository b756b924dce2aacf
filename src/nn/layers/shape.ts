/**
 * Layers without parameters that only reshape or apply a function elementwise.
 *   flatten:    Y = X (same memory, new shape),            dX = dY
 *   activation: Y = act(X),                                 dX = dY ⊙ act'(X) (applied by the producer of dY, fused)
 */
import { makeDispatch } from '../../gpu/commands';
import { activationKernel, flatGroups } from '../kernels';
import type { BuildContext, GpuLayer } from '../layer';
import { ELEMENTWISE_DIMS } from '../layouts';
import { LEAKY_SLOPE, shapeSize, type Activation, type ResolvedLayer } from '../spec';

export function buildFlatten(_ctx: BuildContext, layer: ResolvedLayer, input: GPUBuffer): GpuLayer {
  return {
    resolved: layer,
    output: input,
    forwardTrain: [],
    forwardEval: [],
    fusedActivation: null,
    canFuseInputGrad: false,
    passthroughGrad: true,
    backward: () => [],
  };
}

/** Y = act(Z) over `count` elements (one dispatch). */
export function activationForward(ctx: BuildContext, activation: Activation, preact: GPUBuffer, output: GPUBuffer, count: number) {
  const dims = ctx.uniform('act.fwd', ELEMENTWISE_DIMS, { count, actSlope: LEAKY_SLOPE });
  return makeDispatch(ctx.gpu, activationKernel('forward', activation), [dims, preact, output], flatGroups(count));
}

/** grad ← grad ⊙ act'(preact) in place over `count` elements (one dispatch). */
export function activationBackwardInPlace(ctx: BuildContext, activation: Activation, preact: GPUBuffer, grad: GPUBuffer, count: number) {
  const dims = ctx.uniform('act.bwd', ELEMENTWISE_DIMS, { count, actSlope: LEAKY_SLOPE });
  return makeDispatch(ctx.gpu, activationKernel('backward', activation), [dims, preact, grad], flatGroups(count));
}

export function buildActivation(ctx: BuildContext, layer: ResolvedLayer, input: GPUBuffer): GpuLayer {
  const count = ctx.runs * ctx.batch * shapeSize(layer.inShape);
  const output = ctx.alloc(`act${layer.index}.out`, count);
  const forward = activationForward(ctx, layer.activation, input, output, count);
  return {
    resolved: layer,
    output,
    forwardTrain: [forward],
    forwardEval: [forward],
    fusedActivation: layer.activation === 'none' ? null : { activation: layer.activation, preact: input },
    canFuseInputGrad: false,
    passthroughGrad: true,
    backward: () => [],
  };
}
