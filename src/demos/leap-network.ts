/**
 * LEAP demo, network part: a small MLP on the spiral toy trained with momentum SGD, without and with
 * LEAP (additive σ = 0.5·η per element, the spec's reconstruction, methods.md §2.2), several seeds
 * (replicates: each varies init, data order and LEAP's draws, the same for both methods).
 * Sharpness of each solution: the mean loss increase on the training split under random weight
 * perturbations of relative size ρ per tensor (./network.ts perturbationSharpness):
 *   S(θ) = E_d[L(θ + d) − L(θ)],  d = ρ‖W‖·z/‖z‖ for every trainable tensor W.
 * A flatter minimum has a smaller S. This is the question of the paper's abstract ("LEAP favours
 * flat minima"); whether it shows at this scale is measured, not assumed.
 */
import type { Dataset } from '../data/types';
import { parseExperiment, type ExperimentConfig } from '../experiment/config';
import type { ExperimentRunner } from '../experiment/runner';
import { perturbationSharpness } from './network';

export interface LeapNetworkSettings {
  steps: number;
  replicates: number;
  lr: number;
  /** LEAP's σ relative to η (additive σ = sigmaRatio·η). */
  sigmaRatio: number;
}

export const LEAP_NETWORK_DEFAULTS: LeapNetworkSettings = { steps: 1500, replicates: 4, lr: 0.1, sigmaRatio: 0.5 };

/** Baseline and LEAP on the spiral, MLP 2-32-32-3, momentum 0.9, constant η. */
export function leapNetworkConfig(settings: LeapNetworkSettings = LEAP_NETWORK_DEFAULTS): ExperimentConfig {
  const optimizer = { rule: 'momentum', momentum: 0.9, weightDecay: 0 };
  const schedule = { kind: 'constant', lr: settings.lr };
  return parseExperiment({
    version: 1,
    name: 'Demo: LEAP and the sharpness of the solution',
    description: 'Momentum SGD with and without LEAP (additive σ = 0.5·η per element, the project\'s reconstruction of the rule) on the spiral; the demo page measures the sharpness of each solution.',
    seed: 4,
    replicates: settings.replicates,
    dataset: { kind: 'toy', name: 'spiral', count: 600, noise: 0.1, testFraction: 0.2 },
    model: { kind: 'mlp', hidden: [32, 32], activation: 'relu' },
    batch: 32,
    budget: { unit: 'steps', amount: settings.steps },
    evalEvery: 100,
    logEvery: 20,
    runs: [
      { label: 'Momentum SGD', optimizer, schedule },
      { label: 'Momentum SGD + LEAP', optimizer, schedule, leap: { sigma: settings.sigmaRatio * settings.lr, form: 'additive', granularity: 'element' } },
    ],
  });
}

export interface LeapSharpness {
  radius: number;
  /** Per method (config.runs order): S of each replicate. */
  byMethod: number[][];
  /** Per method: training loss of each replicate at its trained weights. */
  baseLoss: number[][];
  /** Per method: test accuracy of each replicate (last evaluation). */
  testAccuracy: number[][];
}

/** Sharpness of every trained run, grouped by method. */
export async function leapSharpness(runner: ExperimentRunner, dataset: Dataset, radius = 0.1, probes = 8): Promise<LeapSharpness> {
  const { base, increase } = await perturbationSharpness(runner, dataset, { radius, probes });
  const methods = Math.max(...runner.runs.map((r) => r.method)) + 1;
  const group = (values: number[]) => Array.from({ length: methods }, (_, m) => runner.runs.flatMap((r, i) => (r.method === m ? [values[i]] : [])));
  const lastAccuracy = runner.runs.map((_, run) => {
    const evals = runner.records.filter((r) => r.run === run && r.testAccuracy !== undefined);
    return evals.length ? (evals[evals.length - 1].testAccuracy as number) : Number.NaN;
  });
  return { radius, byMethod: group(increase), baseLoss: group(base), testAccuracy: group(lastAccuracy) };
}
