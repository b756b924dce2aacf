/**
 * Demo: Learning Rate Dropout escapes a saddle (methods.md §1.6; Lin et al., arXiv 1912.00144).
 *
 * Landscape: the rotated saddle f(x, y) = x·y + (x⁴ + y⁴)/4,
 *   ∇f = (y + x³, x + y³);  saddle at (0, 0) with Hessian eigenvalues ±1 (directions (1,1) and (1,−1));
 *   minima at (1, −1) and (−1, 1) with f = −½.
 * From (1, 1) the gradient is symmetric in x and y, so GD and SGD with momentum stay EXACTLY on the
 * diagonal x = y (the same float operations on equal numbers) and converge to the saddle: along the
 * diagonal f(s, s) = s² + s⁴/2 has its minimum at s = 0.
 * LRD: each coordinate keeps its rate with probability keepProb, θ_i ← θ_i − η·M_i·u_i with
 * M_i ~ Bernoulli(keepProb) redrawn every step. A step with M = (1, 0) or (0, 1) leaves the diagonal;
 * the off-diagonal component d = x − y then grows like (1 + η)^t along the Hessian's −1 direction
 * until the iterate falls into a minimum.
 *
 * The update is the project's float64 reference of the fused GPU update (src/reference/optim.ts),
 * with the very same Philox draws as the GPU kernel (key (seed, runKey), tensor 0, step, element):
 * a 2-parameter problem does not need the GPU, the rule and the masks are the engine's.
 *
 * "Escaped" (the spec's measure): f(θ_t) < −¼ at some step t ≤ steps. The sublevel set {f < −¼}
 * consists of two disjoint basins, one around each minimum, away from the saddle (f(0,0) = 0),
 * so reaching it means the iterate has left the saddle for a minimum. The escape step is the first
 * such t; we also report the final distance to the nearer minimum.
 */
import { parseLrd } from '../optim/lrd';
import { parseOptimizer } from '../optim/optimizer';
import type { RunUpdateConfig } from '../optim/update';
import { referenceState, referenceUpdate } from '../reference/optim';

/** f(x, y) = x·y + (x⁴ + y⁴)/4 */
export function saddleLoss(x: number, y: number): number {
  return x * y + (x ** 4 + y ** 4) / 4;
}

/** ∇f = (y + x³, x + y³) */
export function saddleGradient(x: number, y: number): [number, number] {
  return [y + x * x * x, x + y * y * y];
}

/** The two minima (±1, ∓1), f = −½. */
export const SADDLE_MINIMA: ReadonlyArray<readonly [number, number]> = [
  [1, -1],
  [-1, 1],
];

/** f below this counts as escaped (the spec's threshold). */
export const ESCAPE_LEVEL = -0.25;

export type SaddleOptimizer = 'gd' | 'sgdm';

export interface SaddleMethod {
  id: string;
  label: string;
  optimizer: SaddleOptimizer;
  /** LRD keep probability, or null for the plain optimizer. */
  keepProb: number | null;
}

/** The four methods of the demo: GD and SGD-momentum (γ 0.9), each without and with LRD (keepProb 0.5). */
export const SADDLE_METHODS: readonly SaddleMethod[] = [
  { id: 'gd', label: 'GD', optimizer: 'gd', keepProb: null },
  { id: 'gd-lrd', label: 'GD + LRD', optimizer: 'gd', keepProb: 0.5 },
  { id: 'sgdm', label: 'SGD momentum', optimizer: 'sgdm', keepProb: null },
  { id: 'sgdm-lrd', label: 'SGD momentum + LRD', optimizer: 'sgdm', keepProb: 0.5 },
];

export interface SaddleSettings {
  eta: number;
  momentum: number;
  steps: number;
  start: readonly [number, number];
}

/** The spec's settings: η 0.1, γ 0.9, from (1, 1); 300 steps. */
export const SADDLE_DEFAULTS: SaddleSettings = { eta: 0.1, momentum: 0.9, steps: 300, start: [1, 1] };

