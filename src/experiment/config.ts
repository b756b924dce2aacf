/**
 * The experiment config: one versioned JSON document that says what to train (dataset, model,
 * batch, budget), how to watch it (evaluation and logging intervals, divergence) and which runs to
 * compare (each a base optimizer + base schedule + any of LRD / LEAP / RALR / AutoDrop / exp-LR).
 * Validated with zod: every invalid field gets a message naming it ("runs.2.lrd.keepProb: … (got 0)"),
 * defaults are filled in the parsed config. Every field carries its label and explanation as zod
 * metadata (`.meta({ title, description, unit, … })`, the LR methods' fields in their own modules),
 * which the page's form reads with ranges, options and defaults (src/util/schema-fields.ts).
 *
 * Fairness: all runs share the model, the dataset, the initial weights and the minibatch order; with
 * `replicates` = N each run is repeated N times, replicate r varying init, data order and the
 * methods' random draws, identically for every run (see expandRuns in ./expand.ts). An optional
 * `sweep` crosses the runs with the values of up to two run fields (./sweep.ts): every point of
 * every run trains stacked, at most MAX_STACKED_RUNS runs in all.
 */
import { z } from 'zod';
import { autodropSchema } from '../optim/autodrop';
import { expLrSchema } from '../optim/explr';
import { leapSchema } from '../optim/leap';
import { lrdSchema } from '../optim/lrd';
import { resolvedOptimizerSchema } from '../optim/optimizer';
import { ralrSchema } from '../optim/ralr';
import { scheduleSchema } from '../optim/schedules';
import { MAX_TOY_COUNT, TOY_NAMES } from '../data/toys';
import { ACTIVATIONS } from '../nn/spec';
import { isRecord, parseJsonText, withoutNegativeZero } from '../util/json';
import { crossFieldIssues } from './cross-field';
import { sweepSchema } from './sweep';
import { sweepIssues } from './sweep-issues';
import { ConfigError, expected, flag, integer as integerIn, oneOf, parseConfig, text } from '../util/validate';

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
const integer = (min: number, max: number, message = `must be an integer in [${min}, ${max}]`) => integerIn(min, max, message);

/** A u32 seed or key. */
const u32 = () => integer(0, 0xffffffff, 'must be an integer in [0, 2^32)');

/** A number in [min, max] ("must be a number in [0, 1]"). */
const unitNumber = (low: '[' | '(', min: number, max: number, high: ']' | ')') => {
  const message = `must be a number in ${low}${min}, ${max}${high}`;
  const lower = z.number(expected(message));
  const bounded = low === '[' ? lower.min(min, message) : lower.gt(min, message);
  return high === ']' ? bounded.max(max, message) : bounded.lt(max, message);
};

// ---------------------------------------------------------------------------------------- dataset

const toyDatasetSchema = z.strictObject({
  kind: z.literal('toy'),
  name: oneOf(TOY_NAMES).meta({ title: 'toy', description: 'Which 2-D toy: spiral, circles, xor, gaussians or moons.' }),
  count: integer(2, MAX_TOY_COUNT).default(600).meta({ title: 'points', description: 'Rows generated in all, train + test.' }),
  noise: unitNumber('[', 0, 1, ']')
    .default(0.1)
    .meta({ title: 'noise', description: 'Noise level (each toy its own meaning, as in TensorFlow Playground, 0 to 0.5 there).' }),
  testFraction: unitNumber('(', 0, 1, ')').default(0.2).meta({ title: 'test share', description: 'Share of the rows held out as the test split.' }),
});

const imageDatasetSchema = z
  .strictObject({
    kind: z.literal('image'),
    name: oneOf(IMAGE_DATASETS).meta({ title: 'images', description: 'A prepared image dataset (public/data).' }),
    trainSubset: integer(1, 60000)
      .optional()
      .meta({ title: 'train images', description: 'Train on the first N training images only (empty: all 60 000).' }),
    testSubset: integer(1, 10000).optional().meta({ title: 'test images', description: 'Evaluate on the first N test images only (empty: all 10 000).' }),
  })
  // Subsets small enough for a quick first run in the page.
  .meta({ examples: [{ kind: 'image', name: 'mnist', trainSubset: 6000, testSubset: 1000 }] });

