/**
 * The LR range test (Smith 2017, "Cyclical learning rates", §3.3; fastai's `lr_find`): a short run
 * whose rate grows exponentially, η_s = start·(end/start)^((s−1)/N) for steps s = 1 … N, stopped
 * once the smoothed loss exceeds `stopFactor` × its minimum. Every run (method) of an experiment
 * takes the test at once, stacked. The loss is smoothed as fastai's Recorder does (debiased EMA,
 * β = 0.98), and the suggestions are fastai's, on the same slice of the curve (from N/10 to 5
 * points before the end): `minimum` (the rate at the smallest loss, ÷ 10), `steep` (the rate where
 * the loss falls fastest against log η) and `valley` (a rate in the longest descending valley).
 */
import type { ExperimentConfig, ExperimentInput } from './config';

export interface RangeTestOptions {
  startLr: number;
  endLr: number;
  /** N: optimizer steps from start to end. */
  steps: number;
  /** A run stops once its smoothed loss exceeds this × its smallest smoothed loss. */
  stopFactor: number;
}

/** fastai's defaults (lr_find: start 1e-7, end 10, 100 iterations, stop at 4 × the best loss). */
export const RANGE_TEST_DEFAULTS: RangeTestOptions = { startLr: 1e-7, endLr: 10, steps: 100, stopFactor: 4 };

/** β of the loss smoothing (fastai's AvgSmoothLoss). */
export const SMOOTHING = 0.98;

/** What each suggestion means (the page shows it in a tooltip). */
export const SUGGESTION_HELP = {
  minimum: 'minimum/10: a tenth of the rate at which the smoothed loss is lowest (one step safely below where the loss turns up).',
  steep: 'steepest: the rate where the smoothed loss falls fastest per unit of log rate (the largest negative slope).',
  valley: "valley: fastai's default; the longest stretch over which the loss keeps falling, taken about halfway down it.",
} as const;

export type SuggestionKind = keyof typeof SUGGESTION_HELP;

/** A suggested rate and the curve point it is read at. */
export interface Suggestion {
  lr: number;
  /** The point marked on the plot (rate, smoothed loss). */
  at: [number, number];
}

/** One run's range test. */
export interface RangeTestCurve {
  /** The method (config.runs index) and its label. */
  method: number;
  label: string;
  color: string;
  /** Rates and losses of the steps taken before the run stopped (included). */
  rates: number[];
  losses: number[];
  smoothed: number[];
  /** Step at which the smoothed loss passed stopFactor × its minimum (null: it never did). */
  stoppedAt: number | null;
  suggestions: Partial<Record<SuggestionKind, Suggestion>>;
}

/** The rate of step s (1-based) of the test: start·(end/start)^((s−1)/N). */
export function rangeTestRate(options: RangeTestOptions, step: number): number {
  return options.startLr * (options.endLr / options.startLr) ** ((step - 1) / options.steps);
}

/**
 * The experiment that runs the test on `config`'s runs: one replicate, no sweep, N steps, the loss of
 * every step read back, an evaluation only at the end. Each run keeps its optimizer, LRD, LEAP and
 * RALR, its schedule becomes the exponential ramp; AutoDrop is off (its drops would undo the ramp);
 * an exp-LR run is tested as the weight-decayed SGD it reproduces (Li & Arora), i.e. without expLr
 * and with its weight decay, since its own rate grows on top of any base rate.
 */
export function rangeTestConfig(config: ExperimentConfig, options: RangeTestOptions): ExperimentInput {
  const gamma = (options.endLr / options.startLr) ** (1 / options.steps);
  const runs = config.runs.map((run) => {
    const { autodrop: _autodrop, expLr, runKey: _runKey, ...rest } = run;
    return {
      ...rest,
      optimizer: expLr ? { ...run.optimizer, weightDecay: expLr.weightDecay } : run.optimizer,
      schedule: { kind: 'exponential', lr: options.startLr, gamma, unit: 'step' },
      runKey: run.runKey,
    };
  });
  const { sweep: _sweep, ...rest } = config;
  return {
    ...rest,
    name: `LR range test of ${config.name}`.slice(0, 100),
    replicates: 1,
    budget: { unit: 'steps', amount: options.steps },
    evalEvery: options.steps,
    logEvery: 1,
    runs,
  } as ExperimentInput;
}

