/**
 * Where each built-in dataset starts: a model, a base learning rate and a batch size (for the image
 * datasets also the subsets) under which the default comparison's baseline, SGD with momentum 0.9
 * and weight decay 5e-4, learns well in 600 steps; `accuracy` is the test accuracy it reached at
 * step 600 with the CLI (README "Starting points"; the configs are
 * public/examples/starting-points/<dataset>.json, built by startingPointExperiment). The page's
 * dataset switch applies them (switchDataset), and the default experiment uses the spiral's.
 *
 * Also what follows a dataset switch: the dataset's title in words and the experiment name
 * ("All methods on a spiral" → "All methods on Fashion-MNIST").
 */
import { isRecord } from '../util/json';
import type { ExperimentInput } from './config';

type Doc = Record<string, unknown>;

export interface StartingPoint {
  /** The model document (kind and widths). */
  model: Doc;
  /** The baseline's base learning rate (SGD with momentum 0.9). */
  rate: number;
  batch: number;
  /** Dataset fields that go with it (image subsets: a quick first run in the page). */
  dataset?: Doc;
  /** Test accuracy of the baseline at step 600 (seed 1), measured with the CLI. */
  accuracy: number;
}

const TOY_POINT = { model: { kind: 'mlp', hidden: [32, 32], activation: 'relu' }, rate: 0.1, batch: 32 } as const;
const IMAGE_MLP = { kind: 'mlp', hidden: [64], activation: 'relu' } as const;
const IMAGE_SUBSETS = { trainSubset: 10000, testSubset: 2000 } as const;

/** The starting point of every built-in dataset, by its name. */
export const STARTING_POINTS: Readonly<Record<string, StartingPoint>> = {
  spiral: { ...TOY_POINT, accuracy: 0.95 },
  circles: { ...TOY_POINT, accuracy: 0.983 },
  xor: { ...TOY_POINT, accuracy: 1 },
  gaussians: { ...TOY_POINT, accuracy: 1 },
  moons: { ...TOY_POINT, accuracy: 1 },
  mnist: { model: IMAGE_MLP, rate: 0.1, batch: 64, dataset: IMAGE_SUBSETS, accuracy: 0.93 },
  'fashion-mnist': { model: IMAGE_MLP, rate: 0.05, batch: 64, dataset: IMAGE_SUBSETS, accuracy: 0.833 },
};

/** Each dataset's name in words, as it reads after "on" ("All methods on a spiral"); later entries are other ways of writing it. */
const TITLES: Readonly<Record<string, readonly string[]>> = {
  spiral: ['a spiral', 'the spiral', 'spirals', 'spiral'],
  circles: ['circles'],
  xor: ['XOR'],
  gaussians: ['Gaussians', 'Gaussian blobs'],
  moons: ['moons', 'two moons'],
  mnist: ['MNIST'],
  'fashion-mnist': ['Fashion-MNIST', 'Fashion MNIST'],
};

/** The starting point of a dataset document (undefined for an upload or an unknown name). */
export function startingPointOf(dataset: unknown): StartingPoint | undefined {
  return isRecord(dataset) && dataset.kind !== 'upload' && typeof dataset.name === 'string' ? STARTING_POINTS[dataset.name] : undefined;
}

/** The ways of writing a dataset's name, the title first (an upload: its id). */
function titlesOf(dataset: unknown): readonly string[] {
  if (!isRecord(dataset)) return [];
  if (dataset.kind === 'upload') return typeof dataset.id === 'string' ? [dataset.id] : [];
  return typeof dataset.name === 'string' ? (TITLES[dataset.name] ?? [dataset.name]) : [];
}

/** A dataset's title in words: "a spiral", "Fashion-MNIST", an upload's file name. */
export const datasetTitle = (dataset: unknown): string => titlesOf(dataset)[0] ?? 'a dataset';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The experiment name after its dataset changes from `from` to `to`: where the name says which data
 * it trains on ("All methods on a spiral", "MNIST with an MLP"), that part names the new dataset;
 * a name that does not mention the old dataset stays as it is.
 */
export function retitle(name: string, from: unknown, to: unknown): string {
  const title = datasetTitle(to);
  for (const old of [...titlesOf(from)].sort((a, b) => b.length - a.length)) {
    // Whole words only: "MNIST" is not the end of "Fashion-MNIST".
    const pattern = new RegExp(`(?<![\\w-])${escapeRegExp(old)}(?![\\w-])`, 'i');
    if (pattern.test(name)) return name.replace(pattern, title).slice(0, 100);
  }
  return name;
}

/** `value` times `factor` when it is a number (rates), else unchanged. */
const scaled = (value: unknown, factor: number) => (typeof value === 'number' ? Number((value * factor).toPrecision(12)) : value);

