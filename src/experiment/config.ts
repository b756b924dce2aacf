/**
 * The experiment config: one versioned JSON document that says what to train (dataset, model,
 * batch, budget), how to watch it (evaluation and logging intervals, divergence) and which runs to
 * compare (each a base optimizer + base schedule + any of LRD / LEAP / RALR / AutoDrop / exp-LR).
 * Validated with zod: every invalid field gets a message naming it ("runs.2.lrd.keepProb: … (got 0)"),
 * defaults are filled in the parsed config. Every field carries a `.describe()` text the UI can show
 * (`schema.shape.batch.description`).
 *
 * Fairness: all runs share the model, the dataset, the initial weights and the minibatch order; with
 * `replicates` = N each run is repeated N times, replicate r varying init, data order and the
 * methods' random draws, identically for every run (see expandRuns in ./plan.ts).
 */
import { z } from 'zod';
import { autodropSchema } from '../optim/autodrop';
import { expLrSchema } from '../optim/explr';
import { leapSchema } from '../optim/leap';
import { lrdSchema } from '../optim/lrd';
import { optimizerSchema, type OptimizerConfig } from '../optim/optimizer';
import { ralrSchema } from '../optim/ralr';
import { scheduleSchema } from '../optim/schedules';
import { MAX_TOY_COUNT, TOY_NAMES } from '../data/toys';
import { testCountFor } from '../data/types';
import { ACTIVATIONS } from '../nn/spec';
import { parseJsonText } from '../util/json';
import { ConfigError, expected, integer as integerIn, parseConfig } from '../util/validate';

/** The config version this code reads and writes. */
export const CURRENT_VERSION = 1;

/** Okabe–Ito colours (colour-blind safe), without black and yellow (poor on light and dark backgrounds). */
export const RUN_COLORS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#d55e00', '#56b4e9', '#999999', '#000000'] as const;

export const IMAGE_DATASETS = ['mnist', 'fashion-mnist'] as const;
export const UPLOAD_FORMATS = ['csv', 'idx'] as const;
export const BUDGET_UNITS = ['epochs', 'steps'] as const;
export const MAX_RUNS = 12;
export const MAX_REPLICATES = 16;

/** An integer in [min, max]. */
const integer = (min: number, max: number, text = `must be an integer in [${min}, ${max}]`) => integerIn(min, max, text);

/** A u32 seed or key. */
const u32 = () => integer(0, 0xffffffff, 'must be an integer in [0, 2^32)');

