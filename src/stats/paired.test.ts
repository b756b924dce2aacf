/**
 * The paired statistics against published worked examples and values computed independently:
 * R's documentation of wilcox.test (Hollander & Wolfe 1973, p. 29: depression scale before and after
 * treatment, V = 40, two-sided p = 0.0391) with the paired t-test of the same data (R t.test and
 * SciPy 1.17 ttest_rel: t = 3.0354, df = 8, p = 0.01618, 95 % CI [0.10378, 0.76000]); Cureton's
 * plant-height differences (stdlib's example: W⁺ = 96, exact p = 0.04126, as SciPy's wilcoxon);
 * R's p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03, 0.06, 0.06, 0.02; and a small fixture
 * worked by hand below.
 */
import { describe, expect, it } from 'vitest';
import { holm, meanInterval, MIN_PAIRS, pairedComparison } from './paired';

const before = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
const after = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];

describe('paired tests on worked examples', () => {
  it('Hollander & Wolfe: paired t-test and signed-rank test as R and SciPy', () => {
    const result = pairedComparison(before, after);
    expect(result.n).toBe(9);
    expect(result.difference.mean).toBeCloseTo(0.4318889, 6);
    expect(result.difference.sd).toBeCloseTo(0.4268555, 6);
    expect(result.difference.low).toBeCloseTo(0.1037787, 6);
    expect(result.difference.high).toBeCloseTo(0.7599991, 6);
    expect(result.tTest.statistic).toBeCloseTo(3.0353754, 6);
    expect(result.tTest.p).toBeCloseTo(0.0161766, 6);
    expect(result.wilcoxon.statistic).toBe(40);
    expect(result.wilcoxon.p).toBeCloseTo(0.0390625, 10); // exact: 20/512
    expect(result.effectSize).toBeCloseTo(0.4318889 / 0.4268555, 6);
  });

  it("Cureton's differences: the signed-rank test against zero (one sample = pairs with zeros)", () => {
    const differences = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75];
    const result = pairedComparison(differences, differences.map(() => 0));
    expect(result.wilcoxon.statistic).toBe(96);
    expect(result.wilcoxon.p).toBeCloseTo(0.041259765625, 10);
  });

  it("Holm's adjustment as R's p.adjust; tests without a p-value stay out of the family", () => {
    expect(holm([0.01, 0.04, 0.03, 0.005])).toEqual([0.03, 0.06, 0.06, 0.02]);
    const adjusted = holm([0.01, null, 0.04]);
    expect(adjusted[1]).toBeNull();
    expect(adjusted[0]).toBeCloseTo(0.02, 12);
    expect(adjusted[2]).toBeCloseTo(0.04, 12);
    expect(holm([null, null])).toEqual([null, null]);
  });
});

describe('a fixture worked by hand', () => {
  // Six replicates; differences d = method − reference = [20, 10, −5, 30, 15, 40].
  const reference = [100, 140, 95, 170, 100, 130];
  const method = [120, 150, 90, 200, 115, 170];
  // mean(d) = 110/6 = 18.3333; Σ(d − mean)² = 1233.333, sd = √(1233.333/5) = 15.70563;
  // se = sd/√6 = 6.411795; t = 18.3333/6.411795 = 2.859314 on 5 df; t_{0.975,5} = 2.570582,
  // so the 95 % interval is 18.3333 ∓ 16.48204 = [1.85129, 34.81538]; d_z = 18.3333/15.70563 = 1.167310.
  // Signed ranks of |d| = 5, 10, 15, 20, 30, 40: 1 … 6, negative only the 1 (d = −5): W⁺ = 20,
  // and P(W⁺ ≥ 20) = P(W⁻ ≤ 1) = 2/64 for n = 6, so the two-sided p = 4/64 = 0.0625.
  it('mean difference, interval, t, W⁺, exact p and effect size', () => {
    const result = pairedComparison(method, reference);
    expect(result.difference.mean).toBeCloseTo(18.333333, 5);
    expect(result.difference.sd).toBeCloseTo(15.70563, 5);
    expect(result.difference.low).toBeCloseTo(1.85129, 5);
    expect(result.difference.high).toBeCloseTo(34.81538, 5);
    expect(result.tTest.statistic).toBeCloseTo(2.859314, 5);
    expect(result.tTest.p).toBeCloseTo(0.0354349, 6); // SciPy ttest_rel
    expect(result.wilcoxon.statistic).toBe(20);
    expect(result.wilcoxon.p).toBeCloseTo(0.0625, 12);
    expect(result.effectSize).toBeCloseTo(1.16731, 5);
  });

  it('says which test lacks replicates instead of giving a p-value; drops pairs with a non-finite value', () => {
    const three = pairedComparison(method.slice(0, 3), reference.slice(0, 3));
    expect(three.tTest.p).not.toBeNull();
    expect(three.wilcoxon).toEqual({ p: null, statistic: Number.NaN, note: `needs ≥ ${MIN_PAIRS.wilcoxon} pairs (has 3)` });
    const one = pairedComparison([1], [2]);
    expect(one.tTest.note).toBe('needs ≥ 2 pairs (has 1)');
    expect(Number.isNaN(one.difference.low)).toBe(true);
    const dropped = pairedComparison([...method, Number.NaN], [...reference, 3]);
    expect(dropped.n).toBe(6);
    expect(dropped.tTest.p).toBeCloseTo(0.0354349, 6);
    const same = pairedComparison([1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6]);
    expect(same.wilcoxon.note).toBe('every difference is 0');
    expect(same.tTest.p).toBeNull();
  });

  it('a mean with its t interval', () => {
    const stats = meanInterval([2, 4, 6, Number.NaN]);
    expect(stats).toMatchObject({ n: 3, mean: 4, sd: 2 });
    expect(stats.high - stats.mean).toBeCloseTo(4.302653 * (2 / Math.sqrt(3)), 5); // t_{0.975,2} = 4.302653
  });
});
