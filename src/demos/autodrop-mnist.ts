/**
 * AutoDrop demo, network part: AutoDrop against a hand-tuned step decay on MNIST (an MLP, a subset
 * of the images so that it trains in a browser tab). Three runs with the same init and minibatches:
 * a constant rate, a step decay that divides the rate by 10 at 50 % and 75 % of the budget (the
 * usual hand-tuned choice), and AutoDrop on top of the constant rate (UAI-2024 rule, windows of
 * k steps, m = 10 angles in the buffer, α ← ρα when the smoothed ω stops rising, ΔC < 0.1°).
 * The runner (the playground's engine) measures ω on the GPU and applies each drop at a fixed step.
 */
import { parseExperiment, type ExperimentConfig } from '../experiment/config';
import type { ExperimentRunner } from '../experiment/runner';
import type { RunnerEvent } from '../experiment/records';

export interface AutoDropMnistSettings {
  trainSubset: number;
  testSubset: number;
  steps: number;
  lr: number;
  window: number;
  rho: number;
  evalEvery: number;
}

/** 10 000 training images, 1500 steps of batch 64 (≈ 10 epochs), η 0.05, k = 10, ρ = 0.8. */
export const AUTODROP_MNIST_DEFAULTS: AutoDropMnistSettings = { trainSubset: 10_000, testSubset: 2000, steps: 1500, lr: 0.05, window: 10, rho: 0.8, evalEvery: 100 };

export function autodropMnistConfig(settings: AutoDropMnistSettings = AUTODROP_MNIST_DEFAULTS): ExperimentConfig {
  const { trainSubset, testSubset, steps, lr, window, rho, evalEvery } = settings;
  const optimizer = { rule: 'momentum', momentum: 0.9, weightDecay: 0.0005 };
  return parseExperiment({
    version: 1,
    name: 'Demo: AutoDrop vs step decay on MNIST',
    description: 'A constant rate, a hand-tuned step decay (×0.1 at 50 % and 75 % of the budget) and AutoDrop on top of the constant rate.',
    seed: 1,
    replicates: 1,
    dataset: { kind: 'image', name: 'mnist', trainSubset, testSubset },
    model: { kind: 'mlp', hidden: [64], activation: 'relu' },
    batch: 64,
    budget: { unit: 'steps', amount: steps },
    evalEvery,
    logEvery: window,
    runs: [
      { label: 'Constant', optimizer, schedule: { kind: 'constant', lr } },
      { label: 'Step decay (hand-tuned)', optimizer, schedule: { kind: 'multistep', lr, milestones: [Math.round(steps / 2), Math.round((3 * steps) / 4)], gamma: 0.1 } },
      { label: 'AutoDrop', optimizer, schedule: { kind: 'constant', lr }, autodrop: { window, rho } },
    ],
  });
}

export interface AutoDropLog {
  /** Every AutoDrop window decision of the AutoDrop run: window-end step, ω, whether it dropped, α after. */
  windows: Array<{ step: number; angle: number | null; dropped: boolean; lr: number; effectStep: number }>;
}

/** Collects the AutoDrop decisions of a runner (subscribe before training; call the returned stop when done). */
export function watchAutoDrop(runner: ExperimentRunner): { log: AutoDropLog; stop: () => void } {
  const log: AutoDropLog = { windows: [] };
  const stop = runner.subscribe((event: RunnerEvent) => {
    if (event.kind !== 'autodrop') return;
    log.windows.push({ step: event.step, angle: event.decision.angle, dropped: event.decision.dropped, lr: event.decision.lr, effectStep: event.effectStep });
  });
  return { log, stop };
}

/** (step, lr) of one run from its records. */
export function rateCurve(runner: ExperimentRunner, run: number): Array<{ step: number; lr: number }> {
  return runner.records.filter((r) => r.run === run && Number.isFinite(r.trainLoss)).map((r) => ({ step: r.step, lr: r.lr }));
}