/** fastai's smoothed loss: m_i = β·m_{i−1} + (1 − β)·loss_i, shown as m_i/(1 − β^i). */
export function smoothLosses(losses: readonly number[], beta = SMOOTHING): number[] {
  let average = 0;
  return losses.map((loss, i) => {
    average = beta * average + (1 - beta) * loss;
    return average / (1 - beta ** (i + 1));
  });
}

/** Index of the first smoothed loss above stopFactor × the smallest before it (or non-finite); null if none. */
export function stopIndex(smoothed: readonly number[], stopFactor: number): number | null {
  let best = Infinity;
  for (let i = 0; i < smoothed.length; i++) {
    if (!Number.isFinite(smoothed[i])) return i;
    best = Math.min(best, smoothed[i]);
    if (smoothed[i] > stopFactor * best) return i;
  }
  return null;
}

/** fastai's `valley`: the end of the longest strictly descending subsequence, and a point a third plus a sixth into it. */
export function valleyIndex(losses: readonly number[]): number {
  const n = losses.length;
  const lengths = new Array<number>(n).fill(1);
  let start = 0;
  let end = 0;
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (losses[i] < losses[j] && lengths[i] < lengths[j] + 1) lengths[i] = lengths[j] + 1;
      if (lengths[end] < lengths[i]) {
        end = i;
        start = end - lengths[end];
      }
    }
  }
  const sections = (end - start) / 3;
  return start + Math.trunc(sections) + Math.trunc(sections / 2);
}

/**
 * fastai's suggestions from the rates and smoothed losses recorded until the stop (the stopping
 * step included), on the slice [⌊N/10⌋, length − 5) cut at the first NaN. Empty when too short.
 */
export function suggestRates(rates: readonly number[], smoothed: readonly number[], steps: number): Partial<Record<SuggestionKind, Suggestion>> {
  let lrs = rates.slice(Math.floor(steps / 10), Math.max(0, rates.length - 5));
  let losses = smoothed.slice(Math.floor(steps / 10), Math.max(0, smoothed.length - 5));
  const nan = losses.findIndex((loss) => Number.isNaN(loss));
  if (nan >= 0) [lrs, losses] = [lrs.slice(0, nan), losses.slice(0, nan)];
  if (losses.length < 2) return {};
  let low = 0;
  losses.forEach((loss, i) => loss < losses[low] && (low = i));
  let steepest = 0;
  let slope = Infinity;
  for (let i = 0; i + 1 < losses.length; i++) {
    const gradient = (losses[i + 1] - losses[i]) / (Math.log(lrs[i + 1]) - Math.log(lrs[i]));
    if (gradient < slope) [slope, steepest] = [gradient, i];
  }
  const valley = valleyIndex(losses);
  return {
    minimum: { lr: lrs[low] / 10, at: [lrs[low], losses[low]] },
    steep: { lr: lrs[steepest], at: [lrs[steepest], losses[steepest]] },
    valley: { lr: lrs[valley], at: [lrs[valley], losses[valley]] },
  };
}

/** One run's curve from its train losses by step (index s − 1), cut after its stop, with its suggestions. */
export function rangeTestCurve(run: { method: number; label: string; color: string }, losses: readonly number[], options: RangeTestOptions): RangeTestCurve {
  const smoothedAll = smoothLosses(losses);
  const stop = stopIndex(smoothedAll, options.stopFactor);
  const length = stop === null ? losses.length : stop + 1;
  const rates = Array.from({ length }, (_, i) => rangeTestRate(options, i + 1));
  const smoothed = smoothedAll.slice(0, length);
  return { ...run, rates, losses: losses.slice(0, length), smoothed, stoppedAt: stop === null ? null : stop + 1, suggestions: suggestRates(rates, smoothed, options.steps) };
}
