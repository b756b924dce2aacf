/** Float64 dense + flatten + activation layers (twins of src/nn/layers/dense.ts, shape.ts). */
import type { RefLayer } from '../layer';
import { actForward, actGrad } from '../activations';

/** Y = act(X·W + b) per sample; W is in × out row-major. */
export const refDense: RefLayer = {
  forward(ctx, layer, input) {
    const inSize = layer.inShape[0];
    const units = layer.outShape[0];
    const w = ctx.params[layer.weight!];
    const b = layer.bias !== undefined ? ctx.params[layer.bias] : null;
    const preact = new Float64Array(ctx.batch * units);
    const output = new Float64Array(ctx.batch * units);
    for (let s = 0; s < ctx.batch; s++) {
      for (let o = 0; o < units; o++) {
        let z = b ? b[o] : 0;
        for (let i = 0; i < inSize; i++) z += input[s * inSize + i] * w[i * units + o];
        preact[s * units + o] = z;
        output[s * units + o] = actForward(layer.activation, z);
      }
    }
    return { output, cache: { input, preact } };
  },
  backward(ctx, layer, forward, dOut) {
    const inSize = layer.inShape[0];
    const units = layer.outShape[0];
    const input = forward.cache.input as Float64Array;
    const preact = forward.cache.preact as Float64Array;
    const w = ctx.params[layer.weight!];
    const dz = dOut.map((g, k) => g * actGrad(layer.activation, preact[k]));
    const dw = ctx.grads[layer.weight!];
    dw.fill(0);
    for (let s = 0; s < ctx.batch; s++)
      for (let i = 0; i < inSize; i++)
        for (let o = 0; o < units; o++) dw[i * units + o] += input[s * inSize + i] * dz[s * units + o];
    if (layer.bias !== undefined) {
      const db = ctx.grads[layer.bias];
      db.fill(0);
      for (let s = 0; s < ctx.batch; s++) for (let o = 0; o < units; o++) db[o] += dz[s * units + o];
    }
    const dx = new Float64Array(ctx.batch * inSize);
    for (let s = 0; s < ctx.batch; s++)
      for (let i = 0; i < inSize; i++) {
        let total = 0;
        for (let o = 0; o < units; o++) total += dz[s * units + o] * w[i * units + o];
        dx[s * inSize + i] = total;
      }
    return dx;
  },
};

/** Y = X (reshape only). */
export const refFlatten: RefLayer = {
  forward: (_ctx, _layer, input) => ({ output: input, cache: {} }),
  backward: (_ctx, _layer, _forward, dOut) => dOut,
};

/** Y = act(X), dX = dY ⊙ act'(X). */
export const refActivation: RefLayer = {
  forward: (_ctx, layer, input) => ({ output: input.map((z) => actForward(layer.activation, z)), cache: { input } }),
  backward: (_ctx, layer, forward, dOut) => {
    const input = forward.cache.input as Float64Array;
    return dOut.map((g, k) => g * actGrad(layer.activation, input[k]));
  },
};
