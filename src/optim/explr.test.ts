/** Exp-LR / TEXP (methods.md §5.2–5.6): every test vector of the spec, the recurrence, renormalization. */
import { describe, expect, it } from 'vitest';
import {
  closedFormExpRate,
  compileExpLr,
  exactExpSchedule,
  expLrLimitRatio,
  expLrRoots,
  ldexp,
  parseExpLr,
  phaseRates,
  renormFactors,
  renormalization,
  texpBoundaryMultiplier,
  texpSchedule,
} from './explr';
import { compileSchedule, parseSchedule } from './schedules';

const [eta, lambda, gamma] = [0.1, 5e-4, 0.9];
const stepDecay = phaseRates([
  { start: 0, lr: 0.1 },
  { start: 1500, lr: 0.01 },
]);

function expectRel(actual: number, expected: number, rtol: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected));
}

describe('roots of x² − (1 + γ − λη)x + γ (§5.2, §5.4)', () => {
  it('η 0.1, λ 5e-4, γ 0.9: α, β, α⁻², η̃_0 = η/α, per-epoch growth for 391 and 390 iterations', () => {
    const { alpha, beta } = expLrRoots(eta, lambda, gamma);
    expectRel(alpha, 0.9994977283678897, 1e-15);
    expectRel(beta, 0.9004522716321101, 1e-15);
    expectRel(alpha ** -2, 1.001005300601762, 1e-15);
    expectRel(eta / alpha, 0.1000502524, 1e-10);
    expectRel(closedFormExpRate(eta, lambda, gamma, 0), 0.1000502524, 1e-10);
    expectRel(alpha ** -782, 1.48123, 1e-5);
    expectRel(alpha ** -780, 1.47975, 1e-5);
    expectRel(closedFormExpRate(eta, lambda, gamma, 391) / closedFormExpRate(eta, lambda, gamma, 0), 1.48123, 1e-5);
  });

  it('γ = 0: α = 1 − λη = 0.99995, growth (1 − λη)⁻² = 1.0001000075', () => {
    const { alpha, beta } = expLrRoots(eta, lambda, 0);
    expectRel(alpha, 0.99995, 1e-15);
    expect(beta).toBe(0);
    expectRel(alpha ** -2, 1.0001000075, 1e-10);
    expect(expLrLimitRatio(eta, lambda, 0)).toBe(1);
  });

  it('the table of other roots (α, α⁻², 1/A² with A = α(1−β)/(α−β))', () => {
    const table: [number, number, number, number, number, number][] = [
      [0.1, 5e-4, 0.9, 0.99949773, 1.0010053, 0.99093],
      [0.1, 1e-4, 0.9, 0.99989991, 1.00020021, 0.9982],
      [0.05, 5e-4, 0.9, 0.99974943, 1.00050132, 0.99548],
      [0.01, 5e-4, 0.9, 0.99994998, 1.00010005, 0.9991],
      [0.001, 5e-4, 0.9, 0.999995, 1.00001, 0.99991],
    ];
    for (const [rate, decay, momentum, alpha, growth, ratio] of table) {
      const roots = expLrRoots(rate, decay, momentum);
      expect(Math.abs(roots.alpha - alpha)).toBeLessThan(5e-9);
      expect(Math.abs(roots.alpha ** -2 - growth)).toBeLessThan(5e-9);
      expect(Math.abs(expLrLimitRatio(rate, decay, momentum) - ratio)).toBeLessThan(5e-6);
      expectRel(roots.alpha * roots.beta, momentum, 1e-15);
    }
  });

  it('a negative discriminant or bad input is an error naming the fields', () => {
    expect(() => expLrRoots(0.1, 0.05, 0.9)).toThrow(/no real root.*lr=0\.1, weightDecay=0\.05, momentum=0\.9/);
    expect(() => expLrRoots(0, lambda, gamma)).toThrow('lr (η) must be a finite number > 0 (got 0)');
    expect(() => expLrRoots(eta, NaN, gamma)).toThrow('weightDecay (λ) must be a finite number >= 0 (got NaN)');
    expect(() => expLrRoots(eta, lambda, 1)).toThrow('momentum (γ) must be in [0, 1) (got 1)');
    expect(() => expLrRoots(20, 0.1, 0)).toThrow('exp-LR needs weightDecay·lr < 1 + momentum');
  });
});

