/**
 * BatchNorm over channel c, per run r (statistics over B for a [B][C] input, over B·H·W for [B][C][H][W]):
 *   train: μ, σ² = batch mean and biased variance, y = γ·(x − μ)/√(σ² + eps) + β,
 *          running_mean ← (1−m)·running_mean + m·μ, running_var ← (1−m)·running_var + m·σ²·N/(N−1)
 *   eval:  y = γ·(x − running_mean)/√(running_var + eps) + β          (γ = 1, β = 0 when not affine)
 * backward (train-mode statistics):
 *   dγ = Σ dy·x̂, dβ = Σ dy, dx = (γ/(N·√(σ² + eps)))·(N·dy − Σ dy − x̂·Σ dy·x̂)
 * Running statistics are layer state: one buffer of [R][C] means then [R][C] variances (initially 0 and 1).
 */
import { makeDispatch, type Dispatch } from '../../gpu/commands';
import { batchnormKernel, batchnormThreads } from '../kernels';
import type { BuildContext, GpuLayer } from '../layer';
import { BATCHNORM_DIMS } from '../layouts';
import { shapeSize, type ResolvedLayer } from '../spec';

/** Index of run r's channel-c running mean (`variance`: its running variance) in a buffer of R runs × C channels: [R][C] means, then [R][C] variances. */
export function runningStatIndex(runs: number, channels: number, run: number, channel: number, variance = false): number {
  return (variance ? runs * channels : 0) + run * channels + channel;
}

/** Initial running statistics of R runs × C channels: means 0, variances 1. */
export function initialRunningStats(runs: number, channels: number): Float32Array {
  const values = new Float32Array(2 * runs * channels);
  values.fill(1, runningStatIndex(runs, channels, 0, 0, true));
  return values;
}

/** Run `run`'s running means and variances (float64 copies) out of a running-statistics buffer of `runs` runs. */
export function runningStatsOfRun(stats: ArrayLike<number>, runs: number, run: number): { mean: Float64Array; variance: Float64Array } {
  const channels = stats.length / (2 * runs);
  const channel = (variance: boolean) => Float64Array.from({ length: channels }, (_, c) => stats[runningStatIndex(runs, channels, run, c, variance)]);
  return { mean: channel(false), variance: channel(true) };
}

export function buildBatchNorm(ctx: BuildContext, layer: ResolvedLayer, input: GPUBuffer): GpuLayer {
  if (layer.spec.kind !== 'batchnorm') throw new Error(`buildBatchNorm got a ${layer.spec.kind} layer`);
  const { runs, batch, layout } = ctx;
  const channels = layer.inShape[0];
  const spatial = shapeSize(layer.inShape.slice(1));
  const affine = layer.gamma !== undefined;
  const gamma = affine ? layout.slots[layer.gamma!] : undefined;
  const beta = affine ? layout.slots[layer.beta!] : undefined;
  const name = `bn${layer.index}`;
  const count = runs * batch * channels * spatial;
  const output = ctx.alloc(`${name}.out`, count);
  const initial = initialRunningStats(runs, channels);
  const running = ctx.alloc(`${name}.running`, initial.length);
  const saved = ctx.alloc(`${name}.saved`, 2 * runs * channels);
  const dims = ctx.uniform(`${name}.dims`, BATCHNORM_DIMS, {
    batch, channels, spatial, xRun: batch * channels * spatial,
    eps: layer.spec.eps ?? 1e-5, momentum: layer.spec.momentum ?? 0.1, gammaOff: gamma?.offset ?? 0, gammaRun: gamma?.runStride ?? 0,
    betaOff: beta?.offset ?? 0, betaRun: beta?.runStride ?? 0, runs,
  });
  const groups: [number, number] = [channels, runs];
  const threads = batchnormThreads(batch * spatial);
  const forwardTrain = makeDispatch(ctx.gpu, batchnormKernel('train', affine, true, threads), [dims, input, ctx.params, output, running, saved], groups);
  const forwardEval = makeDispatch(ctx.gpu, batchnormKernel('eval', affine, true, threads), [dims, input, ctx.params, output, running], groups);

  return {
    resolved: layer,
    output,
    forwardTrain: [forwardTrain],
    forwardEval: [forwardEval],
    fusedActivation: null,
    canFuseInputGrad: false,
    passthroughGrad: false,
    state: [{ buffer: running, initial }],
    backward(dOut: GPUBuffer, dIn: GPUBuffer | null): Dispatch[] {
      if (!dIn && !affine) return [];
      return [makeDispatch(
        ctx.gpu,
        batchnormKernel('backward', affine, dIn !== null, threads),
        [dims, input, ctx.params, dIn ?? ctx.dummyOut, saved, dOut, ctx.grads],
        groups,
      )];
    },
  };
}
