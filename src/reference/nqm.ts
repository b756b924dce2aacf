/**
 * The noisy quadratic model of AutoDrop's analysis (methods.md §3.6), in float64:
 *   L(x) = ½(x − c)ᵀA(x − c),  x ∈ ℝᵈ (d = 200),  A = diag(aᵢ), aᵢ = i/10,  c_t ~ N(0, Σ) redrawn every iteration,
 *   GD: x_{t+1} = x_t − αA(x_t − c_t),  s_t = x_{t+1} − x_t,  ω_t = ∠(s_t, s_{t−1}) per iteration.
 * Theorem 3.2 (with the ½ of the supplement's eq. 23): cos ω → C* = −(α/2)·Σ aᵢ³σᵢ²/(2−αaᵢ) / Σ aᵢ²σᵢ²/(2−αaᵢ).
 */
import { RandomStream, StreamPurpose, streamId } from '../rng/stream';
import { angle } from './autodrop';

/** Stream tag of the NQM noise (StreamPurpose.general, this tag, replicate). */
const NQM_STREAM_TAG = 0x4e514d;

/** aᵢ = i/10 for i = 1..dim (the paper's A = diag(1/10, …, 200/10)). */
export function nqmCurvatures(dim = 200): Float64Array {
  return Float64Array.from({ length: dim }, (_, i) => (i + 1) / 10);
}

/** C* = −(α/2)·Σ aᵢ³σᵢ²/(2−αaᵢ) / Σ aᵢ²σᵢ²/(2−αaᵢ), the limit of cos ω (needs αaᵢ < 2: stable GD). */
export function nqmTheoryCosine(alpha: number, curvatures: ArrayLike<number>, variances?: ArrayLike<number>): number {
  let numerator = 0;
  let denominator = 0;
  for (let i = 0; i < curvatures.length; i++) {
    const a = curvatures[i];
    if (!(alpha * a < 2)) throw new Error(`NQM: α·a = ${alpha * a} >= 2 diverges`);
    const weight = (variances ? variances[i] : 1) / (2 - alpha * a);
    numerator += a * a * a * weight;
    denominator += a * a * weight;
  }
  return (-(alpha / 2) * numerator) / denominator;
}

/** The limit angle arccos(C*) in degrees (∈ [90°, 120°] for stable α). */
export function nqmTheoryAngle(alpha: number, curvatures: ArrayLike<number>, variances?: ArrayLike<number>): number {
  return (180 / Math.PI) * Math.acos(nqmTheoryCosine(alpha, curvatures, variances));
}

export interface NqmOptions {
  /** Learning rates simulated side by side on the SAME noise sequence c_t (one trajectory each). */
  alphas: readonly number[];
  iterations: number;
  dim?: number;
  /** Diagonal of Σ (default I). */
  variances?: ArrayLike<number>;
  /** x₀ = this value in every coordinate (default 1). */
  start?: number;
  seed?: number;
  /** Keep x_t for t ≥ keepFrom (as float64 copies) in `trajectory` (default: keep none). */
  keepFrom?: number;
}

export interface NqmResult {
  /** angles[r][t − 1] = ω_t = ∠(s_t, s_{t−1}) for t = 1..iterations−1, α = alphas[r]. */
  angles: Float64Array[];
  /** trajectory[r][j] = x_{keepFrom + j} (x_0 … x_iterations exist). */
  trajectory: Float64Array[][];
}

/**
 * Simulates `iterations` GD steps of the NQM for every α: c_t ~ N(0, Σ) from
 * RandomStream(seed, streamId(general, NQM tag)), shared by all α; per-iteration angles in degrees.
 */
export function simulateNqm(options: NqmOptions): NqmResult {
  const { alphas, iterations, dim = 200, start = 1, seed = 0, keepFrom = Infinity } = options;
  const curvatures = nqmCurvatures(dim);
  const stdevs = Float64Array.from({ length: dim }, (_, i) => Math.sqrt(options.variances ? options.variances[i] : 1));
  const stream = new RandomStream(seed, streamId(StreamPurpose.general, NQM_STREAM_TAG));
  const xs = alphas.map(() => new Float64Array(dim).fill(start));
  const previous = alphas.map(() => new Float64Array(dim));
  const current = alphas.map(() => new Float64Array(dim));
  const angles = alphas.map(() => new Float64Array(Math.max(iterations - 1, 0)));
  const trajectory: Float64Array[][] = alphas.map(() => []);
  const noise = new Float64Array(dim);
  for (let t = 0; t < iterations; t++) {
    if (t >= keepFrom) xs.forEach((x, r) => trajectory[r].push(Float64Array.from(x)));
    for (let i = 0; i < dim; i++) noise[i] = stdevs[i] * stream.normal();
    alphas.forEach((alpha, r) => {
      const x = xs[r];
      const s = current[r];
      for (let i = 0; i < dim; i++) {
        s[i] = -alpha * curvatures[i] * (x[i] - noise[i]);
        x[i] += s[i];
      }
      if (t > 0) angles[r][t - 1] = angle(s, previous[r]);
      previous[r].set(s);
    });
  }
  if (iterations >= keepFrom) xs.forEach((x, r) => trajectory[r].push(Float64Array.from(x)));
  return { angles, trajectory };
}

/** Mean of the last `count` entries. */
export function tailMean(values: ArrayLike<number>, count: number): number {
  const from = Math.max(values.length - count, 0);
  let sum = 0;
  for (let i = from; i < values.length; i++) sum += values[i];
  return sum / (values.length - from);
}
