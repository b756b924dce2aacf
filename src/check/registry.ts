/**
 * Every GPU check (./verdict.ts), one list per kernel family's test file: what the GPU check runs
 * three times on an adapter, and what tunings.test.ts runs under the other tuning profile.
 */
import { CNN_CHECKS, MODEL_CHECKS } from '../nn/cnn.check';
import { GATHER_CHECKS } from '../nn/gather.check';
import { CNN_LAYER_CHECKS } from '../nn/layers/cnn-layers.check';
import { NETWORK_CHECKS } from '../nn/network.check';
import { AUTODROP_CHECKS } from '../optim/autodrop-gpu.check';
import { UPDATE_CHECKS } from '../optim/update.check';
import { RNG_CHECKS } from '../rng/rng.check';
import type { GpuCheck } from './verdict';

/** All checks: rng, gather, dense networks (matmuls, loss, small-MLP step), CNN layers and networks, update, AutoDrop. */
export const GPU_CHECKS: readonly GpuCheck[] = [
  ...RNG_CHECKS,
  ...GATHER_CHECKS,
  ...NETWORK_CHECKS,
  ...MODEL_CHECKS,
  ...CNN_LAYER_CHECKS,
  ...CNN_CHECKS,
  ...UPDATE_CHECKS,
  ...AUTODROP_CHECKS,
];

/** Kernel families whose kernels follow the tuning (src/gpu/tuning.ts). */
export const TUNED_FAMILIES: readonly string[] = ['matmul', 'small-mlp', 'update'];
