/**
 * The AutoDrop demo's network part, reduced: AutoDrop against a hand-tuned step decay on an MNIST
 * subset (the page runs the full version). AutoDrop drops only once its buffer holds m fresh
 * angles, every drop multiplies the rate by ρ from its effect step on, and all runs learn.
 */
import { describe, expect, it } from 'vitest';
import { nodeReader } from '../data/load-node';
import { loadExperimentDataset } from '../experiment/datasets';
import { createRunner } from '../experiment/setup';
import { testGpu } from '../test/gpu';
import { autodropMnistConfig, rateCurve, watchAutoDrop } from './autodrop-mnist';
import { testAccuracyCurve } from './network';

describe('AutoDrop vs step decay on MNIST (reduced: 2000 images, MLP 784-32-10, 240 steps, GPU)', () => {
  it('AutoDrop drops after its buffer has filled, its rate follows the drops, every run learns', async () => {
    const gpu = await testGpu();
    const steps = 240;
    const window = 5;
    const config = autodropMnistConfig({ trainSubset: 2000, testSubset: 500, steps, lr: 0.05, window, rho: 0.8, evalEvery: 60 });
    const small = { ...config, model: { ...config.model, hidden: [32] }, batch: 32 } as typeof config;
    const dataset = await loadExperimentDataset(small.dataset as never, small.seed, { read: nodeReader() });
    const runner = createRunner(gpu, small, dataset);
    const { log, stop } = watchAutoDrop(runner);
    await runner.advance(steps);
    stop();
    const drops = log.windows.filter((w) => w.dropped);
    expect(log.windows.length).toBe(steps / window);
    expect(drops.length).toBeGreaterThanOrEqual(1);
    // ω needs three window means; the buffer needs m = 10 angles and then one more smoothed value.
    expect(drops[0].step).toBeGreaterThanOrEqual((2 + 10) * window);
    const rates = rateCurve(runner, 2);
    for (const point of rates) {
      const inEffect = drops.filter((d) => d.effectStep <= point.step).length; // step s (1-based) runs with every drop whose effect step is ≤ s
      expect(point.lr).toBeCloseTo(0.05 * 0.8 ** inEffect, 12);
    }
    const accuracies = [0, 1, 2].map((r) => testAccuracyCurve(runner.records, r).at(-1)!.accuracy);
    for (const accuracy of accuracies) expect(accuracy).toBeGreaterThan(0.7);
    console.info(`AutoDrop MNIST (reduced): drops at ${drops.map((d) => d.step).join(', ')}; test accuracy constant ${accuracies[0]}, step decay ${accuracies[1]}, AutoDrop ${accuracies[2]}`);
    runner.destroy();
  });
});
