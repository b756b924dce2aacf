/**
 * The training-step benchmark, shared by Node (src/cli/bench.ts) and the browser (app/bench.ts):
 * ms per step as the median of repeats, each repeat = N steps submitted back to back and timed to
 * queue.onSubmittedWorkDone(), on synthetic data of the right shapes (no dataset needed).
 * N comes from timed warm-up steps: enough steps for a repeat of about TARGET_REPEAT_MS, within
 * [1, maxSteps], so a slow case (a CNN on a CPU-emulated GPU: seconds per step) still finishes in
 * minutes and a fast one (a real GPU: about a millisecond) is not dominated by submit latency.
 * The workloads are those of issue 7, which app/bench-tfjs.ts runs in TensorFlow.js too, and
 * (Node by default) issue 17's: the playground's MLP stacked 1, 36, 144 and 576 times, and a
 * 16M-element Adam update against a copy of the same bytes.
 */
import { generateToy } from '../data/toys';
import type { Dataset } from '../data/types';
import { createStorage, upload } from '../gpu/buffers';
import { encodeDispatches } from '../gpu/commands';
import type { GpuContext } from '../gpu/device';
import { layoutParams } from '../gpu/param-layout';
import { mlp, smallCnn } from '../nn/models';
import { resolveModel, type ModelSpec, type ParamTensor } from '../nn/spec';
import { parseOptimizer, type OptimizerInput } from '../optim/optimizer';
import { FusedUpdate, type RunUpdateConfig } from '../optim/update';
import { RandomStream } from '../rng/stream';
import { Trainer } from '../train/trainer';

/** Elements of the parameter of the "one Adam update" workload. */
export const ADAM_UPDATE_SIZE = 1_048_576;
/** Elements of the large Adam update (issue 17's bandwidth target). */
export const ADAM_LARGE_SIZE = 16_777_216;
/** Stacked runs of the sweep-scaling workload. */
export const SWEEP_RUNS = [1, 36, 144, 576];
/** Bytes the fused Adam update moves per element: reads g, θ, m, v; writes θ, m, v (f32). */
export const ADAM_BYTES_PER_ELEMENT = 28;

export interface BenchCase {
  /** Stable id shared with the TensorFlow.js page and the JSON report. */
  id: string;
  name: string;
  /** A training step of `model`, or one fused update of a single `updateSize`-element tensor. */
  kind: 'train' | 'update';
  model?: ModelSpec;
  batch: number;
  updateSize?: number;
  optimizer: OptimizerInput;
  /** Most steps per timed repeat. */
  maxSteps: number;
  /** Stacked runs to time (default: 1 and 6). */
  runCounts?: number[];
  /** Run in Node only unless named in `only` (issue 17's workloads: the page bench keeps its length). */
  nodeOnly?: boolean;
  /** The playground's spiral instead of synthetic data. */
  spiral?: boolean;
}

/** Wall time a timed repeat aims at (ms), before `scale`. */
export const TARGET_REPEAT_MS = 500;
/**
 * Wall time the timed repeats of one case may take (ms), before `scale`: a case slower than
 * CASE_BUDGET_MS / repeats per repeat gets fewer repeats, never fewer than MIN_REPEATS (the CNN
 * with 6 runs on a CPU-emulated GPU takes tens of seconds per step).
 */
export const CASE_BUDGET_MS = 90_000;
export const MIN_REPEATS = 3;

export interface BenchResult {
  /** BenchCase id. */
  workload: string;
  name: string;
  engine: 'LR Lab' | 'TensorFlow.js';
  /** Where it ran: 'node' (Dawn) or 'chromium'. */
  platform: 'node' | 'chromium';
  /** 'webgpu' for LR Lab; the tfjs backend otherwise. */
  backend: string;
  runs: number;
  batch: number;
  msPerStep: number;
  /** All repeats' ms per step (the median is msPerStep). */
  samples: number[];
  /** Smallest and largest repeat (ms per step). */
  spread: [number, number];
  /** Steps submitted back to back in each timed repeat. */
  stepsPerRepeat: number;
  /** The first (warm-up) step, ms; not in the median. */
  warmupMs: number;
  /** LR Lab: compute dispatches per step; TensorFlow.js: kernels per step (tf.profile). */
  dispatchesPerStep: number | null;
  submitsPerStep: number | null;
  /** Set when the case could not run (e.g. a backend without a kernel). */
  error?: string;
}

