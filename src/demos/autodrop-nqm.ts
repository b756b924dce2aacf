/**
 * Demo: AutoDrop on the noisy quadratic model (Wang, Teng, Choromanska; arXiv 2111.15317, UAI 2024;
 * methods.md §3.6).
 *
 * NQM: L(x) = ½(x − c)ᵀA(x − c), x ∈ ℝ²⁰⁰, A = diag(0.1, 0.2, …, 20), c_t ~ N(0, I) redrawn every
 * iteration; GD x_{t+1} = x_t − αA(x_t − c_t); step s_t = x_{t+1} − x_t; angular velocity
 * ω_t = ∠(s_t, s_{t−1}) in degrees. Theorem 3.2: cos ω_t → C* = −(α/2)·Σa³/(2−αa) / Σa²/(2−αa),
 * so ω saturates at arccos(C*): 118.23°, 103.28°, 94.33°, 90.43° for α = 0.06, 0.03, 0.01, 0.001.
 * From x₀ = 1 the steps first point the same way (ω small: the deterministic descent dominates),
 * then the noise takes over and ω rises to its plateau.
 *
 * Part 2, the drop: α₀ = 0.06 and the AutoDrop controller (src/optim/autodrop.ts) fed with the
 * per-iteration ω (window k = 1, as in the paper's NQM demo, no windowing): buffer m = 50, smoothed
 * C by value-domain Gaussian weights, drop when |C_i − C_{i−1}| < 0.01°, α ← max(α_min, ½α) with
 * α_min = 0.001 (the paper's NQM demo halves α; ρ = 0.5). The absolute-value test ("thresholdMode":
 * "absolute") is used here because after a drop ω FALLS to its new, lower plateau: the signed test
 * (the UAI default) would drop again while it falls, before it saturates.
 * Everything is float64 and seeded (c_t from RandomStream(seed, streamId(general, 'NQM'))).
 */
import { AutoDropController, parseAutoDrop, type AutoDropInput } from '../optim/autodrop';
import { angle } from '../reference/autodrop';
import { nqmCurvatures, nqmTheoryAngle, simulateNqm, tailMean } from '../reference/nqm';
import { RandomStream, StreamPurpose, streamId } from '../rng/stream';

/** The spec's fixed learning rates. */
export const NQM_ALPHAS = [0.06, 0.03, 0.01, 0.001] as const;

/** Predicted saturation angle arccos(C*) (degrees) of GD at rate α on the NQM (Σ = I, d = 200). */
export function predictedAngle(alpha: number): number {
  return nqmTheoryAngle(alpha, nqmCurvatures());
}

/** Mean of each consecutive block of `block` values (a smoothed curve for plotting). */
export function blockMeans(values: ArrayLike<number>, block: number): number[] {
  const out: number[] = [];
  for (let start = 0; start + block <= values.length; start += block) {
    let sum = 0;
    for (let i = start; i < start + block; i++) sum += values[i];
    out.push(sum / block);
  }
  return out;
}

export interface FixedRateCurve {
  alpha: number;
  predicted: number;
  /** Mean ω of the last `tail` iterations. */
  measured: number;
  /** ω averaged over blocks of `block` iterations (for the chart). */
  curve: number[];
}

/**
 * GD at each fixed α on the same noise sequence, `iterations` steps from x₀ = 1: the measured
 * plateau (mean ω of the last `tail` iterations) next to the prediction.
 */
export function fixedRateAngles(options: { alphas?: readonly number[]; iterations?: number; tail?: number; block?: number; seed?: number } = {}): FixedRateCurve[] {
  const { alphas = NQM_ALPHAS, iterations = 20_000, tail = 2000, block = 100, seed = 0 } = options;
  const { angles } = simulateNqm({ alphas, iterations, seed });
  return alphas.map((alpha, r) => ({ alpha, predicted: predictedAngle(alpha), measured: tailMean(angles[r], tail), curve: blockMeans(angles[r], block) }));
}

/** The controller settings of the drop demo (see the module comment). */
export const NQM_AUTODROP: AutoDropInput = { window: 1, buffer: 50, rho: 0.5, threshold: 0.01, thresholdMode: 'absolute', smoothing: 'value', lrMin: 0.001, delay: 1 };

export interface NqmDrop {
  /** Iteration whose angle triggered the drop (the new α applies from the next iteration). */
  iteration: number;
  from: number;
  to: number;
  /** Mean ω of the `buffer` iterations before the drop. */
  angleBefore: number;
  /** Predicted plateau for the α in force before the drop. */
  predictedBefore: number;
}

export interface NqmAutoDropResult {
  drops: NqmDrop[];
  /** α in force at each block of `block` iterations (first iteration of the block). */
  alphaCurve: number[];
  /** ω averaged over blocks of `block` iterations. */
  angleCurve: number[];
  block: number;
}

/**
 * GD on the NQM from x₀ = 1 with α₀ = 0.06, the rate set by AutoDrop from the per-iteration ω.
 * Iteration t uses α_t, then ω_t = ∠(s_t, s_{t−1}) goes to the controller; a drop applies from t + 1.
 */
export function nqmAutoDrop(options: { iterations?: number; alpha0?: number; autodrop?: AutoDropInput; block?: number; seed?: number } = {}): NqmAutoDropResult {
  const { iterations = 12_000, alpha0 = 0.06, autodrop = NQM_AUTODROP, block = 100, seed = 0 } = options;
  const config = parseAutoDrop(autodrop);
  const controller = new AutoDropController(config, alpha0);
  const a = nqmCurvatures();
  const dim = a.length;
  const stream = new RandomStream(seed, streamId(StreamPurpose.general, 0x4e514d));
  const x = new Float64Array(dim).fill(1);
  const step = new Float64Array(dim);
  const previous = new Float64Array(dim);
  const recent: number[] = [];
  const drops: NqmDrop[] = [];
  const alphaCurve: number[] = [];
  const angleCurve: number[] = [];
  let blockSum = 0;
  let alpha = alpha0;
  for (let t = 0; t < iterations; t++) {
    if (t % block === 0) alphaCurve.push(alpha);
    for (let i = 0; i < dim; i++) {
      const c = stream.normal();
      step[i] = -alpha * a[i] * (x[i] - c);
      x[i] += step[i];
    }
    const omega = t > 0 ? angle(step, previous) : null;
    previous.set(step);
    if (omega !== null) {
      blockSum += omega;
      recent.push(omega);
      if (recent.length > config.buffer) recent.shift();
    }
    if ((t + 1) % block === 0) {
      angleCurve.push(blockSum / (t < block ? block - 1 : block));
      blockSum = 0;
    }
    const decision = controller.observeAngle(omega);
    if (decision.dropped && decision.lr !== alpha) {
      drops.push({ iteration: t, from: alpha, to: decision.lr, angleBefore: recent.reduce((s, v) => s + v, 0) / recent.length, predictedBefore: predictedAngle(alpha) });
      alpha = decision.lr;
    }
  }
  return { drops, alphaCurve, angleCurve, block };
}
