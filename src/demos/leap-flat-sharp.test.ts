/** The LEAP demo's claim: with LEAP more seeds end in the flat minimum of a 1-D landscape with one sharp and one flat well of equal depth. */
import { describe, expect, it } from 'vitest';
import { demoSeeds } from './lrd-saddle';
import { landscapeLoss } from './landscape1d';
import { LEAP_LANDSCAPE, runLeapToy, runLeapToyExperiment } from './leap-flat-sharp';

describe('LEAP: flat versus sharp minimum (1-D, float64 reference update)', () => {
  it('the landscape: two minima of equal depth, the sharp one ≥ 10× more curved', () => {
    const { landscape, sharp, flat, sharpCurvature, flatCurvature, barrier } = LEAP_LANDSCAPE;
    expect(Math.abs(landscapeLoss(landscape, sharp) - landscapeLoss(landscape, flat))).toBeLessThan(1e-9);
    expect(sharpCurvature / flatCurvature).toBeGreaterThan(10);
    expect(barrier).toBeGreaterThan(sharp);
    expect(barrier).toBeLessThan(flat);
    expect(landscapeLoss(landscape, barrier) - landscapeLoss(landscape, sharp)).toBeGreaterThan(0.9);
  });

  it('100 seeds: without LEAP the runs stay where they start; with LEAP the flat share rises by ≥ 15 points', () => {
    const [plain, leap] = runLeapToyExperiment(demoSeeds(100)).map((r) => r.summary);
    expect(plain.startsFlat).toBe(leap.startsFlat); // paired: same starts
    // Measured: 55/100 end flat without LEAP (57 start there), 83/100 with LEAP (27 sharp → flat, 1 flat → sharp).
    expect(Math.abs(plain.endsFlat - plain.startsFlat)).toBeLessThanOrEqual(5);
    expect(leap.endsFlat - plain.endsFlat).toBeGreaterThanOrEqual(15);
    expect(leap.sharpToFlat).toBeGreaterThan(5 * Math.max(leap.flatToSharp, 1));
  });

  it('a LEAP run with σ = 0 is the plain run, bit for bit', () => {
    const settings = { eta: 0.05, gradientNoise: 2, sigma: 0, steps: 200 };
    expect(runLeapToy(true, 7, settings).path).toEqual(runLeapToy(false, 7, settings).path);
  });
});
