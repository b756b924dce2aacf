/**
 * The LEAP demo's network part, reduced (600 steps, 2 seeds): the sharpness measure works and is
 * reproducible; whether LEAP's solutions are flatter is measured and reported (not assumed).
 */
import { describe, expect, it } from 'vitest';
import { loadExperimentDataset } from '../experiment/datasets';
import { createRunner } from '../experiment/setup';
import { testGpu } from '../test/gpu';
import { leapNetworkConfig, leapSharpness, LEAP_NETWORK_DEFAULTS } from './leap-network';

describe('LEAP on a small network: sharpness of the solutions (GPU)', () => {
  it('trains both methods, and S(θ) = E[L(θ + d) − L(θ)] grows with the radius and reproduces', async () => {
    const gpu = await testGpu();
    const config = leapNetworkConfig({ ...LEAP_NETWORK_DEFAULTS, steps: 600, replicates: 2 });
    const dataset = await loadExperimentDataset(config.dataset as never, config.seed, {});
    const runner = createRunner(gpu, config, dataset);
    await runner.advance(600);
    const small = await leapSharpness(runner, dataset, 0.05, 4);
    const large = await leapSharpness(runner, dataset, 0.2, 4);
    const again = await leapSharpness(runner, dataset, 0.2, 4);
    runner.destroy();
    expect(again).toEqual(large);
    for (const m of [0, 1]) {
      expect(large.byMethod[m]).toHaveLength(2);
      for (let r = 0; r < 2; r++) {
        expect(large.byMethod[m][r]).toBeGreaterThan(0);
        expect(large.byMethod[m][r]).toBeGreaterThan(small.byMethod[m][r]);
        expect(large.testAccuracy[m][r]).toBeGreaterThan(0.6);
      }
    }
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    console.info(`LEAP network sharpness (ρ 0.2, 600 steps, 2 seeds): baseline ${mean(large.byMethod[0]).toFixed(4)}, LEAP ${mean(large.byMethod[1]).toFixed(4)}`);
  });
});
