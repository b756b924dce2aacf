/** The RALR demo's claim: random amplification throws SGD out of a poor narrow well into a good wide one. */
import { describe, expect, it } from 'vitest';
import { landscapeLoss } from './landscape1d';
import { demoSeeds } from './lrd-saddle';
import { RALR_LANDSCAPE, RALR_TOY_DEFAULTS, ralrToyRates, runRalrToyExperiment } from './ralr-landscape';

describe('RALR: leaving a poor region (1-D, float64 reference update)', () => {
  it('the rate curve: the step schedule, with random spikes η·r, r ∈ [1, 10), in ≈ p of the epochs', () => {
    const base = ralrToyRates(RALR_TOY_DEFAULTS, null);
    const spiky = ralrToyRates(RALR_TOY_DEFAULTS, 1);
    expect([base(0), base(299), base(300), base(600)]).toBeAllClose([0.05, 0.05, 0.005, 0.0005]);
    let spikes = 0;
    for (let t = 0; t < 900; t++) {
      const ratio = spiky(t) / base(t);
      expect(ratio).toBeGreaterThanOrEqual(1);
      expect(ratio).toBeLessThan(10);
      if (t % 20 === 0 && ratio > 1) spikes++;
      if (t % 20 !== 0) expect(spiky(t)).toBe(spiky(t - 1) * (base(t) / base(t - 1))); // constant within an epoch
    }
    expect(spikes).toBeGreaterThan(0);
  });

  it('20 seeds: the step schedule alone never leaves the poor well; with RALR most runs end in the good one', () => {
    const { landscape, poor, good } = RALR_LANDSCAPE;
    expect(landscapeLoss(landscape, good)).toBeLessThan(landscapeLoss(landscape, poor) - 0.5);
    const [plain, ralr] = runRalrToyExperiment(demoSeeds(20));
    expect(plain.summary.left).toBe(0);
    expect(plain.summary.endsGood).toBe(0);
    // Measured: 12/20 end in the good well (14/20 reach it at some point); 20.6 % of the epochs amplified.
    expect(ralr.summary.endsGood).toBeGreaterThanOrEqual(8);
    expect(ralr.summary.amplifiedShare).toBeGreaterThan(0.1);
    expect(ralr.summary.amplifiedShare).toBeLessThan(0.3);
    // Escapes happen in the first phase only (after the first decay η·r·κ < 2 in the poor well).
    for (const run of ralr.runs) if (run.leftStep !== null) expect(run.leftStep).toBeLessThanOrEqual(RALR_TOY_DEFAULTS.stepSize);
  });
});
