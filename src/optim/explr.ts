/**
 * The exponential learning rate of Li & Arora (arXiv 1910.07454, ICLR 2020), methods.md §5.
 * On a scale-invariant loss, SGD with PyTorch momentum γ, coupled weight decay λ and LRs η_t follows
 * the same trajectory, up to a positive scale θ_t = c_t·θ̃_t, as SGD with momentum γ, no weight
 * decay and LRs η̃_t = η_t/(c_t c_{t+1}) (exact recurrence, §5.3). The closed form η̃_t = α^(−2t−1)η
 * and TEXP (the tapered form for step decay) replace c_t by products of the larger root α.
 * η̃ grows exponentially: a power-of-two renormalization plan (§5.6) keeps f32 values in range.
 * Everything is float64 and a pure function of (η_·, λ, γ, t).
 */
import { z } from 'zod';
import { parseConfig } from '../util/validate';

export interface ExpLrRoots {
  /** The larger root, ≈ 1 − λη/(1 − γ): η̃ grows by α^(−2) per step. */
  alpha: number;
  /** The other root, γ/α. */
  beta: number;
}

function checkHyperparameters(lambda: number, gamma: number): void {
  if (!(Number.isFinite(lambda) && lambda >= 0)) throw new Error(`weightDecay (λ) must be a finite number >= 0 (got ${lambda})`);
  if (!(Number.isFinite(gamma) && gamma >= 0 && gamma < 1)) throw new Error(`momentum (γ) must be in [0, 1) (got ${gamma})`);
}

function checkStep(t: number): void {
  if (!Number.isInteger(t) || t < 0) throw new RangeError(`step must be an integer >= 0 (got ${t})`);
}

function checkRate(eta: number, what = 'lr (η)'): void {
  if (!(Number.isFinite(eta) && eta > 0)) throw new Error(`${what} must be a finite number > 0 (got ${eta})`);
}

/** Roots of x² − (1 + γ − λη)x + γ = 0: α = (b + √(b² − 4γ))/2 with b = 1 + γ − λη, β = γ/α. */
export function expLrRoots(eta: number, lambda: number, gamma: number): ExpLrRoots {
  checkRate(eta);
  checkHyperparameters(lambda, gamma);
  const b = 1 + gamma - lambda * eta;
  const discriminant = b * b - 4 * gamma;
  if (discriminant < 0) {
    throw new Error(
      `exp-LR has no real root: (1 + momentum − weightDecay·lr)² − 4·momentum = ${discriminant} < 0 ` +
        `for lr=${eta}, weightDecay=${lambda}, momentum=${gamma} (needs weightDecay·lr <= (1 − √momentum)²)`,
    );
  }
  const alpha = (b + Math.sqrt(discriminant)) / 2;
  if (!(alpha > 0)) throw new Error(`exp-LR needs weightDecay·lr < 1 + momentum (got lr=${eta}, weightDecay=${lambda}, momentum=${gamma})`);
  return { alpha, beta: gamma / alpha };
}

/** The theorem's closed form η̃_t = α^(−2t−1)·η (exact when the run starts with momentum ṽ_0 = −(1−α)θ_0/(ηα)). */
export function closedFormExpRate(eta: number, lambda: number, gamma: number, t: number): number {
  return eta * expLrRoots(eta, lambda, gamma).alpha ** (-2 * t - 1);
}

/** lim η̃_t(exact, zero initial momentum)/η̃_t(closed form) = 1/A², A = α(1−β)/(α−β) (a constant: a rescaled init). */
export function expLrLimitRatio(eta: number, lambda: number, gamma: number): number {
  const { alpha, beta } = expLrRoots(eta, lambda, gamma);
  const a = (alpha * (1 - beta)) / (alpha - beta);
  return 1 / (a * a);
}

/** TEXP's multiplier at a phase boundary: η̃_{T_I}/η̃_{T_I − 1} = (η_I/η_{I−1})/(α_{I−1}·α_I). */
export function texpBoundaryMultiplier(etaBefore: number, etaAfter: number, lambda: number, gamma: number): number {
  return etaAfter / etaBefore / (expLrRoots(etaBefore, lambda, gamma).alpha * expLrRoots(etaAfter, lambda, gamma).alpha);
}

