/** The AutoDrop demo's claims on the noisy quadratic model (methods.md §3.6). */
import { describe, expect, it } from 'vitest';
import { fixedRateAngles, nqmAutoDrop, predictedAngle } from './autodrop-nqm';

describe('AutoDrop on the NQM (float64)', () => {
  it('fixed rates: ω saturates within 1° of Theorem 3.2 (118.2, 103.3, 94.3, 90.4°)', () => {
    const curves = fixedRateAngles({ iterations: 20_000 });
    expect(curves.map((c) => c.predicted)).toBeAllClose([118.23, 103.28, 94.33, 90.43], { rtol: 0, atol: 0.005 });
    for (const c of curves) expect(Math.abs(c.measured - c.predicted), `α = ${c.alpha}: ${c.measured}`).toBeLessThan(1);
    // At α = 0.001 the angle visibly rises first (steps still aligned), then saturates.
    const slow = curves[3].curve;
    expect(slow[0]).toBeLessThan(slow[slow.length - 1] - 5);
  });

  it('AutoDrop halves α when ω has saturated: at every drop the recent ω is within 1.5° of the plateau for the α in force', () => {
    const { drops, alphaCurve } = nqmAutoDrop({ iterations: 12_000 });
    expect(drops.length).toBeGreaterThanOrEqual(4);
    expect(drops[0].from).toBe(0.06);
    expect(drops[drops.length - 1].to).toBe(0.001); // down to α_min
    for (const [i, drop] of drops.entries()) {
      expect(drop.to).toBe(Math.max(0.001, drop.from / 2));
      expect(Math.abs(drop.angleBefore - predictedAngle(drop.from)), `drop ${i} at ${drop.iteration}: ${drop.angleBefore}`).toBeLessThan(1.5);
      if (i > 0) expect(drop.iteration - drops[i - 1].iteration).toBeGreaterThan(50); // never before a full buffer of fresh angles
    }
    for (let i = 1; i < alphaCurve.length; i++) expect(alphaCurve[i]).toBeLessThanOrEqual(alphaCurve[i - 1]);
  });
});
