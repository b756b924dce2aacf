/**
 * Float64 reference of the fused update (twin of shaders/update.wgsl): the same rules, the same
 * order of operations and the very same random draws (src/rng/draws.ts), so the GPU and this
 * oracle agree element by element. Test vectors can inject masks and rates instead of draws.
 */
import { leapNormal, lrdUniform } from '../rng/draws';
import { adamConstants } from '../optim/optimizer';
import { lrdKeepScale } from '../optim/lrd';
import type { RunUpdateConfig } from '../optim/update';

/** One tensor of one run: parameters and optimizer state (first: momentum/m, second: v/square avg). */
export interface ReferenceTensorState {
  theta: Float64Array;
  first: Float64Array;
  second: Float64Array;
}

/** Overrides of the random draws (for the spec's injected-mask / injected-noise vectors). */
export interface InjectedDraws {
  /** LRD mask value M_i ∈ {0, 1} (before any 1/p rescale). */
  mask?: (element: number) => number;
  /** LEAP perturbed rate η_i. */
  rate?: (element: number) => number;
}

/** A fresh state for `theta` (zero optimizer state). */
export function referenceState(theta: ArrayLike<number>): ReferenceTensorState {
  const n = theta.length;
  return { theta: Float64Array.from(theta), first: new Float64Array(n), second: new Float64Array(n) };
}

/** LEAP's rate η_i for one element: η + σz or η(1 + σz), clipped at 0 when asked. */
export function referenceLeapRate(run: RunUpdateConfig, rate: number, tensor: number, step: number, element: number): number {
  const leap = run.leap;
  if (!leap) return rate;
  const z = leapNormal(run.seed, run.runKey, tensor, step, element, leap.granularity);
  let perturbed = leap.form === 'multiplicative' ? rate * (1 + leap.sigma * z) : rate + leap.sigma * z;
  if (leap.clipNegative) perturbed = Math.max(perturbed, 0);
  return perturbed;
}

/** LRD's factor k_i: keepScale when u < keepProb (compared in f32, as the kernel does), else 0. */
export function referenceLrdFactor(run: RunUpdateConfig, tensor: number, step: number, element: number): number {
  if (!run.lrd) return 1;
  const u = lrdUniform(run.seed, run.runKey, tensor, step, element);
  return u < Math.fround(run.lrd.keepProb) ? lrdKeepScale(run.lrd) : 0;
}

/**
 * One optimizer step t (1-based) of tensor `tensor` of one run, in place:
 *   d = g + λ_c θ;  u from the rule (state updated with the FULL d);
 *   θ ← s_θ·(θ − η_i k_i u − η_i k'_i λ_d θ)   (see shaders/update.wgsl)
 */
export function referenceUpdate(
  run: RunUpdateConfig,
  tensor: number,
  state: ReferenceTensorState,
  grad: ArrayLike<number>,
  step: number,
  rate: number,
  options: { inject?: InjectedDraws; thetaScale?: number; stateScale?: number; decay?: boolean } = {},
): void {
  const opt = run.optimizer;
  const decay = options.decay ?? true ? opt.weightDecay : 0; // tensors without decay: biases, BN affine
  const l2 = opt.weightDecayMode === 'coupled' ? decay : 0;
  const decoupled = opt.weightDecayMode === 'decoupled' ? decay : 0;
  const { c1, c2 } = adamConstants(opt, step);
  const thetaScale = options.thetaScale ?? 1;
  const stateScale = options.stateScale ?? 1;
  const { theta, first, second } = state;
  for (let i = 0; i < theta.length; i++) {
    const g = grad[i];
    const d = g + l2 * theta[i];
    let u = d;
    switch (opt.rule) {
      case 'momentum':
      case 'nesterov': {
        const b = step === 1 ? d : opt.momentum * first[i] + (1 - opt.dampening) * d;
        first[i] = b * stateScale;
        u = opt.rule === 'nesterov' ? d + opt.momentum * b : b;
        break;
      }
      case 'adam':
      case 'adamw': {
        first[i] = opt.beta1 * first[i] + (1 - opt.beta1) * d;
        second[i] = opt.beta2 * second[i] + (1 - opt.beta2) * d * d;
        const rootV = opt.adamEps === 'standard' ? c2 * Math.sqrt(second[i]) : Math.sqrt(second[i]);
        u = (c1 * first[i]) / (rootV + opt.eps);
        break;
      }
      case 'rmsprop': {
        second[i] = opt.rmsAlpha * second[i] + (1 - opt.rmsAlpha) * d * d;
        u = (opt.rmspropForm === 'clean' ? d : g) / (Math.sqrt(second[i]) + opt.eps);
        break;
      }
      case 'sgd':
        break;
    }
    const elementRate = options.inject?.rate ? options.inject.rate(i) : referenceLeapRate(run, rate, tensor, step, i);
    let keep = 1;
    if (run.lrd) keep = options.inject?.mask ? options.inject.mask(i) * lrdKeepScale(run.lrd) : referenceLrdFactor(run, tensor, step, i);
    const decayKeep = run.lrd?.maskDecoupledDecay ? keep : 1;
    theta[i] = thetaScale * (theta[i] - elementRate * keep * u - elementRate * decayKeep * decoupled * theta[i]);
  }
}
