/**
 * Decision boundaries of 2-D datasets, for the playground's heatmaps: the stacked parameters are
 * read back from the GPU once, and each run's network is evaluated on a grid over the data's
 * bounding box by the float64 reference network (a few thousand points of a small MLP: cheap on
 * the CPU, and no new kernel). Additive: touches no training code.
 */
import type { Dataset } from '../data/types';
import { paramsOfRun } from '../gpu/param-layout';
import { readF32 } from '../gpu/readback';
import { runningStatsOfRun } from '../nn/layers/batchnorm';
import { ReferenceNetwork } from '../reference/network';
import { ChunkedRunner } from './chunked-runner';
import type { ExperimentRunner } from './runner';
import type { TrainingRunner } from './training-runner';

export interface BoundaryGrid {
  /** Grid cells per side. */
  size: number;
  /** [xMin, xMax, yMin, yMax] of the grid. */
  extent: [number, number, number, number];
  classes: number;
  /** Per stacked run, size·size predicted classes, row-major from (xMin, yMax) (top-left). */
  predictions: Uint8Array[];
  /** Per stacked run, the winning class's softmax probability per cell. */
  confidence: Float32Array[];
  /** Up to `maxPoints` training points: x, y, class. */
  points: Array<[number, number, number]>;
}

/** Bounding box of the 2-D training inputs, padded by 10 % on each side. */
export function dataExtent(dataset: Dataset): [number, number, number, number] {
  const x = dataset.train.x;
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < dataset.train.count; i++) {
    const a = x[2 * i] * dataset.scale + dataset.shift;
    const b = x[2 * i + 1] * dataset.scale + dataset.shift;
    x0 = Math.min(x0, a);
    x1 = Math.max(x1, a);
    y0 = Math.min(y0, b);
    y1 = Math.max(y1, b);
  }
  const padX = (x1 - x0) * 0.1 || 1;
  const padY = (y1 - y0) * 0.1 || 1;
  return [x0 - padX, x1 + padX, y0 - padY, y1 + padY];
}

/**
 * Each run's predicted class (argmax of the logits) and its probability on a size×size grid.
 * BatchNorm layers evaluate with each run's running statistics, read back from the GPU with the
 * parameters. Throws when the dataset is not 2-D classification.
 */
export async function predictGrid(runner: TrainingRunner, size = 48, maxPoints = 400): Promise<BoundaryGrid> {
  if (!(runner instanceof ChunkedRunner)) return predictRunnerGrid(runner as ExperimentRunner, size, maxPoints);
  const grids = [];
  for (const chunk of runner.chunks) grids.push(await predictRunnerGrid(chunk.runner, size, maxPoints));
  return { ...grids[0], predictions: grids.flatMap((grid) => grid.predictions), confidence: grids.flatMap((grid) => grid.confidence) };
}

/** predictGrid of the runs of one ExperimentRunner. */
async function predictRunnerGrid(runner: ExperimentRunner, size: number, maxPoints: number): Promise<BoundaryGrid> {
  const { dataset, model } = runner;
  if (dataset.inputShape.length !== 1 || dataset.inputShape[0] !== 2 || dataset.numClasses < 2) {
    throw new Error('a decision boundary needs a 2-D classification dataset');
  }
  const extent = dataExtent(dataset);
  const [x0, x1, y0, y1] = extent;
  const cells = size * size;
  const input = new Float64Array(cells * 2);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const i = row * size + col;
      input[2 * i] = x0 + ((col + 0.5) / size) * (x1 - x0);
      input[2 * i + 1] = y1 - ((row + 0.5) / size) * (y1 - y0);
    }
  }
  const network = runner.trainer.network;
  const stacked = await network.readParams();
  const layout = network.layout;
  // BatchNorm running statistics per layer index (their layout: runningStatsOfRun).
  const runs = runner.runs.length;
  const runningStats = new Map<number, Float32Array>();
  await Promise.all(
    network.layers.map(async (layer, index) => {
      if (layer.resolved.spec.kind !== 'batchnorm' || !layer.state) return;
      const { buffer, initial } = layer.state[0];
      runningStats.set(model.layers[index].index, await readF32(runner.gpu.device, buffer, initial.length));
    }),
  );
  const classes = dataset.numClasses;
  const predictions: Uint8Array[] = [];
  const confidence: Float32Array[] = [];
  for (let run = 0; run < runner.runs.length; run++) {
    const net = new ReferenceNetwork(model);
    for (const [layerIndex, stats] of runningStats) {
      const { mean, variance } = runningStatsOfRun(stats, runs, run);
      net.state.set(layerIndex, { mean, var: variance });
    }
    const { logits } = net.forward(paramsOfRun(stacked, layout, run), input, cells, false);
    const predicted = new Uint8Array(cells);
    const probability = new Float32Array(cells);
    for (let i = 0; i < cells; i++) {
      let best = 0;
      let max = -Infinity;
      for (let c = 0; c < classes; c++) if (logits[i * classes + c] > max) [max, best] = [logits[i * classes + c], c];
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += Math.exp(logits[i * classes + c] - max);
      predicted[i] = best;
      probability[i] = Number.isFinite(sum) ? 1 / sum : 0;
    }
    predictions.push(predicted);
    confidence.push(probability);
  }
  const stride = Math.max(1, Math.ceil(dataset.train.count / maxPoints));
  const points: Array<[number, number, number]> = [];
  for (let i = 0; i < dataset.train.count; i += stride) {
    points.push([dataset.train.x[2 * i] * dataset.scale + dataset.shift, dataset.train.x[2 * i + 1] * dataset.scale + dataset.shift, dataset.train.y[i]]);
  }
  return { size, extent, classes, predictions, confidence, points };
}
