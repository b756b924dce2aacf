/**
 * The LR range test: fastai's suggestions on a synthetic curve against fastai's own functions
 * (valley, steep, minimum from fastai/callback/schedule.py, run in Python with NumPy on the same
 * curve: stop at step 88, minimum/10 = 0.047863009232263845, steep = 0.0457088189614875, valley = 0.01),
 * the experiment it trains, and a stacked test of every method of the playground on the GPU.
 */
import { describe, expect, it } from 'vitest';
import { generateToy } from '../data/toys';
import { testGpu } from '../test/gpu';
import { parseExperiment } from './config';
import { defaultExperimentInput } from './defaults';
import { rangeTestConfig, rangeTestCurve, rangeTestRate, smoothLosses, valleyIndex, type RangeTestOptions } from './range-test';
import { runRangeTest } from './range-test-run';

const options: RangeTestOptions = { startLr: 1e-5, endLr: 10, steps: 100, stopFactor: 4 };
/** A falling, noisy, then exploding loss against log10 η (the same formula as the Python check). */
const syntheticLoss = (i: number) => {
  const x = Math.log10(rangeTestRate(options, i + 1));
  return 1 - 0.9 / (1 + Math.exp(-3 * (x + 2))) + 0.05 * Math.sin(1.7 * i) + (x > -1 ? Math.exp(8 * (x + 0.2)) : 0);
};

describe('LR range test', () => {
  it('rates grow exponentially from start to end over N steps', () => {
    expect(rangeTestRate(options, 1)).toBe(1e-5);
    expect(rangeTestRate(options, 51)).toBeCloseTo(0.01, 15);
    expect(rangeTestRate(options, 101)).toBeCloseTo(10, 12);
  });

  it("fastai's smoothing, stop rule and suggestions, as fastai computes them", () => {
    const losses = Array.from({ length: 100 }, (_, i) => syntheticLoss(i));
    expect(smoothLosses([2, 4])[1]).toBeCloseTo((0.98 * 0.04 + 0.08) / (1 - 0.98 ** 2), 14);
    const curve = rangeTestCurve({ method: 0, label: 'a', color: '#000000' }, losses, options);
    expect(curve.stoppedAt).toBe(88);
    expect(curve.rates).toHaveLength(88);
    expect(curve.suggestions.minimum!.lr).toBeCloseTo(0.047863009232263845, 14);
    expect(curve.suggestions.steep!.lr).toBeCloseTo(0.0457088189614875, 14);
    expect(curve.suggestions.valley!.lr).toBeCloseTo(0.01, 14);
    expect(valleyIndex([5, 4, 3, 2, 1, 2, 3])).toBe(0); // fastai: a descent of 5 ending at index 4, start = 4 − 5 = −1, −1 + ⌊5/3⌋ + ⌊5/6⌋ = 0
  });

  it('the experiment it trains: one replicate, the exponential ramp, no AutoDrop, exp-LR as the SGD + decay it stands for', () => {
    const config = parseExperiment({ ...defaultExperimentInput(), replicates: 3, sweep: { axes: [{ kind: 'values', field: 'lr', values: [0.1, 0.2] }] } });
    const test = parseExperiment(rangeTestConfig(config, options));
    expect(test.replicates).toBe(1);
    expect(test.sweep).toBeUndefined();
    expect(test.budget).toEqual({ unit: 'steps', amount: 100 });
    expect(test.logEvery).toBe(1);
    for (const run of test.runs) expect(run.schedule).toMatchObject({ kind: 'exponential', lr: 1e-5, gamma: 1e6 ** (1 / 100) });
    expect(test.runs[4].autodrop).toBeUndefined();
    expect(test.runs[5].expLr).toBeUndefined();
    expect(test.runs[5].optimizer.weightDecay).toBe(5e-4);
    expect(test.runs.map((run) => run.runKey)).toEqual(config.runs.map((run) => run.runKey));
    expect(test.runs[1].lrd).toEqual(config.runs[1].lrd);
  });

  it('every method at once on the GPU: the loss falls, then blows up; suggestions lie inside the tested rates', async () => {
    const gpu = await testGpu();
    const config = parseExperiment({ ...defaultExperimentInput(), dataset: { kind: 'toy', name: 'spiral', count: 300, noise: 0.1, testFraction: 0.2 } });
    const dataset = generateToy('spiral', { count: 300, noise: 0.1, seed: 1, testFraction: 0.2 });
    const progress: number[] = [];
    const result = await runRangeTest(gpu, config, dataset, { startLr: 1e-3, endLr: 1e3, steps: 80, stopFactor: 4 }, (step) => progress.push(step));
    expect(result.curves.map((curve) => curve.label)).toEqual(config.runs.map((run) => run.label));
    expect(progress[0]).toBe(10);
    for (const curve of result.curves) {
      expect(curve.rates.length).toBeGreaterThan(20);
      expect(curve.stoppedAt).not.toBeNull(); // rates up to 1000 blow every method up
      for (const suggestion of Object.values(curve.suggestions)) {
        expect(suggestion.at[0]).toBeGreaterThanOrEqual(1e-3);
        expect(suggestion.at[0]).toBeLessThanOrEqual(curve.rates[curve.rates.length - 1]);
      }
      expect(Math.min(...curve.smoothed)).toBeLessThan(curve.smoothed[0]);
    }
    expect(result.steps).toBeLessThanOrEqual(80);
  });
});