/** x·2^n, exact while the result is a normal float (no overflow of 2^n on the way). */
export function ldexp(x: number, n: number): number {
  while (n > 1000) {
    x *= 2 ** 1000;
    n -= 1000;
  }
  while (n < -1000) {
    x *= 2 ** -1000;
    n += 1000;
  }
  return x * 2 ** n;
}

/** An exp-LR schedule: η̃_t and the scale c_t (θ_t = c_t·θ̃_t), t = 0-based optimizer step. */
export interface ExpLrSchedule {
  /** η̃_t (Infinity past the float64 range: use log2Rate or scaledRate). */
  rate(t: number): number;
  /** c_t (c_0 = 1; 0 past the float64 range). */
  scale(t: number): number;
  /** log₂ η̃_t, finite for every t. */
  log2Rate(t: number): number;
  /** η̃_t·4^(−k) without intermediate overflow; exactly rate(t)·4^(−k) in the normal range. */
  scaledRate(t: number, k: number): number;
}

const RESCALE_BITS = 128;
const RESCALE_LOW = 2 ** -RESCALE_BITS;
const RESCALE_HIGH = 2 ** RESCALE_BITS;

/**
 * c_{−1} = c_0 = 1, c_{t+1} = a_t c_t − b_t c_{t−1}, computed once in order and cached (O(1) per
 * step; 10⁵ steps take milliseconds). c_t is held as mantissa·2^(−E_t) and rescaled by 2^±128,
 * so that η̃_t = η_t/(c_t c_{t+1}) survives past the float64 range of c_t.
 */
class ScaleRecurrence implements ExpLrSchedule {
  private etas = new Float64Array(1024);
  private mantissas = new Float64Array(1024);
  private exponents = new Int32Array(1024);
  /** c_0 … c_{known−1} are known; η_0 … η_{known−2} too. */
  private known = 1;

  constructor(
    private readonly baseRate: (t: number) => number,
    private readonly coefficients: (t: number, eta: number, previousEta: number) => [number, number],
    private readonly label: string,
  ) {
    this.mantissas[0] = 1;
  }

  private grow(): void {
    const size = this.mantissas.length * 2;
    const etas = new Float64Array(size);
    const mantissas = new Float64Array(size);
    const exponents = new Int32Array(size);
    etas.set(this.etas);
    mantissas.set(this.mantissas);
    exponents.set(this.exponents);
    [this.etas, this.mantissas, this.exponents] = [etas, mantissas, exponents];
  }

  /** Makes c_0 … c_index known. */
  private extend(index: number): void {
    while (this.known <= index) {
      const t = this.known - 1; // compute c_{t+1}
      if (this.known >= this.mantissas.length) this.grow();
      const eta = this.baseRate(t);
      checkRate(eta, `${this.label}: the base LR η_${t}`);
      this.etas[t] = eta;
      const [a, b] = this.coefficients(t, eta, t === 0 ? eta : this.etas[t - 1]);
      const exponent = this.exponents[t];
      const previous = t === 0 ? 1 : ldexp(this.mantissas[t - 1], exponent - this.exponents[t - 1]);
      let next = a * this.mantissas[t] - b * previous;
      if (!(next > 0) || !Number.isFinite(next)) {
        throw new Error(`${this.label}: c_${t + 1} = ${next} is not positive: the LR ratio η_${t}/η_${t - 1} is too large for an equivalent run`);
      }
      let nextExponent = exponent;
      if (next < RESCALE_LOW) [next, nextExponent] = [next * RESCALE_HIGH, exponent + RESCALE_BITS];
      else if (next > RESCALE_HIGH) [next, nextExponent] = [next * RESCALE_LOW, exponent - RESCALE_BITS];
      this.mantissas[t + 1] = next;
      this.exponents[t + 1] = nextExponent;
      this.known++;
    }
  }

