/**
 * Base learning-rate schedules: η_t for the 0-based optimizer step t, pure functions of
 * (config, t, stepsPerEpoch), in float64. PyTorch semantics wherever PyTorch has the scheduler:
 * constant, StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, CosineAnnealingWarmRestarts
 * (SGDR), OneCycleLR, and LinearLR warm-up placed in front (SequentialLR).
 *
 * `unit` says where PyTorch's `scheduler.step()` would be called: 'step' (every optimizer step)
 * or 'epoch' (once per epoch: the LR is constant inside an epoch, the schedule's index is
 * i = ⌊t / stepsPerEpoch⌋). Every duration of the config (stepSize, milestones, length,
 * totalSteps, warm-up length) counts that unit.
 */
import { z } from 'zod';
import { parseConfig } from '../util/validate';

export const SCHEDULE_KINDS = ['constant', 'step', 'multistep', 'exponential', 'cosine', 'onecycle'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];
export const SCHEDULE_UNITS = ['step', 'epoch'] as const;
export type ScheduleUnit = (typeof SCHEDULE_UNITS)[number];

const finite = (message: string) => z.number({ error: message });
const positiveRate = finite('must be a number > 0').gt(0, 'must be a number > 0');
const decayFactor = finite('must be in (0, 1]').gt(0, 'must be in (0, 1]').max(1, 'must be in (0, 1]');
const count = finite('must be an integer >= 1').int('must be an integer >= 1').min(1, 'must be an integer >= 1');
const unit = z.enum(SCHEDULE_UNITS, { error: 'must be "step" or "epoch"' });
/** A duration counted in the schedule's `unit`. */
const duration = (schema: z.ZodNumber, title: string, description: string) => schema.meta({ title, description, unit: 'schedule units', unitFrom: 'unit' });
const rate = positiveRate.meta({ title: 'rate η', description: "Initial learning rate (the schedule's value at index 0)." });
const gamma = (description: string) => decayFactor.meta({ title: 'γ', description });

/** Linear warm-up before the schedule (PyTorch LinearLR(startFactor, 1, length) then SequentialLR). */
export const warmupSchema = z
  .object({
    length: count.meta({
      title: 'warm-up length',
      description: 'W: warm-up duration; the main schedule starts (at its own index 0) after it.',
      unit: 'schedule units',
      unitFrom: 'unit',
    }),
    startFactor: decayFactor.default(1 / 3).meta({
      title: 'start factor',
      description: "s: η = η_main(0)·(s + (1 − s)·i/W) for i < W (PyTorch LinearLR's start_factor).",
    }),
    unit: unit.optional().meta({ title: 'warm-up unit', description: "The warm-up's unit (default: the schedule's)." }),
  })
  .strict()
  .meta({ title: 'warm-up', description: 'A linear warm-up from start factor × η to η before the schedule.', examples: [{ length: 10 }] });

const common = {
  unit: unit.default('step').meta({
    title: 'unit',
    description: "Where PyTorch's scheduler.step() is called: every optimizer step, or once per epoch (the rate is constant within an epoch). Every duration counts this unit.",
  }),
  warmup: warmupSchema.optional(),
};

const constantSchema = z.object({ kind: z.literal('constant'), lr: rate, ...common }).strict().meta({ description: 'Constant: η = lr.' });

const stepSchema = z
  .object({
    kind: z.literal('step'),
    lr: rate,
    stepSize: duration(count, 'step size', 'Multiply the rate by γ every step size.'),
    gamma: gamma('Decay factor per step size.').default(0.1),
    ...common,
  })
  .strict()
  .meta({ description: 'PyTorch StepLR: η = lr·γ^⌊i/stepSize⌋.' });

const multistepSchema = z
  .object({
    kind: z.literal('multistep'),
    lr: rate,
    milestones: z
      .array(finite('must be an integer >= 1').int('must be an integer >= 1').min(1, 'must be an integer >= 1'), {
        error: 'must be an array of integers',
      })
      .refine((list) => list.every((m, k) => k === 0 || m > list[k - 1]), 'must be strictly increasing')
      .meta({ title: 'milestones', description: 'Strictly increasing indices where the rate is multiplied by γ (comma separated).', unit: 'schedule units', unitFrom: 'unit' }),
    gamma: gamma('Decay factor at each milestone.').default(0.1),
    ...common,
  })
  .strict()
  .meta({ description: 'PyTorch MultiStepLR: η = lr·γ^#{m ∈ milestones : m ≤ i}.' });

