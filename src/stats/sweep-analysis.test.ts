/** The sweep analysis on a small fixture: groups, sensitivity (best and tolerance range), the paired table with Holm, the difference curve. */
import { describe, expect, it } from 'vitest';
import type { MetricRecord } from '../experiment/records';
import { asRun, asStep } from '../util/ids';
import { OutcomeTracker, runOutcome, type RunOutcome } from './run-outcome';
import { differenceCurve, groupRuns, pairedTable, sensitivity, toleranceRange, type SweepRun } from './sweep-analysis';

const RATES = [0.01, 0.1, 1];
const REPLICATES = 6;
// Three methods × three rates × six replicates, expanded as expandRuns does (method, point, replicate).
const runs: SweepRun[] = ['Base', 'LRD', 'LEAP'].flatMap((label, method) =>
  RATES.flatMap((lr, point) => Array.from({ length: REPLICATES }, (_, replicate) => ({ label, method, point, replicate, swept: { lr } }))),
);
const reference = [100, 140, 95, 170, 100, 130];
/** Steps to a target loss (lower is better), by method and rate: the hand-worked fixture of paired.test.ts at LRD lr 0.1. */
const values: number[][][] = [
  [reference.map((v) => v + 50), reference, reference.map((v) => v + 90)],
  [reference.map((v) => v + 60), [120, 150, 90, 200, 115, 170], reference.map((v) => v + 200)],
  [reference.map((v) => v - 3), reference.map((v, r) => v + (r % 2 ? 1 : -1)), reference.map((v) => v + 10)],
];
const outcomes: RunOutcome[] = runs.map((run) => {
  const value = values[run.method][run.point!][run.replicate];
  return { step: 100, finalTestAccuracy: 0, bestTestAccuracy: 0, finalTrainLoss: value, finalTestLoss: value, stepsToTarget: value, diverged: false };
});
const groups = groupRuns(runs);