  /** η_t/(m_t m_{t+1}) and E_t + E_{t+1}: η̃_t = that·2^(E_t + E_{t+1}). */
  private rateParts(t: number): [number, number] {
    checkStep(t);
    this.extend(t + 1);
    return [this.etas[t] / (this.mantissas[t] * this.mantissas[t + 1]), this.exponents[t] + this.exponents[t + 1]];
  }

  rate(t: number): number {
    const [mantissa, exponent] = this.rateParts(t);
    return ldexp(mantissa, exponent);
  }

  scale(t: number): number {
    checkStep(t);
    this.extend(t);
    return ldexp(this.mantissas[t], -this.exponents[t]);
  }

  log2Rate(t: number): number {
    const [mantissa, exponent] = this.rateParts(t);
    return Math.log2(mantissa) + exponent;
  }

  scaledRate(t: number, k: number): number {
    const [mantissa, exponent] = this.rateParts(t);
    return ldexp(mantissa, exponent - 2 * k);
  }
}

/**
 * The exact equivalent schedule with zero initial momentum (§5.3): c_{−1} = c_0 = 1,
 * c_{t+1} = (1 + γr_t − η_tλ)c_t − γr_t c_{t−1}, r_t = η_t/η_{t−1} (r_0 = 1), η̃_t = η_t/(c_t c_{t+1}).
 */
export function exactExpSchedule(etas: (t: number) => number, lambda: number, gamma: number): ExpLrSchedule {
  checkHyperparameters(lambda, gamma);
  return new ScaleRecurrence(
    etas,
    (_t, eta, previousEta) => {
      const ratio = eta / previousEta;
      return [1 + gamma * ratio - eta * lambda, gamma * ratio];
    },
    'exactExpSchedule',
  );
}

/**
 * TEXP (§5.3): c_{t+1} = α(η_t)·c_t, η̃_t = η_t/(c_t c_{t+1}); for step decay that is η̃_0 = η_0/α_0,
 * ×α_I^(−2) inside phase I, ×(η_I/η_{I−1})/(α_{I−1}α_I) at its start. A constant η gives the closed form.
 */
export function texpSchedule(etas: (t: number) => number, lambda: number, gamma: number): ExpLrSchedule {
  checkHyperparameters(lambda, gamma);
  let cachedEta = NaN;
  let cachedAlpha = NaN;
  return new ScaleRecurrence(
    etas,
    (_t, eta) => {
      if (eta !== cachedEta) [cachedEta, cachedAlpha] = [eta, expLrRoots(eta, lambda, gamma).alpha];
      return [cachedAlpha, 0];
    },
    'texpSchedule',
  );
}

/** A step-decay phase: η_t = lr for start ≤ t < the next phase's start. */
export interface LrPhase {
  start: number;
  lr: number;
}

/** η_t = η_I for T_I ≤ t < T_{I+1}, from phases with T_0 = 0 and increasing starts. */
export function phaseRates(phases: readonly LrPhase[]): (t: number) => number {
  if (phases.length === 0 || phases[0].start !== 0) throw new Error('phases: the first phase must start at step 0');
  phases.forEach((phase, k) => {
    if (!Number.isInteger(phase.start) || (k > 0 && phase.start <= phases[k - 1].start)) {
      throw new Error(`phases.${k}.start: must be an integer greater than the previous start (got ${phase.start})`);
    }
    checkRate(phase.lr, `phases.${k}.lr`);
  });
  return (t: number) => {
    let k = phases.length - 1;
    while (phases[k].start > t) k--;
    return phases[k].lr;
  };
}

/** The symmetry of momentum-SGD without weight decay (§5.6): (θ, buf, η̃) → (θ/c, buf·c, η̃/c²) keeps the trajectory (up to the scale c). */
export function renormFactors(scale: number): { theta: number; momentum: number; rate: number } {
  if (!(Number.isFinite(scale) && scale > 0)) throw new Error(`renormalization scale must be a finite number > 0 (got ${scale})`);
  return { theta: 1 / scale, momentum: scale, rate: 1 / (scale * scale) };
}

