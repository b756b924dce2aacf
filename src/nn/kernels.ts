/**
 * The kernel registry: WGSL families from shaders/ composed with their shared helpers and the
 * declarations of the layouts they share with TypeScript (./layouts.ts), and KernelSpec builders
 * with the pipeline-overridable constants of each variant.
 */
import activationsWgsl from '../../shaders/activations.wgsl?raw';
import batchnormWgsl from '../../shaders/batchnorm.wgsl?raw';
import commonWgsl from '../../shaders/common.wgsl?raw';
import convWgsl from '../../shaders/conv.wgsl?raw';
import elementwiseWgsl from '../../shaders/elementwise.wgsl?raw';
import gatherWgsl from '../../shaders/gather.wgsl?raw';
import lossWgsl from '../../shaders/loss.wgsl?raw';
import lossRowsWgsl from '../../shaders/loss_rows.wgsl?raw';
import matmulWgsl from '../../shaders/matmul.wgsl?raw';
import matmulCommonWgsl from '../../shaders/matmul_common.wgsl?raw';
import matmulQuadWgsl from '../../shaders/matmul_quad.wgsl?raw';
import matmulVec4Wgsl from '../../shaders/matmul_vec4.wgsl?raw';
import poolWgsl from '../../shaders/pool.wgsl?raw';
import reduceWgsl from '../../shaders/reduce.wgsl?raw';
import { composeWgsl, type KernelSpec } from '../gpu/pipelines';
import type { Tuning } from '../gpu/tuning';
import {
  ACTIVATION_WGSL, BATCHNORM_DIMS, COLSUM_DIMS, CONV_DIMS, ELEMENTWISE_DIMS, EPILOGUE, GATHER_DIMS, LOSS_DIMS, MATMUL_DIMS,
  METRIC_RECORD, POOL_DIMS, STEP_INFO, type Epilogue,
} from './layouts';
import { ACTIVATION_CODE, type Activation } from './spec';

/** Activation functions with their codes' declarations (shaders/activations.wgsl). */
const activations = composeWgsl(ACTIVATION_WGSL.wgsl, activationsWgsl);
/** The per-row loss math and the metrics record it writes, for the loss kernels and the fused small-MLP step. */
const lossRows = composeWgsl(commonWgsl, METRIC_RECORD.wgsl, lossRowsWgsl);
/** What the matmul kernels share: activations, epilogue codes, MatmulDims and the epilogue store. */
const matmulCommon = composeWgsl(activations, EPILOGUE.wgsl, MATMUL_DIMS.wgsl, matmulCommonWgsl);

export const WGSL = {
  activations,
  lossRows,
  matmul: composeWgsl(matmulCommon, matmulWgsl),
  matmulVec4: composeWgsl(matmulCommon, matmulVec4Wgsl),
  matmulQuad: composeWgsl('enable subgroups;', matmulCommon, matmulQuadWgsl),
  reduce: composeWgsl(COLSUM_DIMS.wgsl, reduceWgsl),
  elementwise: composeWgsl(activations, ELEMENTWISE_DIMS.wgsl, elementwiseWgsl),
  loss: composeWgsl(STEP_INFO.wgsl, activations, lossRows, LOSS_DIMS.wgsl, lossWgsl),
  gather: composeWgsl(STEP_INFO.wgsl, GATHER_DIMS.wgsl, gatherWgsl),
  conv: composeWgsl(activations, EPILOGUE.wgsl, CONV_DIMS.wgsl, convWgsl),
  pool: composeWgsl(POOL_DIMS.wgsl, poolWgsl),
  batchnorm: composeWgsl(BATCHNORM_DIMS.wgsl, batchnormWgsl),
};


export interface MatmulVariant {
  transA?: boolean;
  transB?: boolean;
  /** none: C = AB; biasActivation: Z = AB + bias, C = act(Z); activationGrad: C = AB ⊙ act'(Z). */
  epilogue?: Epilogue;
  hasBias?: boolean;
  activation?: Activation;
  /** vec4 loads (shaders/matmul_vec4.wgsl): only where matmulVec4Fits says the shapes allow it. */
  vec4?: boolean;
}

/** Which matmul kernel `variant` takes under `tuning`: 'quad' (vec4 with quads), 'vec4' or 'scalar'. */
export function matmulKind(variant: Pick<MatmulVariant, 'vec4'>, tuning: Tuning): 'scalar' | 'vec4' | 'quad' {
  if (!variant.vec4) return 'scalar';
  return tuning.quads ? 'quad' : 'vec4';
}

/**
 * Batched matmul C[r] = op(A[r])·op(B[r]) with a fused epilogue (shaders/matmul.wgsl,
 * matmul_vec4.wgsl, matmul_quad.wgsl), with the workgroup size and block per invocation of
 * `tuning`; matmulTile (src/gpu/tuning.ts) gives the rows and columns of C per workgroup.
 */
export function matmulKernel(variant: MatmulVariant, tuning: Tuning): KernelSpec {
  const kind = matmulKind(variant, tuning);
  const constants: Record<string, number> = {
    TRANS_A: variant.transA ? 1 : 0,
    TRANS_B: variant.transB ? 1 : 0,
    EPILOGUE: EPILOGUE.values[variant.epilogue ?? 'none'],
    HAS_BIAS: variant.hasBias ? 1 : 0,
    ACT: ACTIVATION_CODE[variant.activation ?? 'none'],
  };
  if (kind === 'quad') return { name: 'matmul_quad', source: WGSL.matmulQuad, constants };
  const [x, y] = kind === 'vec4' ? tuning.matmulVec4Workgroup : tuning.matmulWorkgroup;
  Object.assign(constants, { WG_X: x, WG_Y: y });
  if (kind === 'scalar') return { name: 'matmul', source: WGSL.matmul, constants };
  const block4 = tuning.matmulVec4Block === 4;
  return { name: block4 ? 'matmul_vec4_b4' : 'matmul_vec4', source: WGSL.matmulVec4, entryPoint: block4 ? 'main_block4' : 'main', constants };
}

