/** Layer kinds → float64 reference implementations (twin of src/nn/layers/index.ts). */
import type { LayerSpec } from '../../nn/spec';
import type { RefLayer } from '../layer';
import { refBatchNorm } from './batchnorm';
import { refConv } from './conv';
import { refActivation, refDense, refFlatten } from './dense';
import { refMaxPool } from './pool';

export const REF_LAYERS: Partial<Record<LayerSpec['kind'], RefLayer>> = {
  dense: refDense,
  flatten: refFlatten,
  activation: refActivation,
  conv2d: refConv,
  maxpool2: refMaxPool,
  batchnorm: refBatchNorm,
};