/** When and by how much an engine renormalizes an exp-LR run; k_t is a pure function of (schedule, maxRate, t). */
export interface Renormalization {
  /** k_t ≥ 0: at step t the engine holds θ̃_t/2^k_t and buf·2^k_t, and steps with η̃_t/4^k_t. */
  exponent(t: number): number;
  /** The LR the engine uses at step t: η̃_t·4^(−k_t) (≤ maxRate). */
  rate(t: number): number;
  /** Factors from k_{t−1} to k_t (k_{−1} = 0), to apply to θ and the momentum buffer before step t (= at the end of step t − 1). */
  transition(t: number): { theta: number; momentum: number };
}

/**
 * Power-of-two renormalization (exact in f32 and f64 away from under/overflow, so it does not change
 * the computed trajectory): k_t = max(0, k_{t−1}, ⌈(log₂ η̃_t − log₂ maxRate)/2⌉). Since ‖θ̃_t‖² grows
 * like η̃_t (blog: ‖θ̃_t‖²/η̃_t ≈ constant), bounding the engine's rate also bounds the engine's ‖θ‖.
 */
export function renormalization(schedule: ExpLrSchedule, maxRate = 1e4): Renormalization {
  if (!(Number.isFinite(maxRate) && maxRate > 0)) throw new Error(`renormMaxRate must be a finite number > 0 (got ${maxRate})`);
  const log2Max = Math.log2(maxRate);
  let exponents = new Int32Array(1024);
  let known = 0;
  const exponent = (t: number): number => {
    checkStep(t);
    while (known <= t) {
      if (known >= exponents.length) {
        const grown = new Int32Array(exponents.length * 2);
        grown.set(exponents);
        exponents = grown;
      }
      const needed = Math.ceil((schedule.log2Rate(known) - log2Max) / 2);
      exponents[known] = Math.max(0, known === 0 ? 0 : exponents[known - 1], needed);
      known++;
    }
    return exponents[t];
  };
  return {
    exponent,
    rate: (t) => schedule.scaledRate(t, exponent(t)),
    transition: (t) => {
      const step = 2 ** (exponent(t) - (t === 0 ? 0 : exponent(t - 1)));
      return { theta: 1 / step, momentum: step };
    },
  };
}

export const EXPLR_FORMS = ['exact', 'texp'] as const;

/** Exp-LR as a method: η̃ replaces the base schedule η_t of a run trained without weight decay. */
export const expLrSchema = z
  .object({
    form: z.enum(EXPLR_FORMS, { error: 'must be "exact" or "texp"' }).default('exact').meta({
      title: 'form',
      description: "'exact': the §5.3 recurrence (any base schedule); 'texp': TEXP, products of α (exact up to a constant for step-decay schedules).",
    }),
    weightDecay: z
      .number({ error: 'must be a number >= 0' })
      .min(0, 'must be a number >= 0')
      .default(5e-4)
      .meta({ title: 'λ reproduced', description: 'λ of the weight-decay run this one reproduces (the exp-LR run itself uses no weight decay).' }),
    renormMaxRate: z
      .number({ error: 'must be a number > 0' })
      .gt(0, 'must be a number > 0')
      .default(1e4)
      .meta({ title: 'renorm at', description: "Renormalize (by powers of two) whenever the engine's rate would exceed this." }),
  })
  .strict()
  .meta({
    title: 'Exp LR',
    description:
      'Exponential LR (Li & Arora): no weight decay, an exponentially growing rate instead; needs SGD or momentum with weight decay 0.',
    examples: [{ form: 'exact', weightDecay: 5e-4 }],
  });

export type ExpLrConfig = z.output<typeof expLrSchema>;

/** Validates an exp-LR config; errors name the field ("explr.weightDecay: must be a number >= 0 (got -1)"). */
export function parseExpLr(input: unknown = {}, prefix = 'explr'): ExpLrConfig {
  return parseConfig(expLrSchema, input, prefix);
}

/** η̃ for a base schedule η_t (e.g. compileSchedule(...)) and the optimizer's momentum γ. */
export function compileExpLr(config: ExpLrConfig, etas: (t: number) => number, momentum: number): ExpLrSchedule {
  return config.form === 'exact' ? exactExpSchedule(etas, config.weightDecay, momentum) : texpSchedule(etas, config.weightDecay, momentum);
}
