/**
 * Paired statistics across replicates, for the page and the CLI alike. Replicate r of every run of
 * an experiment shares init, data order and draws, so a method and a reference are compared pair by
 * pair: d_r = method_r − reference_r. The tests come from stdlib (@stdlib/stats-ttest: the paired
 * t-test; @stdlib/stats-wilcoxon: the signed-rank test, exact below 50 pairs without ties;
 * @stdlib/stats-padjust: Holm), checked against published worked examples (paired.test.ts).
 */
import ttest from '@stdlib/stats-ttest';
import wilcoxon from '@stdlib/stats-wilcoxon';
import padjust from '@stdlib/stats-padjust';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/**
 * Fewest pairs a test needs. The t-test: 2 (one degree of freedom). The signed-rank test: 6, since
 * with n pairs its smallest two-sided p-value is 2/2ⁿ, which reaches 0.05 only from n = 6 on.
 */
export const MIN_PAIRS = { tTest: 2, wilcoxon: 6 } as const;

/** A mean with its confidence interval over replicates (t-based). */
export interface MeanInterval {
  /** Finite values used. */
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1). */
  sd: number;
  /** mean ∓ t_{(1+level)/2, n−1}·sd/√n; NaN with fewer than 2 values. */
  low: number;
  high: number;
}

/** The outcome of one test: its p-value, or why there is none. */
export interface TestResult {
  /** Two-sided p-value; null when the test cannot be run (see `note`). */
  p: number | null;
  /** t, or the signed-rank statistic W⁺ (sum of the ranks of the positive differences). */
  statistic: number;
  /** Why there is no p-value ("needs ≥ 6 pairs (has 3)", "every difference is 0"). */
  note?: string;
}

/** A paired comparison of a method with a reference over replicates. */
export interface PairedResult {
  /** Pairs where both values are finite. */
  n: number;
  /** Mean of d_r = method_r − reference_r, with its 95 % interval. */
  difference: MeanInterval;
  tTest: TestResult;
  wilcoxon: TestResult;
  /** Effect size d_z = mean(d)/sd(d) (Cohen's d of paired differences); NaN when sd = 0 or n < 2. */
  effectSize: number;
}

/** The t distribution's `p` quantile at `df` degrees of freedom, computed once per pair (a live sweep view asks for the same few thousands of times). */
const tQuantiles = new Map<string, number>();
function tQuantileOnce(p: number, df: number): number {
  const key = `${p}|${df}`;
  let q = tQuantiles.get(key);
  if (q === undefined) tQuantiles.set(key, (q = tQuantile(p, df)));
  return q;
}

/** Mean, sample sd and the `level` confidence interval of the finite `values`: mean ∓ t·sd/√n. */
export function meanInterval(values: readonly number[], level = 0.95): MeanInterval {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) {
      n++;
      sum += values[i];
    }
  }
  if (n === 0) return { n, mean: Number.NaN, sd: Number.NaN, low: Number.NaN, high: Number.NaN };
  const mean = sum / n;
  if (n < 2) return { n, mean, sd: Number.NaN, low: Number.NaN, high: Number.NaN };
  let squares = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) squares += (values[i] - mean) ** 2;
  const sd = Math.sqrt(squares / (n - 1));
  const half = tQuantileOnce((1 + level) / 2, n - 1) * (sd / Math.sqrt(n));
  return { n, mean, sd, low: mean - half, high: mean + half };
}

/** The pairs of `method` and `reference` (same replicate order) where both are finite. */
function finitePairs(method: readonly number[], reference: readonly number[]): [number[], number[]] {
  const x: number[] = [];
  const y: number[] = [];
  for (let r = 0; r < Math.min(method.length, reference.length); r++) {
    if (Number.isFinite(method[r]) && Number.isFinite(reference[r])) {
      x.push(method[r]);
      y.push(reference[r]);
    }
  }
  return [x, y];
}

/** The paired t-test of x − y (stdlib): t = mean(d)/(sd(d)/√n), n − 1 degrees of freedom. */
function pairedT(x: number[], y: number[]): TestResult {
  if (x.length < MIN_PAIRS.tTest) return { p: null, statistic: Number.NaN, note: `needs ≥ ${MIN_PAIRS.tTest} pairs (has ${x.length})` };
  const result = ttest(x, y);
  if (!Number.isFinite(result.pValue)) return { p: null, statistic: result.statistic, note: 'every difference is the same: no variance to test' };
  return { p: probability(result.pValue), statistic: result.statistic };
}

/** The Wilcoxon signed-rank test of x − y (stdlib; zero differences dropped, as R's default). */
function signedRank(x: number[], y: number[]): TestResult {
  if (x.length < MIN_PAIRS.wilcoxon) return { p: null, statistic: Number.NaN, note: `needs ≥ ${MIN_PAIRS.wilcoxon} pairs (has ${x.length})` };
  if (x.every((value, i) => value === y[i])) return { p: null, statistic: Number.NaN, note: 'every difference is 0' };
  const result = wilcoxon(x, y);
  return { p: probability(result.pValue), statistic: result.statistic };
}

/** A p-value within [0, 1] (the normal approximation can round past 1: 1.0000000000000002). */
const probability = (p: number) => Math.min(1, Math.max(0, p));

/** Compares `method` with `reference`, replicate by replicate (pairs with a non-finite value are dropped). */
export function pairedComparison(method: readonly number[], reference: readonly number[]): PairedResult {
  const [x, y] = finitePairs(method, reference);
  const difference = meanInterval(x.map((value, i) => value - y[i]));
  return {
    n: x.length,
    difference,
    tTest: pairedT(x, y),
    wilcoxon: signedRank(x, y),
    effectSize: difference.sd > 0 ? difference.mean / difference.sd : Number.NaN,
  };
}

/**
 * Holm's step-down adjustment of the p-values of a family of tests (stdlib padjust 'holm'):
 * sorted p₍₁₎ ≤ … ≤ p₍ₘ₎ become max_{j≤i} min(1, (m − j + 1)·p₍ⱼ₎). Entries without a p-value
 * (null) are left out of the family and stay null.
 */
export function holm(pValues: ReadonlyArray<number | null>): Array<number | null> {
  const present = pValues.flatMap((p, index) => (p === null ? [] : [index]));
  if (present.length === 0) return pValues.map(() => null);
  const adjusted = padjust(present.map((index) => Math.min(1, Math.max(0, pValues[index] as number))), 'holm');
  const out: Array<number | null> = pValues.map(() => null);
  present.forEach((index, k) => (out[index] = adjusted[k]));
  return out;
}
