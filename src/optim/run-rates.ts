/**
 * The global learning rate of one run, step by step: base schedule → RALR → AutoDrop's drops →
 * exponential LR (Li & Arora) with power-of-two renormalization. A pure function of (config,
 * seed, step) and, for AutoDrop, of the drops decided so far (each takes effect at a fixed step).
 * Also what the charts plot: the effective rate, LRD's expected rate and LEAP's band.
 */
import { compileExpLr, renormalization, type ExpLrConfig, type Renormalization, type ExpLrSchedule } from './explr';
import { leapBand, type LeapConfig } from './leap';
import { lrdExpectedRate, type LrdConfig } from './lrd';
import { compileRalr, type RalrConfig } from './ralr';
import { compileSchedule, type ScheduleConfig } from './schedules';
import { zeroBased, type Step } from '../util/ids';

export interface RunRatesConfig {
  schedule: ScheduleConfig;
  ralr?: RalrConfig | null;
  expLr?: ExpLrConfig | null;
}

export interface RunRatesContext {
  seed: number;
  runKey: number;
  stepsPerEpoch: number;
  /** γ of the run's optimizer (exp-LR needs it). */
  momentum: number;
}

/** What a chart shows for one run at one step. */
export interface EffectiveRate {
  /** The global rate η_t the method sets (for exp-LR the true η̃_t, before renormalization). */
  rate: number;
  /** E[per-element rate]: η_t·keepProb under LRD (η_t when rescaled), else η_t. */
  expected: number;
  /** LEAP's ±σ band of the per-element rate, when LEAP is on. */
  band?: [number, number];
}

/** A drop of the global rate by `factor` from step `fromStep` on (AutoDrop decisions). */
export interface RateDrop {
  fromStep: Step;
  factor: number;
}

export class RunRates {
  private readonly base: (t: number) => number;
  private readonly drops: RateDrop[] = [];
  private readonly exp?: { schedule: ExpLrSchedule; renorm: Renormalization };
  /** Lower bound of the dropped rate (AutoDrop's α_min), 0 = none. */
  private minRate = 0;

  constructor(
    readonly config: RunRatesConfig,
    readonly context: RunRatesContext,
  ) {
    const schedule = compileSchedule(config.schedule, context.stepsPerEpoch);
    const ralr = config.ralr;
    const scheduled = ralr
      ? compileRalr(ralr, schedule, { seed: context.seed, runKey: context.runKey, stepsPerEpoch: context.stepsPerEpoch })
      : schedule;
    this.base = (t) => this.applyDrops(t, scheduled(t));
    if (config.expLr) {
      const expSchedule = compileExpLr(config.expLr, this.base, context.momentum);
      this.exp = { schedule: expSchedule, renorm: renormalization(expSchedule, config.expLr.renormMaxRate) };
    }
  }

  /** Adds a drop decided by a controller; steps already taken are never changed. */
  addDrop(drop: RateDrop, minRate = 0): void {
    const last = this.drops[this.drops.length - 1];
    if (last && drop.fromStep < last.fromStep) throw new Error(`drops must come in step order (${drop.fromStep} < ${last.fromStep})`);
    this.drops.push(drop);
    this.minRate = minRate;
  }

  /** The drops decided so far and the floor (a checkpoint; everything else follows from the config). */
  get dropState(): { drops: RateDrop[]; minRate: number } {
    return { drops: this.drops.map((drop) => ({ ...drop })), minRate: this.minRate };
  }

  /** Takes the drops of a checkpoint (a fresh RunRates only). */
  restoreDrops(state: { drops: readonly RateDrop[]; minRate: number }): void {
    if (this.drops.length > 0) throw new Error('restoreDrops: this run already has drops');
    for (const drop of state.drops) this.addDrop(drop, state.minRate);
    this.minRate = state.minRate;
  }

  /** The global rate before exp-LR at 0-based t: the scheduled rate times every drop in effect, floored at minRate once dropped. */
  private applyDrops(t: number, scheduled: number): number {
    let rate = scheduled;
    let dropped = false;
    for (const drop of this.drops) {
      if (zeroBased(drop.fromStep) > t) break;
      rate *= drop.factor;
      dropped = true;
    }
    return dropped ? Math.max(rate, this.minRate) : rate;
  }

  /** The rate the engine applies in step s, η_t with t = s − 1 (exp-LR: renormalized η̃_t·4^(−k_t)). */
  rate(step: Step): number {
    const t = zeroBased(step);
    return this.exp ? this.exp.renorm.rate(t) : this.base(t);
  }

  /**
   * Scales applied to θ and the momentum buffer at the END of step s (in the same fused update),
   * so that step s + 1 runs on the renormalized values; 1 without exp-LR.
   */
  endOfStepScales(step: Step): { theta: number; state: number } {
    if (!this.exp) return { theta: 1, state: 1 };
    const next = this.exp.renorm.transition(step); // the transition before 0-based step s, i.e. step s + 1
    return { theta: next.theta, state: next.momentum };
  }

  /** The chartable rate of step s, with LRD's expectation and LEAP's band when those are on. */
  effective(step: Step, lrd?: LrdConfig | null, leap?: LeapConfig | null): EffectiveRate {
    const t = zeroBased(step);
    const rate = this.exp ? this.exp.schedule.rate(t) : this.base(t);
    const expected = lrd ? lrdExpectedRate(lrd, rate) : rate;
    return leap ? { rate, expected, band: leapBand(leap, expected) } : { rate, expected };
  }
}
