/** Float64 BatchNorm (twin of src/nn/layers/batchnorm.ts and shaders/batchnorm.wgsl). */
import type { ResolvedLayer } from '../../nn/spec';
import type { RefLayer } from '../layer';

function bnShape(layer: ResolvedLayer) {
  if (layer.spec.kind !== 'batchnorm') throw new Error(`batchnorm reference got a ${layer.spec.kind} layer`);
  const channels = layer.inShape[0];
  const spatial = layer.inShape.slice(1).reduce((a, b) => a * b, 1);
  return { channels, spatial, eps: layer.spec.eps ?? 1e-5, momentum: layer.spec.momentum ?? 0.1 };
}

/**
 * Per channel c over the N = B·S values (S = H·W, or 1 for a [C] input), γ = 1 and β = 0 when not affine:
 *   train: μ = mean, σ² = biased variance, x̂ = (x − μ)/√(σ² + eps), y = γ·x̂ + β, and the running stats
 *          rm ← (1−m)·rm + m·μ, rv ← (1−m)·rv + m·σ²·N/(N−1)  (factor 1 when N = 1) in ctx.state;
 *   eval:  y = γ·(x − rm)/√(rv + eps) + β.
 * backward (train): dγ = Σ dy·x̂, dβ = Σ dy, dx = (γ/(N·√(σ² + eps)))·(N·dy − Σ dy − x̂·Σ dy·x̂);
 *   after an eval forward the statistics are constants: dx = γ·dy/√(rv + eps).
 */
export const refBatchNorm: RefLayer = {
  initState(layer) {
    const { channels } = bnShape(layer);
    return { mean: new Float64Array(channels), var: new Float64Array(channels).fill(1) };
  },
  forward(ctx, layer, input) {
    const { channels, spatial, eps, momentum } = bnShape(layer);
    const n = ctx.batch * spatial;
    const gamma = layer.gamma !== undefined ? ctx.params[layer.gamma] : null;
    const beta = layer.beta !== undefined ? ctx.params[layer.beta] : null;
    const state = ctx.state.get(layer.index);
    if (!state) throw new Error(`batchnorm layer ${layer.index} has no running statistics in ctx.state`);
    const at = (c: number, i: number) => (Math.floor(i / spatial) * channels + c) * spatial + (i % spatial);
    const xhat = new Float64Array(input.length);
    const output = new Float64Array(input.length);
    const invstd = new Float64Array(channels);
    for (let c = 0; c < channels; c++) {
      let mean = state.mean[c];
      let variance = state.var[c];
      if (ctx.train) {
        mean = 0;
        for (let i = 0; i < n; i++) mean += input[at(c, i)];
        mean /= n;
        variance = 0;
        for (let i = 0; i < n; i++) variance += (input[at(c, i)] - mean) ** 2;
        variance /= n;
        state.mean[c] = (1 - momentum) * state.mean[c] + momentum * mean;
        state.var[c] = (1 - momentum) * state.var[c] + momentum * (n > 1 ? (variance * n) / (n - 1) : variance);
      }
      invstd[c] = 1 / Math.sqrt(variance + eps);
      for (let i = 0; i < n; i++) {
        const j = at(c, i);
        xhat[j] = (input[j] - mean) * invstd[c];
        output[j] = (gamma ? gamma[c] : 1) * xhat[j] + (beta ? beta[c] : 0);
      }
    }
    return { output, cache: { xhat, invstd, train: ctx.train ? 1 : 0 } };
  },
  backward(ctx, layer, forward, dOut) {
    const { channels, spatial } = bnShape(layer);
    const n = ctx.batch * spatial;
    const xhat = forward.cache.xhat as Float64Array;
    const invstd = forward.cache.invstd as Float64Array;
    const train = forward.cache.train === 1;
    const gamma = layer.gamma !== undefined ? ctx.params[layer.gamma] : null;
    const at = (c: number, i: number) => (Math.floor(i / spatial) * channels + c) * spatial + (i % spatial);
    const dx = new Float64Array(dOut.length);
    for (let c = 0; c < channels; c++) {
      let sumDy = 0;
      let sumDyXhat = 0;
      for (let i = 0; i < n; i++) {
        sumDy += dOut[at(c, i)];
        sumDyXhat += dOut[at(c, i)] * xhat[at(c, i)];
      }
      if (gamma) {
        ctx.grads[layer.gamma!][c] = sumDyXhat;
        ctx.grads[layer.beta!][c] = sumDy;
      }
      const g = gamma ? gamma[c] : 1;
      for (let i = 0; i < n; i++) {
        const j = at(c, i);
        dx[j] = train ? ((g * invstd[c]) / n) * (n * dOut[j] - sumDy - xhat[j] * sumDyXhat) : g * invstd[c] * dOut[j];
      }
    }
    return dx;
  },
};
