/**
 * RALR, Random Amplify Learning Rates (Deng et al., Appl. Sci. 12(1):268, 2022), on top of any
 * base schedule η_base(t). The rule is UNCONFIRMED (methods.md §4.2: the method section could not
 * be read); this is the spec's reconstruction, every switch configurable:
 *   at each resampling point (default: every epoch; option: every step), u, v ~ U[0, 1):
 *     u < amplifyProb  ⇒  η_t = η_base(t)·r,  r = factorLow + (factorHigh − factorLow)·v   ('factor')
 *                         or η_t = max(η_base(t), rateLow + (rateHigh − rateLow)·v)      ('absolute')
 *     otherwise        ⇒  η_t = η_base(t).
 * One scalar for all parameters (a global LR). The draws of resampling index j (the epoch or the
 * step) come from Philox keyed by (seed, streamId(ralr, runKey, resample, j)), so η_t is a pure
 * function of (config, seed, t): any step can be queried in any order and reproduces.
 */
import { z } from 'zod';
import { RandomStream, StreamPurpose, streamId } from '../rng/stream';
import { parseConfig } from '../util/validate';

/**
 * The defaults are the project's own choice, not the paper's (unknown, [UNCONFIRMED] in
 * methods.md §4.2, whose placeholder is "p_amp = 0.1–0.2, r ∈ [1, 10]"): the UI must say so.
 * Spec symbols: amplifyProb = p_amp, factorLow/factorHigh = r_lo/r_hi, rateLow/rateHigh = η_lo/η_hi.
 */
export const RALR_DEFAULTS = Object.freeze({
  amplifyProb: 0.1,
  boundsMode: 'factor',
  factorLow: 1,
  factorHigh: 10,
  resample: 'epoch',
  capAtInitialRate: false,
  projectChoice: true,
  note: "RALR's rule and defaults are the project's reconstruction (methods.md §4.2, UNCONFIRMED): the paper's method section could not be read.",
} as const);

export const RALR_BOUNDS_MODES = ['factor', 'absolute'] as const;
export const RALR_RESAMPLE = ['epoch', 'step'] as const;

const number = (message: string) => z.number({ error: message });

const FACTOR = { boundsMode: ['factor'] } as const;
const ABSOLUTE = { boundsMode: ['absolute'] } as const;
const choice = RALR_DEFAULTS.projectChoice;

/** RALR's config; defaults from RALR_DEFAULTS (the project's choice). */
export const ralrSchema = z
  .object({
    amplifyProb: number('must be in [0, 1]')
      .min(0, 'must be in [0, 1]')
      .max(1, 'must be in [0, 1]')
      .default(RALR_DEFAULTS.amplifyProb)
      .meta({ title: 'p amplify', description: 'p_amp: probability that a resampling period is amplified.', projectChoice: choice }),
    boundsMode: z.enum(RALR_BOUNDS_MODES, { error: 'must be "factor" or "absolute"' }).default(RALR_DEFAULTS.boundsMode).meta({
      title: 'bounds',
      description: "'factor': η = η_base·r, r ~ U[factor low, factor high); 'absolute': η ~ U[rate low, rate high), never below η_base.",
      projectChoice: choice,
    }),
    factorLow: number('must be a number >= 1')
      .min(1, 'must be a number >= 1')
      .default(RALR_DEFAULTS.factorLow)
      .meta({ title: 'factor low', description: 'r_lo, the smallest amplification factor (≥ 1: an amplification never lowers the rate).', unit: '× η', projectChoice: choice, when: FACTOR }),
    factorHigh: number('must be a number >= 1')
      .min(1, 'must be a number >= 1')
      .default(RALR_DEFAULTS.factorHigh)
      .meta({ title: 'factor high', description: 'r_hi, the largest amplification factor (≥ factor low).', unit: '× η', projectChoice: choice, when: FACTOR }),
    rateLow: number('must be a number > 0')
      .gt(0, 'must be a number > 0')
      .optional()
      .meta({ title: 'rate low', description: "η_lo, the smallest amplified rate of the 'absolute' mode (required there).", when: ABSOLUTE }),
    rateHigh: number('must be a number > 0')
      .gt(0, 'must be a number > 0')
      .optional()
      .meta({ title: 'rate high', description: "η_hi, the largest amplified rate of the 'absolute' mode (required there, ≥ rate low).", when: ABSOLUTE }),
    resample: z
      .enum(RALR_RESAMPLE, { error: 'must be "epoch" or "step"' })
      .default(RALR_DEFAULTS.resample)
      .meta({ title: 'resample', description: 'Draw once per epoch or every optimizer step.', projectChoice: choice }),
    capAtInitialRate: z.boolean({ error: 'must be true or false' }).default(RALR_DEFAULTS.capAtInitialRate).meta({
      title: 'cap at η₀',
      description: 'Never exceed the initial rate η_base(0) (the spec\'s intent "the spike never exceeds the initial LR"); the base itself is kept.',
      projectChoice: choice,
    }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.factorHigh < c.factorLow) ctx.addIssue({ code: 'custom', path: ['factorHigh'], message: 'must be >= factorLow' });
    if (c.boundsMode === 'absolute') {
      if (c.rateLow === undefined) ctx.addIssue({ code: 'custom', path: ['rateLow'], message: 'is required when boundsMode is "absolute"' });
      if (c.rateHigh === undefined) ctx.addIssue({ code: 'custom', path: ['rateHigh'], message: 'is required when boundsMode is "absolute"' });
      if (c.rateLow !== undefined && c.rateHigh !== undefined && c.rateHigh < c.rateLow) {
        ctx.addIssue({ code: 'custom', path: ['rateHigh'], message: 'must be >= rateLow' });
      }
    }
  })
  .meta({
    title: 'RALR',
    description: 'RALR: now and then the global rate is amplified by a random factor (the spikes). Rule reconstructed (UNCONFIRMED).',
    examples: [{ amplifyProb: 0.1, factorLow: 1, factorHigh: 3 }],
  });

