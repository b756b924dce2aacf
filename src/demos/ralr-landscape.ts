/**
 * Demo: RALR, random amplification of the learning rate (Deng et al., Appl. Sci. 12(1):268, 2022).
 * The rule is the spec's reconstruction (methods.md §4.2, UNCONFIRMED) as implemented in
 * src/optim/ralr.ts: at the start of every epoch, with probability p the global rate is amplified,
 *   η_t = η_base(t)·r,  r ~ U[r_lo, r_hi);   otherwise η_t = η_base(t),
 * here over a step schedule η_base(t) = η₀·γ^⌊t/stepSize⌋.
 *
 * Landscape (1-D, ./landscape1d.ts): a POOR narrow well at x = −1 (depth 0.5, width 0.25,
 * curvature ≈ 8) next to the start x₀ = −1.3, and a GOOD wide well at x = 1.5 (depth 1.2,
 * width 0.8, curvature ≈ 1.9), in a weak bowl 0.03·x². SGD with a noisy gradient f'(x) + s·ξ.
 * Why amplification helps: plain SGD at η₀ = 0.05 is stable in the poor well (η·κ ≈ 0.4 < 2) and the
 * noise is far too weak to climb its barrier, so it stays there. An amplified epoch with η·r·κ > 2
 * (r > 5) makes the poor well linearly unstable — |1 − ηrκ| > 1, every step overshoots further — and
 * the iterate is thrown out; in the wide good well η·r·κ < 1 even at r = 10, so it stays there.
 * After the first decay (t ≥ stepSize), η₀γ·r ≤ 0.05 and no amplification can throw it out any more.
 * Updates: the project's float64 reference of the fused GPU update; RALR's draws: src/optim/ralr.ts.
 * Each seed keys RALR's draws and the gradient noise; the baseline uses the same gradient noise.
 */
import { parseOptimizer } from '../optim/optimizer';
import { compileRalr, parseRalr, type RalrInput } from '../optim/ralr';
import { compileSchedule, parseSchedule } from '../optim/schedules';
import { referenceState, referenceUpdate } from '../reference/optim';
import { RandomStream, StreamPurpose, streamId } from '../rng/stream';
import { barrier, landscapeCurvature, landscapeGradient, type Landscape1d } from './landscape1d';

export const RALR_LANDSCAPE = (() => {
  const landscape: Landscape1d = {
    bowl: 0.03,
    wells: [
      { at: -1, width: 0.25, depth: 0.5 },
      { at: 1.5, width: 0.8, depth: 1.2 },
    ],
  };
  return {
    landscape,
    poor: -1,
    good: 1.5,
    poorCurvature: landscapeCurvature(landscape, -1),
    goodCurvature: landscapeCurvature(landscape, 1.5),
    barrier: barrier(landscape, -1, 1.5),
    start: -1.3,
    range: [-3, 3.5] as const,
  };
})();

export interface RalrToySettings {
  /** Step schedule: η₀, stepSize, γ. */
  lr: number;
  stepSize: number;
  gamma: number;
  steps: number;
  stepsPerEpoch: number;
  gradientNoise: number;
  ralr: RalrInput;
}

/** η 0.05 ×0.1 every 300 steps, 900 steps, epochs of 20 steps; RALR p = 0.2, r ~ U[1, 10) per epoch. */
export const RALR_TOY_DEFAULTS: RalrToySettings = {
  lr: 0.05,
  stepSize: 300,
  gamma: 0.1,
  steps: 900,
  stepsPerEpoch: 20,
  gradientNoise: 1,
  ralr: { amplifyProb: 0.2, factorLow: 1, factorHigh: 10, resample: 'epoch' },
};

const NOISE_TAG = 0x7a1;

/** t ↦ η_t (0-based step t) of the base step schedule, or of RALR on top of it for `seed`. */
export function ralrToyRates(settings: RalrToySettings, seed: number | null): (t: number) => number {
  const base = compileSchedule(parseSchedule({ kind: 'step', lr: settings.lr, stepSize: settings.stepSize, gamma: settings.gamma }), settings.stepsPerEpoch);
  if (seed === null) return base;
  return compileRalr(parseRalr(settings.ralr), base, { seed, stepsPerEpoch: settings.stepsPerEpoch, runKey: 0 });
}

export interface RalrToyRun {
  seed: number;
  ralr: boolean;
  /** x_t, t = 0..T. */
  path: Float64Array;
  /** η_t used by step t + 1, t = 0..T−1. */
  rates: Float64Array;
  /** First t with x_t past the barrier (in the good basin), or null. */
  leftStep: number | null;
  endsGood: boolean;
}

/** One run: x₀ = −1.3; x_{t+1} = x_t − η_t·(f'(x_t) + s·ξ_t), reference SGD update. */
export function runRalrToy(ralr: boolean, seed: number, settings: RalrToySettings = RALR_TOY_DEFAULTS): RalrToyRun {
  const { landscape, barrier: middle, start } = RALR_LANDSCAPE;
  const rateAt = ralrToyRates(settings, ralr ? seed : null);
  const stream = new RandomStream(seed, streamId(StreamPurpose.general, NOISE_TAG));
  const state = referenceState([start]);
  const run = { optimizer: parseOptimizer({ rule: 'sgd' }), seed, runKey: 0 };
  const path = new Float64Array(settings.steps + 1);
  const rates = new Float64Array(settings.steps);
  path[0] = start;
  let leftStep: number | null = null;
  for (let t = 0; t < settings.steps; t++) {
    rates[t] = rateAt(t);
    const g = landscapeGradient(landscape, state.theta[0]) + settings.gradientNoise * stream.normal();
    referenceUpdate(run, 0, state, [g], t + 1, rates[t]);
    path[t + 1] = state.theta[0];
    if (leftStep === null && path[t + 1] > middle) leftStep = t + 1;
  }
  return { seed, ralr, path, rates, leftStep, endsGood: path[settings.steps] > middle };
}

export interface RalrToySummary {
  ralr: boolean;
  runs: number;
  endsGood: number;
  /** Runs that were ever in the good basin. */
  left: number;
  /** Amplified epochs over all runs / all epochs (≈ p). */
  amplifiedShare: number;
}

export function summarizeRalrToy(runs: readonly RalrToyRun[], settings: RalrToySettings = RALR_TOY_DEFAULTS): RalrToySummary {
  const base = ralrToyRates(settings, null);
  let amplified = 0;
  let epochs = 0;
  for (const run of runs) {
    for (let t = 0; t < run.rates.length; t += settings.stepsPerEpoch) {
      epochs++;
      if (run.rates[t] > base(t)) amplified++;
    }
  }
  return {
    ralr: runs[0]?.ralr ?? false,
    runs: runs.length,
    endsGood: runs.filter((r) => r.endsGood).length,
    left: runs.filter((r) => r.leftStep !== null).length,
    amplifiedShare: epochs ? amplified / epochs : 0,
  };
}

export function runRalrToyExperiment(seeds: readonly number[], settings: RalrToySettings = RALR_TOY_DEFAULTS) {
  return [false, true].map((ralr) => {
    const runs = seeds.map((seed) => runRalrToy(ralr, seed, settings));
    return { ralr, runs, summary: summarizeRalrToy(runs, settings) };
  });
}