const uploadDatasetSchema = z.strictObject({
  kind: z.literal('upload'),
  id: text(1, 100).meta({ title: 'upload', description: 'Id of a dataset the user uploaded (the data itself is not part of the config).' }),
  format: oneOf(UPLOAD_FORMATS).meta({ title: 'format', description: 'File format of the upload: csv or idx.' }),
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
  .meta({ title: 'dataset', description: 'What to train on: a generated 2-D toy, a prepared image dataset, or an uploaded file.' });

// ------------------------------------------------------------------------------------------ model

const activation = () => oneOf(ACTIVATIONS).default('relu').meta({ title: 'activation', description: 'Activation of every hidden layer.' });
const hiddenLayers = () =>
  z.array(integer(1, 1024), expected('must be a list of layer widths')).max(8, 'must list at most 8 layers');
/** BatchNorm's ε and running-statistics momentum, for the models that have BatchNorm. */
const batchNormFields = {
  bnEps: z
    .number(expected('must be a number > 0'))
    .gt(0, 'must be a number > 0')
    .max(1, 'must be a number in (0, 1]')
    .default(1e-5)
    .meta({
      title: 'BN ε',
      description:
        'BatchNorm ε added to the batch variance (PyTorch default 1e-5). Exp-LR is exact only as ε → 0 (try 1e-7): its weights grow, and ε weighs differently at another scale.',
    }),
  bnMomentum: unitNumber('(', 0, 1, ']')
    .default(0.1)
    .meta({
      title: 'BN momentum',
      description: 'Momentum of BatchNorm running statistics used at evaluation (PyTorch default 0.1; 1: the last batch only, which keeps evaluation scale-invariant too).',
    }),
};
/** An MLP's BatchNorm settings matter only with its BatchNorm on. */
const mlpBatchNormFields = {
  bnEps: batchNormFields.bnEps.meta({ when: { batchNorm: [true] } }),
  bnMomentum: batchNormFields.bnMomentum.meta({ when: { batchNorm: [true] } }),
};
const cnnFields = {
  channels: z
    .tuple([integer(1, 128), integer(1, 128)], expected('must be [filters1, filters2]'))
    .default([8, 16])
    .meta({ title: 'filters', description: 'Filters of the two conv layers.' }),
  kernelSize: z.literal([3, 5], expected('must be 3 or 5')).default(3).meta({ title: 'kernel', description: 'Conv kernel size, 3 or 5.' }),
  dense: integer(1, 1024).optional().meta({ title: 'dense width', description: 'Width of an optional hidden dense layer after the convolutions (empty: none).' }),
  activation: activation(),
};

export const MODEL_KINDS = ['mlp', 'cnn', 'scale-invariant-mlp', 'scale-invariant-cnn'] as const;

export const modelSchema = z
  .discriminatedUnion(
    'kind',
    [
      z.strictObject({
        kind: z.literal('mlp'),
        hidden: hiddenLayers().default([16, 16]).meta({ title: 'hidden widths', description: 'Widths of the hidden layers (empty: a linear model).' }),
        activation: activation(),
        batchNorm: flag().default(false).meta({ title: 'BatchNorm', description: 'BatchNorm (with affine parameters) after every hidden layer.' }),
        ...mlpBatchNormFields,
      }),
      z.strictObject({ kind: z.literal('cnn'), ...cnnFields }),
      z.strictObject({
        kind: z.literal('scale-invariant-mlp'),
        hidden: hiddenLayers()
          .min(1, 'must list at least one layer')
          .default([16, 16])
          .meta({ title: 'hidden widths', description: 'Widths of the hidden layers (at least one).' }),
        activation: activation(),
        ...batchNormFields,
      }),
      z.strictObject({ kind: z.literal('scale-invariant-cnn'), ...cnnFields, ...batchNormFields }),
    ],
    unionError(MODEL_KINDS),
  )
  .meta({
    title: 'model',
    description: 'The network. Scale-invariant variants (bias-free, BatchNorm without affine, fixed last layer) are where exp-LR is exact.',
  });

// ------------------------------------------------------------------------------------------- runs

/** An LR method as an optional run field, described by its module's metadata (name, summary, starting values). */
const lrMethod = <S extends z.ZodType>(schema: S) => schema.optional().meta(z.globalRegistry.get(schema) ?? {});

/** One run of the config (a method): what an axis of a sweep varies (./sweep.ts). */
export const runSchema = z.strictObject(
  {
    label: text(1, 60).meta({ title: 'label', description: 'Name of the run in legends and exports; unique in the experiment.' }),
    color: z
      .string(expected('must be a colour "#rrggbb"'))
      .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour "#rrggbb"')
      .optional()
      .meta({ title: 'colour', description: 'Line colour "#rrggbb" (default: the Okabe–Ito palette in run order).' }),
    optimizer: resolvedOptimizerSchema.prefault({}).meta({ title: 'optimizer', description: 'Base optimizer rule and its hyperparameters (default plain SGD).' }),
    schedule: scheduleSchema,
    // The LR methods, each from its module (src/optim): one line each.
    lrd: lrMethod(lrdSchema),
    leap: lrMethod(leapSchema),
    ralr: lrMethod(ralrSchema),
    autodrop: lrMethod(autodropSchema),
    expLr: lrMethod(expLrSchema),
    runKey: u32()
      .optional()
      .meta({ title: 'run key', description: "Key of this run's LRD / LEAP / RALR draws (default: the run index); runs with equal keys share their draws." }),
  },
  expected('must be an object { label, schedule, … }'),
);

const experimentObject = z.strictObject({
  version: z.literal(CURRENT_VERSION, expected(`must be ${CURRENT_VERSION}`)).meta({ title: 'version', description: 'Version of the config format.' }),
  name: text(1, 100).default('Untitled experiment').meta({ title: 'name', description: 'Name of the experiment (exports carry it).' }),
  description: z
    .string(expected('must be a text'))
    .max(2000, 'must be at most 2000 characters')
    .optional()
    .meta({ title: 'description', description: 'What the experiment shows.' }),
  seed: u32().default(1).meta({ title: 'seed', description: "Seed of the toy data, the initial weights, the minibatch order and the methods' draws." }),
  replicates: integer(1, MAX_REPLICATES).default(1).meta({
    title: 'replicates',
    description: 'Repeat each run with N seeds: replicate r changes init, data order and draws, the same way for every run; charts show mean ± std.',
  }),
  dataset: datasetSchema,
  model: modelSchema,
  batch: integer(1, 4096).default(32).meta({ title: 'batch', description: 'Minibatch size (the last partial batch of an epoch is dropped).', unit: 'rows' }),
  budget: z
    .strictObject(
      {
        unit: oneOf(BUDGET_UNITS).default('steps').meta({ title: 'budget in', description: 'Count the budget in optimizer steps or in epochs.' }),
        amount: integer(1, 1_000_000).meta({ title: 'budget', description: 'How many steps (or epochs) to train; training stops there.', unitFrom: 'unit' }),
      },
      expected('must be an object { unit, amount }'),
    )
    .meta({ title: 'budget', description: 'When training stops.' }),
  evalEvery: integer(1, 1_000_000)
    .default(50)
    .meta({ title: 'eval every', description: 'Steps between evaluations on the test split (and at the end of the budget).', unit: 'steps' }),
  logEvery: integer(1, 1000)
    .default(10)
    .meta({ title: 'log every', description: 'Steps between metric readbacks from the GPU (one asynchronous read per block).', unit: 'steps' }),
  divergence: z
    .strictObject(
      {
        lossFactor: z
          .number(expected('must be a number > 1'))
          .gt(1, 'must be a number > 1')
          .default(1e3)
          .meta({
            title: 'diverged at',
            description: 'A run whose loss exceeds this × its first logged loss, or is NaN/Inf, is diverged and frozen.',
            unit: '× first loss',
          }),
      },
      expected('must be an object { lossFactor }'),
    )
    .prefault({})
    .meta({ title: 'divergence', description: 'When a run counts as diverged.' }),
  runs: z
    .array(runSchema, expected('must be a list of runs'))
    .min(1, 'must list at least one run')
    .max(MAX_RUNS, `must list at most ${MAX_RUNS} runs`)
    .meta({ title: 'runs', description: 'The runs to compare; all share model, data, init and batch order, and differ only in their method.' }),
  sweep: sweepSchema.optional().meta(z.globalRegistry.get(sweepSchema) ?? {}),
});

/** The experiment config schema (input: ExperimentInput; output: ExperimentConfig, defaults filled). */
export const experimentSchema = experimentObject
  .superRefine(
    (config, ctx) => {
      for (const issue of [...crossFieldIssues(config), ...sweepIssues(config, runSchema)]) ctx.addIssue({ code: 'custom', ...issue });
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
