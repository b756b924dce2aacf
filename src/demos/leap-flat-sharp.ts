/**
 * Demo: LEAP prefers flat minima (Liu et al., arXiv 2208.11873, CIKM 2022). The LEAP rule is the
 * spec's reconstruction (methods.md §2.2, UNCONFIRMED): every element's rate is η_i = η + σ·z_i,
 * z_i ~ N(0, 1) redrawn every step (additive, per element, the project's default form).
 *
 * Landscape (1-D, ./landscape1d.ts): a SHARP well at x ≈ −1 (width 0.2, curvature ≈ 25) and a FLAT
 * well at x ≈ 1.46 (width 0.7, curvature ≈ 2.2) of EQUAL depth (the flat well's height is solved
 * by bisection so that both minima have the same f, to 1e-12), in a weak bowl 0.03·x².
 * SGD: x ← x − η_t·g_t with the noisy gradient g_t = f'(x) + s·ξ_t. With LEAP the step is
 *   x ← x − (η + σz_t)·g_t = x − η g_t − σ z_t (f'(x) + sξ_t),
 * extra noise of variance σ²·g_t², which grows with the curvature (f'(x) ≈ κ·(x − x*) near a minimum):
 * it is Hessian-aligned noise, which heats a sharp well much more than a flat one, so the iterate
 * leaves sharp wells and stays in flat ones (the escape-time argument of the paper's abstract).
 * The updates are the project's float64 reference of the fused GPU update, with its Philox draws.
 *
 * Each seed draws a start x₀ ~ U[−3, 3.5] and the gradient noise (RandomStream(seed, tag)); the same
 * seed gives the same start and gradient noise with and without LEAP, so the comparison is paired.
 * "Ends flat" = x_T beyond the barrier between the two wells.
 */
import { parseLeap } from '../optim/leap';
import { parseOptimizer } from '../optim/optimizer';
import type { RunUpdateConfig } from '../optim/update';
import { referenceState, referenceUpdate } from '../reference/optim';
import { RandomStream, StreamPurpose, streamId } from '../rng/stream';
import { barrier, descend, landscapeCurvature, landscapeGradient, landscapeLoss, type Landscape1d } from './landscape1d';

const SHARP = { at: -1, width: 0.2, depth: 1 };
const FLAT_AT = 1.5;
const FLAT_WIDTH = 0.7;
const BOWL = 0.03;

/** The flat well's depth that makes both minima equally deep (bisection on f(x_flat) − f(x_sharp)). */
function equalDepthLandscape(): Landscape1d {
  const make = (depth: number): Landscape1d => ({ bowl: BOWL, wells: [SHARP, { at: FLAT_AT, width: FLAT_WIDTH, depth }] });
  let low = 0.5;
  let high = 2;
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    const l = make(mid);
    if (landscapeLoss(l, descend(l, FLAT_AT)) > landscapeLoss(l, descend(l, SHARP.at))) low = mid;
    else high = mid;
  }
  return make((low + high) / 2);
}

/** The landscape, its two minima, their curvatures and the barrier between them. */
export const LEAP_LANDSCAPE = (() => {
  const landscape = equalDepthLandscape();
  const sharp = descend(landscape, SHARP.at);
  const flat = descend(landscape, FLAT_AT);
  return {
    landscape,
    sharp,
    flat,
    sharpCurvature: landscapeCurvature(landscape, sharp),
    flatCurvature: landscapeCurvature(landscape, flat),
    barrier: barrier(landscape, sharp, flat),
    range: [-3, 3.5] as const,
  };
})();

export interface LeapToySettings {
  eta: number;
  /** s: standard deviation of the gradient noise. */
  gradientNoise: number;
  /** σ of LEAP (additive), absolute. */
  sigma: number;
  steps: number;
}

/** η 0.05, gradient noise 2, LEAP σ = 0.5·η (the upper end of the spec's σ = 0.1–0.5·η₀), 2000 steps. */
export const LEAP_TOY_DEFAULTS: LeapToySettings = { eta: 0.05, gradientNoise: 2, sigma: 0.025, steps: 2000 };

const NOISE_TAG = 0x1ea9;

export interface LeapToyRun {
  seed: number;
  leap: boolean;
  start: number;
  /** x_t, t = 0..T. */
  path: Float64Array;
  final: number;
  endsFlat: boolean;
  startsFlat: boolean;
}

/** The update config: plain SGD, LEAP additive per element with σ (or none). */
export function leapToyRunConfig(leap: boolean, settings: LeapToySettings, seed: number): RunUpdateConfig {
  return {
    optimizer: parseOptimizer({ rule: 'sgd' }),
    leap: leap ? parseLeap({ sigma: settings.sigma, form: 'additive', granularity: 'element' }) : null,
    seed,
    runKey: 0,
  };
}

/** One run: x₀ = −3 + 6.5·u, then T steps x ← x − η_t(ξ)·(f'(x) + s·ξ_t) through the reference update. */
export function runLeapToy(leap: boolean, seed: number, settings: LeapToySettings = LEAP_TOY_DEFAULTS): LeapToyRun {
  const { landscape, barrier: middle, range } = LEAP_LANDSCAPE;
  const stream = new RandomStream(seed, streamId(StreamPurpose.general, NOISE_TAG));
  const start = range[0] + (range[1] - range[0]) * stream.uniform();
  const run = leapToyRunConfig(leap, settings, seed);
  const state = referenceState([start]);
  const path = new Float64Array(settings.steps + 1);
  path[0] = start;
  for (let t = 1; t <= settings.steps; t++) {
    const x = state.theta[0];
    referenceUpdate(run, 0, state, [landscapeGradient(landscape, x) + settings.gradientNoise * stream.normal()], t, settings.eta);
    path[t] = state.theta[0];
  }
  const final = state.theta[0];
  return { seed, leap, start, path, final, endsFlat: final > middle, startsFlat: start > middle };
}

export interface LeapToySummary {
  leap: boolean;
  runs: number;
  endsFlat: number;
  startsFlat: number;
  /** Runs that started in the sharp basin and ended in the flat one. */
  sharpToFlat: number;
  /** Runs that started in the flat basin and ended in the sharp one. */
  flatToSharp: number;
}

export function summarizeLeapToy(runs: readonly LeapToyRun[]): LeapToySummary {
  return {
    leap: runs[0]?.leap ?? false,
    runs: runs.length,
    endsFlat: runs.filter((r) => r.endsFlat).length,
    startsFlat: runs.filter((r) => r.startsFlat).length,
    sharpToFlat: runs.filter((r) => !r.startsFlat && r.endsFlat).length,
    flatToSharp: runs.filter((r) => r.startsFlat && !r.endsFlat).length,
  };
}

/** Both arms over the same seeds. */
export function runLeapToyExperiment(seeds: readonly number[], settings: LeapToySettings = LEAP_TOY_DEFAULTS) {
  return [false, true].map((leap) => {
    const runs = seeds.map((seed) => runLeapToy(leap, seed, settings));
    return { leap, runs, summary: summarizeLeapToy(runs) };
  });
}
