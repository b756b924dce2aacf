/**
 * The binary layouts of the fused update (shaders/update_common.wgsl and the kernels that include
 * it), defined once here (see ../gpu/layout.ts): the per-run words written every step, the flag
 * bits and codes in them, the tensor table and the dims uniform. UPDATE_WGSL declares them all.
 */
import { WgslConstants, WgslStruct } from '../gpu/layout';
import { CHUNK } from '../gpu/param-layout';
import { composeWgsl } from '../gpu/pipelines';
import { DrawScope } from '../rng/draws';
import { RULE_CODE } from './optimizer';

/**
 * One run's words of one step: rate η, rule code, flags, step, the draws' key (seed, runKey), the
 * rule's hyperparameters (beta2 is RMSprop's α for RMSprop), coupled and decoupled decay, Adam's
 * c1/c2, LRD's keep probability and kept factor, LEAP's σ and draw scope, and the exp-LR scales of θ
 * and the momentum state.
 */
export const RUN_WORDS = new WgslStruct('RunWords', {
  lr: 'f32', rule: 'u32', flags: 'u32', step: 'u32', seed: 'u32', runKey: 'u32',
  momentum: 'f32', dampening: 'f32', beta1: 'f32', beta2: 'f32', eps: 'f32',
  l2: 'f32', decoupled: 'f32', c1: 'f32', c2: 'f32',
  keepProb: 'f32', keepScale: 'f32', sigma: 'f32', leapScope: 'u32',
  thetaScale: 'f32', stateScale: 'f32',
});

/** Bits of RUN_WORDS.flags (frozen: a diverged run, whose parameters and state stay as they are). */
export const UPDATE_FLAG = new WgslConstants('FLAG', {
  lrd: 1, lrdMaskDecay: 2, leap: 4, leapMultiplicative: 8, leapClip: 16, firstStep: 32, epsStandard: 64, rmsClean: 128,
  frozen: 256,
});

/** `const RULE_SGD: u32 = 0u;` …: the rule codes of RUN_WORDS.rule (the table: RULE_CODE). */
export const RULE_WGSL = new WgslConstants('RULE', RULE_CODE);

/** update_vec4.wgsl's ONLY_RULE when the runs' rules differ (otherwise the one rule's code). */
export const ONLY_RULE = new WgslConstants('ONLY_RULE', { mixed: 255 });

/** `const DRAW_SCOPE_ELEMENT: u32 = 0u;` …: LEAP's draw scope in RUN_WORDS.leapScope (the table: DrawScope). */
export const DRAW_SCOPE_WGSL = new WgslConstants('DRAW_SCOPE', DrawScope);

/** The update's uniform: the 64-float chunks its list holds (one dispatch's share of the stacked buffer), runs. */
export const UPDATE_DIMS = new WgslStruct('UpdateDims', { chunks: 'u32', runs: 'u32' });

/** Per tensor: offset of its slab, stride between runs, elements, TENSOR_FLAG bits. */
export const TENSOR_ENTRY = new WgslStruct('TensorEntry', { offset: 'u32', runStride: 'u32', size: 'u32', flags: 'u32' });

/** Bits of TENSOR_ENTRY.flags: the tensor is trained; weight decay applies to it. */
export const TENSOR_FLAG = new WgslConstants('TENSOR', { trainable: 1, decay: 2 });

/** Every declaration above, composed before shaders/update_common.wgsl. */
export const UPDATE_WGSL = composeWgsl(
  RULE_WGSL.wgsl, UPDATE_FLAG.wgsl, ONLY_RULE.wgsl, DRAW_SCOPE_WGSL.wgsl, CHUNK.wgsl,
  RUN_WORDS.wgsl, UPDATE_DIMS.wgsl, TENSOR_ENTRY.wgsl, TENSOR_FLAG.wgsl,
);