export interface SaddleRun {
  method: string;
  seed: number;
  /** x₀, y₀, x₁, y₁, …, x_T, y_T (T = steps). */
  path: Float64Array;
  /** f(θ_t), t = 0..T. */
  losses: Float64Array;
  /** First t with f(θ_t) < −¼, or null. */
  escapeStep: number | null;
  /** Distance of θ_T to the nearer minimum. */
  finalDistance: number;
}

/** The update config of one method (seed and run key of the LRD draws). */
export function saddleRunConfig(method: SaddleMethod, settings: SaddleSettings, seed: number): RunUpdateConfig {
  const optimizer = method.optimizer === 'gd' ? parseOptimizer({ rule: 'sgd' }) : parseOptimizer({ rule: 'momentum', momentum: settings.momentum });
  return { optimizer, lrd: method.keepProb === null ? null : parseLrd({ keepProb: method.keepProb }), seed, runKey: 0 };
}

/**
 * One trajectory: θ₀ = start, then for t = 1..T the reference fused update of the 2-element tensor
 * θ = (x, y) with g = ∇f(θ_{t−1}) and the run's LRD mask of step t.
 */
export function runSaddle(method: SaddleMethod, seed: number, settings: SaddleSettings = SADDLE_DEFAULTS): SaddleRun {
  const run = saddleRunConfig(method, settings, seed);
  const state = referenceState(settings.start);
  const path = new Float64Array(2 * (settings.steps + 1));
  const losses = new Float64Array(settings.steps + 1);
  let escapeStep: number | null = null;
  const record = (t: number) => {
    const [x, y] = state.theta;
    path[2 * t] = x;
    path[2 * t + 1] = y;
    losses[t] = saddleLoss(x, y);
    if (escapeStep === null && losses[t] < ESCAPE_LEVEL) escapeStep = t;
  };
  record(0);
  for (let t = 1; t <= settings.steps; t++) {
    referenceUpdate(run, 0, state, saddleGradient(state.theta[0], state.theta[1]), t, settings.eta);
    record(t);
  }
  const [x, y] = state.theta;
  const finalDistance = Math.min(...SADDLE_MINIMA.map(([a, b]) => Math.hypot(x - a, y - b)));
  return { method: method.id, seed, path, losses, escapeStep, finalDistance };
}

export interface SaddleSummary {
  method: string;
  label: string;
  runs: number;
  escaped: number;
  /** Median escape step over the escaped runs (null if none escaped). */
  medianEscapeStep: number | null;
  /** Runs whose final point lies within 0.05 of a minimum. */
  atMinimum: number;
  /** Runs whose final point lies within 0.05 of the saddle (0, 0). */
  atSaddle: number;
}

/** Median of a list (mean of the two middle values for an even count); null when empty. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Counts over the runs of one method. */
export function summarizeSaddle(method: SaddleMethod, runs: readonly SaddleRun[]): SaddleSummary {
  const escapes = runs.flatMap((r) => (r.escapeStep === null ? [] : [r.escapeStep]));
  return {
    method: method.id,
    label: method.label,
    runs: runs.length,
    escaped: escapes.length,
    medianEscapeStep: median(escapes),
    atMinimum: runs.filter((r) => r.finalDistance < 0.05).length,
    atSaddle: runs.filter((r) => Math.hypot(r.path[r.path.length - 2], r.path[r.path.length - 1]) < 0.05).length,
  };
}

/** Seeds 1..count (the seed keys the LRD masks; the start is the same for all). */
export function demoSeeds(count: number, first = 1): number[] {
  return Array.from({ length: count }, (_, i) => first + i);
}

/** The whole experiment: every method × seed. */
export function runSaddleExperiment(seeds: readonly number[] = demoSeeds(20), settings: SaddleSettings = SADDLE_DEFAULTS) {
  return SADDLE_METHODS.map((method) => {
    const runs = seeds.map((seed) => runSaddle(method, seed, settings));
    return { method, runs, summary: summarizeSaddle(method, runs) };
  });
}
