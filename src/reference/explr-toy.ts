/**
 * Float64 harness for Li & Arora's equivalence (methods.md §5.7): a scale-invariant toy loss
 * L(w) = G(w/‖w‖), G(u) = ½uᵀAu + bᵀu + ¼Σu_i⁴ (A random SPD, b random), and full-batch
 * momentum-SGD on it in the PyTorch or the Sutskever convention, with optional power-of-two
 * renormalization of (θ, buf) between steps (src/optim/explr.ts `renormalization`).
 */
import { RandomStream, StreamPurpose, streamId } from '../rng/stream';

export interface ScaleInvariantToy {
  dim: number;
  /** A, symmetric positive definite, row-major dim×dim. */
  matrix: Float64Array;
  /** b. */
  linear: Float64Array;
  /** θ_0 ~ N(0, I). */
  initial: Float64Array;
}

/** Stream tag of the toy (StreamPurpose.general, this tag): A, b and θ_0 come from it in that order. */
const TOY_STREAM_TAG = 0x5ca1e;

/** A = MMᵀ/d + I/10 with M_ij ~ N(0, 1), b ~ N(0, I), θ_0 ~ N(0, I), all from RandomStream(seed, streamId(general, tag)). */
export function makeScaleInvariantToy(seed: number, dim = 20): ScaleInvariantToy {
  const stream = new RandomStream(seed, streamId(StreamPurpose.general, TOY_STREAM_TAG));
  const factor = Float64Array.from({ length: dim * dim }, () => stream.normal());
  const matrix = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j < dim; j++) {
      let sum = 0;
      for (let k = 0; k < dim; k++) sum += factor[i * dim + k] * factor[j * dim + k];
      matrix[i * dim + j] = sum / dim + (i === j ? 0.1 : 0);
    }
  }
  const linear = Float64Array.from({ length: dim }, () => stream.normal());
  const initial = Float64Array.from({ length: dim }, () => stream.normal());
  return { dim, matrix, linear, initial };
}

function norm(w: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < w.length; i++) sum += w[i] * w[i];
  return Math.sqrt(sum);
}

/** L(w) = G(u), u = w/‖w‖, G(u) = ½uᵀAu + bᵀu + ¼Σu_i⁴. */
export function toyLoss(toy: ScaleInvariantToy, w: ArrayLike<number>): number {
  const { dim, matrix, linear } = toy;
  const length = norm(w);
  let loss = 0;
  for (let i = 0; i < dim; i++) {
    const ui = w[i] / length;
    let row = 0;
    for (let j = 0; j < dim; j++) row += matrix[i * dim + j] * (w[j] / length);
    loss += 0.5 * ui * row + linear[i] * ui + 0.25 * ui ** 4;
  }
  return loss;
}

/** ∇L(w) = (I − uuᵀ)∇G(u)/‖w‖ with ∇G(u) = Au + b + u³ (so ⟨∇L, w⟩ = 0 and ∇L(cw) = ∇L(w)/c). */
export function toyGradient(toy: ScaleInvariantToy, w: ArrayLike<number>, out = new Float64Array(toy.dim)): Float64Array {
  const { dim, matrix, linear } = toy;
  const length = norm(w);
  const u = Float64Array.from({ length: dim }, (_, i) => w[i] / length);
  let radial = 0;
  for (let i = 0; i < dim; i++) {
    let row = 0;
    for (let j = 0; j < dim; j++) row += matrix[i * dim + j] * u[j];
    out[i] = row + linear[i] + u[i] ** 3;
    radial += u[i] * out[i];
  }
  for (let i = 0; i < dim; i++) out[i] = (out[i] - radial * u[i]) / length;
  return out;
}

export interface MomentumRunOptions {
  steps: number;
  /** η_t of 0-based step t. */
  rate: (t: number) => number;
  /** λ, coupled: d_t = ∇L(θ_t) + λθ_t. */
  weightDecay: number;
  /** γ. */
  momentum: number;
  /** 'pytorch' (default): v_t = γv_{t−1} + d_t, θ_{t+1} = θ_t − η_t v_t; 'sutskever': v_t = γv_{t−1} + η_t d_t, θ_{t+1} = θ_t − v_t. */
  style?: 'pytorch' | 'sutskever';
  /** Renormalization before step t (and after the last): θ ← θ·theta, v_{t−1} ← v_{t−1}·momentum (renormalization(...).transition). */
  transition?: (t: number) => { theta: number; momentum: number };
}

export interface MomentumRun {
  /** θ_0 … θ_steps, each after that step's renormalization. */
  thetas: Float64Array[];
  /** L(θ_t) for t = 0 … steps. */
  losses: Float64Array;
}

/** Full-batch momentum-SGD on the toy from θ_0 = toy.initial, zero initial momentum (v_{−1} = 0). */
export function runMomentumSgd(toy: ScaleInvariantToy, options: MomentumRunOptions): MomentumRun {
  const { steps, rate, weightDecay, momentum, style = 'pytorch', transition } = options;
  const theta = Float64Array.from(toy.initial);
  const velocity = new Float64Array(toy.dim);
  const gradient = new Float64Array(toy.dim);
  const thetas: Float64Array[] = [];
  const losses = new Float64Array(steps + 1);
  for (let t = 0; t <= steps; t++) {
    if (transition) {
      const factors = transition(t);
      for (let i = 0; i < toy.dim; i++) {
        theta[i] *= factors.theta;
        velocity[i] *= factors.momentum;
      }
    }
    thetas.push(Float64Array.from(theta));
    losses[t] = toyLoss(toy, theta);
    if (t === steps) break;
    toyGradient(toy, theta, gradient);
    const eta = rate(t);
    for (let i = 0; i < toy.dim; i++) {
      const d = gradient[i] + weightDecay * theta[i];
      if (style === 'pytorch') {
        velocity[i] = momentum * velocity[i] + d;
        theta[i] -= eta * velocity[i];
      } else {
        velocity[i] = momentum * velocity[i] + eta * d;
        theta[i] -= velocity[i];
      }
    }
  }
  return { thetas, losses };
}