const growthFactor = finite('must be a number > 0').gt(0, 'must be a number > 0');
const exponentialSchema = z
  .object({
    kind: z.literal('exponential'),
    lr: rate,
    gamma: growthFactor.meta({ title: 'γ', description: 'Factor per step or per epoch (by unit): below 1 the rate decays, above 1 it grows (as in the LR range test).' }),
    ...common,
  })
  .strict()
  .meta({ description: 'PyTorch ExponentialLR: η = lr·γ^i.' });

const restartsSchema = z
  .object({
    cycleMult: count.default(1).meta({ title: 'cycle ×', description: "Each cycle lasts this many times the previous one (PyTorch's T_mult)." }),
  })
  .strict()
  .meta({ title: 'restarts', description: 'Warm restarts (SGDR, PyTorch CosineAnnealingWarmRestarts): the cosine starts over at the end of each cycle.' });

const cosineSchema = z
  .object({
    kind: z.literal('cosine'),
    lr: rate,
    length: duration(count, 'length', 'T: one cosine half-period (with restarts: the first cycle).'),
    minLr: finite('must be a number >= 0').min(0, 'must be a number >= 0').default(0).meta({ title: 'min rate', description: 'η_min, the rate at the end of the cosine (≤ rate η).' }),
    restarts: restartsSchema.optional(),
    ...common,
  })
  .strict()
  .refine((c) => c.minLr <= c.lr, { message: 'must be <= lr', path: ['minLr'] })
  .meta({
    // Without restarts (PyTorch CosineAnnealingLR, T_max = length): i_cur = i, T = length (past `length` the
    // cosine rises again, as in PyTorch). With restarts (T_0 = length, T_mult = cycleMult): cycle k lasts
    // length·cycleMult^k and i_cur counts from its start.
    description: 'Cosine annealing: η = η_min + (lr − η_min)(1 + cos(π·i_cur/T))/2.',
  });

const onecycleSchema = z
  .object({
    kind: z.literal('onecycle'),
    maxLr: positiveRate.meta({ title: 'max rate', description: 'The peak learning rate.' }),
    totalSteps: duration(
      finite('must be an integer >= 2').int('must be an integer >= 2').min(2, 'must be an integer >= 2'),
      'total',
      'Length of the cycle; past it the final rate holds (where PyTorch raises).',
    ),
    pctStart: finite('must be in (0, 1)')
      .gt(0, 'must be in (0, 1)')
      .lt(1, 'must be in (0, 1)')
      .default(0.3)
      .meta({ title: 'rising share', description: 'Share of the cycle spent raising the rate.' }),
    anneal: z.enum(['cos', 'linear'], { error: 'must be "cos" or "linear"' }).default('cos').meta({ title: 'anneal', description: 'Shape of the rise and fall.' }),
    divFactor: positiveRate.default(25).meta({ title: 'div factor', description: 'The initial rate is max rate / div factor.' }),
    finalDivFactor: positiveRate.default(1e4).meta({ title: 'final div', description: 'The final rate is the initial rate / final div.' }),
    threePhase: z
      .boolean({ error: 'must be true or false' })
      .default(false)
      .meta({ title: 'three phase', description: 'Go back down to the initial rate before the final annealing.' }),
    ...common,
  })
  .strict()
  .superRefine((c, ctx) => {
    const rampEnd = c.pctStart * c.totalSteps - 1;
    if (!(rampEnd > 0)) {
      ctx.addIssue({ code: 'custom', path: ['pctStart'], message: 'pctStart·totalSteps must be > 1 (the warm-up phase is empty)' });
    } else if (c.threePhase && !(2 * rampEnd < c.totalSteps - 1)) {
      ctx.addIssue({ code: 'custom', path: ['pctStart'], message: 'with threePhase, 2·pctStart·totalSteps must be < totalSteps + 1' });
    }
  })
  .meta({
    description:
      'PyTorch OneCycleLR: from max rate / div factor up to max rate over the first rising share of the cycle, then down to max rate / (div factor · final div) (cosine or linear).',
  });

