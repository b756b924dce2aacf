/**
 * A raised budget and the schedules tied to the old one. Raising the budget trains on from the step
 * reached (nothing a run computes depends on the budget, so the numbers are those of a longer budget
 * from the start; ./actions.ts goOn). But a schedule whose length was set to the old budget (a
 * cosine's `length`, a one-cycle's `totalSteps`) ends there: the page says so, and offers to stretch
 * it over the new budget, which changes its rates from step 1 on and so restarts training.
 */
import type { ExperimentConfig } from '../src/experiment/config';

/** A run's schedule whose length is the old budget. */
export interface TiedSchedule {
  method: number;
  label: string;
  /** The schedule's field that holds the length. */
  field: 'length' | 'totalSteps';
  kind: 'cosine' | 'onecycle';
}

/** What a raised budget leaves behind: the schedules that end at the old budget. */
export interface BudgetOffer {
  fromSteps: number;
  toSteps: number;
  schedules: TiedSchedule[];
}

/** The runs whose cosine length or one-cycle total equals `budgetSteps` (counted in steps). */
export function schedulesTiedTo(config: ExperimentConfig, budgetSteps: number, stepsPerEpoch: number): TiedSchedule[] {
  return config.runs.flatMap((run, method): TiedSchedule[] => {
    const { schedule } = run;
    const perUnit = schedule.unit === 'epoch' ? stepsPerEpoch : 1;
    if (schedule.kind === 'cosine' && !schedule.restarts && schedule.length * perUnit === budgetSteps) return [{ method, label: run.label, field: 'length', kind: 'cosine' }];
    if (schedule.kind === 'onecycle' && schedule.totalSteps * perUnit === budgetSteps) return [{ method, label: run.label, field: 'totalSteps', kind: 'onecycle' }];
    return [];
  });
}

/** The offer to show after the budget moved from `before` to `after` (null when no schedule is tied to the old one). */
export function budgetOfferOf(before: ExperimentConfig, after: ExperimentConfig, fromSteps: number, toSteps: number, stepsPerEpoch: number): BudgetOffer | null {
  if (toSteps <= fromSteps) return null;
  const schedules = schedulesTiedTo(before, fromSteps, stepsPerEpoch).filter((tied) => {
    const schedule = after.runs[tied.method]?.schedule as Record<string, unknown> | undefined;
    return schedule?.kind === tied.kind; // still the same schedule
  });
  return schedules.length > 0 ? { fromSteps, toSteps, schedules } : null;
}

/** The words of an offer: which schedules end where, and why stretching them restarts. */
export function offerText(offer: BudgetOffer): string {
  const names = offer.schedules.map((s) => `${s.label} (${s.kind === 'cosine' ? 'cosine' : 'one-cycle'})`).join(', ');
  return `${names} ${offer.schedules.length === 1 ? 'ends' : 'end'} at step ${offer.fromSteps}, the old budget: after it the rate stays at its last value. Stretching ${offer.schedules.length === 1 ? 'it' : 'them'} to ${offer.toSteps} steps changes every rate from step 1 on, so training would restart.`;
}
