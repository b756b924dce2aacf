import { describe, expect, it } from 'vitest';
import { ConfigError } from '../util/validate';
import { asStep } from '../util/ids';
import {
  angleFromDots,
  AutoDropController,
  effectStep,
  isWindowEnd,
  parseAutoDrop,
  runAutoDrop,
  smoothAngles,
  std0,
  type AutoDropConfig,
  type AutoDropDecision,
} from './autodrop';

function issues(input: unknown): string[] {
  try {
    parseAutoDrop(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

/** Feeds angles (degrees, or null = not yet available) to a fresh controller. */
function feed(config: AutoDropConfig, angles: ReadonlyArray<number | null>, initialRate = 0.1): { controller: AutoDropController; decisions: AutoDropDecision[] } {
  const controller = new AutoDropController(config, initialRate);
  return { controller, decisions: angles.map((angle) => controller.observeAngle(angle)) };
}

const dropsAt = (decisions: AutoDropDecision[]) => decisions.filter((d) => d.dropped).map((d) => d.window);

describe('AutoDrop config', () => {
  it('fills the paper defaults (§3.4) and the project choices', () => {
    expect(parseAutoDrop()).toEqual({
      mode: 'uai2024', window: 64, buffer: 10, rho: 0.95, threshold: 0.1, thresholdMode: 'signed', smoothing: 'value',
      lrMin: 0, epsilon: 1e-12, delay: 8, theta: 0.1, thetaMax: 1,
    });
  });

  it('rejects bad fields with messages naming them', () => {
    expect(issues({ rho: 1 })).toEqual(['autodrop.rho: must be in (0, 1) (got 1)']);
    expect(issues({ rho: 0 })).toEqual(['autodrop.rho: must be in (0, 1) (got 0)']);
    expect(issues({ rho: Number.NaN })).toEqual(['autodrop.rho: must be in (0, 1) (got NaN)']);
    expect(issues({ window: 0 })[0]).toMatch(/^autodrop\.window: must be an integer in \[1, /);
    expect(issues({ window: 2.5 })[0]).toMatch(/^autodrop\.window: must be an integer/);
    expect(issues({ buffer: -1 })[0]).toMatch(/^autodrop\.buffer: must be an integer/);
    expect(issues({ threshold: Number.NaN })).toEqual(['autodrop.threshold: must be a finite number >= 0 (got NaN)']);
    expect(issues({ lrMin: Infinity })[0]).toMatch(/^autodrop\.lrMin: must be a finite number >= 0/);
    expect(issues({ epsilon: 0 })[0]).toMatch(/^autodrop\.epsilon: must be a finite number > 0/);
    expect(issues({ delay: 0 })[0]).toMatch(/^autodrop\.delay: must be an integer/);
    expect(issues({ smoothing: 'gaussian' })[0]).toMatch(/^autodrop\.smoothing: must be "value" or "time"/);
    expect(issues({ thresholdMode: 'abs' })[0]).toMatch(/^autodrop\.thresholdMode: must be "signed" or "absolute"/);
    expect(issues({ mode: 'v2' })[0]).toMatch(/^autodrop\.mode: must be "uai2024" or "v1"/);
    expect(issues({ theta: 0.5, thetaMax: 0.2 })).toEqual(['autodrop.thetaMax: must be >= theta (got 0.2)']);
    expect(issues({ rho: 2, window: 0 })).toHaveLength(2);
    expect(issues({ windw: 3 })[0]).toMatch(/windw/);
  });

  it('the controller rejects an initial rate below lrMin or not positive', () => {
    expect(() => new AutoDropController(parseAutoDrop({ lrMin: 0.5 }), 0.1)).toThrow('autodrop.lrMin: must be <= the initial learning rate 0.1 (got 0.5)');
    expect(() => new AutoDropController(parseAutoDrop(), 0)).toThrow(/initial rate: must be a finite number > 0/);
    expect(() => new AutoDropController(parseAutoDrop(), Number.NaN)).toThrow(/initial rate/);
  });
});

describe('AutoDrop helpers', () => {
  it('angle from dots: 45°, 90°, 180°, clamped, and 0/0 = 90°', () => {
    expect(angleFromDots({ dot: 1, normSq: 2, prevNormSq: 1 })).toBeCloseTo(45, 10);
    expect(angleFromDots({ dot: 0, normSq: 3, prevNormSq: 5 })).toBe(90);
    expect(angleFromDots({ dot: -2, normSq: 4, prevNormSq: 1 }, 0)).toBe(180);
    expect(angleFromDots({ dot: -2, normSq: 4, prevNormSq: 1 })).toBeCloseTo(180, 3); // ε = 1e-12 moves acos near −1 by ~√ε
    expect(angleFromDots({ dot: 1.0000001, normSq: 1, prevNormSq: 1 }, 0)).toBe(0);
    expect(angleFromDots({ dot: 0, normSq: 0, prevNormSq: 0 })).toBe(90);
  });

  it('std0 is the population std (ddof 0)', () => {
    expect(std0([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(1.25), 15);
    expect(std0([95, 95, 95])).toBe(0);
    expect(std0([7])).toBe(0);
  });

  it('smoothing weights: value domain on ω distance, time domain on index distance', () => {
    const buffer = [90, 92, 91, 95];
    const sigma = 2;
    const value = buffer.map((b) => Math.exp(-((b - 95) ** 2) / 8));
    const time = buffer.map((_, j) => Math.exp(-((j - 3) ** 2) / 8));
    const weighted = (w: number[]) => w.reduce((s, wj, j) => s + wj * buffer[j], 0) / w.reduce((a, b) => a + b, 0);
    expect(smoothAngles(buffer, sigma, 'value')).toBeCloseTo(weighted(value), 12);
    expect(smoothAngles(buffer, sigma, 'time')).toBeCloseTo(weighted(time), 12);
    expect(smoothAngles(buffer, 0, 'value')).toBe(95);
    expect(smoothAngles(buffer, 0, 'time')).toBe(95);
  });

  it('window ends and the fixed effect step', () => {
    const config = parseAutoDrop({ window: 4, delay: 3 });
    expect([0, 1, 3, 4, 5, 8].map((s) => isWindowEnd(config, s))).toEqual([false, false, false, true, false, true]);
    expect(effectStep(config, asStep(8))).toBe(11);
    expect(new AutoDropController(config, 1).effectStep(asStep(12))).toBe(15);
    expect(() => effectStep(config, asStep(-1))).toThrow(RangeError);
  });
});

describe('AutoDrop controller (§3.3, tests of §3.8)', () => {
  for (const smoothing of ['value', 'time'] as const) {
    it(`${smoothing}: constant buffer (all 95°) ⇒ ΔC = 0 ⇒ drop`, () => {
      const config = parseAutoDrop({ smoothing });
      const { decisions } = feed(config, Array(11).fill(95));
      expect(decisions.slice(0, 9).every((d) => d.smoothed === null && !d.dropped)).toBe(true);
      expect(decisions[9].smoothed).toBe(95);
      expect(decisions[9].dropped).toBe(false);
      expect(decisions[10].change).toBe(0);
      expect(decisions[10].dropped).toBe(true);
      expect(decisions[10].lr).toBeCloseTo(0.095, 15);
    });

    it(`${smoothing}: linear ramp +1°/window (90…99 then 91…100) ⇒ ΔC = 1.0 exactly ⇒ no drop`, () => {
      const config = parseAutoDrop({ smoothing });
      const ramp = Array.from({ length: 30 }, (_, i) => 90 + i);
      const { decisions, controller } = feed(config, ramp);
      expect(decisions[10].change).toBe(1);
      expect(decisions.slice(10).every((d) => d.change === 1)).toBe(true);
      expect(dropsAt(decisions)).toEqual([]);
      expect(controller.lr).toBe(0.1);
    });

    it(`${smoothing}: a falling ramp drops under 'signed', not under 'absolute'`, () => {
      const falling = Array.from({ length: 12 }, (_, i) => 110 - i);
      expect(dropsAt(feed(parseAutoDrop({ smoothing }), falling).decisions)).toEqual([10]);
      expect(feed(parseAutoDrop({ smoothing, thresholdMode: 'absolute' }), falling).decisions[10].change).toBe(-1);
      expect(dropsAt(feed(parseAutoDrop({ smoothing, thresholdMode: 'absolute' }), falling).decisions)).toEqual([]);
    });
  }

  it('stale-C regression: after a drop, no second drop before m + 1 new windows (m = 10 and 5)', () => {
    for (const buffer of [10, 5]) {
      const { decisions } = feed(parseAutoDrop({ buffer }), Array(100).fill(95));
      const drops = dropsAt(decisions);
      expect(drops[0]).toBe(buffer);
      for (let j = 1; j < drops.length; j++) expect(drops[j] - drops[j - 1]).toBe(buffer + 1);
      expect(drops.length).toBe(Math.floor((100 - buffer - 1) / (buffer + 1)) + 1);
    }
  });

  it('windows before the first angle (null) count but push nothing', () => {
    const { decisions, controller } = feed(parseAutoDrop({ buffer: 3 }), [null, null, 95, 95, 95, 95]);
    expect(decisions.map((d) => d.window)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(decisions.map((d) => d.angle)).toEqual([null, null, 95, 95, 95, 95]);
    expect(dropsAt(decisions)).toEqual([5]);
    expect(controller.windows).toBe(6);
  });

  it('non-finite dots (a diverged run) are skipped', () => {
    const controller = new AutoDropController(parseAutoDrop({ buffer: 2 }), 1);
    controller.observeAngle(95);
    const skipped = controller.observe({ dot: Number.NaN, normSq: 1, prevNormSq: 1 });
    expect(skipped.angle).toBeNull();
    expect(controller.snapshot().buffer).toEqual([95]);
  });

  it('lr lower bound: α = max(lrMin, ρα), then stays at lrMin', () => {
    const config = parseAutoDrop({ buffer: 1, rho: 0.5, lrMin: 0.02 });
    const { decisions, controller } = feed(config, Array(12).fill(100), 0.06);
    const rates = decisions.filter((d) => d.dropped).map((d) => d.lr);
    expect(rates).toEqual([0.03, 0.02, 0.02, 0.02, 0.02, 0.02]);
    expect(controller.lr).toBe(0.02);
    expect(controller.drops).toBe(6);
  });

  it('α after n drops equals α0·ρⁿ multiplied in order (what RunRates.addDrop computes)', () => {
    const { controller } = feed(parseAutoDrop({ buffer: 1 }), Array(40).fill(93), 0.06);
    let expected = 0.06;
    for (let i = 0; i < controller.drops; i++) expected *= 0.95;
    expect(controller.drops).toBe(20);
    expect(controller.lr).toBe(expected);
  });

  it('is deterministic, and snapshot/fromState continue identically', () => {
    const angles = Array.from({ length: 60 }, (_, i) => 100 + 5 * Math.sin(i * 0.7) + 0.01 * i);
    const config = parseAutoDrop({ buffer: 4 });
    const dots = angles.map((a) => ({ dot: Math.cos((a * Math.PI) / 180), normSq: 1, prevNormSq: 1 }));
    const first = runAutoDrop(config, 0.1, dots);
    expect(runAutoDrop(config, 0.1, dots)).toEqual(first);
    const controller = new AutoDropController(config, 0.1);
    dots.slice(0, 30).forEach((d) => controller.observe(d));
    const resumed = AutoDropController.fromState(config, 0.1, controller.snapshot());
    expect(dots.slice(30).map((d) => resumed.observe(d))).toEqual(first.slice(30));
    controller.reset();
    expect(controller.lr).toBe(0.1);
    expect(controller.windows).toBe(0);
  });
});

describe('AutoDrop-v1 (§3.7)', () => {
  it('drops when the mean |Δω| over m windows is below θ; θ grows by 1/ρ up to θ̄', () => {
    const config = parseAutoDrop({ mode: 'v1', buffer: 3, rho: 0.9, theta: 0.1, thetaMax: 0.15 });
    const { decisions, controller } = feed(config, Array(30).fill(95), 1);
    // first change at window 1; 3 changes at window 3 → drop; then 3 fresh changes each time.
    expect(dropsAt(decisions)).toEqual([3, 6, 9, 12, 15, 18, 21, 24, 27]);
    const thresholds = decisions.filter((d) => d.dropped).map((d) => d.threshold);
    expect(thresholds[0]).toBe(0.1);
    expect(thresholds[1]).toBeCloseTo(0.1 / 0.9, 15);
    expect(thresholds[2]).toBeCloseTo(0.1 / 0.81, 15);
    expect(thresholds[3]).toBeCloseTo(0.1 / 0.729, 15);
    expect(thresholds.slice(4)).toEqual(Array(5).fill(0.15));
    expect(controller.theta).toBe(0.15);
  });

  it('no drop while the angle keeps changing by more than θ', () => {
    const zigzag = Array.from({ length: 20 }, (_, i) => (i % 2 ? 100 : 99));
    const { decisions } = feed(parseAutoDrop({ mode: 'v1', buffer: 3, theta: 0.5 }), zigzag);
    expect(decisions[5].smoothed).toBe(1);
    expect(dropsAt(decisions)).toEqual([]);
    expect(dropsAt(feed(parseAutoDrop({ mode: 'v1', buffer: 3, theta: 1.5, thetaMax: 2 }), zigzag).decisions)).toEqual([3, 6, 9, 12, 15, 18]);
  });
});
