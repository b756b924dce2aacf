/**
 * Dense layer, per run r:  Z = X·W + b,  Y = act(Z)     (X: B×in, W: in×out)
 * backward (given dZ):     dW = Xᵀ·dZ,  db = Σ_b dZ,  dX = dZ·Wᵀ (⊙ act'_prev(Z_prev) when fused)
 */
import { divCeil, makeDispatch, type Dispatch } from '../../gpu/commands';
import type { StructValues } from '../../gpu/layout';
import { matmulTile } from '../../gpu/tuning';
import { colsumKernel, matmulKernel, matmulKind, type MatmulVariant } from '../kernels';
import type { ActGrad, BuildContext, GpuLayer } from '../layer';
import { COLSUM_DIMS, MATMUL_DIMS } from '../layouts';
import { LEAKY_SLOPE, type ResolvedLayer } from '../spec';

/** MATMUL_DIMS values (shaders/matmul_common.wgsl) of a matmul: absent offsets and strides are 0. */
export function matmulDims(d: {
  M: number; N: number; K: number;
  aOff?: number; aRun: number; bOff?: number; bRun: number; cOff?: number; cRun: number;
  biasOff?: number; biasRun?: number; zOff?: number; zRun?: number;
}): StructValues<typeof MATMUL_DIMS> {
  return {
    M: d.M, N: d.N, K: d.K, actSlope: LEAKY_SLOPE,
    aOff: d.aOff ?? 0, aRun: d.aRun, bOff: d.bOff ?? 0, bRun: d.bRun,
    cOff: d.cOff ?? 0, cRun: d.cRun, biasOff: d.biasOff ?? 0, biasRun: d.biasRun ?? 0,
    zOff: d.zOff ?? 0, zRun: d.zRun ?? 0,
  };
}

/**
 * Whether shaders/matmul_vec4.wgsl applies to op(A) M×K · op(B) K×N: K and each operand's
 * contiguous axis multiples of 4, A and B offsets and run strides multiples of 4, not both transposed.
 */
export function matmulVec4Fits(d: { M: number; N: number; K: number; aOff?: number; aRun: number; bOff?: number; bRun: number }, transA = false, transB = false): boolean {
  const four = (x: number | undefined) => (x ?? 0) % 4 === 0;
  return !(transA && transB) && four(d.K) && (!transA || four(d.M)) && (transB || four(d.N)) && [d.aOff, d.aRun, d.bOff, d.bRun].every(four);
}

/** Workgroups of a matmul producing M×N per run with `tile` rows × cols of C per workgroup. */
export function matmulGroups(M: number, N: number, runs: number, tile: { rows: number; cols: number }): [number, number, number] {
  return [divCeil(N, tile.cols), divCeil(M, tile.rows), runs];
}

export function buildDense(ctx: BuildContext, layer: ResolvedLayer, input: GPUBuffer): GpuLayer {
  const { runs, batch, layout } = ctx;
  const inSize = layer.inShape[0];
  const units = layer.outShape[0];
  const act = layer.activation;
  const weight = layout.slots[layer.weight!];
  const bias = layer.bias !== undefined ? layout.slots[layer.bias] : undefined;
  const trainable = ctx.model.tensors[layer.weight!].trainable;
  const name = `dense${layer.index}`;
  const tuning = ctx.gpu.tuning;
  /** The matmul dispatch of `variant` for an M×N result per run (the kernel and its tile from the tuning). */
  const matmul = (variant: MatmulVariant, bindings: GPUBuffer[], M: number, N: number) =>
    makeDispatch(ctx.gpu, matmulKernel(variant, tuning), bindings, matmulGroups(M, N, runs, matmulTile(tuning, matmulKind(variant, tuning))));
  const output = ctx.alloc(`${name}.out`, runs * batch * units);
  const preact = act === 'none' ? ctx.dummyOut : ctx.alloc(`${name}.preact`, runs * batch * units);

  const fwd = {
    M: batch, N: units, K: inSize,
    aRun: batch * inSize, bOff: weight.offset, bRun: weight.runStride, cRun: batch * units,
    biasOff: bias?.offset, biasRun: bias?.runStride, zRun: batch * units,
  };
  const forwardDims = ctx.uniform(`${name}.fwd`, MATMUL_DIMS, matmulDims(fwd));
  const forward = matmul(
    { epilogue: 'biasActivation', hasBias: bias !== undefined, activation: act, vec4: matmulVec4Fits(fwd) },
    [forwardDims, input, ctx.params, ctx.params, output, preact],
    batch, units,
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
        // dW = Xᵀ·dZ : M = in, N = units, K = batch; X stored B×in is op(A) transposed.
        const dw = { M: inSize, N: units, K: batch, aRun: batch * inSize, bRun: batch * units, cOff: weight.offset, cRun: weight.runStride };
        const dwDims = ctx.uniform(`${name}.dW`, MATMUL_DIMS, matmulDims(dw));
        dispatches.push(matmul({ transA: true, vec4: matmulVec4Fits(dw, true) }, [dwDims, input, dOut, ctx.dummy, ctx.grads, ctx.dummyOut], inSize, units));
        if (bias) {
          const dbDims = ctx.uniform(`${name}.db`, COLSUM_DIMS, { M: batch, N: units, xRun: batch * units, outOff: bias.offset, outRun: bias.runStride });
          dispatches.push(makeDispatch(ctx.gpu, colsumKernel, [dbDims, dOut, ctx.grads], [divCeil(units, 64), runs]));
        }
      }
      if (dIn) {
        // dX = dZ·Wᵀ : M = batch, N = in, K = units; W stored in×units is op(B) transposed.
        const dx = {
          M: batch, N: inSize, K: units,
          aRun: batch * units, bOff: weight.offset, bRun: weight.runStride, cRun: batch * inSize, zRun: batch * inSize,
        };
        const dxDims = ctx.uniform(`${name}.dX`, MATMUL_DIMS, matmulDims(dx));
        dispatches.push(matmul(
          { transB: true, epilogue: dInAct ? 'activationGrad' : 'none', activation: dInAct?.activation ?? 'none', vec4: matmulVec4Fits(dx, false, true) },
          [dxDims, dOut, ctx.params, ctx.dummy, dIn, dInAct?.preact ?? ctx.dummyOut],
          batch, inSize,
        ));
      }
      return dispatches;
    },
  };
}
