/**
 * Max-pool 2×2, stride 2, floor (OH = ⌊H/2⌋, OW = ⌊W/2⌋), per plane (r, b, c):
 *   Y[oy,ox] = max_{dy,dx∈{0,1}} X[2oy+dy, 2ox+dx]    (argmax kept: first max in row-major window order)
 *   dX[y,x]  = dY[⌊y/2⌋,⌊x/2⌋] at each window's argmax, 0 elsewhere (including an odd last row/column)
 */
import { makeDispatch, type Dispatch } from '../../gpu/commands';
import { flatGroups, poolKernel } from '../kernels';
import type { BuildContext, GpuLayer } from '../layer';
import { POOL_DIMS } from '../layouts';
import type { ResolvedLayer } from '../spec';

export function buildMaxPool(ctx: BuildContext, layer: ResolvedLayer, input: GPUBuffer): GpuLayer {
  const { runs, batch } = ctx;
  const [channels, height, width] = layer.inShape;
  const [, outHeight, outWidth] = layer.outShape;
  const planes = runs * batch * channels;
  const name = `pool${layer.index}`;
  const output = ctx.alloc(`${name}.out`, planes * outHeight * outWidth);
  /** [R][B][C][OH][OW] u32 window index (0..3) of each maximum. */
  const argmax = ctx.alloc(`${name}.argmax`, planes * outHeight * outWidth);
  const dims = ctx.uniform(`${name}.dims`, POOL_DIMS, { planes, height, width, outHeight, outWidth });
  const forward = makeDispatch(ctx.gpu, poolKernel('forward'), [dims, input, output, argmax], flatGroups(planes * outHeight * outWidth));

  return {
    resolved: layer,
    output,
    forwardTrain: [forward],
    forwardEval: [forward],
    fusedActivation: null,
    canFuseInputGrad: false,
    passthroughGrad: false,
    backward(dOut: GPUBuffer, dIn: GPUBuffer | null): Dispatch[] {
      if (!dIn) return [];
      return [makeDispatch(ctx.gpu, poolKernel('backward'), [dims, dOut, dIn, argmax], flatGroups(planes * height * width))];
    },
  };
}
