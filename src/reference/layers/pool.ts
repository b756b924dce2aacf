/** Float64 max-pool layer (twin of src/nn/layers/pool.ts and shaders/pool.wgsl). */
import type { RefLayer } from '../layer';

/**
 * Max-pool 2×2 stride 2 (floor) per plane: Y[oy,ox] = max of X[2oy..2oy+1, 2ox..2ox+1]; the argmax is the
 * FIRST maximum in row-major window order (strict >), as in shaders/pool.wgsl. dX = dY at the argmax, else 0.
 */
export const refMaxPool: RefLayer = {
  forward(ctx, layer, input) {
    const [channels, height, width] = layer.inShape;
    const [, outHeight, outWidth] = layer.outShape;
    const planes = ctx.batch * channels;
    const output = new Float64Array(planes * outHeight * outWidth);
    /** Flat input index of each window's maximum. */
    const argmax = new Float64Array(output.length);
    for (let p = 0; p < planes; p++)
      for (let oy = 0; oy < outHeight; oy++)
        for (let ox = 0; ox < outWidth; ox++) {
          let bestAt = p * height * width + 2 * oy * width + 2 * ox;
          for (const [dy, dx] of [[0, 1], [1, 0], [1, 1]]) {
            const at = p * height * width + (2 * oy + dy) * width + 2 * ox + dx;
            if (input[at] > input[bestAt]) bestAt = at;
          }
          const out = (p * outHeight + oy) * outWidth + ox;
          output[out] = input[bestAt];
          argmax[out] = bestAt;
        }
    return { output, cache: { argmax, inputSize: input.length } };
  },
  backward(_ctx, _layer, forward, dOut) {
    const argmax = forward.cache.argmax as Float64Array;
    const dx = new Float64Array(forward.cache.inputSize as number);
    argmax.forEach((at, out) => { dx[at] += dOut[out]; });
    return dx;
  },
};
