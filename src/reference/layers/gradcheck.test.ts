/**
 * Central finite differences on the float64 reference: for a random projection g, the scalar
 * L(θ, x) = ⟨g, layer(x; θ)⟩ has ∂L/∂θ and ∂L/∂x given by backward(g); each is compared with
 * (L(+h) − L(−h)) / 2h. Also a small CNN through ReferenceNetwork.step (loss gradients).
 */
import { describe, expect, it } from 'vitest';
import { resolveModel, type LayerSpec, type ModelSpec, type ResolvedLayer } from '../../nn/spec';
import type { RefContext } from '../layer';
import { ReferenceNetwork } from '../network';
import { REF_LAYERS } from './index';

const STEP = 1e-6;

/** Deterministic values in [-scale, scale) (xorshift). */
function randoms(length: number, seed: number, scale = 1): Float64Array {
  let state = seed >>> 0 || 1;
  return Float64Array.from({ length }, () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return ((state / 4294967296) * 2 - 1) * scale;
  });
}

/** Numerical gradient of f w.r.t. every entry of `values` (modified in place, then restored). */
function numericGrad(values: Float64Array, f: () => number): Float64Array {
  return values.map((v, i) => {
    values[i] = v + STEP;
    const plus = f();
    values[i] = v - STEP;
    const minus = f();
    values[i] = v;
    return (plus - minus) / (2 * STEP);
  });
}

/** Checks backward of one layer (first layer of `layers` on `inputShape`) against finite differences. */
function checkLayer(inputShape: number[], layer: LayerSpec, batch: number, seed: number) {
  const model = resolveModel({ inputShape, layers: [layer, { kind: 'flatten' }], loss: 'mse' });
  const resolved: ResolvedLayer = model.layers[0];
  const impl = REF_LAYERS[layer.kind]!;
  const params = model.tensors.map((t, i) => randoms(t.size, seed + 10 * i + 1, 0.8).map((v) => (t.init === 'ones' ? 1 + v / 2 : v)));
  const input = randoms(batch * model.inputSize, seed + 100);
  const g = randoms(batch * model.outputSize, seed + 200);
  const context = (): RefContext => ({
    batch, params, grads: params.map((p) => new Float64Array(p.length)), train: true,
    state: new Map(impl.initState ? [[resolved.index, impl.initState(resolved)]] : []),
  });
  const objective = () => {
    const out = impl.forward(context(), resolved, input).output;
    return out.reduce((sum, y, i) => sum + y * g[i], 0);
  };
  const ctx = context();
  const dx = impl.backward(ctx, resolved, impl.forward(ctx, resolved, input), g);
  expect(dx).toBeAllClose(numericGrad(input, objective), { rtol: 1e-5, atol: 1e-7 });
  params.forEach((p, t) => {
    expect(ctx.grads[t], model.tensors[t].name).toBeAllClose(numericGrad(p, objective), { rtol: 1e-5, atol: 1e-7 });
  });
}

describe('reference layer gradients match central finite differences', () => {
  it('conv2d 3x3, bias, tanh, 2→3 channels on 7x6', () => checkLayer([2, 7, 6], { kind: 'conv2d', filters: 3, kernelSize: 3, activation: 'tanh' }, 3, 1));
  it('conv2d 5x5, no bias, 3→2 channels on 5x7', () => checkLayer([3, 5, 7], { kind: 'conv2d', filters: 2, kernelSize: 5, bias: false }, 2, 2));
  it('conv2d 5x5 larger than the 3x3 image, sigmoid', () => checkLayer([2, 3, 3], { kind: 'conv2d', filters: 2, kernelSize: 5, activation: 'sigmoid' }, 2, 3));
  it('maxpool2 on odd 7x5 planes', () => checkLayer([2, 7, 5], { kind: 'maxpool2' }, 3, 4));
  it('batchnorm affine, dense input', () => checkLayer([5], { kind: 'batchnorm' }, 6, 5));
  it('batchnorm not affine, dense input', () => checkLayer([4], { kind: 'batchnorm', affine: false }, 5, 6));
  it('batchnorm affine, conv input', () => checkLayer([3, 3, 5], { kind: 'batchnorm', eps: 1e-3 }, 2, 7));
  it('batchnorm not affine, conv input', () => checkLayer([2, 5, 3], { kind: 'batchnorm', affine: false }, 3, 8));

  it('maxpool2 ties go to the first maximum in row-major window order', () => {
    const model = resolveModel({ inputShape: [1, 2, 3], layers: [{ kind: 'maxpool2' }, { kind: 'flatten' }], loss: 'mse' });
    const ctx: RefContext = { batch: 1, params: [], grads: [], state: new Map(), train: true };
    const input = Float64Array.from([1, 3, 9, 3, 3, 9]); // window (0..1, 0..1): max 3 at positions 1, 2, 3
    const forward = REF_LAYERS.maxpool2!.forward(ctx, model.layers[0], input);
    expect(Array.from(forward.output)).toEqual([3]);
    expect(Array.from(REF_LAYERS.maxpool2!.backward(ctx, model.layers[0], forward, Float64Array.from([2])))).toEqual([0, 2, 0, 0, 0, 0]);
  });

  it('batchnorm updates running statistics PyTorch-style and uses them in eval', () => {
    const model = resolveModel({ inputShape: [1], layers: [{ kind: 'batchnorm', affine: false, momentum: 0.5 }], loss: 'mse' });
    const impl = REF_LAYERS.batchnorm!;
    const state = new Map([[0, impl.initState!(model.layers[0])]]);
    const input = Float64Array.from([1, 2, 6]); // μ = 3, σ² = 14/3, unbiased 7
    impl.forward({ batch: 3, params: [], grads: [], state, train: true }, model.layers[0], input);
    expect(state.get(0)!.mean[0]).toBeCloseTo(1.5, 12);
    expect(state.get(0)!.var[0]).toBeCloseTo(0.5 + 3.5, 12);
    const evalOut = impl.forward({ batch: 3, params: [], grads: [], state, train: false }, model.layers[0], input).output;
    expect(evalOut).toBeAllClose(input.map((x) => (x - 1.5) / Math.sqrt(4 + 1e-5)), { rtol: 1e-12, atol: 0 });
  });

  it('small CNN (conv3-relu-pool, conv5-bn-relu-pool, flatten, dense): loss gradients', () => {
    const spec: ModelSpec = {
      inputShape: [2, 9, 7],
      layers: [
        { kind: 'conv2d', filters: 3, kernelSize: 3, activation: 'relu' },
        { kind: 'maxpool2' },
        { kind: 'conv2d', filters: 2, kernelSize: 5 },
        { kind: 'batchnorm' },
        { kind: 'activation', activation: 'relu' },
        { kind: 'maxpool2' },
        { kind: 'flatten' },
        { kind: 'dense', units: 3 },
      ],
      loss: 'softmax_xent',
    };
    const model = resolveModel(spec);
    const batch = 3;
    const net = new ReferenceNetwork(model);
    const params = model.tensors.map((t, i) => randoms(t.size, 30 + i, 0.7).map((v) => (t.init === 'ones' ? 1 + v / 2 : v)));
    const input = randoms(batch * model.inputSize, 99);
    const labels = [0, 2, 1];
    const analytic = net.step(params, input, labels, batch).grads;
    params.forEach((p, t) => {
      const numeric = numericGrad(p, () => net.step(params, input, labels, batch).loss);
      expect(analytic[t], model.tensors[t].name).toBeAllClose(numeric, { rtol: 1e-4, atol: 1e-7 });
    });
  });
});
