/**
 * Li & Arora's equivalence on the real engine (methods.md §5.3): a scale-invariant BatchNorm network
 * trained with SGD + momentum + weight decay under a step schedule, and the same network trained
 * with the exact exponential schedule and NO weight decay, compute the same function: their
 * scale-invariant weights stay parallel (θ_t = c_t·θ̃_t) and their test accuracy is identical.
 * Both trainings are two stacked runs of one Trainer (same init, same minibatches), in f32 on the GPU.
 */
import { describe, expect, it } from 'vitest';
import { generateToy } from '../data/toys';
import { tensorOfRun } from '../nn/params';
import { resolveModel, type ModelSpec } from '../nn/spec';
import { Trainer } from '../nn/trainer';
import { testGpu } from '../test/gpu';
import { parseOptimizer } from './optimizer';

/** η̃_t = η_t/(c_t c_{t+1}) with c_{t+1} = (1 + γ r_t − η_t λ) c_t − γ r_t c_{t−1}, r_t = η_t/η_{t−1} (§5.3). */
function exactExpRates(etas: number[], lambda: number, gamma: number): number[] {
  let previous = 1;
  let current = 1;
  return etas.map((eta, t) => {
    const ratio = t === 0 ? 1 : eta / etas[t - 1];
    const next = (1 + gamma * ratio - eta * lambda) * current - gamma * ratio * previous;
    const rate = eta / (current * next);
    previous = current;
    current = next;
    return rate;
  });
}

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

function cosine(a: Float64Array, b: Float64Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

describe('exponential LR ≡ step decay + weight decay on a scale-invariant network (GPU, f32)', () => {
  it('600 steps: cosine ≥ 1 − 1e-4 per scale-invariant group, identical test accuracy', async () => {
    const gpu = await testGpu();
    const model = resolveModel(SCALE_INVARIANT_MLP);
    const groups = model.tensors.map((t, index) => ({ ...t, index })).filter((t) => t.scaleInvariantGroup >= 0);
    expect(groups.length).toBe(2);
    const dataset = generateToy('spiral', { count: 600, noise: 0.1, seed: 3, testFraction: 0.25 });
    // η 0.02 → 0.002 and λ 5e-3: c_t falls to ≈ 0.7, so the runs differ clearly in scale. (At η 0.1 the
    // f32 trajectories of this small net separate chaotically after ~400 steps; the equivalence is exact.)
    const [lambda, gamma, steps, boundary] = [5e-3, 0.9, 600, 300];
    const etas = Array.from({ length: steps }, (_, t) => (t < boundary ? 0.02 : 0.002));
    const expRates = exactExpRates(etas, lambda, gamma);
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
    const losses: number[][] = [[], []];
    trainer.onMetrics((records) => records.forEach((m) => losses[m.run].push(m.loss)));
    await trainer.train(steps, (step) => [etas[step - 1], expRates[step - 1]]);
    await trainer.flush();
    const params = await trainer.network.readParams();
    for (const group of groups) {
      const a = tensorOfRun(params, trainer.network.layout, group.index, 0);
      const b = tensorOfRun(params, trainer.network.layout, group.index, 1);
      expect(cosine(a, b), group.name).toBeGreaterThanOrEqual(1 - 1e-4);
    }
    // the two runs really differ in scale (weight decay shrinks A, the exponential LR grows B)
    const norm = (run: number) => Math.hypot(...tensorOfRun(params, trainer.network.layout, groups[0].index, run));
    expect(norm(1) / norm(0)).toBeGreaterThan(1.2);
    const [evalA, evalB] = await trainer.evaluate();
    expect(evalB.accuracy).toBe(evalA.accuracy);
    expect(evalA.accuracy).toBeGreaterThan(0.6);
    expect(losses[0].length).toBe(steps);
    for (let k = 0; k < steps; k++) expect(Math.abs(losses[0][k] - losses[1][k])).toBeLessThan(2e-3);
    trainer.destroy();
  });
});
