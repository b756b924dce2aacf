/**
 * Li & Arora's equivalence on the real engine (methods.md §5.3): a scale-invariant BatchNorm network
 * trained with SGD + momentum + weight decay under a step schedule, and the same network trained
 * with the exact exponential schedule and NO weight decay, compute the same function: their
 * scale-invariant weights stay parallel (θ_t = c_t·θ̃_t) and their test accuracy is identical.
 * Both trainings are two stacked runs of one Trainer (same init, same minibatches), in f32 on the GPU.
 */
import { describe, expect, it } from 'vitest';
import { generateToy } from '../data/toys';
import { tensorOfRun } from '../gpu/param-layout';
import { resolveModel, type ModelSpec } from '../nn/spec';
import { parseExpLr } from '../optim/explr';
import { RunRates } from '../optim/run-rates';
import { parseOptimizer } from '../optim/optimizer';
import { parseSchedule } from '../optim/schedules';
import { testGpu } from '../test/gpu';
import { cosine } from '../util/vec';
import { Trainer } from './trainer';
import { asStep } from '../util/ids';

/**
 * BatchNorm without affine after bias-free layers, a fixed last layer. Running statistics use
 * momentum 1 (the last batch's statistics) so eval-mode BN is exactly scale-covariant too: an EMA
 * would mix statistics of different scales c_t and blur "identical predictions" by ~1e-3.
 */
const SCALE_INVARIANT_MLP: ModelSpec = {
  inputShape: [2],
  loss: 'softmax_xent',
  layers: [
    { kind: 'dense', units: 24, bias: false },
    { kind: 'batchnorm', affine: false, eps: 1e-7, momentum: 1 },
    { kind: 'activation', activation: 'relu' },
    { kind: 'dense', units: 24, bias: false },
    { kind: 'batchnorm', affine: false, eps: 1e-7, momentum: 1 },
    { kind: 'activation', activation: 'relu' },
    { kind: 'dense', units: 3, trainable: false },
  ],
};


async function trainPair(expLr: { form: 'exact' | 'texp'; renormMaxRate: number }) {
  const gpu = await testGpu();
  const model = resolveModel(SCALE_INVARIANT_MLP);
  const dataset = generateToy('spiral', { count: 600, noise: 0.1, seed: 3, testFraction: 0.25 });
  // η 0.02 → 0.002 and λ 5e-3: c_t falls to ≈ 0.7, so the runs differ clearly in scale. (At η 0.1 the
  // f32 trajectories of this small net separate chaotically after ~400 steps; the equivalence is exact.)
  const [lambda, gamma, steps] = [5e-3, 0.9, 600];
  const schedule = parseSchedule({ kind: 'step', lr: 0.02, stepSize: 300, gamma: 0.1 });
  const trainer = new Trainer(gpu, model, dataset, {
    batch: 32,
    seed: 11,
    replicates: [0, 0],
    readEvery: 50,
    updates: [
      { optimizer: parseOptimizer({ rule: 'momentum', momentum: gamma, weightDecay: lambda }), seed: 11, runKey: 0 },
      { optimizer: parseOptimizer({ rule: 'momentum', momentum: gamma }), seed: 11, runKey: 1 },
    ],
  });
  const context = { seed: 11, runKey: 0, stepsPerEpoch: trainer.stepsPerEpoch, momentum: gamma };
  const stepDecay = new RunRates({ schedule }, context);
  const exponential = new RunRates({ schedule, expLr: parseExpLr({ weightDecay: lambda, ...expLr }) }, { ...context, runKey: 1 });
  const losses: number[][] = [[], []];
  trainer.onMetrics((records) => records.forEach((m) => losses[m.run].push(m.loss)));
  for (let s = 1; s <= steps; s++) {
    const step = asStep(s);
    const scales = exponential.endOfStepScales(step);
    trainer.trainStep([stepDecay.rate(step), exponential.rate(step)], [1, scales.theta], [1, scales.state]);
  }
  await trainer.flush();
  return { trainer, model, losses, steps, exponential };
}

describe('exponential LR ≡ step decay + weight decay on a scale-invariant network (GPU, f32)', () => {
  it('exact recurrence, renormalized by powers of two along the way: 600 steps, cosine ≥ 1 − 1e-4 per group, identical test accuracy', async () => {
    const { trainer, model, losses, steps, exponential } = await trainPair({ form: 'exact', renormMaxRate: 0.03 });
    const renormalizations = Array.from({ length: steps }, (_, t) => exponential.endOfStepScales(asStep(t + 1)).theta).filter((s) => s !== 1);
    expect(renormalizations.length, 'renormalization happened').toBeGreaterThan(0);
    const params = await trainer.network.readParams();
    const groups = model.tensors.map((t, index) => ({ ...t, index })).filter((t) => t.scaleInvariantGroup >= 0);
    expect(groups.length).toBe(2);
    for (const group of groups) {
      const a = tensorOfRun(params, trainer.network.layout, group.index, 0);
      const b = tensorOfRun(params, trainer.network.layout, group.index, 1);
      expect(cosine(a, b), group.name).toBeGreaterThanOrEqual(1 - 1e-4);
    }
    const [evalA, evalB] = await trainer.evaluate();
    expect(evalB.accuracy).toBe(evalA.accuracy);
    expect(evalA.accuracy).toBeGreaterThan(0.6);
    expect(losses[0].length).toBe(steps);
    for (let k = 0; k < steps; k++) expect(Math.abs(losses[0][k] - losses[1][k])).toBeLessThan(2e-3);
    trainer.destroy();
  });

  it('TEXP matches only up to a rescaled initialization (a constant LR factor, §5.3): close, not exact', async () => {
    const { trainer, model } = await trainPair({ form: 'texp', renormMaxRate: 1e4 });
    const params = await trainer.network.readParams();
    const [evalA, evalB] = await trainer.evaluate();
    for (const index of model.tensors.flatMap((t, k) => (t.scaleInvariantGroup >= 0 ? [k] : []))) {
      const similarity = cosine(tensorOfRun(params, trainer.network.layout, index, 0), tensorOfRun(params, trainer.network.layout, index, 1));
      expect(similarity).toBeGreaterThan(0.99);
    }
    expect(Math.abs(evalA.accuracy - evalB.accuracy)).toBeLessThan(0.05);
    trainer.destroy();
  });
});