/** Column sums per run (bias gradients). */
export const colsumKernel: KernelSpec = { name: 'colsum', source: WGSL.reduce, entryPoint: 'colsum' };

/** Elementwise activation forward (Y = act(Z)) or backward in place (Y ← Y ⊙ act'(Z)). */
export function activationKernel(direction: 'forward' | 'backward', activation: Activation): KernelSpec {
  return {
    name: `act_${direction}`,
    source: WGSL.elementwise,
    entryPoint: direction === 'forward' ? 'act_forward_main' : 'act_backward_main',
    constants: { ACT: ACTIVATION_CODE[activation] },
  };
}

/** Fused loss forward + backward (+ metrics), optionally with the last layer's act' applied. */
export function lossKernel(loss: 'softmax_xent' | 'mse', writeGrad: boolean, gradActivation: Activation): KernelSpec {
  return {
    name: loss,
    source: WGSL.loss,
    entryPoint: loss,
    constants: { WRITE_GRAD: writeGrad ? 1 : 0, GRAD_ACT: ACTIVATION_CODE[gradActivation] },
  };
}

/** Minibatch gather (u8 images unpacked in the kernel, or f32 rows); vec4: 4 features per invocation (features % 4 = 0). */
export function gatherKernel(isU8: boolean, vec4 = false): KernelSpec {
  return { name: vec4 ? 'gather4' : 'gather', source: WGSL.gather, entryPoint: vec4 ? 'main4' : 'main', constants: { IS_U8: isU8 ? 1 : 0 } };
}

/** Workgroups for a flat elementwise dispatch of `count` items at 256 per workgroup (2-D when large). */
export function flatGroups(count: number, perGroup = 256): [number, number] {
  const groups = Math.max(1, Math.ceil(count / perGroup));
  if (groups <= 65535) return [groups, 1];
  const x = 65535;
  return [x, Math.ceil(groups / x)];
}

/** Output tile of a conv_main workgroup (4 × 16 invocations, 4 pixels each along x) and output channels per workgroup. */
export const CONV_TILE_W = 16;
export const CONV_TILE_H = 16;
export const CONV_OUT_PER_GROUP = 4;

export interface ConvVariant {
  kernelSize: 3 | 5;
  /** false: forward (Y from X); true: input gradient (dX from dZ, W flipped and transposed). */
  transposed?: boolean;
  /** none: out = conv; biasActivation: Z = conv + bias, out = act(Z); activationGrad: out = conv ⊙ act'(Z). */
  epilogue?: Epilogue;
  hasBias?: boolean;
  activation?: Activation;
}

/** Tiled stride-1 "same" conv2d with a run dimension and fused epilogues (shaders/conv.wgsl conv_main). */
export function convKernel(variant: ConvVariant): KernelSpec {
  return {
    name: 'conv',
    source: WGSL.conv,
    entryPoint: 'conv_main',
    constants: {
      KSIZE: variant.kernelSize,
      TRANSPOSED: variant.transposed ? 1 : 0,
      EPILOGUE: EPILOGUE.values[variant.epilogue ?? 'none'],
      HAS_BIAS: variant.hasBias ? 1 : 0,
      ACT: ACTIVATION_CODE[variant.activation ?? 'none'],
    },
  };
}

/** dW[r,f,c,·,·] = Σ dZ·X-window and dbias[r,f] = Σ dZ: one workgroup per (c, 4 filters, run) (conv_weight_grad). */
export function convWeightGradKernel(kernelSize: 3 | 5, hasBias: boolean): KernelSpec {
  return {
    name: 'conv_dw',
    source: WGSL.conv,
    entryPoint: 'conv_weight_grad',
    constants: { KSIZE: kernelSize, HAS_BIAS: hasBias ? 1 : 0 },
  };
}

/** Max-pool 2×2 stride 2 forward (Y and argmax) or backward (dX from dY and argmax), shaders/pool.wgsl. */
export function poolKernel(direction: 'forward' | 'backward'): KernelSpec {
  return { name: `pool_${direction}`, source: WGSL.pool, entryPoint: `pool_${direction}` };
}

/** Threads of a BatchNorm workgroup for N values per channel: the power of two ≥ N/4, in [32, 256]. */
export function batchnormThreads(valuesPerChannel: number): number {
  let threads = 32;
  while (threads < 256 && threads * 4 < valuesPerChannel) threads *= 2;
  return threads;
}

/**
 * BatchNorm per (channel, run) workgroup: train/eval forward or train-mode backward (shaders/batchnorm.wgsl),
 * with `threads` invocations per workgroup (see batchnormThreads).
 */
export function batchnormKernel(mode: 'train' | 'eval' | 'backward', affine: boolean, writeDx = true, threads = 256): KernelSpec {
  const entryPoint = mode === 'backward' ? 'bn_backward' : `bn_forward_${mode}`;
  const constants: Record<string, number> = { AFFINE: affine ? 1 : 0, BN_THREADS: threads };
  if (mode === 'backward') constants.WRITE_DX = writeDx ? 1 : 0;
  return { name: entryPoint, source: WGSL.batchnorm, entryPoint, constants };
}