export type RalrInput = z.input<typeof ralrSchema>;
export type RalrConfig = z.output<typeof ralrSchema>;

/** Validates a RALR config and fills the project's defaults; errors name the field ("ralr.factorLow: must be a number >= 1 (got 0.5)"). */
export function parseRalr(input: unknown = {}, prefix = 'ralr'): RalrConfig {
  return parseConfig(ralrSchema, input, prefix);
}

/** Where the draws of a run come from: its seed, an optional run key (runs with equal keys share draws), stepsPerEpoch. */
export interface RalrContext {
  seed: number;
  /** Needed when resample is 'epoch'. */
  stepsPerEpoch?: number;
  runKey?: number;
}

/** One resampling period's draw: `value` is the factor r ('factor') or the rate η ('absolute'), drawn whether or not amplified. */
export interface RalrDraw {
  /** j: the epoch (resample 'epoch') or the step (resample 'step'). */
  index: number;
  amplified: boolean;
  value: number;
}

/** j = ⌊t / stepsPerEpoch⌋ (resample 'epoch') or t (resample 'step'). */
export function ralrIndex(config: RalrConfig, t: number, context: RalrContext): number {
  if (!Number.isInteger(t) || t < 0) throw new RangeError(`step must be an integer >= 0 (got ${t})`);
  if (config.resample === 'step') return t;
  const perEpoch = context.stepsPerEpoch;
  if (perEpoch === undefined) throw new Error('stepsPerEpoch is required when ralr.resample is "epoch"');
  if (!Number.isInteger(perEpoch) || perEpoch < 1) throw new Error(`stepsPerEpoch: must be an integer >= 1 (got ${perEpoch})`);
  return Math.floor(t / perEpoch);
}

/** The draw of period j: (u, v) = the first two uniforms of RandomStream(seed, streamId(ralr, runKey, resample, j)); amplified ⇔ u < amplifyProb. */
export function ralrDrawAt(config: RalrConfig, index: number, context: RalrContext): RalrDraw {
  const stream = new RandomStream(context.seed, streamId(StreamPurpose.ralr, context.runKey ?? 0, RALR_RESAMPLE.indexOf(config.resample), index));
  const u = stream.uniform();
  const v = stream.uniform();
  const [low, high] =
    config.boundsMode === 'factor' ? [config.factorLow, config.factorHigh] : [config.rateLow as number, config.rateHigh as number];
  return { index, amplified: u < config.amplifyProb, value: low + (high - low) * v };
}

/** The draw that governs step t (see ralrIndex, ralrDrawAt). */
export function ralrDraw(config: RalrConfig, t: number, context: RalrContext): RalrDraw {
  return ralrDrawAt(config, ralrIndex(config, t, context), context);
}

/**
 * η_t of RALR given the base rate η_base(t) (and η_base(0) for the cap):
 * η_base·r or max(η_base, η_drawn) when amplified, then min(·, max(η_base(0), η_base)) if capped; else η_base.
 */
export function ralrRate(config: RalrConfig, t: number, baseRate: number, context: RalrContext, initialRate = Infinity): number {
  const draw = ralrDraw(config, t, context);
  if (!draw.amplified) return baseRate;
  const amplified = config.boundsMode === 'factor' ? baseRate * draw.value : Math.max(baseRate, draw.value);
  return config.capAtInitialRate ? Math.min(amplified, Math.max(initialRate, baseRate)) : amplified;
}

/** t ↦ η_t of RALR over a compiled base schedule (e.g. compileSchedule(...)); η_t depends only on (config, context, t). */
export function compileRalr(config: RalrConfig, base: (t: number) => number, context: RalrContext): (t: number) => number {
  if (config.resample === 'epoch') ralrIndex(config, 0, context); // fail early without stepsPerEpoch
  const initialRate = config.capAtInitialRate ? base(0) : Infinity;
  return (t: number) => ralrRate(config, t, base(t), context, initialRate);
}
