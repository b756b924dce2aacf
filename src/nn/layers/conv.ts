/**
 * Conv2d layer (stride 1, "same" zero padding P = (k−1)/2), per run r, on [B][C][H][W] input:
 *   Z[b,f,y,x] = bias[f] + Σ_{c,ky,kx} X[b,c,y+ky−P,x+kx−P]·W[f,c,ky,kx],   Y = act(Z)
 * backward (given dZ):
 *   dW[f,c,ky,kx] = Σ_{b,y,x} dZ[b,f,y,x]·X[b,c,y+ky−P,x+kx−P],   dbias[f] = Σ_{b,y,x} dZ[b,f,y,x]
 *   dX[b,c,y,x]   = Σ_{f,ky,kx} dZ[b,f,y−ky+P,x−kx+P]·W[f,c,ky,kx]   (⊙ act'_prev(Z_prev) when fused)
 */
import { divCeil, makeDispatch, type Dispatch } from '../../gpu/commands';
import type { StructValues } from '../../gpu/layout';
import { CONV_OUT_PER_GROUP, CONV_TILE_H, CONV_TILE_W, convKernel, convWeightGradKernel } from '../kernels';
import type { ActGrad, BuildContext, GpuLayer } from '../layer';
import { CONV_DIMS } from '../layouts';
import { LEAKY_SLOPE, type ResolvedLayer } from '../spec';

/** CONV_DIMS values (shaders/conv.wgsl) of a conv: its tiles from the sizes, no bias slot when absent. */
export function convDims(d: {
  batch: number; inCh: number; outCh: number; height: number; width: number;
  srcRun: number; dstRun: number; wOff: number; wRun: number; biasOff?: number; biasRun?: number;
}): StructValues<typeof CONV_DIMS> {
  return {
    batch: d.batch, inCh: d.inCh, outCh: d.outCh, actSlope: LEAKY_SLOPE,
    height: d.height, width: d.width, tilesX: divCeil(d.width, CONV_TILE_W), outGroups: divCeil(d.outCh, CONV_OUT_PER_GROUP),
    srcRun: d.srcRun, dstRun: d.dstRun, wOff: d.wOff, wRun: d.wRun,
    biasOff: d.biasOff ?? 0, biasRun: d.biasRun ?? 0,
  };
}

/** Workgroups of conv_main writing `outCh` channels of H×W for B samples and R runs. */
export function convGroups(height: number, width: number, batch: number, outCh: number, runs: number): [number, number, number] {
  const tiles = divCeil(height, CONV_TILE_H) * divCeil(width, CONV_TILE_W);
  return [tiles, batch * divCeil(outCh, CONV_OUT_PER_GROUP), runs];
}

export function buildConv(ctx: BuildContext, layer: ResolvedLayer, input: GPUBuffer): GpuLayer {
  if (layer.spec.kind !== 'conv2d') throw new Error(`buildConv got a ${layer.spec.kind} layer`);
  const { runs, batch, layout } = ctx;
  const kernelSize = layer.spec.kernelSize;
  const [channels, height, width] = layer.inShape;
  const filters = layer.outShape[0];
  const plane = height * width;
  const inRun = batch * channels * plane;
  const outRun = batch * filters * plane;
  const act = layer.activation;
  const weight = layout.slots[layer.weight!];
  const bias = layer.bias !== undefined ? layout.slots[layer.bias] : undefined;
  const trainable = ctx.model.tensors[layer.weight!].trainable;
  const name = `conv${layer.index}`;
  const output = ctx.alloc(`${name}.out`, runs * outRun);
  const preact = act === 'none' ? ctx.dummyOut : ctx.alloc(`${name}.preact`, runs * outRun);

  const forwardDims = ctx.uniform(`${name}.fwd`, CONV_DIMS, convDims({
    batch, inCh: channels, outCh: filters, height, width, srcRun: inRun, dstRun: outRun,
    wOff: weight.offset, wRun: weight.runStride, biasOff: bias?.offset, biasRun: bias?.runStride,
  }));
  const forward = makeDispatch(
    ctx.gpu,
    convKernel({ kernelSize, epilogue: 'biasActivation', hasBias: bias !== undefined, activation: act }),
    [forwardDims, input, ctx.params, ctx.params, output, preact],
    convGroups(height, width, batch, filters, runs),
  );

  return {
    resolved: layer,
    output,
    forwardTrain: [forward],
    forwardEval: [forward],
    fusedActivation: act === 'none' ? null : { activation: act, preact },
    canFuseInputGrad: true,
    passthroughGrad: false,
    backward(dOut: GPUBuffer, dIn: GPUBuffer | null, dInAct: ActGrad | null): Dispatch[] {
      const dispatches: Dispatch[] = [];
      if (trainable) {
        const dwDims = ctx.uniform(`${name}.dW`, CONV_DIMS, convDims({
          batch, inCh: channels, outCh: filters, height, width, srcRun: inRun, dstRun: outRun,
          wOff: weight.offset, wRun: weight.runStride, biasOff: bias?.offset, biasRun: bias?.runStride,
        }));
        dispatches.push(makeDispatch(
          ctx.gpu,
          convWeightGradKernel(kernelSize, bias !== undefined),
          [dwDims, input, dOut, ctx.grads],
          [channels, divCeil(filters, CONV_OUT_PER_GROUP), runs],
        ));
      }
      if (dIn) {
        // dX: a conv reading dZ (filters channels) and writing channels, with W flipped and transposed.
        const dxDims = ctx.uniform(`${name}.dX`, CONV_DIMS, convDims({
          batch, inCh: filters, outCh: channels, height, width, srcRun: outRun, dstRun: inRun,
          wOff: weight.offset, wRun: weight.runStride,
        }));
        dispatches.push(makeDispatch(
          ctx.gpu,
          convKernel({ kernelSize, transposed: true, epilogue: dInAct ? 'activationGrad' : 'none', activation: dInAct?.activation ?? 'none' }),
          [dxDims, dOut, ctx.params, ctx.dummy, dIn, dInAct?.preact ?? ctx.dummyOut],
          convGroups(height, width, batch, channels, runs),
        ));
      }
      return dispatches;
    },
  };
}
