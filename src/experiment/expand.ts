/**
 * What a validated experiment config trains, worked out without a GPU: the ModelSpec of its model
 * for a dataset's input shape and classes, the stacked runs (methods × sweep points × replicates) with the seed of
 * each replicate's draws, and the budget in optimizer steps. createRunner (./setup.ts) builds the
 * runner from these; the page's Worker and the results document list the stacked runs with expandRuns.
 */
import { mlp, scaleInvariantCnn, scaleInvariantMlp, smallCnn } from '../nn/models';
import type { ModelSpec } from '../nn/spec';
import { RandomStream, StreamPurpose, streamId } from '../rng/stream';
import { ConfigError } from '../util/validate';
import { runSchema, type ExperimentConfig, type ModelConfig, type RunConfig } from './config';
import { asMethod, asRun, type MethodIndex, type RunIndex } from '../util/ids';
import type { RunnerRun } from './runner';
import { applySwept, sweepLabel, sweepPointsOf, type SweptValues } from './sweep';

/** What buildModelSpec needs of a dataset. numClasses 0 (regression) takes targetDim outputs with MSE (MLPs only). */
export interface DatasetShape {
  inputShape: readonly number[];
  numClasses: number;
  targetDim?: number;
}

/** The ModelSpec of `model` for a dataset's input shape and classes (src/nn/models.ts builders). Errors name the field. */
export function buildModelSpec(model: ModelConfig, dataset: DatasetShape): ModelSpec {
  const inputShape = [...dataset.inputShape];
  const regression = dataset.numClasses === 0;
  const outputs = regression ? (dataset.targetDim ?? 0) : dataset.numClasses;
  const loss = regression ? 'mse' : 'softmax_xent';
  const isCnn = model.kind === 'cnn' || model.kind === 'scale-invariant-cnn';
  if (isCnn && (inputShape.length !== 3 || regression)) {
    throw new ConfigError([`model.kind: a CNN needs image inputs [channels, height, width] and classes; this dataset has inputShape [${inputShape}] and ${dataset.numClasses} classes`]);
  }
  try {
    const spec = modelSpecOf(model, inputShape, outputs, loss);
    if (!('bnEps' in model)) return spec;
    // BatchNorm's ε and running-statistics momentum from the config (the builders use PyTorch's defaults).
    const { bnEps, bnMomentum } = model;
    return { ...spec, layers: spec.layers.map((layer) => (layer.kind === 'batchnorm' ? { ...layer, eps: bnEps, momentum: bnMomentum } : layer)) };
  } catch (error) {
    throw new ConfigError([`model: ${(error as Error).message}`]);
  }
}

/** The builder (src/nn/models.ts) of each model kind. */
function modelSpecOf(model: ModelConfig, inputShape: number[], outputs: number, loss: 'mse' | 'softmax_xent'): ModelSpec {
  switch (model.kind) {
    case 'mlp':
      return mlp({ inputShape, hidden: model.hidden, outputs, activation: model.activation, batchNorm: model.batchNorm, loss });
    case 'scale-invariant-mlp':
      return scaleInvariantMlp({ inputShape, hidden: model.hidden, outputs, activation: model.activation, loss });
    case 'cnn':
    case 'scale-invariant-cnn': {
      const options = { inputShape, classes: outputs, channels: model.channels, kernelSize: model.kernelSize, dense: model.dense, activation: model.activation };
      return model.kind === 'cnn' ? smallCnn(options) : scaleInvariantCnn(options);
    }
  }
}

/** Stream tag of replicate seeds (StreamPurpose.general, this tag, replicate). */
const REPLICATE_SEED_TAG = 0x72657073;

/**
 * Seed of the LRD / LEAP / RALR draws of replicate r: the experiment seed for r = 0, else the first
 * u32 of RandomStream(seed, streamId(general, tag, r)). Every run of one replicate uses it, so runs
 * with equal runKeys draw the same masks and noise within a replicate, and replicates differ.
 */
export function replicateSeed(seed: number, replicate: number): number {
  if (replicate === 0) return seed;
  return new RandomStream(seed, streamId(StreamPurpose.general, REPLICATE_SEED_TAG, replicate)).uint32();
}

/** The name of replicate `replicate` (0-based) of a run labelled `label`: the label itself, then "label #2", "label #3", … */
export function runLabel(label: string, replicate: number): string {
  return replicate > 0 ? `${label} #${replicate + 1}` : label;
}

/** One stacked run of the engine: method `method` of the config at sweep point `point`, in replicate `replicate`. */
export interface ExpandedRun {
  /** Position among the stacked runs (the Trainer's run index). */
  index: RunIndex;
  /** The method (config.runs) it repeats. */
  method: MethodIndex;
  /** Its sweep point among the method's (0 without a sweep): see sweepPointsOf in ./sweep.ts. */
  point: number;
  /** The values the sweep gives it, by axis field (empty without a sweep). */
  swept: SweptValues;
  /** Replicate id: the Trainer's `replicates[index]` (init and data order come from (config.seed, replicate)). */
  replicate: number;
  label: string;
  color: string;
  /** Seed of this run's draws (RunUpdateConfig.seed, RALR's seed): replicateSeed(config.seed, replicate). */
  seed: number;
  /** The run's runKey (RunUpdateConfig.runKey): the method's, at every sweep point. */
  runKey: number;
  /** The method's run with the swept values set. */
  run: RunConfig;
}

/**
 * The stacked runs, method-major, then sweep point, then replicate: without a sweep,
 * index = method·replicates + replicate. Replicate r of every method and point shares init, data
 * order (Trainer seed = config.seed, replicates[index] = r) and draw seed; different replicates
 * differ in all three. The points of one method share its run key, hence its draws.
 */
export function expandRuns(config: ExperimentConfig): ExpandedRun[] {
  const seeds = Array.from({ length: config.replicates }, (_, r) => replicateSeed(config.seed, r));
  let index = 0;
  return config.runs.flatMap((run, method) =>
    sweepPointsOf(runSchema, config.sweep, run).flatMap((swept, point) => {
      const sweptRun = point === 0 && Object.keys(swept).length === 0 ? run : applySwept(runSchema, run, swept);
      return seeds.map((seed, replicate) => ({
        index: asRun(index++),
        method: asMethod(method),
        point,
        swept,
        replicate,
        label: run.label,
        color: run.color,
        seed,
        runKey: run.runKey,
        run: sweptRun,
      }));
    }),
  );
}

/** The budget in optimizer steps, given the steps per epoch (⌊train rows / batch⌋). */
export function budgetSteps(config: Pick<ExperimentConfig, 'budget'>, stepsPerEpoch: number): number {
  return config.budget.unit === 'steps' ? config.budget.amount : config.budget.amount * stepsPerEpoch;
}

/** The runner's view of one stacked run. */
export function runnerRun(expanded: ExpandedRun): RunnerRun {
  const { run } = expanded;
  return {
    label: runLabel(sweepLabel(expanded.label, expanded.swept), expanded.replicate),
    method: expanded.method,
    replicate: expanded.replicate,
    swept: expanded.swept,
    seed: expanded.seed,
    runKey: run.runKey,
    optimizer: run.optimizer,
    lrd: run.lrd ?? null,
    leap: run.leap ?? null,
    autodrop: run.autodrop ?? null,
    lr: { schedule: run.schedule, ralr: run.ralr ?? null, expLr: run.expLr ?? null },
  };
}
