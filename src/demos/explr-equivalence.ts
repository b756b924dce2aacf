/**
 * Demo: the exponential learning rate of Li & Arora (arXiv 1910.07454, ICLR 2020; methods.md §5).
 *
 * On a scale-invariant network (bias-free dense layers into BatchNorm without affine, a fixed last
 * layer: L(cθ) = L(θ) for every c > 0), SGD with momentum γ, weight decay λ and a step schedule η_t,
 *   v_t = γv_{t−1} + ∇L(θ_{t−1}) + λθ_{t−1},  θ_t = θ_{t−1} − η_t v_t,
 * computes the same network function as SGD with momentum, NO weight decay and the rate
 *   η̃_t = η_t / (c_t c_{t+1}),  c_{t+1} = (1 + γr_t − η_tλ)c_t − γr_t c_{t−1},  r_t = η_t/η_{t−1}  (exact form),
 * and then θ_t = c_t·θ̃_t: the two weight vectors stay parallel (cosine 1), the predictions and
 * accuracies are identical, but ‖θ̃_t‖ grows (the rate grows like α^(−2t), α the larger root of
 * x² − (1 + γ − λη)x + γ) while weight decay holds ‖θ_t‖ near an equilibrium. TEXP, the tapered
 * exponential form (products of α per phase), equals the exact form up to a constant factor on all
 * rates (a rescaled initialisation), so it is close but not on top.
 *
 * BatchNorm's ε breaks the invariance: BN computes (x − μ)/√(σ² + ε), and the runs' pre-BN variances
 * differ by c_t², so ε weighs differently in the two (methods.md §5.5 item 3). With the playground's
 * scale-invariant MLP (ε = 1e-5, running statistics with momentum 0.1) the exact twin drifts to a
 * cosine ≈ 0.95 at these settings, as weight decay shrinks ‖θ‖ to ≈ 2 while ‖θ̃‖ grows to ≈ 10 (a
 * measured finding, see the test). The demo's config therefore sets the model's bnEps = 1e-7 and
 * bnMomentum = 1 (running statistics of the last batch, so eval-mode BN is scale-covariant too), as
 * src/optim/explr-engine.test.ts does; the playground link opens exactly this config.
 *
 * The experiment runs on the GPU engine in f32 (the same runs the playground opens). The engine
 * renormalises the exp-LR runs by powers of two when η̃ passes renormMaxRate (θ̃/2^k, v·2^k, η̃/4^k:
 * the same trajectory); the TRUE norm ‖θ̃‖ multiplies back the cumulative factor, taken from the
 * same pure rates (RunRates.endOfStepScales).
 */
import { stepsPerEpoch } from '../data/batches';
import type { Dataset } from '../data/types';
import { parseExperiment, type ExperimentConfig } from '../experiment/config';
import type { ExperimentRunner } from '../experiment/runner';
import { RunRates } from '../optim/run-rates';
import { cosine } from '../util/vec';
import { norm, scaleInvariantVector } from './network';
import { asStep } from '../util/ids';

export interface ExplrSettings {
  lr: number;
  weightDecay: number;
  momentum: number;
  /** Steps per phase of the step schedule (the rate ×0.1 after each). */
  stepSize: number;
  steps: number;
  evalEvery: number;
}

/** η 0.05 → 0.005 at step 300, λ 0.01, γ 0.9, 600 steps (η̃ grows ≈ 1.01× per step in phase 1). */
export const EXPLR_DEFAULTS: ExplrSettings = { lr: 0.05, weightDecay: 0.01, momentum: 0.9, stepSize: 300, steps: 600, evalEvery: 30 };

