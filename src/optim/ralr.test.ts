/** RALR (methods.md §4.2): identity at amplifyProb 0, reproducible draws, frequency ≈ amplifyProb, bounds. */
import { describe, expect, it } from 'vitest';
import { RandomStream, StreamPurpose, streamId } from '../rng/stream';
import { compileRalr, parseRalr, RALR_DEFAULTS, ralrDraw, ralrDrawAt, ralrRate, type RalrInput } from './ralr';
import { compileSchedule, parseSchedule } from './schedules';

const stepsPerEpoch = 7;
const base = compileSchedule(parseSchedule({ kind: 'multistep', lr: 0.1, milestones: [30, 60], unit: 'epoch' }), stepsPerEpoch);
const context = { seed: 1234, stepsPerEpoch };

function errorOf(input: RalrInput): string {
  try {
    parseRalr(input);
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

describe('RALR', () => {
  it('the defaults are labelled as the project choice and are what parseRalr fills in', () => {
    expect(RALR_DEFAULTS.projectChoice).toBe(true);
    expect(RALR_DEFAULTS.note).toContain('UNCONFIRMED');
    expect(parseRalr({})).toEqual({
      amplifyProb: RALR_DEFAULTS.amplifyProb,
      boundsMode: RALR_DEFAULTS.boundsMode,
      factorLow: RALR_DEFAULTS.factorLow,
      factorHigh: RALR_DEFAULTS.factorHigh,
      resample: RALR_DEFAULTS.resample,
      capAtInitialRate: false,
    });
  });

  it('amplifyProb = 0 gives the base schedule exactly, in every mode', () => {
    for (const resample of ['epoch', 'step'] as const) {
      for (const bounds of [{ boundsMode: 'factor' as const }, { boundsMode: 'absolute' as const, rateLow: 0.5, rateHigh: 1 }]) {
        const rate = compileRalr(parseRalr({ amplifyProb: 0, resample, ...bounds }), base, context);
        for (let t = 0; t < 100 * stepsPerEpoch; t++) expect(rate(t)).toBe(base(t));
      }
    }
  });

  it('amplifyProb = 1 amplifies every period', () => {
    const config = parseRalr({ amplifyProb: 1, factorLow: 2, factorHigh: 3, resample: 'step' });
    for (let t = 0; t < 500; t++) expect(ralrRate(config, t, 1, context)).toBeGreaterThanOrEqual(2);
  });

  it('reproduces: a pure function of (config, seed, step), any query order; seed and run key change the draws', () => {
    const config = parseRalr({ amplifyProb: 0.2 });
    const steps = Array.from({ length: 2000 }, (_, t) => t);
    const forward = steps.map(compileRalr(config, base, context));
    const again = compileRalr(config, base, { ...context });
    const backward = [...steps].reverse().map((t) => again(t)).reverse();
    expect(backward).toEqual(forward);
    const shuffled = new RandomStream(9);
    for (let k = 0; k < 200; k++) {
      const t = shuffled.below(steps.length);
      expect(again(t)).toBe(forward[t]);
    }
    const amplifiedEpochs = (ctx: typeof context & { runKey?: number }) =>
      Array.from({ length: 300 }, (_, e) => e).filter((e) => ralrDrawAt(config, e, ctx).amplified);
    const mine = amplifiedEpochs(context);
    expect(mine.length).toBeGreaterThan(30);
    expect(amplifiedEpochs({ ...context, seed: 1235 })).not.toEqual(mine);
    expect(amplifiedEpochs({ ...context, runKey: 1 })).not.toEqual(mine);
  });

  it('the draws are the ralr Philox stream keyed by (seed, runKey, resample, index) (golden values)', () => {
    const config = parseRalr({ amplifyProb: 0.1, factorLow: 1, factorHigh: 10 });
    const stream = new RandomStream(1234, streamId(StreamPurpose.ralr, 0, 0, 17));
    const u = stream.uniform();
    const v = stream.uniform();
    expect(ralrDrawAt(config, 17, context)).toEqual({ index: 17, amplified: u < 0.1, value: 1 + 9 * v });
    const golden = Array.from({ length: 200 }, (_, e) => e).filter((e) => ralrDrawAt(config, e, context).amplified);
    expect(golden.slice(0, 6)).toEqual(GOLDEN_AMPLIFIED_EPOCHS);
  });

  it('resample "epoch": one factor per epoch; resample "step": a new draw every step', () => {
    const config = parseRalr({ amplifyProb: 0.5 });
    const rate = compileRalr(config, base, context);
    for (let t = 0; t < 100 * stepsPerEpoch; t++) {
      const epochStart = t - (t % stepsPerEpoch);
      expect(rate(t) / base(t)).toBeCloseTo(rate(epochStart) / base(epochStart), 12);
      expect(ralrDraw(config, t, context).index).toBe(Math.floor(t / stepsPerEpoch));
    }
    const perStep = parseRalr({ amplifyProb: 0.5, resample: 'step' });
    const flags = Array.from({ length: stepsPerEpoch * 20 }, (_, t) => ralrDraw(perStep, t, context).amplified);
    const changes = flags.filter((flag, t) => t > 0 && flag !== flags[t - 1]).length;
    expect(changes).toBeGreaterThan(30);
  });

  for (const [amplifyProb, resample] of [[0.1, 'epoch'], [0.2, 'step'], [0.5, 'epoch']] as const) {
    it(`amplification frequency ≈ ${amplifyProb} over 20 000 draws (within 4 SE), factors uniform in bounds (resample ${resample})`, () => {
      const config = parseRalr({ amplifyProb, factorLow: 2, factorHigh: 5, resample });
      const draws = 20_000;
      let amplified = 0;
      let sum = 0;
      let [min, max] = [Infinity, -Infinity];
      for (let j = 0; j < draws; j++) {
        const draw = ralrDrawAt(config, j, context);
        if (draw.amplified) amplified++;
        sum += draw.value;
        [min, max] = [Math.min(min, draw.value), Math.max(max, draw.value)];
      }
      expect(min).toBeGreaterThanOrEqual(2);
      expect(max).toBeLessThan(5);
      const standardError = Math.sqrt((amplifyProb * (1 - amplifyProb)) / draws);
      expect(Math.abs(amplified / draws - amplifyProb)).toBeLessThan(4 * standardError);
      // U[2, 5): mean 3.5, standard deviation 3/√12
      expect(Math.abs(sum / draws - 3.5)).toBeLessThan((4 * 3) / Math.sqrt(12 * draws));
    });
  }

  it('amplified rates stay within [factorLow, factorHigh]·η_base, or within [max(η_base, rateLow), rateHigh]', () => {
    const byFactor = compileRalr(parseRalr({ amplifyProb: 0.3, factorLow: 1.5, factorHigh: 4 }), base, context);
    const absolute = compileRalr(parseRalr({ amplifyProb: 0.3, boundsMode: 'absolute', rateLow: 0.02, rateHigh: 0.3 }), base, context);
    let amplifiedCount = 0;
    for (let t = 0; t < 100 * stepsPerEpoch; t++) {
      const ratio = byFactor(t) / base(t);
      if (ratio !== 1) {
        amplifiedCount++;
        expect(ratio).toBeGreaterThanOrEqual(1.5 - 1e-12);
        expect(ratio).toBeLessThanOrEqual(4 + 1e-12);
      }
      const rate = absolute(t);
      expect(rate).toBeGreaterThanOrEqual(base(t));
      expect(rate).toBeLessThanOrEqual(Math.max(0.3, base(t)));
      if (rate !== base(t)) expect(rate).toBeGreaterThanOrEqual(0.02);
    }
    expect(amplifiedCount).toBeGreaterThan(0);
  });

  it('capAtInitialRate keeps spikes at or below η_base(0)', () => {
    const config = parseRalr({ amplifyProb: 0.5, factorLow: 5, factorHigh: 10, capAtInitialRate: true });
    const rate = compileRalr(config, base, context);
    const values = Array.from({ length: 100 * stepsPerEpoch }, (_, t) => rate(t));
    expect(Math.max(...values)).toBeLessThanOrEqual(0.1);
    expect(values.slice(30 * stepsPerEpoch).some((v, k) => v > base(30 * stepsPerEpoch + k))).toBe(true);
  });

  it('validation names the field', () => {
    expect(errorOf({ amplifyProb: 1.5 })).toBe('ralr.amplifyProb: must be in [0, 1] (got 1.5)');
    expect(errorOf({ amplifyProb: NaN })).toBe('ralr.amplifyProb: must be in [0, 1] (got NaN)');
    expect(errorOf({ factorLow: 0.5 })).toBe('ralr.factorLow: must be a number >= 1 (got 0.5)');
    expect(errorOf({ factorLow: 4, factorHigh: 3 })).toBe('ralr.factorHigh: must be >= factorLow (got 3)');
    expect(errorOf({ boundsMode: 'absolute' })).toBe(
      'ralr.rateLow: is required when boundsMode is "absolute"; ralr.rateHigh: is required when boundsMode is "absolute"',
    );
    expect(errorOf({ boundsMode: 'absolute', rateLow: 0.5, rateHigh: 0.1 })).toBe('ralr.rateHigh: must be >= rateLow (got 0.1)');
    expect(errorOf({ resample: 'batch' as 'step' })).toBe('ralr.resample: must be "epoch" or "step" (got "batch")');
    expect(() => compileRalr(parseRalr({}), base, { seed: 1 })).toThrow('stepsPerEpoch is required when ralr.resample is "epoch"');
    expect(() => ralrDraw(parseRalr({ resample: 'step' }), -1, context)).toThrow('step must be an integer >= 0');
  });
});

/** First amplified epochs for seed 1234, run key 0, amplifyProb 0.1 (pins the stream layout). */
const GOLDEN_AMPLIFIED_EPOCHS = [8, 46, 47, 57, 60, 67];
