/** Decision boundaries: the grid prediction of each stacked run agrees with the labels of an easy 2-D dataset once trained, and differs between runs that differ. */
import { describe, expect, it } from 'vitest';
import { testGpu } from '../test/gpu';
import { dataExtent, predictGrid } from './boundary';
import { parseExperiment } from './config';
import { loadExperimentDataset } from './datasets';
import { createRunner } from './setup';

describe('predictGrid', () => {
  it('classifies the training points of two Gaussian blobs after training, per run', async () => {
    const gpu = await testGpu();
    const config = parseExperiment({
      version: 1,
      seed: 5,
      dataset: { kind: 'toy', name: 'gaussians', count: 200, noise: 0.1, testFraction: 0.2 },
      model: { kind: 'mlp', hidden: [8] },
      batch: 16,
      budget: { unit: 'steps', amount: 60 },
      evalEvery: 60,
      logEvery: 10,
      runs: [
        { label: 'trained', optimizer: { rule: 'momentum', momentum: 0.9 }, schedule: { kind: 'constant', lr: 0.1 } },
        { label: 'tiny rate', optimizer: { rule: 'sgd' }, schedule: { kind: 'constant', lr: 1e-6 } },
      ],
    });
    const dataset = await loadExperimentDataset(config.dataset, config.seed, {});
    const runner = createRunner(gpu, config, dataset);
    try {
      await runner.advance(60);
      const size = 32;
      const grid = await predictGrid(runner, size, 1000);
      expect(grid.predictions).toHaveLength(2);
      expect(grid.extent).toEqual(dataExtent(dataset));
      expect(grid.points).toHaveLength(dataset.train.count);
      const [x0, x1, y0, y1] = grid.extent;
      /** The grid cell's prediction at a training point. */
      const at = (run: number, x: number, y: number) => {
        const col = Math.min(size - 1, Math.floor(((x - x0) / (x1 - x0)) * size));
        const row = Math.min(size - 1, Math.floor(((y1 - y) / (y1 - y0)) * size));
        return grid.predictions[run][row * size + col];
      };
      const accuracy = (run: number) => grid.points.filter(([x, y, label]) => at(run, x, y) === label).length / grid.points.length;
      expect(accuracy(0)).toBeGreaterThan(0.9);
      for (const p of grid.confidence[0]) expect(p).toBeGreaterThanOrEqual(0.5 - 1e-6);
      // The untrained run's boundary is not the trained one's.
      expect(grid.predictions[1]).not.toEqual(grid.predictions[0]);
    } finally {
      runner.destroy();
    }
  });

  it('evaluates BatchNorm models with each run’s running statistics: the grid agrees with the GPU’s test accuracy', async () => {
    const gpu = await testGpu();
    const config = parseExperiment({
      version: 1,
      seed: 4,
      dataset: { kind: 'toy', name: 'moons', count: 400, noise: 0.1, testFraction: 0.25 },
      model: { kind: 'scale-invariant-mlp', hidden: [16, 16], bnMomentum: 0.3 },
      batch: 32,
      budget: { unit: 'steps', amount: 120 },
      evalEvery: 120,
      logEvery: 10,
      runs: [
        { label: 'trained', optimizer: { rule: 'momentum', momentum: 0.9 }, schedule: { kind: 'constant', lr: 0.1 } },
        { label: 'other rate', optimizer: { rule: 'momentum', momentum: 0.9 }, schedule: { kind: 'constant', lr: 0.01 } },
      ],
    });
    const dataset = await loadExperimentDataset(config.dataset, config.seed, {});
    const runner = createRunner(gpu, config, dataset);
    try {
      await runner.advance(120);
      const size = 128;
      const grid = await predictGrid(runner, size);
      const [x0, x1, y0, y1] = grid.extent;
      const test = dataset.test;
      for (let run = 0; run < 2; run++) {
        let correct = 0;
        for (let i = 0; i < test.count; i++) {
          const x = test.x[2 * i] * dataset.scale + dataset.shift;
          const y = test.x[2 * i + 1] * dataset.scale + dataset.shift;
          const col = Math.min(size - 1, Math.max(0, Math.floor(((x - x0) / (x1 - x0)) * size)));
          const row = Math.min(size - 1, Math.max(0, Math.floor(((y1 - y) / (y1 - y0)) * size)));
          if (grid.predictions[run][row * size + col] === test.y[i]) correct++;
        }
        const gpuAccuracy = runner.records.find((r) => r.run === run && r.testAccuracy !== undefined)!.testAccuracy!;
        // The grid cell's centre stands in for the point: only points within a cell of the boundary may differ.
        expect(Math.abs(correct / test.count - gpuAccuracy), `run ${run}`).toBeLessThanOrEqual(0.03);
      }
      expect(runner.records.find((r) => r.run === 0 && r.testAccuracy !== undefined)!.testAccuracy).toBeGreaterThan(0.8);
    } finally {
      runner.destroy();
    }
  });
});