describe('exact recurrence (§5.3)', () => {
  it('η̃ for step decay 0.1 → 0.01 at t = 1500: t = 0, 1, 2 and around the boundary (§5.7)', () => {
    const schedule = exactExpSchedule(stepDecay, lambda, gamma);
    expectRel(schedule.rate(0), 0.100005, 1e-6);
    expectRel(schedule.rate(1), 0.1000195, 1e-6);
    expectRel(schedule.rate(2), 0.10004256, 1e-7);
    // The spec lists 0.4466363 "at t = 1499"; that is η̃_1498 (η̃_1499 = η̃_1498·α⁻²; see the report).
    expectRel(schedule.rate(1498), 0.4466363, 1e-7);
    expectRel(schedule.rate(1499), 0.4466363 / expLrRoots(eta, lambda, gamma).alpha ** 2, 1e-6);
    expectRel(schedule.rate(1500), 0.04473324, 1e-7);
    expect(schedule.scale(0)).toBe(1);
    expectRel(schedule.scale(1), 1 - eta * lambda, 1e-15);
  });

  it('matches the recurrence written out, and c_t = α^t asymptotically up to the constant A (η̃ ratio → 1/A²)', () => {
    const etas = (t: number) => (t < 700 ? 0.1 : t < 1400 ? 0.03 : 0.05 * (1 + 0.001 * t));
    const schedule = exactExpSchedule(etas, lambda, gamma);
    let [previous, current] = [1, 1];
    for (let t = 0; t < 3000; t++) {
      const ratio = t === 0 ? 1 : etas(t) / etas(t - 1);
      const next = (1 + gamma * ratio - etas(t) * lambda) * current - gamma * ratio * previous;
      expect(schedule.scale(t)).toBe(current);
      expect(schedule.rate(t)).toBe(etas(t) / (current * next));
      [previous, current] = [current, next];
    }
    const constant = exactExpSchedule(() => eta, lambda, gamma);
    expectRel(constant.rate(2000) / closedFormExpRate(eta, lambda, gamma, 2000), expLrLimitRatio(eta, lambda, gamma), 1e-12);
  });

  it('queries in any order, cached; 10⁵ steps are fast; beyond float64 range through log2Rate and scaledRate', () => {
    const schedule = exactExpSchedule(() => eta, 5e-3, gamma);
    const started = performance.now();
    const late = schedule.rate(100_000);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(schedule.rate(10)).toBe(exactExpSchedule(() => eta, 5e-3, gamma).rate(10));
    expect(late).toBe(Infinity); // ≈ 2^1517
    const log2 = schedule.log2Rate(100_000);
    expect(log2).toBeGreaterThan(1024);
    const k = Math.ceil(log2 / 2);
    expectRel(Math.log2(schedule.scaledRate(100_000, k)), log2 - 2 * k, 1e-12);
    // Continuity across the internal 2^128 rescaling of c_t: the per-step growth stays α⁻² (to the limit ratio).
    const growth = 2 ** (schedule.log2Rate(100_000) - schedule.log2Rate(99_999));
    expectRel(growth, expLrRoots(eta, 5e-3, gamma).alpha ** -2, 1e-12);
  });

  it('errors: a non-positive base LR, a step that is not a non-negative integer, an LR jump too large', () => {
    expect(() => exactExpSchedule((t) => (t < 5 ? 0.1 : 0), lambda, gamma).rate(5)).toThrow('the base LR η_5 must be a finite number > 0 (got 0)');
    expect(() => exactExpSchedule(() => eta, lambda, gamma).rate(-1)).toThrow('step must be an integer >= 0 (got -1)');
    expect(() => exactExpSchedule((t) => (t < 5 ? 0.1 : 100), 0.01, gamma).rate(5)).toThrow('c_6');
  });
});

describe('TEXP (§5.3)', () => {
  it('boundary multipliers for 0.1 → 0.01 → 0.001: 0.1000552574 and 0.1000055026', () => {
    expectRel(texpBoundaryMultiplier(0.1, 0.01, lambda, gamma), 0.1000552574, 5e-10);
    expectRel(texpBoundaryMultiplier(0.01, 0.001, lambda, gamma), 0.1000055026, 5e-10);
    const texp = texpSchedule(phaseRates([{ start: 0, lr: 0.1 }, { start: 100, lr: 0.01 }, { start: 200, lr: 0.001 }]), lambda, gamma);
    expectRel(texp.rate(100) / texp.rate(99), texpBoundaryMultiplier(0.1, 0.01, lambda, gamma), 1e-14);
    expectRel(texp.rate(200) / texp.rate(199), texpBoundaryMultiplier(0.01, 0.001, lambda, gamma), 1e-14);
  });

  it('η̃_0 = η_0/α_0, ×α_I⁻² inside a phase; a single phase is the closed form', () => {
    const texp = texpSchedule(stepDecay, lambda, gamma);
    const alpha0 = expLrRoots(0.1, lambda, gamma).alpha;
    const alpha1 = expLrRoots(0.01, lambda, gamma).alpha;
    expectRel(texp.rate(0), 0.1 / alpha0, 1e-15);
    expectRel(texp.rate(700) / texp.rate(699), alpha0 ** -2, 1e-13);
    expectRel(texp.rate(2700) / texp.rate(2699), alpha1 ** -2, 1e-13);
    const closed = texpSchedule(() => eta, lambda, gamma);
    for (const t of [0, 1, 391, 3000]) expectRel(closed.rate(t), closedFormExpRate(eta, lambda, gamma, t), 1e-12);
  });

  it('TEXP / exact ≈ 1.00915, constant across the phase boundary (the initial-momentum factor A²)', () => {
    const texp = texpSchedule(stepDecay, lambda, gamma);
    const exact = exactExpSchedule(stepDecay, lambda, gamma);
    const ratios = Array.from({ length: 2800 }, (_, k) => texp.rate(k + 200) / exact.rate(k + 200));
    for (const ratio of ratios) expect(Math.abs(ratio - 1.00915)).toBeLessThan(1e-5);
    expectRel(ratios[1000], 1 / expLrLimitRatio(eta, lambda, gamma), 1e-12); // t = 1200
    expect(Math.abs(ratios[2500] / ratios[1000] - 1)).toBeLessThan(5e-6); // t = 2700 vs 1200
  });

  it('phaseRates validates the phases', () => {
    expect(() => phaseRates([{ start: 1, lr: 0.1 }])).toThrow('phases: the first phase must start at step 0');
    expect(() => phaseRates([{ start: 0, lr: 0.1 }, { start: 0, lr: 0.01 }])).toThrow('phases.1.start');
    expect(() => phaseRates([{ start: 0, lr: -0.1 }])).toThrow('phases.0.lr must be a finite number > 0');
  });
});