/** The experiment: a scale-invariant MLP on moons; step decay + WD, exact exp-LR, TEXP (no WD). */
export function explrConfig(settings: ExplrSettings = EXPLR_DEFAULTS): ExperimentConfig {
  const { lr, weightDecay, momentum, stepSize, steps, evalEvery } = settings;
  const schedule = { kind: 'step', lr, stepSize, gamma: 0.1 };
  return parseExperiment({
    version: 1,
    name: 'Demo: exponential LR ≡ step decay + weight decay',
    description:
      'Li & Arora: on a scale-invariant network, momentum SGD with weight decay and step decay trains the same function as momentum SGD with an exponentially growing rate and no weight decay (exact form), and TEXP up to a constant factor.',
    seed: 3,
    replicates: 1,
    dataset: { kind: 'toy', name: 'moons', count: 600, noise: 0.2, testFraction: 0.2 },
    // ε small and last-batch running statistics: where the equivalence is exact (module comment).
    model: { kind: 'scale-invariant-mlp', hidden: [24, 24], activation: 'relu', bnEps: EXPLR_BN_EPS, bnMomentum: 1 },
    batch: 32,
    budget: { unit: 'steps', amount: steps },
    evalEvery,
    logEvery: 10,
    runs: [
      { label: 'Step decay + WD', optimizer: { rule: 'momentum', momentum, weightDecay }, schedule },
      { label: 'Exp LR (exact), no WD', optimizer: { rule: 'momentum', momentum, weightDecay: 0 }, schedule, expLr: { form: 'exact', weightDecay } },
      { label: 'TEXP, no WD', optimizer: { rule: 'momentum', momentum, weightDecay: 0 }, schedule, expLr: { form: 'texp', weightDecay } },
    ],
  });
}

/** BatchNorm ε of the demo's network (see the module comment); the playground's default is 1e-5. */
export const EXPLR_BN_EPS = 1e-7;

/**
 * The config the engine trains for the demo: with `bnEps` null, the playground's default BatchNorm
 * (ε = 1e-5, running-statistics momentum 0.1); otherwise BatchNorm ε = bnEps and momentum 1.
 */
export function explrEngineConfig(config: ExperimentConfig, bnEps: number | null = EXPLR_BN_EPS): ExperimentConfig {
  if (config.model.kind !== 'scale-invariant-mlp') throw new Error('model.kind: the exp-LR demo needs a scale-invariant MLP');
  const model = bnEps === null ? { ...config.model, bnEps: 1e-5, bnMomentum: 0.1 } : { ...config.model, bnEps, bnMomentum: 1 };
  return { ...config, model };
}

/** One probe of the three runs after `step` steps. */
export interface ExplrPoint {
  step: number;
  /** True ‖θ‖ of the scale-invariant weights per run (renormalisation undone). */
  norms: number[];
  /** Cosine between run r's and run 0's scale-invariant weights. */
  cosines: number[];
  /** Learning rate of step `step` (0-based t = step − 1) per run: η_t, η̃_t. */
  rates: number[];
}

/** ∏_{s<t} θ-scale(s): what the engine has divided the stored θ̃ by, per run (1 without exp-LR). */
export function renormalizationRates(config: ExperimentConfig, dataset: Dataset): RunRates[] {
  const perEpoch = stepsPerEpoch(dataset.train.count, config.batch);
  return config.runs.map(
    (run, index) =>
      new RunRates({ schedule: run.schedule, ralr: run.ralr ?? null, expLr: run.expLr ?? null }, { seed: config.seed, runKey: run.runKey ?? index, stepsPerEpoch: perEpoch, momentum: run.optimizer.momentum }),
  );
}

/**
 * A probe function for trainInChunks: reads the weights back and appends an ExplrPoint.
 * `cumulative[r]` tracks ∏ θ-scales up to the runner's step (call it after every chunk, in order).
 */
export function explrProbe(config: ExperimentConfig, dataset: Dataset) {
  const rates = renormalizationRates(config, dataset);
  const cumulative = rates.map(() => 1);
  let scaledTo = 0;
  const points: ExplrPoint[] = [];
  const probe = async (runner: ExperimentRunner): Promise<ExplrPoint> => {
    for (; scaledTo < runner.step; scaledTo++) rates.forEach((run, r) => (cumulative[r] *= run.endOfStepScales(asStep(scaledTo + 1)).theta));
    const params = await runner.trainer.network.readParams();
    const vectors = runner.runs.map((_, r) => scaleInvariantVector(runner, params, r));
    const point: ExplrPoint = {
      step: runner.step,
      norms: vectors.map((v, r) => norm(v) / cumulative[r]),
      cosines: vectors.map((v) => cosine(v, vectors[0])),
      rates: rates.map((run) => run.effective(asStep(Math.max(runner.step, 1))).rate),
    };
    points.push(point);
    return point;
  };
  return { probe, points };
}
