/**
 * Float64 reference of AutoDrop's batch angular velocity (methods.md §3.1, Def. 3.3): the oracle of
 * the GPU angle path (src/optim/autodrop-gpu.ts, shaders/angle.wgsl). Parameter vectors here are the
 * whole model's trainable parameters of one run, concatenated (trainableVector).
 */
import type { ParamLayout, StackedTensor } from '../gpu/param-layout';
import type { WindowDots } from '../optim/autodrop';

/** aᵀb */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`dot: lengths ${a.length} and ${b.length} differ`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** ∠(a, b) = (180/π)·acos(clamp(aᵀb / (‖a‖‖b‖ + ε), −1, 1)) in degrees (eq. 2/8), ε = 1e-12 by default. */
export function angle(a: ArrayLike<number>, b: ArrayLike<number>, epsilon = 1e-12): number {
  const cosine = dot(a, b) / (Math.sqrt(dot(a, a)) * Math.sqrt(dot(b, b)) + epsilon);
  return (180 / Math.PI) * Math.acos(Math.min(1, Math.max(-1, cosine)));
}

/** a − b */
export function difference(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  if (a.length !== b.length) throw new Error(`difference: lengths ${a.length} and ${b.length} differ`);
  return Float64Array.from(a, (v, i) => v - b[i]);
}

/** Window means yᵢ = (1/k)·Σ_{j<k} x_{ik+j} of a trajectory x₀, x₁, … (a trailing partial window is dropped). */
export function windowMeans(trajectory: ReadonlyArray<ArrayLike<number>>, k: number): Float64Array[] {
  if (!Number.isInteger(k) || k < 1) throw new Error(`window must be a positive integer (got ${k})`);
  const means: Float64Array[] = [];
  for (let start = 0; start + k <= trajectory.length; start += k) {
    const mean = new Float64Array(trajectory[start].length);
    for (let j = 0; j < k; j++) {
      const x = trajectory[start + j];
      for (let i = 0; i < mean.length; i++) mean[i] += x[i];
    }
    for (let i = 0; i < mean.length; i++) mean[i] /= k;
    means.push(mean);
  }
  return means;
}

/** Displacements sᵢ = yᵢ − yᵢ₋₁ (i ≥ 1) of a sequence of points. */
export function displacements(points: ReadonlyArray<ArrayLike<number>>): Float64Array[] {
  return points.slice(1).map((y, i) => difference(y, points[i]));
}

/**
 * Per window i of the trajectory: null for i < 2 (no s_{i−1} yet), else (sᵢᵀsᵢ₋₁, ‖sᵢ‖², ‖sᵢ₋₁‖²)
 * with sᵢ = yᵢ − yᵢ₋₁ of the window means. What the GPU reduces at the end of window i.
 */
export function windowDots(trajectory: ReadonlyArray<ArrayLike<number>>, k: number): Array<WindowDots | null> {
  const means = windowMeans(trajectory, k);
  const steps = displacements(means);
  return means.map((_, i) =>
    i < 2 ? null : { dot: dot(steps[i - 1], steps[i - 2]), normSq: dot(steps[i - 1], steps[i - 1]), prevNormSq: dot(steps[i - 2], steps[i - 2]) },
  );
}

/** Batch angular velocities ωᵢ = ∠(sᵢ, sᵢ₋₁) of window means (Def. 3.3); entry i belongs to window i + 2. */
export function windowAngles(trajectory: ReadonlyArray<ArrayLike<number>>, k: number, epsilon = 1e-12): number[] {
  const steps = displacements(windowMeans(trajectory, k));
  return steps.slice(1).map((s, i) => angle(s, steps[i], epsilon));
}

/** One run's trainable parameters from a stacked array, concatenated in tensor order (float64). */
export function trainableVector(stacked: ArrayLike<number>, layout: ParamLayout, tensors: readonly Pick<StackedTensor, 'trainable'>[], run: number): Float64Array {
  const parts: number[] = [];
  tensors.forEach((tensor, t) => {
    if (!tensor.trainable) return;
    const slot = layout.slots[t];
    const start = slot.offset + run * slot.runStride;
    for (let i = 0; i < slot.size; i++) parts.push(stacked[start + i]);
  });
  return Float64Array.from(parts);
}
