/**
 * Shared pieces of the network demos (exp-LR equivalence, LEAP sharpness, AutoDrop on MNIST): the
 * experiment runs in a TrainingSession on the project's GPU engine (the same path as the
 * playground's Worker and the CLI), trained in chunks so a page can show progress and a test can stop early.
 */
import type { Dataset } from '../data/types';
import type { ExperimentConfig } from '../experiment/config';
import type { ExperimentRunner } from '../experiment/runner';
import type { MetricRecord } from '../experiment/records';
import type { TrainingSession } from '../experiment/session';
import { tensorOfRun } from '../gpu/param-layout';
import { RandomStream, StreamPurpose, streamId } from '../rng/stream';
import { Trainer } from '../train/trainer';


/** ‖a‖₂ */
export function norm(a: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * a[i];
  return Math.sqrt(sum);
}

/** One run's scale-invariant weights (every tensor that feeds a BatchNorm), concatenated, float64. */
export function scaleInvariantVector(runner: ExperimentRunner, params: ArrayLike<number>, run: number): Float64Array {
  const parts: Float64Array[] = [];
  runner.model.tensors.forEach((tensor, index) => {
    if (tensor.scaleInvariantGroup >= 0) parts.push(tensorOfRun(params, runner.trainer.network.layout, index, run));
  });
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Trains the session's experiment to its budget (or until `shouldStop`), `chunk` steps at a time,
 * calling `onChunk` with the runner after each (the GPU is quiet then: probes may read weights).
 */
export async function trainInChunks(
  session: TrainingSession,
  chunk: number,
  onChunk: (runner: ExperimentRunner) => Promise<unknown> | void = () => {},
  shouldStop: () => boolean = () => false,
): Promise<void> {
  while (!session.state.done && !shouldStop()) {
    await session.step(chunk);
    await onChunk(session.singleRunner);
  }
}

/** (step, testAccuracy) of one run's evaluations, in step order. */
export function testAccuracyCurve(records: Iterable<MetricRecord>, run: number): Array<{ step: number; accuracy: number }> {
  return [...records]
    .filter((r) => r.run === run && r.testAccuracy !== undefined)
    .map((r) => ({ step: r.step, accuracy: r.testAccuracy as number }))
    .sort((a, b) => a.step - b.step);
}

/** Labels of the config's runs (methods), in order. */
export function methodLabels(config: ExperimentConfig): string[] {
  return config.runs.map((r) => r.label);
}

export interface SharpnessResult {
  /** Loss of each stacked run on the training split at its trained weights. */
  base: number[];
  /** Mean loss increase over the probes, per run: E_d[L(θ + d) − L(θ)]. */
  increase: number[];
}

/**
 * Sharpness as the loss increase under random weight perturbation, on the TRAINING split:
 *   S(θ) = (1/K)·Σ_k [L(θ + d_k) − L(θ)],  d_k per trainable tensor W: d = ρ·‖W‖·z/‖z‖, z ~ N(0, I),
 * (the perturbation is relative to each tensor's norm, so it does not depend on the weights' scale).
 * The directions come from RandomStream(probeSeed, streamId(general, 'SHRP', k, run)); all runs are
 * probed in one stacked evaluation per k, on a probe Trainer whose test split is the training split.
 */
export async function perturbationSharpness(
  runner: ExperimentRunner,
  dataset: Dataset,
  options: { radius: number; probes: number; probeSeed?: number },
): Promise<SharpnessResult> {
  const { radius, probes, probeSeed = 1 } = options;
  const params = await runner.trainer.network.readParams();
  const layout = runner.trainer.network.layout;
  const probe = new Trainer(runner.gpu, runner.model, { ...dataset, test: dataset.train }, {
    batch: runner.options.batch,
    seed: runner.options.seed,
    replicates: runner.runs.map((r) => r.replicate),
  });
  try {
    probe.network.setParams(params);
    const base = (await probe.evaluate()).map((m) => m.loss);
    const increase = base.map(() => 0);
    for (let k = 0; k < probes; k++) {
      const perturbed = Float32Array.from(params);
      runner.runs.forEach((_, run) => {
        const stream = new RandomStream(probeSeed, streamId(StreamPurpose.general, 0x53485250, k, run));
        runner.model.tensors.forEach((tensor, t) => {
          if (!tensor.trainable) return;
          const slot = layout.slots[t];
          const start = slot.offset + run * slot.runStride;
          const z = Float64Array.from({ length: slot.size }, () => stream.normal());
          let weightNorm = 0;
          for (let i = 0; i < slot.size; i++) weightNorm += params[start + i] ** 2;
          const scale = (radius * Math.sqrt(weightNorm)) / norm(z);
          for (let i = 0; i < slot.size; i++) perturbed[start + i] = params[start + i] + scale * z[i];
        });
      });
      probe.network.setParams(perturbed);
      const losses = (await probe.evaluate()).map((m) => m.loss);
      losses.forEach((loss, run) => (increase[run] += (loss - base[run]) / probes));
    }
    return { base, increase };
  } finally {
    probe.destroy();
  }
}