/** Any base schedule, discriminated by `kind`; every kind takes `unit` and an optional `warmup`. */
export const scheduleSchema = z
  .discriminatedUnion('kind', [constantSchema, stepSchema, multistepSchema, exponentialSchema, cosineSchema, onecycleSchema], {
    error: `must be one of ${SCHEDULE_KINDS.join(', ')}`,
  })
  .meta({ title: 'schedule', description: 'Base learning-rate schedule (PyTorch semantics).' });

export type ScheduleInput = z.input<typeof scheduleSchema>;
export type ScheduleConfig = z.output<typeof scheduleSchema>;
export type WarmupConfig = z.output<typeof warmupSchema>;

/** Validates a schedule config and fills defaults; errors name the field ("schedule.gamma: must be in (0, 1] (got 2)"). */
export function parseSchedule(input: unknown, prefix = 'schedule'): ScheduleConfig {
  return parseConfig(scheduleSchema, input, prefix);
}

/**
 * A schedule of `kind` at the base (or peak) rate `rate` whose durations fit a budget of
 * `budgetSteps` steps: step decay at a third of it, milestones at one and two thirds, one cosine
 * or one cycle over all of it, γ = 0.995 per step for the exponential; the other fields default.
 * Valid when `rate` is (undefined leaves the rate out).
 */
export function scheduleForBudget(kind: string, rate: number | undefined, budgetSteps: number): Record<string, unknown> {
  const third = Math.max(1, Math.round(budgetSteps / 3));
  switch (kind) {
    case 'step':
      return { kind, lr: rate, stepSize: third, gamma: 0.1 };
    case 'multistep':
      return { kind, lr: rate, milestones: [third, 2 * third], gamma: 0.1 };
    case 'exponential':
      return { kind, lr: rate, gamma: 0.995 };
    case 'cosine':
      return { kind, lr: rate, length: Math.max(1, budgetSteps) };
    case 'onecycle':
      return { kind, maxLr: rate, totalSteps: Math.max(2, budgetSteps) };
    default:
      return { kind: 'constant', lr: rate };
  }
}

/** The base rate of a schedule document (`maxLr` for onecycle, `lr` for the others), or undefined. */
export function baseRateOf(schedule: Record<string, unknown>): number | undefined {
  const rate = schedule.kind === 'onecycle' ? schedule.maxLr : schedule.lr;
  return typeof rate === 'number' ? rate : undefined;
}

/** True when evaluating `config` needs stepsPerEpoch (its unit or its warm-up's unit is 'epoch'). */
export function usesEpochs(config: ScheduleConfig): boolean {
  return config.unit === 'epoch' || (config.warmup?.unit ?? config.unit) === 'epoch';
}

/** Checks stepsPerEpoch (an integer >= 1, required when the config counts epochs); returns it or undefined. */
export function checkStepsPerEpoch(config: ScheduleConfig, stepsPerEpoch: number | undefined, prefix = 'schedule'): number | undefined {
  if (stepsPerEpoch === undefined) {
    if (usesEpochs(config)) throw new Error(`stepsPerEpoch is required when ${prefix}.unit (or ${prefix}.warmup.unit) is "epoch"`);
    return undefined;
  }
  if (!Number.isInteger(stepsPerEpoch) || stepsPerEpoch < 1) {
    throw new Error(`stepsPerEpoch: must be an integer >= 1 (got ${stepsPerEpoch})`);
  }
  return stepsPerEpoch;
}

/** Throws unless t is an integer >= 0 (a 0-based optimizer step). */
export function checkStep(t: number): void {
  if (!Number.isInteger(t) || t < 0) throw new RangeError(`step must be an integer >= 0 (got ${t})`);
}

/** Schedule index of step t: i = t (unit 'step') or ⌊t / stepsPerEpoch⌋ (unit 'epoch'). */
function indexOf(t: number, scheduleUnit: ScheduleUnit, stepsPerEpoch: number | undefined): number {
  return scheduleUnit === 'epoch' ? Math.floor(t / (stepsPerEpoch as number)) : t;
}