/** A copyBufferToBuffer of `bytes` bytes: ms per copy (median) and the bytes read + written. */
export interface CopyResult {
  platform: 'node' | 'chromium';
  bytes: number;
  msPerCopy: number;
  samples: number[];
  /** (read + written bytes) / time, GB/s. */
  gbPerSecond: number;
}

/** The cases issue 7 asks for (run with R = 1 and 6 by LR Lab, once by TensorFlow.js). */
export function benchCases(): BenchCase[] {
  const mnistMlp = mlp({ inputShape: [1, 28, 28], hidden: [256, 256], outputs: 10 });
  return [
    { id: 'mlp-sgdm', name: 'MLP 784-256-256-10 b128, SGD+momentum 0.9', kind: 'train', model: mnistMlp, batch: 128, optimizer: { rule: 'momentum', momentum: 0.9 }, maxSteps: 64 },
    { id: 'mlp-adam', name: 'MLP 784-256-256-10 b128, Adam', kind: 'train', model: mnistMlp, batch: 128, optimizer: { rule: 'adam' }, maxSteps: 64 },
    {
      id: 'cnn-adam', name: 'CNN conv16-pool-conv32-pool-dense10 b64, Adam', kind: 'train',
      model: smallCnn({ inputShape: [1, 28, 28], classes: 10, channels: [16, 32] }), batch: 64, optimizer: { rule: 'adam' }, maxSteps: 64,
    },
    { id: 'adam-1m', name: 'Adam update, 1,048,576 elements', kind: 'update', updateSize: ADAM_UPDATE_SIZE, batch: 0, optimizer: { rule: 'adam' }, maxSteps: 256 },
    {
      id: 'mlp-tiny', name: 'MLP 2-8-8-1 tanh b32, SGD', kind: 'train',
      model: mlp({ inputSize: 2, hidden: [8, 8], outputs: 1, activation: 'tanh', loss: 'mse' }), batch: 32, optimizer: { rule: 'sgd' }, maxSteps: 256,
    },
    {
      id: 'sweep', name: 'Playground MLP 2-32-32-2 relu b32 on the spiral, SGD+momentum', kind: 'train',
      model: mlp({ inputSize: 2, hidden: [32, 32], outputs: 2, activation: 'relu' }), batch: 32,
      optimizer: { rule: 'momentum', momentum: 0.9, weightDecay: 5e-4 }, maxSteps: 256, runCounts: SWEEP_RUNS, nodeOnly: true, spiral: true,
    },
    { id: 'adam-16m', name: 'Adam update, 16,777,216 elements', kind: 'update', updateSize: ADAM_LARGE_SIZE, batch: 0, optimizer: { rule: 'adam' }, maxSteps: 64, runCounts: [1], nodeOnly: true },
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

export const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Timing of a repeated step: warm-up, steps per repeat and the timed repeats (see the file comment). */
export interface Timing {
  warmupMs: number;
  stepsPerRepeat: number;
  samples: number[];
}

/**
 * Times `step` (which starts `steps` steps and resolves when they are finished): one or two timed
 * warm-up calls set the steps per repeat (about TARGET_REPEAT_MS · scale, 1..maxSteps), then
 * `repeats` timed repeats (fewer, down to MIN_REPEATS, when they would exceed CASE_BUDGET_MS · scale).
 */
export async function timeRepeats(steps: (count: number) => Promise<void>, maxSteps: number, repeats: number, scale: number): Promise<Timing> {
  const timed = async (count: number) => {
    const start = performance.now();
    await steps(count);
    return (performance.now() - start) / count;
  };
  const warmupMs = await timed(1);
  // The first step carries one-off costs; where it was quick, a second one estimates a step better.
  const estimate = warmupMs > TARGET_REPEAT_MS * scale ? warmupMs : await timed(1);
  const stepsPerRepeat = Math.min(maxSteps, Math.max(1, Math.round((TARGET_REPEAT_MS * scale) / Math.max(estimate, 1e-3))));
  const affordable = Math.floor((CASE_BUDGET_MS * scale) / (estimate * stepsPerRepeat));
  const timedRepeats = Math.min(repeats, Math.max(MIN_REPEATS, affordable));
  const samples: number[] = [];
  for (let repeat = 0; repeat < timedRepeats; repeat++) samples.push(await timed(stepsPerRepeat));
  return { warmupMs, stepsPerRepeat, samples };
}

/** Per-run update configs of `spec` for `runs` runs. */
function updateConfigs(spec: BenchCase, runs: number): RunUpdateConfig[] {
  const optimizer = parseOptimizer(spec.optimizer);
  return Array.from({ length: runs }, (_, run) => ({ optimizer, seed: 1, runKey: run }));
}

/** A stepper for one case: `step()` encodes and submits one step; `dispatches` per step. */
export interface Stepper {
  step: () => void;
  dispatches: number;
  /** Dispatch lists of one step, for the profiling mode (each submitted alone). */
  parts: () => Array<{ label: string; encode: (pass: GPUComputePassEncoder) => void }>;
  destroy: () => Promise<void>;
}

function trainStepper(gpu: GpuContext, spec: BenchCase, runs: number): Stepper {
  const model = resolveModel(spec.model!);
  // The playground's default dataset (src/experiment/defaults.ts): 600 spiral points, 20 % test.
  const dataset = spec.spiral ? generateToy('spiral', { count: 600, noise: 0.1, seed: 1, testFraction: 0.2 }) : syntheticDataset(spec.model!, spec.batch * 4);
  const trainer = new Trainer(gpu, model, dataset, {
    batch: spec.batch, seed: 1, replicates: Array.from({ length: runs }, (_, r) => r), readEvery: 1000, updates: updateConfigs(spec, runs),
  });
  const rates = new Array(runs).fill(0.01);
  return {
    step: () => trainer.trainStep(rates),
    dispatches: trainer.dispatchesPerStep,
    parts: () => trainer.stepDispatches().map((d) => ({ label: `${d.label} [${d.workgroups.join('×')}]`, encode: (pass) => encodeDispatches(pass, [d]) })),
    destroy: async () => {
      await trainer.flush();
      trainer.destroy();
    },
  };
}

function updateStepper(gpu: GpuContext, spec: BenchCase, runs: number): Stepper {
  const size = spec.updateSize!;
  const tensor: ParamTensor = { name: 'w', shape: [size], size, init: 'zeros', fanIn: 1, fanOut: 1, trainable: true, decay: true, scaleInvariantGroup: -1 };
  const layout = layoutParams([tensor], runs);
  const rng = new RandomStream(3, 5);
  const random = () => {
    const values = new Float32Array(layout.total);
    for (let i = 0; i < values.length; i++) values[i] = rng.uniform() - 0.5;
    return values;
  };
  const params = createStorage(gpu.device, 'bench.params', layout.total * 4);
  const grads = createStorage(gpu.device, 'bench.grads', layout.total * 4);
  upload(gpu.device, params, random());
  upload(gpu.device, grads, random());
  const update = new FusedUpdate({ gpu, layout, tensors: [tensor], params, grads }, updateConfigs(spec, runs));
  const rates = new Array(runs).fill(0.001);
  let step = 0;
  const encodeUpdate = (pass: GPUComputePassEncoder) => encodeDispatches(pass, update.dispatches);
  return {
    step: () => {
      update.prepare(++step, rates);
      const encoder = gpu.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      encodeUpdate(pass);
      pass.end();
      gpu.device.queue.submit([encoder.finish()]);
    },
    dispatches: update.dispatches.length,
    parts: () => [{ label: update.dispatches.map((d) => `${d.label} [${d.workgroups.join('×')}]`).join(' + '), encode: encodeUpdate }],
    destroy: async () => {
      await gpu.device.queue.onSubmittedWorkDone();
      update.destroy();
      params.destroy();
      grads.destroy();
    },
  };
}

/** The stepper of `spec` with `runs` stacked runs on `gpu`. */
export function makeStepper(gpu: GpuContext, spec: BenchCase, runs: number): Stepper {
  return spec.kind === 'update' ? updateStepper(gpu, spec, runs) : trainStepper(gpu, spec, runs);
}

/** Times one case with `runs` stacked runs on `gpu` (see timeRepeats). */
export async function benchCase(gpu: GpuContext, spec: BenchCase, runs: number, repeats: number, scale = 1, platform: 'node' | 'chromium' = 'node'): Promise<BenchResult> {
  const stepper = makeStepper(gpu, spec, runs);
  let timing: Timing;
  try {
    await gpu.device.queue.onSubmittedWorkDone(); // parameter and dataset uploads out of the clock
    timing = await timeRepeats(async (count) => {
      for (let i = 0; i < count; i++) stepper.step();
      await gpu.device.queue.onSubmittedWorkDone();
    }, spec.maxSteps, repeats, scale);
  } finally {
    await stepper.destroy();
  }
  return {
    workload: spec.id, name: spec.name, engine: 'LR Lab', platform, backend: 'webgpu', runs, batch: spec.batch,
    msPerStep: median(timing.samples), samples: timing.samples, spread: [Math.min(...timing.samples), Math.max(...timing.samples)],
    stepsPerRepeat: timing.stepsPerRepeat, warmupMs: timing.warmupMs, dispatchesPerStep: stepper.dispatches, submitsPerStep: 1,
  };
}

/**
 * A plain copyBufferToBuffer of `bytes` bytes per step (one submit each), timed like a case:
 * the reference bandwidth the fused Adam update is compared with (same bytes read + written).
 */
export async function benchCopy(gpu: GpuContext, bytes: number, repeats: number, scale = 1, platform: 'node' | 'chromium' = 'node'): Promise<CopyResult> {
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const source = gpu.device.createBuffer({ label: 'bench.copy.src', size: bytes, usage });
  const target = gpu.device.createBuffer({ label: 'bench.copy.dst', size: bytes, usage });
  try {
    const timing = await timeRepeats(async (count) => {
      for (let i = 0; i < count; i++) {
        const encoder = gpu.device.createCommandEncoder();
        encoder.copyBufferToBuffer(source, 0, target, 0, bytes);
        gpu.device.queue.submit([encoder.finish()]);
      }
      await gpu.device.queue.onSubmittedWorkDone();
    }, 256, repeats, scale);
    const msPerCopy = median(timing.samples);
    return { platform, bytes, msPerCopy, samples: timing.samples, gbPerSecond: (2 * bytes) / (msPerCopy * 1e6) };
  } finally {
    source.destroy();
    target.destroy();
  }
}

/**
 * Every case with its run counts (R = 1 and 6 unless the case says otherwise; issue 17's Node-only
 * cases only in Node or when named in `only`), then the copy bandwidth of the Adam updates' bytes
 * (1M elements, and 16M when that case ran); `scale` multiplies the target repeat time (quick
 * mode: < 1); `onResult` sees each result as it is measured.
 */
export async function runBench(
  gpu: GpuContext,
  options: {
    scale?: number; repeats?: number; runCounts?: number[]; only?: string[]; platform?: 'node' | 'chromium';
    onResult?: (result: BenchResult) => void; shouldStop?: () => boolean;
  } = {},
): Promise<{ results: BenchResult[]; copy: CopyResult; copies: CopyResult[] }> {
  const results: BenchResult[] = [];
  const platform = options.platform ?? 'node';
  for (const spec of benchCases()) {
    if (options.only ? !options.only.includes(spec.id) : spec.nodeOnly && platform !== 'node') continue;
    for (const runs of spec.runCounts ?? options.runCounts ?? [1, 6]) {
      if (options.shouldStop?.()) break;
      const result = await benchCase(gpu, spec, runs, options.repeats ?? 5, options.scale ?? 1, platform);
      results.push(result);
      options.onResult?.(result);
    }
  }
  // The update moves 28 bytes per element (read+write); a copy of half of them moves as many.
  const sizes = [ADAM_UPDATE_SIZE, ...(results.some((r) => r.workload === 'adam-16m') ? [ADAM_LARGE_SIZE] : [])];
  const copies: CopyResult[] = [];
  for (const size of sizes) copies.push(await benchCopy(gpu, (size * ADAM_BYTES_PER_ELEMENT) / 2, options.repeats ?? 5, options.scale ?? 1, platform));
  return { results, copy: copies[0], copies };
}
