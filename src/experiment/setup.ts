/**
 * From a validated experiment config and its dataset to a ready runner: the model for the
 * dataset's shape, the stacked runs (methods × sweep points × replicates), and the runner options.
 * The page's Worker and the CLI both start experiments here (through a TrainingSession), so they
 * compute the same numbers.
 */
import type { Dataset } from '../data/types';
import type { GpuContext } from '../gpu/device';
import { stepsPerEpoch } from '../data/batches';
import { resolveModel } from '../nn/spec';
import type { ExperimentConfig } from './config';
import { stackedRunner } from './chunked-runner';
import { buildModelSpec, budgetSteps, expandRuns, runnerRun } from './expand';
import { ExperimentRunner } from './runner';
import type { TrainingRunner } from './training-runner';

/** Builds one ExperimentRunner of every stacked run of `config` on `dataset` (errors name the config field at fault). */
export function createRunner(gpu: GpuContext, config: ExperimentConfig, dataset: Dataset): ExperimentRunner {
  return createChunks(gpu, config, dataset, Infinity) as ExperimentRunner;
}

/**
 * The runner a session drives: one ExperimentRunner, or for a sweep past the device's buffer limits
 * or its `sweep.chunkRuns`, a ChunkedRunner of consecutive chunks (./chunked-runner.ts) with the same numbers.
 */
export function createTrainingRunner(gpu: GpuContext, config: ExperimentConfig, dataset: Dataset): TrainingRunner {
  return createChunks(gpu, config, dataset, config.sweep?.chunkRuns ?? Infinity, true);
}

/** The stacked runs of `config` in chunks of at most `chunkRuns` (smaller where buffers pass a device limit, when `shrink`). */
function createChunks(gpu: GpuContext, config: ExperimentConfig, dataset: Dataset, chunkRuns: number, shrink = false): TrainingRunner {
  if (config.batch > dataset.train.count) {
    throw new Error(`batch: ${config.batch} is more than the ${dataset.train.count} training rows of ${dataset.name}`);
  }
  const targetDim = dataset.numClasses === 0 ? dataset.train.y.length / Math.max(dataset.train.count, 1) : undefined;
  const model = resolveModel(buildModelSpec(config.model, { inputShape: dataset.inputShape, numClasses: dataset.numClasses, targetDim }));
  const perEpoch = stepsPerEpoch(dataset.train.count, config.batch);
  const runs = expandRuns(config).map(runnerRun);
  return stackedRunner(runs, shrink ? chunkRuns : runs.length, (chunk) =>
    new ExperimentRunner(gpu, model, dataset, chunk, {
      seed: config.seed,
      batch: config.batch,
      logEvery: config.logEvery,
      evalEvery: config.evalEvery,
      budgetSteps: budgetSteps(config, perEpoch),
      divergenceFactor: config.divergence.lossFactor,
    }),
    shrink,
  );
}
