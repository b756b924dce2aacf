/**
 * The experiment config's rules that involve more than one field (a CNN needs images, the batch
 * fits the training rows, labels are unique, exp-LR's conditions of methods.md §5.5). They read the
 * document defensively, so that one parse reports them together with the single-field issues.
 */
import { expLrSchema } from '../optim/explr';
import { optimizerSchema } from '../optim/optimizer';
import { ralrSchema } from '../optim/ralr';
import { baseRateOf } from '../optim/schedules';
import { testCountFor } from '../data/types';
import { isRecord } from '../util/json';

/** Defaults the cross-field checks fall back on where the document is invalid elsewhere (a valid one arrives with its defaults filled). */
const OPTIMIZER_DEFAULTS = optimizerSchema.parse({});
const EXP_LR_DEFAULTS = expLrSchema.parse({});
const RALR_DEFAULTS = ralrSchema.parse({});
const EXP_LR_RULES = ['sgd', 'momentum'];
const TEXP_SCHEDULES = ['constant', 'step', 'multistep'];

type Issue = { path: PropertyKey[]; message: string };
const finiteOr = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);

/** The largest base rate a run can use: its schedule's peak, times RALR's largest amplification. */
function peakRate(schedule: Record<string, unknown>, ralr: unknown): number {
  const base = finiteOr(baseRateOf(schedule), NaN);
  if (!isRecord(ralr) || ralr.capAtInitialRate === true) return base;
  if (ralr.boundsMode === 'absolute') return Math.max(base, finiteOr(ralr.rateHigh, base));
  return base * finiteOr(ralr.factorHigh, RALR_DEFAULTS.factorHigh);
}

/** Exp-LR's conditions on one run (see methods.md §5.5). */
function expLrIssues(run: Record<string, unknown>, index: number): Issue[] {
  const issues: Issue[] = [];
  const at = (...path: PropertyKey[]) => ['runs', index, ...path];
  const optimizer = isRecord(run.optimizer) ? run.optimizer : {};
  const schedule = isRecord(run.schedule) ? run.schedule : {};
  const expLr = run.expLr as Record<string, unknown>;
  const rule = optimizer.rule ?? OPTIMIZER_DEFAULTS.rule;
  if (!EXP_LR_RULES.includes(rule as string)) {
    issues.push({ path: at('optimizer', 'rule'), message: `exp-LR needs rule "momentum" or "sgd" (the equivalence holds for SGD with PyTorch momentum only)` });
  }
  if (finiteOr(optimizer.weightDecay, OPTIMIZER_DEFAULTS.weightDecay) !== 0) {
    issues.push({
      path: at('optimizer', 'weightDecay'),
      message: 'must be 0 in an exp-LR run: the exponential LR replaces weight decay (put the decay it reproduces in expLr.weightDecay)',
    });
  }
  if (rule !== 'sgd' && finiteOr(optimizer.dampening, OPTIMIZER_DEFAULTS.dampening) !== 0) {
    issues.push({ path: at('optimizer', 'dampening'), message: 'must be 0 in an exp-LR run (the equivalence assumes momentum without dampening)' });
  }
  if (schedule.kind === 'exponential' && typeof schedule.gamma === 'number' && schedule.gamma > 1) {
    issues.push({ path: at('schedule', 'gamma'), message: 'must be <= 1 in an exp-LR run: its conditions hold for a base rate that does not grow' });
  }
  if (expLr.form === 'texp') {
    if (typeof schedule.kind === 'string' && !TEXP_SCHEDULES.includes(schedule.kind)) {
      issues.push({ path: at('schedule', 'kind'), message: 'TEXP needs a step-decay schedule ("constant", "step" or "multistep"); use expLr.form "exact" for others' });
    }
    if (schedule.warmup !== undefined) {
      issues.push({ path: at('schedule', 'warmup'), message: 'TEXP needs a step-decay schedule without warm-up; use expLr.form "exact" with a warm-up' });
    }
  }
  const momentum = rule === 'sgd' ? 0 : finiteOr(optimizer.momentum, OPTIMIZER_DEFAULTS.momentum);
  const lambda = finiteOr(expLr.weightDecay, EXP_LR_DEFAULTS.weightDecay);
  const peak = peakRate(schedule, run.ralr);
  const limit = (1 - Math.sqrt(momentum)) ** 2;
  if (peak > 0 && momentum >= 0 && momentum < 1 && lambda * peak > limit) {
    issues.push({
      path: at('expLr', 'weightDecay'),
      message: `weightDecay·(peak rate ${peak}) = ${lambda * peak} must be <= (1 − √momentum)² = ${limit.toPrecision(4)}: exp-LR has no real root there`,
    });
  }
  return issues;
}

/** Rules that involve more than one field; each issue names the field to change. Works on partly invalid input. */
export function crossFieldIssues(config: Record<string, unknown>): Issue[] {
  const issues: Issue[] = [];
  const dataset = isRecord(config.dataset) ? config.dataset : {};
  const model = isRecord(config.model) ? config.model : {};
  const runs = Array.isArray(config.runs) ? config.runs : [];
  if ((model.kind === 'cnn' || model.kind === 'scale-invariant-cnn') && dataset.kind === 'toy') {
    issues.push({ path: ['model', 'kind'], message: 'a CNN needs image inputs: use an "image" (or uploaded image) dataset, or an MLP, with a 2-D toy' });
  }
  const batch = config.batch;
  if (typeof batch === 'number') {
    let trainRows: number | undefined;
    if (dataset.kind === 'toy' && typeof dataset.count === 'number' && typeof dataset.testFraction === 'number') {
      trainRows = dataset.count - testCountFor(dataset.count, dataset.testFraction);
    } else if (dataset.kind === 'image' && typeof dataset.trainSubset === 'number') {
      trainRows = dataset.trainSubset;
    }
    if (trainRows !== undefined && batch > trainRows) {
      issues.push({ path: ['batch'], message: `must be <= the ${trainRows} training rows of the dataset` });
    }
  }
  const seen = new Map<string, number>();
  runs.forEach((run, index) => {
    if (!isRecord(run)) return;
    if (typeof run.label === 'string') {
      const first = seen.get(run.label);
      if (first !== undefined) issues.push({ path: ['runs', index, 'label'], message: `must be unique: runs.${first}.label is also "${run.label}"` });
      else seen.set(run.label, index);
    }
    if (isRecord(run.expLr)) issues.push(...expLrIssues(run, index));
  });
  return issues;
}