const oneOf = (values: readonly string[]) => expected(`must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
const text = (min: number, max: number) => {
  const message = `must be a text of ${min} to ${max} characters`;
  return z.string(expected(message)).trim().min(min, message).max(max, message);
};
const flag = () => z.boolean(expected('must be true or false'));

// ---------------------------------------------------------------------------------------- dataset

const toyDatasetSchema = z.strictObject({
  kind: z.literal('toy'),
  name: z.enum(TOY_NAMES, oneOf(TOY_NAMES)).describe('Which 2-D toy: spiral, circles, xor, gaussians or moons.'),
  count: integer(2, MAX_TOY_COUNT).default(600).describe('Rows generated in all, train + test.'),
  noise: z
    .number(expected('must be a number in [0, 1]'))
    .min(0, 'must be a number in [0, 1]')
    .max(1, 'must be a number in [0, 1]')
    .default(0.1)
    .describe('Noise level (each toy its own meaning, as in TensorFlow Playground, 0 to 0.5 there).'),
  testFraction: z
    .number(expected('must be a number in (0, 1)'))
    .gt(0, 'must be a number in (0, 1)')
    .lt(1, 'must be a number in (0, 1)')
    .default(0.2)
    .describe('Share of the rows held out as the test split.'),
});

const imageDatasetSchema = z.strictObject({
  kind: z.literal('image'),
  name: z.enum(IMAGE_DATASETS, oneOf(IMAGE_DATASETS)).describe('A prepared image dataset (public/data).'),
  trainSubset: integer(1, 60000).optional().describe('Train on the first N training images only (default: all 60 000).'),
  testSubset: integer(1, 10000).optional().describe('Evaluate on the first N test images only (default: all 10 000).'),
});

const uploadDatasetSchema = z.strictObject({
  kind: z.literal('upload'),
  id: text(1, 100).describe('Id of a dataset the user uploaded (the data itself is not part of the config).'),
  format: z.enum(UPLOAD_FORMATS, oneOf(UPLOAD_FORMATS)).describe('File format of the upload: csv or idx.'),
});

const unionError = (kinds: readonly string[]) => ({
  error: (issue: { code?: string; input?: unknown }) =>
    issue.input === undefined
      ? 'is required'
      : issue.code === 'invalid_union'
        ? `must be one of ${kinds.map((k) => JSON.stringify(k)).join(', ')}`
        : `must be an object with "kind": ${kinds.map((k) => JSON.stringify(k)).join(', ')}`,
});

export const datasetSchema = z
  .discriminatedUnion('kind', [toyDatasetSchema, imageDatasetSchema, uploadDatasetSchema], unionError(['toy', 'image', 'upload']))
  .describe('What to train on: a generated 2-D toy, a prepared image dataset, or an uploaded file.');

// ------------------------------------------------------------------------------------------ model

const activation = () => z.enum(ACTIVATIONS, oneOf(ACTIVATIONS)).default('relu').describe('Activation of every hidden layer.');
const hiddenLayers = () =>
  z.array(integer(1, 1024), expected('must be a list of layer widths')).max(8, 'must list at most 8 layers');
/** BatchNorm's ε and running-statistics momentum, for the models that have BatchNorm. */
const batchNormFields = {
  bnEps: z
    .number(expected('must be a number > 0'))
    .gt(0, 'must be a number > 0')
    .max(1, 'must be a number in (0, 1]')
    .default(1e-5)
    .describe('BatchNorm ε added to the batch variance (PyTorch default 1e-5). Exp-LR is exact only as ε → 0: its weights grow, and ε weighs differently at another scale.'),
  bnMomentum: z
    .number(expected('must be a number in (0, 1]'))
    .gt(0, 'must be a number in (0, 1]')
    .max(1, 'must be a number in (0, 1]')
    .default(0.1)
    .describe('Momentum of BatchNorm running statistics used at evaluation (PyTorch default 0.1; 1: the last batch only, which keeps evaluation scale-invariant too).'),
};
const cnnFields = {
  channels: z
    .tuple([integer(1, 128), integer(1, 128)], expected('must be [filters1, filters2]'))
    .default([8, 16])
    .describe('Filters of the two conv layers.'),
  kernelSize: z.literal([3, 5], expected('must be 3 or 5')).default(3).describe('Conv kernel size, 3 or 5.'),
  dense: integer(1, 1024).optional().describe('Width of an optional hidden dense layer after the convolutions.'),
  activation: activation(),
};

export const MODEL_KINDS = ['mlp', 'cnn', 'scale-invariant-mlp', 'scale-invariant-cnn'] as const;

export const modelSchema = z
  .discriminatedUnion(
    'kind',
    [
      z.strictObject({
        kind: z.literal('mlp'),
        hidden: hiddenLayers().default([16, 16]).describe('Widths of the hidden layers (empty: a linear model).'),
        activation: activation(),
        batchNorm: flag().default(false).describe('BatchNorm (with affine parameters) after every hidden layer.'),
        ...batchNormFields,
      }),
      z.strictObject({ kind: z.literal('cnn'), ...cnnFields }),
      z.strictObject({
        kind: z.literal('scale-invariant-mlp'),
        hidden: hiddenLayers().min(1, 'must list at least one layer').default([16, 16]).describe('Widths of the hidden layers (at least one).'),
        activation: activation(),
        ...batchNormFields,
      }),
      z.strictObject({ kind: z.literal('scale-invariant-cnn'), ...cnnFields, ...batchNormFields }),
    ],
    unionError(MODEL_KINDS),
  )
  .describe('The network. Scale-invariant variants (bias-free, BatchNorm without affine, fixed last layer) are where exp-LR is exact.');

// ------------------------------------------------------------------------------------------- runs

/** The optimizer with weightDecayMode resolved (AdamW: decoupled; otherwise coupled), as parseOptimizer does. */
const runOptimizerSchema = optimizerSchema
  .superRefine((o, ctx) => {
    if (o.rule === 'adamw' && o.weightDecayMode === 'coupled') {
      ctx.addIssue({ code: 'custom', path: ['weightDecayMode'], message: 'AdamW decays decoupled by definition; use rule "adam" for coupled L2' });
    }
  })
  .transform((o): OptimizerConfig => ({ ...o, weightDecayMode: o.weightDecayMode ?? (o.rule === 'adamw' ? 'decoupled' : 'coupled') }));

const runSchema = z.strictObject(
  {
    label: text(1, 60).describe('Name of the run in legends and exports; unique in the experiment.'),
    color: z
      .string(expected('must be a colour "#rrggbb"'))
      .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour "#rrggbb"')
      .optional()
      .describe('Line colour "#rrggbb" (default: the Okabe–Ito palette in run order).'),
    optimizer: runOptimizerSchema.prefault({}).describe('Base optimizer rule and its hyperparameters (default plain SGD).'),
    schedule: scheduleSchema.describe('Base learning-rate schedule (constant, step, multistep, exponential, cosine, onecycle).'),
    lrd: lrdSchema.optional().describe('Learning Rate Dropout: each element keeps its rate with probability keepProb.'),
    leap: leapSchema.optional().describe('LEAP: Gaussian perturbation of the per-element rate.'),
    ralr: ralrSchema.optional().describe('RALR: random amplification of the global rate (reconstructed rule).'),
    autodrop: autodropSchema.optional().describe('AutoDrop: drops the rate when the angular velocity of the weights saturates.'),
    expLr: expLrSchema
      .optional()
      .describe('Exponential LR (Li & Arora): replaces weight decay by an exponentially growing rate; needs SGD or momentum and weightDecay 0.'),
    runKey: u32()
      .optional()
      .describe('Key of this run\'s LRD / LEAP / RALR draws (default: the run index); runs with equal keys share their draws.'),
  },
  expected('must be an object { label, schedule, … }'),
);

const EXP_LR_RULES = ['sgd', 'momentum'];
const TEXP_SCHEDULES = ['constant', 'step', 'multistep'];

type Issue = { path: PropertyKey[]; message: string };
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const finiteOr = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);

/** The largest base rate a run can use: its schedule's peak, times RALR's largest amplification. */
function peakRate(schedule: Record<string, unknown>, ralr: unknown): number {
  const base = finiteOr(schedule.kind === 'onecycle' ? schedule.maxLr : schedule.lr, NaN);
  if (!isRecord(ralr) || ralr.capAtInitialRate === true) return base;
  if (ralr.boundsMode === 'absolute') return Math.max(base, finiteOr(ralr.rateHigh, base));
  return base * finiteOr(ralr.factorHigh, 1);
}

/** Exp-LR's conditions on one run (see methods.md §5.5). */
function expLrIssues(run: Record<string, unknown>, index: number): Issue[] {
  const issues: Issue[] = [];
  const at = (...path: PropertyKey[]) => ['runs', index, ...path];
  const optimizer = isRecord(run.optimizer) ? run.optimizer : {};
  const schedule = isRecord(run.schedule) ? run.schedule : {};
  const expLr = run.expLr as Record<string, unknown>;
  const rule = optimizer.rule ?? 'sgd';
  if (!EXP_LR_RULES.includes(rule as string)) {
    issues.push({ path: at('optimizer', 'rule'), message: `exp-LR needs rule "momentum" or "sgd" (the equivalence holds for SGD with PyTorch momentum only)` });
  }
  if (finiteOr(optimizer.weightDecay, 0) !== 0) {
    issues.push({
      path: at('optimizer', 'weightDecay'),
      message: 'must be 0 in an exp-LR run: the exponential LR replaces weight decay (put the decay it reproduces in expLr.weightDecay)',
    });
  }
  if (rule !== 'sgd' && finiteOr(optimizer.dampening, 0) !== 0) {
    issues.push({ path: at('optimizer', 'dampening'), message: 'must be 0 in an exp-LR run (the equivalence assumes momentum without dampening)' });
  }
  if (expLr.form === 'texp') {
    if (typeof schedule.kind === 'string' && !TEXP_SCHEDULES.includes(schedule.kind)) {
      issues.push({ path: at('schedule', 'kind'), message: 'TEXP needs a step-decay schedule ("constant", "step" or "multistep"); use expLr.form "exact" for others' });
    }
    if (schedule.warmup !== undefined) {
      issues.push({ path: at('schedule', 'warmup'), message: 'TEXP needs a step-decay schedule without warm-up; use expLr.form "exact" with a warm-up' });
    }
  }
  const momentum = rule === 'sgd' ? 0 : finiteOr(optimizer.momentum, 0.9);
  const lambda = finiteOr(expLr.weightDecay, 5e-4);
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

/** `value` with every −0 replaced by 0 (JSON writes −0 as 0, so a parsed config survives a JSON round trip unchanged). */
function withoutNegativeZero<T>(value: T): T {
  if (Object.is(value, -0)) return 0 as T;
  if (Array.isArray(value)) return value.map(withoutNegativeZero) as T;
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withoutNegativeZero(item)])) as T;
  return value;
}

/** Rules that involve more than one field; each issue names the field to change. Works on partly invalid input. */
function crossFieldIssues(config: Record<string, unknown>): Issue[] {
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

const experimentObject = z.strictObject({
  version: z.literal(CURRENT_VERSION, expected(`must be ${CURRENT_VERSION}`)).describe('Version of the config format.'),
  name: text(1, 100).default('Untitled experiment').describe('Name of the experiment (exports carry it).'),
  description: z.string(expected('must be a text')).max(2000, 'must be at most 2000 characters').optional().describe('What the experiment shows.'),
  seed: u32().default(1).describe('Seed of the toy data, the initial weights, the minibatch order and the methods\' draws.'),
  replicates: integer(1, MAX_REPLICATES)
    .default(1)
    .describe('Repeat each run with N seeds: replicate r changes init, data order and draws, the same way for every run.'),
  dataset: datasetSchema,
  model: modelSchema,
  batch: integer(1, 4096).default(32).describe('Minibatch size (the last partial batch of an epoch is dropped).'),
  budget: z
    .strictObject({
      unit: z.enum(BUDGET_UNITS, oneOf(BUDGET_UNITS)).default('steps').describe('Count the budget in optimizer steps or in epochs.'),
      amount: integer(1, 1_000_000).describe('How many steps (or epochs) to train.'),
    }, expected('must be an object { unit, amount }'))
    .describe('When training stops.'),
  evalEvery: integer(1, 1_000_000).default(50).describe('Steps between evaluations on the test split (and at the end of the budget).'),
  logEvery: integer(1, 1000).default(10).describe('Steps between metric readbacks from the GPU (one asynchronous read per block).'),
  divergence: z
    .strictObject({
      lossFactor: z
        .number(expected('must be a number > 1'))
        .gt(1, 'must be a number > 1')
        .default(1e3)
        .describe('A run whose loss exceeds lossFactor × its first logged loss, or is NaN/Inf, is diverged and frozen.'),
    }, expected('must be an object { lossFactor }'))
    .prefault({})
    .describe('When a run counts as diverged.'),
  runs: z
    .array(runSchema, expected('must be a list of runs'))
    .min(1, 'must list at least one run')
    .max(MAX_RUNS, `must list at most ${MAX_RUNS} runs`)
    .describe('The runs to compare; all share model, data, init and batch order, and differ only in their method.'),
});

/** The experiment config schema (input: ExperimentInput; output: ExperimentConfig, defaults filled). */
export const experimentSchema = experimentObject
  .superRefine(
    (config, ctx) => {
      for (const issue of crossFieldIssues(config)) ctx.addIssue({ code: 'custom', ...issue });
    },
    // Also when other fields failed, so that one pass reports every problem (the checks read defensively).
    { when: (payload) => isRecord(payload.value) },
  )
  .transform((config) =>
    withoutNegativeZero({
      ...config,
      runs: config.runs.map((run, index) => ({
        ...run,
        color: run.color ?? RUN_COLORS[index % RUN_COLORS.length],
        runKey: run.runKey ?? index,
      })),
    }),
  );

export type ExperimentInput = z.input<typeof experimentSchema>;
export type ExperimentConfig = z.output<typeof experimentSchema>;
export type RunConfig = ExperimentConfig['runs'][number];
export type DatasetConfig = ExperimentConfig['dataset'];
export type ModelConfig = ExperimentConfig['model'];

// -------------------------------------------------------------------------------------- migration

/** Steps from version v to v + 1 (none yet: version 1 is the first). */
const MIGRATIONS: Record<number, (json: Record<string, unknown>) => Record<string, unknown>> = {};

function describeValue(value: unknown): string {
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  return Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value === 'object' ? 'an object' : JSON.stringify(value) ?? String(value);
}

/** Brings a config of any known version to CURRENT_VERSION (unvalidated); unknown or future versions throw ConfigError. */
export function migrateExperiment(json: unknown): unknown {
  if (!isRecord(json) || Array.isArray(json)) throw new ConfigError([`experiment: must be a JSON object (got ${describeValue(json)})`]);
  let config = json;
  const version = config.version;
  if (version === undefined) throw new ConfigError([`version: is required (this app reads experiment configs of version ${CURRENT_VERSION})`]);
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new ConfigError([`version: must be an integer >= 1 (got ${describeValue(version)})`]);
  }
  if (version > CURRENT_VERSION) {
    throw new ConfigError([`version: ${version} is newer than this app understands (it reads version ${CURRENT_VERSION}${CURRENT_VERSION > 1 ? ' and older' : ''}); update LR Lab`]);
  }
  for (let v = version; v < CURRENT_VERSION; v++) config = { ...MIGRATIONS[v](config), version: v + 1 };
  return config;
}

/** Validates an experiment config of any known version and fills defaults; throws ConfigError naming every bad field. */
export function parseExperiment(input: unknown): ExperimentConfig {
  const migrated = migrateExperiment(input) as Record<string, unknown>;
  // zod reports unknown top-level keys on the document itself (an empty path): name each key instead.
  const unknownKeys = Object.keys(migrated)
    .filter((key) => !Object.hasOwn(experimentObject.shape, key))
    .map((key) => `${key}: is not a field of the experiment config`);
  try {
    return parseConfig(experimentSchema, migrated, '');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const rooted = error.issues.filter((message) => message.startsWith(': '));
    const named = error.issues.filter((message) => !message.startsWith(': '));
    throw new ConfigError([...unknownKeys, ...(unknownKeys.length > 0 ? [] : rooted.map((message) => `experiment${message}`)), ...named]);
  }
}

/** parseExperiment of a JSON text; a syntax error is a ConfigError too. */
export function parseExperimentJson(text: string): ExperimentConfig {
  return parseExperiment(parseJsonText(text, 'experiment'));
}
