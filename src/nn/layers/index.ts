/** Layer kinds → GPU builders. Adding a layer kind means one builder and one line here. */
import type { LayerFactory } from '../layer';
import type { LayerSpec } from '../spec';
import { buildBatchNorm } from './batchnorm';
import { buildConv } from './conv';
import { buildDense } from './dense';
import { buildMaxPool } from './pool';
import { buildActivation, buildFlatten } from './shape';

export const LAYER_BUILDERS: Partial<Record<LayerSpec['kind'], LayerFactory>> = {
  dense: buildDense,
  flatten: buildFlatten,
  activation: buildActivation,
  conv2d: buildConv,
  maxpool2: buildMaxPool,
  batchnorm: buildBatchNorm,
};
