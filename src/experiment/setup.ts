/**
 * From a validated experiment config and its dataset to a ready ExperimentRunner: the model for the
 * dataset's shape, the stacked runs (methods × replicates), and the runner options. The page's
 * Worker and the CLI both start experiments here, so they compute the same numbers.
 */
import type { Dataset } from '../data/types';
import type { GpuContext } from '../gpu/device';
import { stepsPerEpoch } from '../data/batches';
import { resolveModel } from '../nn/spec';
import type { ExperimentConfig } from './config';
import { buildModelSpec, budgetSteps, expandRuns, runnerRun } from './expand';
import { ExperimentRunner } from './runner';

/** Builds the runner of `config` on `dataset` (errors name the config field at fault). */
export function createRunner(gpu: GpuContext, config: ExperimentConfig, dataset: Dataset): ExperimentRunner {
  if (config.batch > dataset.train.count) {
    throw new Error(`batch: ${config.batch} is more than the ${dataset.train.count} training rows of ${dataset.name}`);
  }
  const targetDim = dataset.numClasses === 0 ? dataset.train.y.length / Math.max(dataset.train.count, 1) : undefined;
  const model = resolveModel(buildModelSpec(config.model, { inputShape: dataset.inputShape, numClasses: dataset.numClasses, targetDim }));
  const perEpoch = stepsPerEpoch(dataset.train.count, config.batch);
  return new ExperimentRunner(gpu, model, dataset, expandRuns(config).map(runnerRun), {
    seed: config.seed,
    batch: config.batch,
    logEvery: config.logEvery,
    evalEvery: config.evalEvery,
    budgetSteps: budgetSteps(config, perEpoch),
    divergenceFactor: config.divergence.lossFactor,
  });
}