describe('sweep analysis', () => {
  it('groups the runs by method and point, replicates in order', () => {
    expect(groups).toHaveLength(9);
    expect(groups[4]).toMatchObject({ key: '1:1', method: 1, point: 1, label: 'LRD lr=0.1', methodLabel: 'LRD', swept: { lr: 0.1 }, runs: [24, 25, 26, 27, 28, 29] });
  });

  it('sensitivity: mean over replicates per rate, the best rate, the rates within the tolerance', () => {
    const series = sensitivity(groups, outcomes, 'finalTrainLoss', 'lr', 0.3);
    expect(series.map((line) => line.label)).toEqual(['Base', 'LRD', 'LEAP']);
    const base = series[0];
    expect(base.points.map((point) => point.x)).toEqual(RATES);
    expect(base.points[1].stats.mean).toBeCloseTo(122.5, 12); // mean of the reference
    expect(base.best).toBe(1);
    // |172.5 − 122.5| = 50 ≤ 0.3·122.5 = 36.75? no; |212.5 − 122.5| no: only the best.
    expect(base.withinTolerance).toEqual([1]);
    expect(series[2].best).toBe(0); // LEAP: 119.5 < 122.5
    expect(series[2].withinTolerance).toEqual([0, 1, 2]); // 132.5 − 119.5 = 13 ≤ 35.85
    expect(toleranceRange([1, 0.9, 0.5, 0.95], 0, 0.12)).toEqual([0, 1]); // contiguous from the best only
  });

  it('the paired table: each method at the reference rate or at its best, p-values corrected by Holm', () => {
    const ref = groups.find((group) => group.key === '0:1')!;
    const same = pairedTable(groups, outcomes, 'finalTrainLoss', ref, 'same');
    expect(same.map((row) => row.group.key)).toEqual(['1:1', '2:1']);
    const lrd = same[0].result;
    expect(lrd.difference.mean).toBeCloseTo(18.333333, 5); // the hand-worked fixture
    expect(lrd.tTest.p).toBeCloseTo(0.0354349, 6);
    const leap = same[1].result;
    expect(leap.difference.mean).toBe(0); // ±1 alternating
    // Holm over two tests: the smaller p doubled, the larger kept (at least the smaller's).
    const [pa, pb] = [lrd.tTest.p!, leap.tTest.p!];
    expect(same[0].tTestHolm).toBeCloseTo(Math.min(1, 2 * Math.min(pa, pb)), 12);
    expect(same[1].tTestHolm).toBeCloseTo(Math.max(2 * Math.min(pa, pb), pb), 12);
    const best = pairedTable(groups, outcomes, 'finalTrainLoss', ref, 'best');
    expect(best.map((row) => row.group.key)).toEqual(['1:1', '2:0']); // LRD is best at 0.1, LEAP at 0.01
    expect(best[1].result.difference.mean).toBe(-3);
  });

  it('the paired difference curve over steps, with its interval', () => {
    const record = (run: number, step: number, trainLoss: number): MetricRecord => ({ run: asRun(run), step: asStep(step), epoch: 0, trainLoss, trainAccuracy: 0, lr: 0.1, lrExpected: 0.1, diverged: false, wallMs: 0 });
    const records: MetricRecord[][] = runs.map(() => []);
    const ref = groups.find((group) => group.key === '0:1')!;
    const lrd = groups.find((group) => group.key === '1:1')!;
    ref.runs.forEach((run, r) => records[run].push(record(run, 10, reference[r]), record(run, 20, 1)));
    lrd.runs.forEach((run, r) => records[run].push(record(run, 10, values[1][1][r]), record(run, 20, 1)));
    const curve = differenceCurve(records, lrd, ref, 'trainLoss');
    expect(curve.map((point) => point.step)).toEqual([10, 20]);
    expect(curve[0].mean).toBeCloseTo(18.333333, 5);
    expect(curve[0].low).toBeCloseTo(1.85129, 5);
    expect(curve[1]).toMatchObject({ n: 6, mean: 0, low: 0, high: 0 });
  });

  it('a run outcome: last evaluation, best accuracy, last train loss, steps to the target, divergence', () => {
    const r = (step: number, fields: Partial<MetricRecord>): MetricRecord => ({ run: asRun(0), step: asStep(step), epoch: 0, trainLoss: 1, trainAccuracy: 0, lr: 0.1, lrExpected: 0.1, diverged: false, wallMs: 0, ...fields });
    const outcome = runOutcome([r(20, { trainLoss: 0.4, testAccuracy: 0.8, testLoss: 0.5 }), r(10, { trainLoss: 0.6, testAccuracy: 0.9 }), r(30, { trainLoss: Number.POSITIVE_INFINITY, diverged: true })], 0.5);
    expect(outcome).toMatchObject({ step: 30, finalTestAccuracy: 0.8, bestTestAccuracy: 0.9, finalTestLoss: 0.5, finalTrainLoss: Number.POSITIVE_INFINITY, stepsToTarget: 20, diverged: true });
  });

  it('the outcome tracker folds records in any order, a step re-sent with its evaluation included, and equals runOutcome', () => {
    // Three runs, 60 steps, evaluations every 20 (sent again with the test metrics), run 2 diverging at 45.
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const latest = new Map<string, MetricRecord>();
    const arrivals: MetricRecord[] = [];
    for (let step = 1; step <= 60; step++) {
      for (let run = 0; run < 3; run++) {
        const diverged = run === 2 && step > 45;
        const record: MetricRecord = { run: asRun(run), step: asStep(step), epoch: 0, trainLoss: diverged ? Number.NaN : 1 / step + random() * 0.1, trainAccuracy: 0, lr: 0.1, lrExpected: 0.1, diverged, wallMs: step };
        arrivals.push(record);
        latest.set(`${run}:${step}`, record);
        if (step % 20 === 0) {
          const evaluated = { ...record, testAccuracy: random(), testLoss: random() };
          arrivals.push(evaluated);
          latest.set(`${run}:${step}`, evaluated);
        }
      }
    }
    for (const order of ['arrival', 'shuffled'] as const) {
      const list = order === 'arrival' ? arrivals : [...arrivals].sort(() => random() - 0.5).sort((a, b) => (a.run === b.run && a.step === b.step ? (a.testAccuracy === undefined ? -1 : 1) : 0));
      const tracker = new OutcomeTracker(0.05);
      for (const record of list) tracker.take(record);
      for (let run = 0; run < 3; run++) {
        const expected = runOutcome([...latest.values()].filter((r) => r.run === run), 0.05, run === 2 ? 46 : null);
        expect(tracker.outcome(run, run === 2 ? 46 : null), `${order} run ${run}`).toEqual(expected);
      }
    }
    expect(new OutcomeTracker(0.05).outcome(0)).toEqual(runOutcome([], 0.05));
  });
});
