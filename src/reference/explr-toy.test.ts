/**
 * methods.md §5.7 in float64: momentum-SGD with weight decay under step decay (run A) and without
 * weight decay under the exact exp-LR schedule (run B) stay parallel, θ_t = c_t·θ̃_t, on a
 * scale-invariant toy; power-of-two renormalization changes nothing; Sutskever momentum is not exact.
 */
import { describe, expect, it } from 'vitest';
import { exactExpSchedule, expLrRoots, phaseRates, renormalization } from '../optim/explr';
import { makeScaleInvariantToy, runMomentumSgd, toyGradient, toyLoss, type MomentumRun } from './explr-toy';

const [lambda, gamma, steps] = [5e-4, 0.9, 3000];
const stepDecay = phaseRates([
  { start: 0, lr: 0.1 },
  { start: 1500, lr: 0.01 },
]);
const toy = makeScaleInvariantToy(2024);

/** max_t ‖θ_t − c_t θ̃_t‖/‖θ_t‖, min_t cos(θ_t, θ̃_t), max_t |L(θ_t) − L(θ̃_t)|. */
function compare(a: MomentumRun, b: MomentumRun, scale: (t: number) => number) {
  let maxRelative = 0;
  let minCosine = 1;
  let maxLossGap = 0;
  a.thetas.forEach((theta, t) => {
    const other = b.thetas[t];
    const c = scale(t);
    let [diff, na, nb, dot] = [0, 0, 0, 0];
    for (let i = 0; i < theta.length; i++) {
      diff += (theta[i] - c * other[i]) ** 2;
      na += theta[i] ** 2;
      nb += other[i] ** 2;
      dot += theta[i] * other[i];
    }
    maxRelative = Math.max(maxRelative, Math.sqrt(diff / na));
    minCosine = Math.min(minCosine, dot / Math.sqrt(na * nb));
    maxLossGap = Math.max(maxLossGap, Math.abs(a.losses[t] - b.losses[t]));
  });
  return { maxRelative, minCosine, maxLossGap };
}

describe('scale-invariant toy', () => {
  it('L(cw) = L(w), ⟨∇L(w), w⟩ = 0, ∇L(cw) = ∇L(w)/c, and ∇L matches central differences', () => {
    const w = toy.initial;
    const scaled = w.map((x) => 3.7 * x);
    expect(Math.abs(toyLoss(toy, scaled) - toyLoss(toy, w))).toBeLessThan(1e-13);
    const gradient = toyGradient(toy, w);
    expect(Math.abs(gradient.reduce((sum, g, i) => sum + g * w[i], 0))).toBeLessThan(1e-13);
    expect(toyGradient(toy, scaled)).toBeAllClose(gradient.map((g) => g / 3.7), { rtol: 1e-12, atol: 1e-15 });
    const h = 1e-6;
    const numeric = Array.from(w, (_, i) => {
      const plus = Float64Array.from(w);
      const minus = Float64Array.from(w);
      plus[i] += h;
      minus[i] -= h;
      return (toyLoss(toy, plus) - toyLoss(toy, minus)) / (2 * h);
    });
    expect(gradient).toBeAllClose(numeric, { rtol: 1e-6, atol: 1e-9 });
  });

  it('is reproducible from its seed (A symmetric positive definite, d = 20)', () => {
    const again = makeScaleInvariantToy(2024);
    expect(again.matrix).toEqual(toy.matrix);
    expect(again.linear).toEqual(toy.linear);
    expect(makeScaleInvariantToy(2025).linear).not.toEqual(toy.linear);
    for (let i = 0; i < toy.dim; i++) {
      for (let j = 0; j < toy.dim; j++) expect(toy.matrix[i * toy.dim + j]).toBe(toy.matrix[j * toy.dim + i]);
    }
    // Positive definite: Cholesky succeeds.
    const { dim, matrix } = toy;
    const lower = new Float64Array(dim * dim);
    for (let i = 0; i < dim; i++) {
      for (let j = 0; j <= i; j++) {
        let sum = matrix[i * dim + j];
        for (let k = 0; k < j; k++) sum -= lower[i * dim + k] * lower[j * dim + k];
        if (i === j) {
          expect(sum).toBeGreaterThan(0);
          lower[i * dim + i] = Math.sqrt(sum);
        } else lower[i * dim + j] = sum / lower[j * dim + j];
      }
    }
  });
});

