/** Float64 conv2d layer (twin of src/nn/layers/conv.ts and shaders/conv.wgsl). */
import type { RefLayer } from '../layer';
import { actForward, actGrad } from '../activations';
import type { ResolvedLayer } from '../../nn/spec';

function convShape(layer: ResolvedLayer) {
  if (layer.spec.kind !== 'conv2d') throw new Error(`conv reference got a ${layer.spec.kind} layer`);
  const [channels, height, width] = layer.inShape;
  const k = layer.spec.kernelSize;
  return { channels, height, width, filters: layer.outShape[0], k, pad: (k - 1) / 2 };
}

/**
 * Stride-1 "same" conv2d per sample, W[f][c][ky][kx]:
 *   Z[f,y,x] = b[f] + Σ_{c,ky,kx} X[c,y+ky−P,x+kx−P]·W[f,c,ky,kx] (zero outside the image), Y = act(Z).
 * backward: dZ = dY ⊙ act'(Z); dW[f,c,ky,kx] = Σ_{b,y,x} dZ[b,f,y,x]·X[b,c,y+ky−P,x+kx−P];
 *   db[f] = Σ_{b,y,x} dZ[b,f,y,x]; dX[b,c,y+ky−P,x+kx−P] += dZ[b,f,y,x]·W[f,c,ky,kx].
 */
export const refConv: RefLayer = {
  forward(ctx, layer, input) {
    const { channels, height, width, filters, k, pad } = convShape(layer);
    const plane = height * width;
    const w = ctx.params[layer.weight!];
    const bias = layer.bias !== undefined ? ctx.params[layer.bias] : null;
    const preact = new Float64Array(ctx.batch * filters * plane);
    for (let s = 0; s < ctx.batch; s++)
      for (let f = 0; f < filters; f++)
        for (let y = 0; y < height; y++)
          for (let x = 0; x < width; x++) {
            let z = bias ? bias[f] : 0;
            for (let c = 0; c < channels; c++)
              for (let ky = 0; ky < k; ky++) {
                const sy = y + ky - pad;
                if (sy < 0 || sy >= height) continue;
                for (let kx = 0; kx < k; kx++) {
                  const sx = x + kx - pad;
                  if (sx < 0 || sx >= width) continue;
                  z += input[(s * channels + c) * plane + sy * width + sx] * w[((f * channels + c) * k + ky) * k + kx];
                }
              }
            preact[(s * filters + f) * plane + y * width + x] = z;
          }
    return { output: preact.map((z) => actForward(layer.activation, z)), cache: { input, preact } };
  },
  backward(ctx, layer, forward, dOut) {
    const { channels, height, width, filters, k, pad } = convShape(layer);
    const plane = height * width;
    const input = forward.cache.input as Float64Array;
    const preact = forward.cache.preact as Float64Array;
    const w = ctx.params[layer.weight!];
    const dz = dOut.map((g, i) => g * actGrad(layer.activation, preact[i]));
    const dw = ctx.grads[layer.weight!].fill(0);
    const db = layer.bias !== undefined ? ctx.grads[layer.bias].fill(0) : null;
    const dx = new Float64Array(ctx.batch * channels * plane);
    for (let s = 0; s < ctx.batch; s++)
      for (let f = 0; f < filters; f++)
        for (let y = 0; y < height; y++)
          for (let x = 0; x < width; x++) {
            const g = dz[(s * filters + f) * plane + y * width + x];
            if (db) db[f] += g;
            for (let c = 0; c < channels; c++)
              for (let ky = 0; ky < k; ky++) {
                const sy = y + ky - pad;
                if (sy < 0 || sy >= height) continue;
                for (let kx = 0; kx < k; kx++) {
                  const sx = x + kx - pad;
                  if (sx < 0 || sx >= width) continue;
                  const at = (s * channels + c) * plane + sy * width + sx;
                  const tap = ((f * channels + c) * k + ky) * k + kx;
                  dw[tap] += g * input[at];
                  dx[at] += g * w[tap];
                }
              }
          }
    return dx;
  },
};
