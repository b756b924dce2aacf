/** The LRD saddle demo's claim (methods.md §1.6): GD and SGD-momentum stall at the saddle; with LRD they escape. */
import { describe, expect, it } from 'vitest';
import { demoSeeds, runSaddle, runSaddleExperiment, saddleGradient, saddleLoss, SADDLE_METHODS } from './lrd-saddle';

describe('LRD escapes the saddle of f(x, y) = xy + (x⁴ + y⁴)/4 from (1, 1), η 0.1, 20 seeds', () => {
  const results = runSaddleExperiment(demoSeeds(20));
  const summary = Object.fromEntries(results.map((r) => [r.method.id, r.summary]));

  it('the landscape: saddle at 0 with f = 0, minima (±1, ∓1) with f = −½ and zero gradient', () => {
    expect(saddleLoss(0, 0)).toBe(0);
    expect(saddleLoss(1, -1)).toBe(-0.5);
    expect(saddleGradient(1, -1)).toEqual([0, 0]);
    expect(saddleGradient(-1, 1)).toEqual([0, 0]);
  });

  it('GD and SGD-momentum never escape: they stay on the diagonal and end at the saddle (20/20)', () => {
    for (const id of ['gd', 'sgdm']) {
      expect(summary[id].escaped, id).toBe(0);
      expect(summary[id].atSaddle, id).toBe(20);
      const run = results.find((r) => r.method.id === id)!.runs[0];
      for (let t = 0; t < run.path.length; t += 2) expect(run.path[t]).toBe(run.path[t + 1]); // x = y exactly
    }
  });

  it('with LRD (keepProb 0.5) every seed escapes to a minimum; momentum escapes sooner', () => {
    for (const id of ['gd-lrd', 'sgdm-lrd']) {
      expect(summary[id].escaped, id).toBe(20);
      expect(summary[id].atMinimum, id).toBe(20);
    }
    // Measured: median first step with f < −¼ is 50 (GD+LRD) and 23.5 (SGDM+LRD); the spec's own draws gave 57 and 26.5.
    expect(summary['gd-lrd'].medianEscapeStep).toBeGreaterThan(20);
    expect(summary['gd-lrd'].medianEscapeStep).toBeLessThan(100);
    expect(summary['sgdm-lrd'].medianEscapeStep!).toBeLessThan(summary['gd-lrd'].medianEscapeStep!);
  });

  it('is deterministic: the same seed draws the same masks', () => {
    const method = SADDLE_METHODS[1];
    expect(runSaddle(method, 3).path).toEqual(runSaddle(method, 3).path);
    expect(runSaddle(method, 3).path).not.toEqual(runSaddle(method, 4).path);
  });
});