describe('renormalization (§5.6)', () => {
  it('factors (θ/c, buf·c, η̃/c²)', () => {
    expect(renormFactors(4)).toEqual({ theta: 0.25, momentum: 4, rate: 0.0625 });
    expect(() => renormFactors(0)).toThrow('renormalization scale must be a finite number > 0');
  });

  it('power-of-two plan: engine rate ≤ maxRate, k non-decreasing, exact scaling, transitions compose to 2^k', () => {
    const schedule = exactExpSchedule(() => eta, 5e-3, gamma);
    const plan = renormalization(schedule, 1e4);
    let thetaScale = 1;
    let momentumScale = 1;
    let changes = 0;
    const problems: string[] = [];
    for (let t = 0; t < 20_000; t++) {
      const k = plan.exponent(t);
      const transition = plan.transition(t);
      thetaScale *= transition.theta;
      momentumScale *= transition.momentum;
      if (transition.theta !== 1) changes++;
      if (thetaScale !== 2 ** -k || momentumScale !== 2 ** k) problems.push(`t=${t}: transitions do not compose to 2^k`);
      if (!(plan.rate(t) <= 1e4)) problems.push(`t=${t}: rate ${plan.rate(t)} > maxRate`);
      if (k > 0 && plan.rate(t) !== schedule.rate(t) / 4 ** k) problems.push(`t=${t}: rate is not η̃/4^k exactly`);
      if (t > 0 && k < plan.exponent(t - 1)) problems.push(`t=${t}: k decreased`);
    }
    expect(problems).toEqual([]);
    expect(changes).toBeGreaterThan(5);
    // Far beyond float64 the engine's rate is still finite and in range.
    const late = plan.rate(100_000);
    expect(late).toBeGreaterThan(1e4 / 4);
    expect(late).toBeLessThanOrEqual(1e4);
  });

  it('no renormalization while η̃ stays below maxRate', () => {
    const plan = renormalization(exactExpSchedule(stepDecay, lambda, gamma));
    for (const t of [0, 1000, 2999]) expect(plan.exponent(t)).toBe(0);
    expect(() => renormalization(exactExpSchedule(stepDecay, lambda, gamma), 0)).toThrow('renormMaxRate must be a finite number > 0');
  });

  it('ldexp scales by powers of two exactly, also past 2^±1000', () => {
    expect(ldexp(3, 4)).toBe(48);
    expect(ldexp(2 ** 600, -1500)).toBe(2 ** -900);
    expect(ldexp(1.5 * 2 ** -1000, 2000)).toBe(1.5 * 2 ** 1000);
  });
});

describe('config', () => {
  it('parseExpLr fills defaults and names fields; compileExpLr picks the form', () => {
    expect(parseExpLr({})).toEqual({ form: 'exact', weightDecay: 5e-4, renormMaxRate: 1e4 });
    expect(() => parseExpLr({ weightDecay: -1 })).toThrow('explr.weightDecay: must be a number >= 0 (got -1)');
    expect(() => parseExpLr({ form: 'closed' })).toThrow('explr.form: must be "exact" or "texp" (got "closed")');
    const base = compileSchedule(parseSchedule({ kind: 'step', lr: 0.1, stepSize: 1500 }));
    expectRel(compileExpLr(parseExpLr({}), base, gamma).rate(1500), exactExpSchedule(stepDecay, lambda, gamma).rate(1500), 1e-14);
    expectRel(compileExpLr(parseExpLr({ form: 'texp' }), base, gamma).rate(1500), texpSchedule(stepDecay, lambda, gamma).rate(1500), 1e-14);
  });
});
