import { describe, expect, it } from 'vitest';
import { nqmCurvatures, nqmTheoryAngle, nqmTheoryCosine, simulateNqm, tailMean } from './nqm';

const alphas = [0.06, 0.03, 0.01, 0.001];

describe('noisy quadratic model (methods.md §3.6), float64', () => {
  it('Theorem 3.2: predicted angles for Σ = I and Σ = A⁻¹ match the spec table', () => {
    const a = nqmCurvatures();
    expect(a[0]).toBe(0.1);
    expect(a[199]).toBe(20);
    expect(alphas.map((alpha) => nqmTheoryAngle(alpha, a))).toBeAllClose([118.23, 103.28, 94.33, 90.43], { rtol: 0, atol: 0.005 });
    const inverse = Float64Array.from(a, (v) => 1 / v);
    expect(alphas.map((alpha) => nqmTheoryAngle(alpha, a, inverse))).toBeAllClose([115.6, 101.92, 93.87, 90.38], { rtol: 0, atol: 0.005 });
    expect(nqmTheoryCosine(0.06, a)).toBeLessThan(0);
    expect(() => nqmTheoryCosine(0.1, a)).toThrow(/diverges/);
  });

  it('Σ = I, x₀ = 1, 20 000 iterations: the mean angle of the last 2000 is within 0.5° of the prediction', () => {
    const { angles } = simulateNqm({ alphas, iterations: 20_000, seed: 0 });
    const predicted = alphas.map((alpha) => nqmTheoryAngle(alpha, nqmCurvatures()));
    alphas.forEach((alpha, run) => {
      expect(angles[run]).toHaveLength(19_999);
      const mean = tailMean(angles[run], 2000);
      expect(Math.abs(mean - predicted[run]), `α = ${alpha}: simulated ${mean}, predicted ${predicted[run]}`).toBeLessThan(0.5);
    });
  });

  it('Σ = A⁻¹: the same within 0.5°', () => {
    const a = nqmCurvatures();
    const variances = Float64Array.from(a, (v) => 1 / v);
    const { angles } = simulateNqm({ alphas, iterations: 20_000, variances, seed: 1 });
    alphas.forEach((alpha, run) => {
      const predicted = nqmTheoryAngle(alpha, a, variances);
      expect(Math.abs(tailMean(angles[run], 2000) - predicted), `α = ${alpha}`).toBeLessThan(0.5);
    });
  });

  it('keeps the trajectory tail: x_keepFrom … x_T, consistent with the angles', () => {
    const { angles, trajectory } = simulateNqm({ alphas: [0.03], iterations: 50, keepFrom: 45, dim: 7 });
    expect(trajectory[0]).toHaveLength(6);
    const s = (j: number) => trajectory[0][j].map((v, i) => v - trajectory[0][j - 1][i]);
    const cosine = (u: Float64Array, v: Float64Array) => u.reduce((acc, ui, i) => acc + ui * v[i], 0) / Math.hypot(...u) / Math.hypot(...v);
    // trajectory[0][j] = x_{45+j}: s(5) = x_50 − x_49 = s_49, s(4) = s_48, ω = ∠(s_49, s_48) = angles[48] (ε = 1e-12 there)
    expect((Math.acos(cosine(s(5), s(4))) * 180) / Math.PI).toBeCloseTo(angles[0][48], 6);
  });
});
