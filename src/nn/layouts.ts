/**
 * The binary layouts the network's kernels share with TypeScript (see ../gpu/layout.ts): the per-step
 * StepInfo uniform, the metrics record the loss kernels write, each kernel family's uniform struct,
 * and the activation and epilogue codes. shaders/*.wgsl use these names; the declarations are
 * composed in from here (./kernels.ts, ./small-mlp.ts).
 */
import { WgslConstants, WgslStruct } from '../gpu/layout';
import { ACTIVATION_CODE } from './spec';

/** Per-step scalars written by the CPU once per step: the 1-based step, the batch's first row in the epoch order, the metrics slot (step mod slots), the rows that count in metrics (0 = all; eval's last batch). */
export const STEP_INFO = new WgslStruct('StepInfo', { step: 'u32', batchOffset: 'u32', slot: 'u32', valid: 'u32' });

/**
 * One run's metrics of one step (or eval batch), written by shaders/loss_rows.wgsl: mean loss over
 * the rows counted, correct predictions, 1 if any row's loss (or the mean) is not finite, rows counted.
 * A metrics buffer is [slots][R] of these.
 */
export const METRIC_RECORD = new WgslStruct('MetricRecord', { loss: 'f32', correct: 'f32', nonFinite: 'f32', rows: 'f32' });

/** `const ACT_NONE: u32 = 0u;` … : the activation codes of shaders/activations.wgsl (the table: ACTIVATION_CODE). */
export const ACTIVATION_WGSL = new WgslConstants('ACT', ACTIVATION_CODE);

/**
 * Fused epilogue of the matmul and conv kernels: none (C = acc), biasActivation (Z = acc + bias,
 * C = act(Z)), activationGrad (C = acc ⊙ act'(Z)).
 */
export const EPILOGUE = new WgslConstants('EPILOGUE', { none: 0, biasActivation: 1, activationGrad: 2 });
export type Epilogue = keyof typeof EPILOGUE.values;

/** shaders/matmul_common.wgsl: C[r] = op(A[r])·op(B[r]), M×N from K, every operand at an offset plus a per-run stride. */
export const MATMUL_DIMS = new WgslStruct('MatmulDims', {
  M: 'u32', N: 'u32', K: 'u32', actSlope: 'f32',
  aOff: 'u32', aRun: 'u32', bOff: 'u32', bRun: 'u32',
  cOff: 'u32', cRun: 'u32', biasOff: 'u32', biasRun: 'u32',
  zOff: 'u32', zRun: 'u32',
});

/** shaders/reduce.wgsl colsum: out[outOff + r·outRun + n] = Σ_m X[r·xRun + m·N + n]. */
export const COLSUM_DIMS = new WgslStruct('ColsumDims', { M: 'u32', N: 'u32', xRun: 'u32', outOff: 'u32', outRun: 'u32' });

/** shaders/elementwise.wgsl: `count` elements, leaky ReLU's slope. */
export const ELEMENTWISE_DIMS = new WgslStruct('EltDims', { count: 'u32', actSlope: 'f32' });

/** shaders/loss.wgsl: B rows of C classes per run, R runs, the last activation's slope and its pre-activation's run stride. */
export const LOSS_DIMS = new WgslStruct('LossDims', { batch: 'u32', classes: 'u32', runs: 'u32', actSlope: 'f32', zRun: 'u32' });

/** shaders/gather.wgsl: rows per batch, features per row, the order buffer's run stride, and X = data·scale + shift. */
export const GATHER_DIMS = new WgslStruct('GatherDims', { batch: 'u32', features: 'u32', orderRun: 'u32', scale: 'f32', shift: 'f32' });

/** shaders/pool.wgsl: R·B·C planes of H×W in, OH×OW out. */
export const POOL_DIMS = new WgslStruct('PoolDims', { planes: 'u32', height: 'u32', width: 'u32', outHeight: 'u32', outWidth: 'u32' });

/** shaders/conv.wgsl: sizes, tiles, the run strides of source and destination, the weight and bias slots. */
export const CONV_DIMS = new WgslStruct('ConvDims', {
  batch: 'u32', inCh: 'u32', outCh: 'u32', actSlope: 'f32',
  height: 'u32', width: 'u32', tilesX: 'u32', outGroups: 'u32',
  srcRun: 'u32', dstRun: 'u32', wOff: 'u32', wRun: 'u32',
  biasOff: 'u32', biasRun: 'u32',
});

/** shaders/batchnorm.wgsl: B×C×S values per run (S = H·W, or 1), ε, running-statistics momentum, the γ and β slots, R runs. */
export const BATCHNORM_DIMS = new WgslStruct('BnDims', {
  batch: 'u32', channels: 'u32', spatial: 'u32', xRun: 'u32',
  eps: 'f32', momentum: 'f32', gammaOff: 'u32', gammaRun: 'u32',
  betaOff: 'u32', betaRun: 'u32', runs: 'u32',
});
