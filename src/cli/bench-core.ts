/**
 * The training-step benchmark, shared by Node (src/cli/bench.ts) and the browser (app/bench.ts):
 * ms per step as the median of repeats, each repeat = N steps submitted back to back and timed to
 * queue.onSubmittedWorkDone(), on synthetic data of the right shapes (no dataset needed).
 */
import type { Dataset } from '../data/types';
import type { GpuContext } from '../gpu/device';
import { mlp, smallCnn } from '../nn/models';
import { resolveModel, type ModelSpec } from '../nn/spec';
import { Trainer } from '../nn/trainer';
import { RandomStream } from '../rng/stream';

export interface BenchCase {
  name: string;
  model: ModelSpec;
  batch: number;
  /** Steps per timed repeat. */
  steps: number;
}

export interface BenchResult {
  name: string;
  runs: number;
  batch: number;
  msPerStep: number;
  /** All repeats' ms per step (the median is msPerStep). */
  samples: number[];
  dispatchesPerStep: number;
  submitsPerStep: number;
}

/** The cases the issue asks for; `scale` < 1 shortens the timed repeats (quick mode). */
export function benchCases(scale = 1): BenchCase[] {
  const steps = (n: number) => Math.max(1, Math.round(n * scale));
  return [
    { name: 'MLP 784-256-256-10, batch 128', model: mlp({ inputShape: [1, 28, 28], hidden: [256, 256], outputs: 10 }), batch: 128, steps: steps(4) },
    { name: 'MLP 2-8-8-1, batch 32', model: mlp({ inputSize: 2, hidden: [8, 8], outputs: 1, activation: 'tanh', loss: 'mse' }), batch: 32, steps: steps(20) },
    { name: 'small CNN (8/16 ch, 3x3), batch 64', model: smallCnn({ inputShape: [1, 28, 28], classes: 10 }), batch: 64, steps: steps(2) },
  ];
}

/** Random data shaped for `model`: u8 images for image inputs, f32 otherwise. */
function syntheticDataset(model: ModelSpec, rows: number): Dataset {
  const rng = new RandomStream(7, 99);
  const features = model.inputShape.reduce((a, b) => a * b, 1);
  const image = model.inputShape.length === 3;
  const outputs = resolveModel(model).outputSize;
  const classes = Math.max(outputs, 2); // a 1-output MSE model learns ±1 targets of 2 classes
  const split = () => ({
    count: rows,
    x: image ? Uint8Array.from({ length: rows * features }, () => rng.below(256)) : Float32Array.from({ length: rows * features }, () => rng.uniform() * 2 - 1),
    y: Uint32Array.from({ length: rows }, () => rng.below(classes)),
  });
  return {
    name: 'synthetic', inputShape: model.inputShape, numClasses: classes,
    scale: image ? 1 / 255 : 1, shift: 0, train: split(), test: split(),
  };
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Times one case with `runs` stacked runs: 1 warm-up repeat, then `repeats` timed ones. */
export async function benchCase(gpu: GpuContext, spec: BenchCase, runs: number, repeats: number): Promise<BenchResult> {
  const model = resolveModel(spec.model);
  const dataset = syntheticDataset(spec.model, spec.batch * 4);
  const trainer = new Trainer(gpu, model, dataset, { batch: spec.batch, seed: 1, replicates: Array.from({ length: runs }, (_, r) => r), readEvery: 1000 });
  const rates = new Array(runs).fill(0.01);
  const samples: number[] = [];
  try {
    for (let repeat = 0; repeat <= repeats; repeat++) {
      const start = performance.now();
      for (let i = 0; i < spec.steps; i++) trainer.trainStep(rates);
      await gpu.device.queue.onSubmittedWorkDone();
      if (repeat > 0) samples.push((performance.now() - start) / spec.steps);
    }
    await trainer.flush();
  } finally {
    trainer.destroy();
  }
  return { name: spec.name, runs, batch: spec.batch, msPerStep: median(samples), samples, dispatchesPerStep: trainer.dispatchesPerStep, submitsPerStep: 1 };
}

/** Every case with R = 1 and R = 6; `onResult` sees each result as it is measured. */
export async function runBench(
  gpu: GpuContext,
  options: { scale?: number; repeats?: number; runCounts?: number[]; onResult?: (result: BenchResult) => void } = {},
): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const spec of benchCases(options.scale ?? 1)) {
    for (const runs of options.runCounts ?? [1, 6]) {
      const result = await benchCase(gpu, spec, runs, options.repeats ?? 5);
      results.push(result);
      options.onResult?.(result);
    }
  }
  return results;
}