describe('Li & Arora equivalence, float64 (§5.7)', () => {
  const exact = exactExpSchedule(stepDecay, lambda, gamma);
  const runA = runMomentumSgd(toy, { steps, rate: stepDecay, weightDecay: lambda, momentum: gamma });
  const runB = runMomentumSgd(toy, { steps, rate: (t) => exact.rate(t), weightDecay: 0, momentum: gamma });

  it('η̃ at t = 0, 1, 2, 1499 (spec: "1499", i.e. η̃_1498), 1500', () => {
    expect(Math.abs(exact.rate(0) / 0.100005 - 1)).toBeLessThan(1e-6);
    expect(Math.abs(exact.rate(1) / 0.1000195 - 1)).toBeLessThan(1e-6);
    expect(Math.abs(exact.rate(2) / 0.10004256 - 1)).toBeLessThan(1e-7);
    expect(Math.abs(exact.rate(1498) / 0.4466363 - 1)).toBeLessThan(1e-7);
    expect(Math.abs(exact.rate(1500) / 0.04473324 - 1)).toBeLessThan(1e-7);
  });

  it('PyTorch momentum: ‖θ_t − c_t θ̃_t‖/‖θ_t‖ ≤ 1e-10, min cosine ≥ 1 − 1e-12, identical losses, over 3000 steps', () => {
    const { maxRelative, minCosine, maxLossGap } = compare(runA, runB, (t) => exact.scale(t));
    expect(maxRelative).toBeLessThanOrEqual(1e-10);
    expect(minCosine).toBeGreaterThanOrEqual(1 - 1e-12);
    expect(maxLossGap).toBeLessThanOrEqual(1e-12);
    // The run did move: the loss fell, and θ̃ grew while θ (with weight decay) did not blow up.
    expect(runA.losses[steps]).toBeLessThan(runA.losses[0] - 0.1);
    const norm = (w: Float64Array) => Math.hypot(...w);
    expect(norm(runB.thetas[steps]) / norm(runA.thetas[steps])).toBeCloseTo(1 / exact.scale(steps), 8);
  });

  it('plain SGD (γ = 0) too: c_{t+1} = (1 − η_t λ)c_t', () => {
    const plain = exactExpSchedule(stepDecay, lambda, 0);
    const a = runMomentumSgd(toy, { steps: 2000, rate: stepDecay, weightDecay: lambda, momentum: 0 });
    const b = runMomentumSgd(toy, { steps: 2000, rate: (t) => plain.rate(t), weightDecay: 0, momentum: 0 });
    expect(compare(a, b, (t) => plain.scale(t)).maxRelative).toBeLessThanOrEqual(1e-10);
    expect(plain.rate(0)).toBeCloseTo(0.1 / expLrRoots(0.1, lambda, 0).alpha, 15);
  });

  it('power-of-two renormalization leaves the trajectory bit-identical up to 2^k (λ 5e-3: η̃ grows ~e^30)', () => {
    const strong = 5e-3;
    const schedule = exactExpSchedule(stepDecay, strong, gamma);
    const plan = renormalization(schedule, 1);
    const plainB = runMomentumSgd(toy, { steps, rate: (t) => schedule.rate(t), weightDecay: 0, momentum: gamma });
    const renormB = runMomentumSgd(toy, {
      steps,
      rate: (t) => plan.rate(t),
      weightDecay: 0,
      momentum: gamma,
      transition: (t) => plan.transition(t),
    });
    expect(plan.exponent(steps)).toBeGreaterThan(5);
    let mismatches = 0;
    renormB.thetas.forEach((theta, t) => {
      const k = plan.exponent(t);
      theta.forEach((x, i) => {
        if (x * 2 ** k !== plainB.thetas[t][i]) mismatches++;
      });
    });
    expect(mismatches).toBe(0);
    expect(Math.max(...renormB.thetas[steps].map(Math.abs))).toBeLessThan(1e3);
  });

  it('the equivalence holds at λ 2e-3 too (at 5e-3 this toy passes a saddle where 1e-14 perturbations grow to 1e-2)', () => {
    const schedule = exactExpSchedule(stepDecay, 2e-3, gamma);
    const a = runMomentumSgd(toy, { steps, rate: stepDecay, weightDecay: 2e-3, momentum: gamma });
    const b = runMomentumSgd(toy, { steps, rate: (t) => schedule.rate(t), weightDecay: 0, momentum: gamma });
    expect(compare(a, b, (t) => schedule.scale(t)).maxRelative).toBeLessThanOrEqual(1e-10);
  });

  it('Sutskever-style momentum (v = γv + ηd, θ −= v) is NOT exact under the same η̃ (relative error ≫ 1e-6)', () => {
    const a = runMomentumSgd(toy, { steps, rate: stepDecay, weightDecay: lambda, momentum: gamma, style: 'sutskever' });
    const b = runMomentumSgd(toy, { steps, rate: (t) => exact.rate(t), weightDecay: 0, momentum: gamma, style: 'sutskever' });
    const { maxRelative } = compare(a, b, (t) => exact.scale(t));
    expect(maxRelative).toBeGreaterThan(1e-4);
  });
});