/** A run document with every rate it states (schedule, LEAP's additive σ, RALR's absolute bounds, AutoDrop's floor) times `factor`. */
export function scaleRunRates(run: Doc, factor: number): Doc {
  const next: Doc = { ...run };
  if (isRecord(run.schedule)) {
    const schedule: Doc = { ...run.schedule };
    for (const key of ['lr', 'maxLr', 'minLr']) if (key in schedule) schedule[key] = scaled(schedule[key], factor);
    next.schedule = schedule;
  }
  if (isRecord(run.leap) && (run.leap.form ?? 'additive') === 'additive' && 'sigma' in run.leap) next.leap = { ...run.leap, sigma: scaled(run.leap.sigma, factor) };
  if (isRecord(run.ralr)) next.ralr = { ...run.ralr, ...('rateLow' in run.ralr ? { rateLow: scaled(run.ralr.rateLow, factor) } : {}), ...('rateHigh' in run.ralr ? { rateHigh: scaled(run.ralr.rateHigh, factor) } : {}) };
  if (isRecord(run.autodrop) && 'lrMin' in run.autodrop) next.autodrop = { ...run.autodrop, lrMin: scaled(run.autodrop.lrMin, factor) };
  return next;
}

/** The base rate a run document states (its schedule's lr, or maxLr for one-cycle). */
function baseRate(run: unknown): number | undefined {
  const schedule = isRecord(run) && isRecord(run.schedule) ? run.schedule : {};
  const rate = schedule.kind === 'onecycle' ? schedule.maxLr : schedule.lr;
  return typeof rate === 'number' && rate > 0 ? rate : undefined;
}

/**
 * `doc` with `point` applied: its model and batch, its dataset fields, and the first run's base rate
 * set to its rate, every other run's rates scaled by the same factor (the comparison keeps its ratios).
 */
export function withStartingPoint(doc: Doc, point: StartingPoint): Doc {
  const runs = Array.isArray(doc.runs) ? (doc.runs as unknown[]) : [];
  const current = baseRate(runs[0]);
  const factor = current === undefined ? 1 : point.rate / current;
  return {
    ...doc,
    dataset: { ...(isRecord(doc.dataset) ? doc.dataset : {}), ...point.dataset },
    model: structuredClone(point.model),
    batch: point.batch,
    runs: runs.map((run) => (isRecord(run) ? scaleRunRates(run, factor) : run)),
  };
}

/** True when `doc` already has `point`'s model, batch and first-run rate. */
export function hasStartingPoint(doc: Doc, point: StartingPoint): boolean {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const runs = Array.isArray(doc.runs) ? (doc.runs as unknown[]) : [];
  const dataset = isRecord(doc.dataset) ? doc.dataset : {};
  const subsetsMatch = Object.entries(point.dataset ?? {}).every(([key, value]) => dataset[key] === value);
  return same(doc.model, point.model) && doc.batch === point.batch && baseRate(runs[0]) === point.rate && subsetsMatch;
}

/**
 * `doc` switched to `dataset`: the name follows (retitle); with `recommended`, the new dataset's
 * starting point is applied too (withStartingPoint; nothing more for an upload).
 */
export function switchDataset(doc: Doc, dataset: Doc, recommended: boolean): Doc {
  const name = typeof doc.name === 'string' ? retitle(doc.name, doc.dataset, dataset) : doc.name;
  const switched = { ...doc, dataset, ...(name === undefined ? {} : { name }) };
  const point = recommended ? startingPointOf(dataset) : undefined;
  return point ? withStartingPoint(switched, point) : switched;
}

/** A starting point in words: "MLP 128, rate 0.05, batch 64, 10000 / 2000 images". */
export function describeStartingPoint(point: StartingPoint): string {
  const model = point.model;
  const widths = Array.isArray(model.hidden) ? ` ${model.hidden.join('-')}` : '';
  const subsets = point.dataset ? `, ${String(point.dataset.trainSubset)} train / ${String(point.dataset.testSubset)} test images` : '';
  return `${String(model.kind).toUpperCase()}${widths}, rate ${point.rate}, batch ${point.batch}${subsets}`;
}

/** The measurement behind a starting point's accuracy: the baseline alone on that dataset, 600 steps, seed 1. */
export function startingPointExperiment(name: string): ExperimentInput {
  const point = STARTING_POINTS[name];
  if (!point) throw new Error(`dataset.name: no starting point for "${name}"`);
  const kind = name === 'mnist' || name === 'fashion-mnist' ? 'image' : 'toy';
  return {
    version: 1,
    name: `Starting point on ${datasetTitle({ kind, name })}`,
    description: `The baseline alone with the starting point for ${datasetTitle({ kind, name })} (src/experiment/starting-points.ts): its test accuracy at step 600 is in the README.`,
    seed: 1,
    dataset: { kind, name, ...point.dataset } as ExperimentInput['dataset'],
    model: structuredClone(point.model) as ExperimentInput['model'],
    batch: point.batch,
    budget: { unit: 'steps', amount: 600 },
    evalEvery: 30,
    logEvery: 10,
    runs: [{ label: 'Baseline', optimizer: { rule: 'momentum', momentum: 0.9, weightDecay: 5e-4 }, schedule: { kind: 'constant', lr: point.rate } }],
  };
}
