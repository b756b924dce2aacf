/**
 * Steps and indices as distinct types, so that one is never passed where another is meant (a
 * method index where a stacked run is, a 0-based index where a step number is).
 *
 * Steps, the one convention of the engine: a `Step` s = 1, 2, … names the s-th optimizer step.
 * "At step s" means after it: a record of step s holds the loss of that step's minibatch, an
 * evaluation at step s sees the parameters it produced, and a state's `step` is the number of
 * steps taken (0 before the first). "The rate of step s" is the rate that step applies. Formulas
 * written with a 0-based index, as PyTorch's schedulers are (η_t, t = s − 1), say so where they
 * are written and are called with s − 1 there, nowhere else.
 *
 * Indices: an experiment's config lists its methods (config.runs, a `MethodIndex` m); with
 * replicates, the engine trains each method several times, stacked (a `RunIndex` r, run-major:
 * r = m·replicates + replicate). Views list runs by RunIndex and group them by MethodIndex.
 */

declare const brand: unique symbol;
type Branded<T, Name extends string> = T & { readonly [brand]: Name };

/** The s-th optimizer step (1-based), or a count of steps taken (see above). */
export type Step = Branded<number, 'Step'>;
/** A stacked run of the engine (method × replicate): 0 … R − 1. */
export type RunIndex = Branded<number, 'RunIndex'>;
/** A method of the experiment: its position in config.runs, 0 … M − 1. */
export type MethodIndex = Branded<number, 'MethodIndex'>;

/** `n` as a Step (a non-negative integer). */
export const asStep = (n: number): Step => n as Step;
/** `n` as a RunIndex. */
export const asRun = (n: number): RunIndex => n as RunIndex;
/** `n` as a MethodIndex. */
export const asMethod = (n: number): MethodIndex => n as MethodIndex;

/** The step after `step`. */
export const nextStep = (step: Step): Step => (step + 1) as Step;

/** 0-based index t = s − 1 of step s, for formulas written that way (schedules, as PyTorch's). */
export const zeroBased = (step: Step): number => step - 1;