/** Position in an SGDR cycle: (i_cur, T_i) with cycles of length T_0·T_mult^k. */
function restartCycle(index: number, firstCycle: number, cycleMult: number): [number, number] {
  if (cycleMult === 1) return [index % firstCycle, firstCycle];
  let current = index;
  let cycle = firstCycle;
  while (current >= cycle) {
    current -= cycle;
    cycle *= cycleMult;
  }
  return [current, cycle];
}

/** OneCycleLR at index i (PyTorch `_schedule_phases` and `get_lr`). */
function oneCycleRate(c: Extract<ScheduleConfig, { kind: 'onecycle' }>, index: number): number {
  const initialLr = c.maxLr / c.divFactor;
  const minLr = initialLr / c.finalDivFactor;
  if (index >= c.totalSteps - 1) return minLr;
  const rampEnd = c.pctStart * c.totalSteps - 1;
  const phases: [number, number, number][] = c.threePhase
    ? [[rampEnd, initialLr, c.maxLr], [2 * c.pctStart * c.totalSteps - 2, c.maxLr, initialLr], [c.totalSteps - 1, initialLr, minLr]]
    : [[rampEnd, initialLr, c.maxLr], [c.totalSteps - 1, c.maxLr, minLr]];
  let startStep = 0;
  for (let k = 0; k < phases.length; k++) {
    const [endStep, from, to] = phases[k];
    if (index <= endStep || k === phases.length - 1) {
      const pct = (index - startStep) / (endStep - startStep);
      return c.anneal === 'cos' ? to + ((from - to) / 2) * (Math.cos(Math.PI * pct) + 1) : (to - from) * pct + from;
    }
    startStep = endStep;
  }
  return minLr; // unreachable: the last phase always returns
}

/** The main schedule (no warm-up) at its own index i. */
function mainRate(c: ScheduleConfig, index: number): number {
  switch (c.kind) {
    case 'constant':
      return c.lr;
    case 'step':
      return c.lr * c.gamma ** Math.floor(index / c.stepSize);
    case 'multistep': {
      let passed = 0;
      while (passed < c.milestones.length && c.milestones[passed] <= index) passed++;
      return c.lr * c.gamma ** passed;
    }
    case 'exponential':
      return c.lr * c.gamma ** index;
    case 'cosine': {
      const [current, period] = c.restarts ? restartCycle(index, c.length, c.restarts.cycleMult) : [index, c.length];
      return c.minLr + ((c.lr - c.minLr) * (1 + Math.cos((Math.PI * current) / period))) / 2;
    }
    case 'onecycle':
      return oneCycleRate(c, index);
  }
}

/**
 * η_t of `config` at 0-based optimizer step t. With warm-up of W units (W_s = W or W·stepsPerEpoch
 * steps): η_t = η_main(0)·(s + (1 − s)·i/W) for t < W_s, else the main schedule at step t − W_s.
 */
export function scheduleRate(config: ScheduleConfig, t: number, stepsPerEpoch?: number): number {
  checkStep(t);
  const perEpoch = checkStepsPerEpoch(config, stepsPerEpoch);
  return rateUnchecked(config, t, perEpoch);
}

function rateUnchecked(config: ScheduleConfig, t: number, stepsPerEpoch: number | undefined): number {
  const warmup = config.warmup;
  if (warmup) {
    const warmupUnit = warmup.unit ?? config.unit;
    const warmupSteps = warmupUnit === 'epoch' ? warmup.length * (stepsPerEpoch as number) : warmup.length;
    if (t < warmupSteps) {
      const index = indexOf(t, warmupUnit, stepsPerEpoch);
      return mainRate(config, 0) * (warmup.startFactor + ((1 - warmup.startFactor) * index) / warmup.length);
    }
    t -= warmupSteps;
  }
  return mainRate(config, indexOf(t, config.unit, stepsPerEpoch));
}

/** t ↦ η_t for a fixed stepsPerEpoch, validated once (the form RALR and exp-LR take as their base). */
export function compileSchedule(config: ScheduleConfig, stepsPerEpoch?: number): (t: number) => number {
  const perEpoch = checkStepsPerEpoch(config, stepsPerEpoch);
  return (t: number) => {
    checkStep(t);
    return rateUnchecked(config, t, perEpoch);
  };
}
