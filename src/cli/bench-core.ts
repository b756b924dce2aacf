/**
 * The training-step benchmark, shared by Node (src/cli/bench.ts) and the browser (app/bench.ts):
 * ms per step as the median of repeats, each repeat = N steps submitted back to back and timed to
 * queue.onSubmittedWorkDone(), on synthetic data of the right shapes (no dataset needed).
 * N comes from timed warm-up steps: enough steps for a repeat of about TARGET_REPEAT_MS, within
 * [1, maxSteps], so a slow case (a CNN on a CPU-emulated GPU: seconds per step) still finishes in
 * minutes and a fast one (a real GPU: about a millisecond) is not dominated by submit latency.
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
  /** Most steps per timed repeat. */
  maxSteps: number;
}

/** Wall time a timed repeat aims at (ms), before `scale`. */
export const TARGET_REPEAT_MS = 500;
/**
 * Wall time the timed repeats of one case may take (ms), before `scale`: a case slower than
 * CASE_BUDGET_MS / repeats per repeat gets fewer repeats, never fewer than MIN_REPEATS (the CNN
 * with 6 runs on a CPU-emulated GPU takes tens of seconds per step).
 */
export const CASE_BUDGET_MS = 60_000;
export const MIN_REPEATS = 3;

export interface BenchResult {
  name: string;
  runs: number;
  batch: number;
  msPerStep: number;
  /** All repeats' ms per step (the median is msPerStep). */
  samples: number[];
  /** Steps submitted back to back in each timed repeat. */
  stepsPerRepeat: number;
  /** The first (warm-up) step, ms; not in the median. */
  warmupMs: number;
  dispatchesPerStep: number;
  submitsPerStep: number;
}

/** The cases the issue asks for. */
export function benchCases(): BenchCase[] {
  return [
    { name: 'MLP 784-256-256-10, batch 128', model: mlp({ inputShape: [1, 28, 28], hidden: [256, 256], outputs: 10 }), batch: 128, maxSteps: 64 },
    { name: 'MLP 2-8-8-1, batch 32', model: mlp({ inputSize: 2, hidden: [8, 8], outputs: 1, activation: 'tanh', loss: 'mse' }), batch: 32, maxSteps: 64 },
    { name: 'small CNN (8/16 ch, 3x3), batch 64', model: smallCnn({ inputShape: [1, 28, 28], classes: 10 }), batch: 64, maxSteps: 64 },
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

/**
 * Times one case with `runs` stacked runs: one or two timed warm-up steps set the steps per repeat
 * (about TARGET_REPEAT_MS · scale of work, 1..maxSteps), then `repeats` timed repeats (fewer, down
 * to MIN_REPEATS, when they would take more than CASE_BUDGET_MS · scale).
 */
export async function benchCase(gpu: GpuContext, spec: BenchCase, runs: number, repeats: number, scale = 1): Promise<BenchResult> {
  const model = resolveModel(spec.model);
  const dataset = syntheticDataset(spec.model, spec.batch * 4);
  const trainer = new Trainer(gpu, model, dataset, { batch: spec.batch, seed: 1, replicates: Array.from({ length: runs }, (_, r) => r), readEvery: 1000 });
  const rates = new Array(runs).fill(0.01);
  const samples: number[] = [];
  /** ms per step of `steps` steps submitted back to back, waited for on the queue. */
  const timeSteps = async (steps: number) => {
    const start = performance.now();
    for (let i = 0; i < steps; i++) trainer.trainStep(rates);
    await gpu.device.queue.onSubmittedWorkDone();
    return (performance.now() - start) / steps;
  };
  let warmupMs: number;
  let stepsPerRepeat: number;
  try {
    await gpu.device.queue.onSubmittedWorkDone(); // parameter and dataset uploads out of the clock
    warmupMs = await timeSteps(1);
    // The first step carries one-off costs; where it was quick, a second one estimates a step better.
    const estimate = warmupMs > TARGET_REPEAT_MS * scale ? warmupMs : await timeSteps(1);
    stepsPerRepeat = Math.min(spec.maxSteps, Math.max(1, Math.round((TARGET_REPEAT_MS * scale) / Math.max(estimate, 1e-3))));
    const affordable = Math.floor((CASE_BUDGET_MS * scale) / (estimate * stepsPerRepeat));
    const timedRepeats = Math.min(repeats, Math.max(MIN_REPEATS, affordable));
    for (let repeat = 0; repeat < timedRepeats; repeat++) samples.push(await timeSteps(stepsPerRepeat));
    await trainer.flush();
  } finally {
    trainer.destroy();
  }
  return {
    name: spec.name, runs, batch: spec.batch, msPerStep: median(samples), samples, stepsPerRepeat, warmupMs,
    dispatchesPerStep: trainer.dispatchesPerStep, submitsPerStep: 1,
  };
}

/**
 * Every case with R = 1 and R = 6; `scale` multiplies the target repeat time (quick mode: < 1);
 * `onResult` sees each result as it is measured.
 */
export async function runBench(
  gpu: GpuContext,
  options: { scale?: number; repeats?: number; runCounts?: number[]; onResult?: (result: BenchResult) => void } = {},
): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const spec of benchCases()) {
    for (const runs of options.runCounts ?? [1, 6]) {
      const result = await benchCase(gpu, spec, runs, options.repeats ?? 5, options.scale ?? 1);
      results.push(result);
      options.onResult?.(result);
    }
  }
  return results;
}
