/**
 * Convolutional and BatchNorm networks end to end through GpuNetwork (forward → fused loss →
 * backward) against the float64 ReferenceNetwork, per run, for R = 2 runs with different weights.
 */
import { describe, expect, it } from 'vitest';
import { upload } from '../gpu/buffers';
import { runDispatches } from '../gpu/commands';
import { paramsOfRun, tensorOfRun } from '../gpu/param-layout';
import { readF32 } from '../gpu/readback';
import { ReferenceNetwork } from '../reference/network';
import { randomArray, testGpu } from '../test/gpu';
import { METRIC_RECORD } from './layouts';
import { GpuNetwork } from './network';
import { initParams } from './params';
import { resolveModel, type ModelSpec } from './spec';

const RUNS = 2;
const BATCH = 3;

/** One training pass of `spec` on the GPU, then (optionally) an eval pass; the network stays alive. */
async function gpuPass(spec: ModelSpec, seed: number) {
  const gpu = await testGpu();
  const model = resolveModel(spec);
  const net = new GpuNetwork(gpu, model, { runs: RUNS, batch: BATCH });
  const params = initParams(model, net.layout, seed, [0, 1]);
  // Non-zero biases and γ ≠ 1, β ≠ 0, so that their gradients and effects are exercised.
  const noise = randomArray(params.length, seed + 7, 0.2);
  model.tensors.forEach((tensor, t) => {
    if (tensor.init !== 'ones' && tensor.init !== 'zeros') return;
    const slot = net.layout.slots[t];
    for (let i = slot.offset; i < slot.offset + RUNS * slot.runStride; i++) params[i] += noise[i];
  });
  net.setParams(params);
  const input = randomArray(RUNS * BATCH * model.inputSize, seed + 1);
  const labels = new Uint32Array(RUNS * BATCH).map((_, i) => (i * 7 + seed) % model.outputSize);
  upload(gpu.device, net.input, input);
  upload(gpu.device, net.labels, labels);
  net.writeStepInfo(1, 0, 0);
  runDispatches(gpu, net.trainDispatches);
  const grads = await net.readGrads();
  const logits = await readF32(gpu.device, net.logits, RUNS * BATCH * model.outputSize);
  const metrics = await readF32(gpu.device, net.metrics, RUNS * METRIC_RECORD.words);
  return { gpu, model, net, params, input, labels, grads, logits, metrics };
}

type Pass = Awaited<ReturnType<typeof gpuPass>>;

/** Reference step of run `run` (a fresh ReferenceNetwork: its own running statistics). */
function referenceStep(pass: Pass, run: number) {
  const { model, net, params, input, labels } = pass;
  const ref = new ReferenceNetwork(model);
  const x = Float64Array.from(input.subarray(run * BATCH * model.inputSize, (run + 1) * BATCH * model.inputSize));
  const y = labels.subarray(run * BATCH, (run + 1) * BATCH);
  const runParams = paramsOfRun(params, net.layout, run);
  return { ref, x, y, runParams, step: ref.step(runParams, x, y, BATCH) };
}

/** Logits, loss, accuracy and every trainable gradient match the reference, per run. */
function expectPassMatches(pass: Pass) {
  const { model, net, grads, logits, metrics } = pass;
  expect(pass.gpu.errors, 'WebGPU validation errors').toEqual([]);
  for (let run = 0; run < RUNS; run++) {
    const { step } = referenceStep(pass, run);
    const width = model.outputSize;
    expect(logits.subarray(run * BATCH * width, (run + 1) * BATCH * width), `logits run ${run}`).toBeAllClose(step.logits, { rtol: 1e-4, atol: 1e-5 });
    expect(METRIC_RECORD.read(metrics, run).loss).toBeCloseTo(step.loss, 4);
    expect(METRIC_RECORD.read(metrics, run).correct).toBe(step.correct);
    expect(METRIC_RECORD.read(metrics, run).nonFinite).toBe(0);
    model.tensors.forEach((tensor, t) => {
      if (!tensor.trainable) return;
      expect(tensorOfRun(grads, net.layout, t, run), `${tensor.name} run ${run}`).toBeAllClose(step.grads[t], { rtol: 1e-3, atol: 1e-5 });
    });
  }
}

describe('CNN GpuNetwork vs float64 reference (R = 2 runs)', () => {
  it('conv3x3-relu-pool, conv5x5-relu-pool, flatten, dense on 2x9x9', async () => {
    const pass = await gpuPass({
      inputShape: [2, 9, 9],
      layers: [
        { kind: 'conv2d', filters: 3, kernelSize: 3, activation: 'relu' },
        { kind: 'maxpool2' },
        { kind: 'conv2d', filters: 4, kernelSize: 5, activation: 'relu' },
        { kind: 'maxpool2' },
        { kind: 'flatten' },
        { kind: 'dense', units: 5 },
      ],
      loss: 'softmax_xent',
    }, 21);
    expectPassMatches(pass);
    pass.net.destroy();
  });

  it('conv5x5 tanh → conv3x3 leaky (fused input grads) → pool on 1x7x7, mse', async () => {
    const pass = await gpuPass({
      inputShape: [1, 7, 7],
      layers: [
        { kind: 'conv2d', filters: 2, kernelSize: 5, activation: 'tanh' },
        { kind: 'conv2d', filters: 3, kernelSize: 3, activation: 'leaky_relu', bias: false },
        { kind: 'maxpool2' },
        { kind: 'flatten' },
        { kind: 'dense', units: 4, activation: 'sigmoid' },
      ],
      loss: 'mse',
    }, 22);
    expectPassMatches(pass);
    pass.net.destroy();
  });

  it('conv-bn-relu-pool, dense-bn(not affine): train grads, running stats, then eval', async () => {
    const pass = await gpuPass({
      inputShape: [2, 7, 9],
      layers: [
        { kind: 'conv2d', filters: 3, kernelSize: 3 },
        { kind: 'batchnorm' },
        { kind: 'activation', activation: 'relu' },
        { kind: 'maxpool2' },
        { kind: 'flatten' },
        { kind: 'dense', units: 6, bias: false },
        { kind: 'batchnorm', affine: false, momentum: 0.2 },
        { kind: 'dense', units: 3 },
      ],
      loss: 'softmax_xent',
    }, 23);
    expectPassMatches(pass);
    const { gpu, model, net } = pass;
    const evalMetrics = net.allocate('evalMetrics', RUNS * 4);
    runDispatches(gpu, net.evalDispatches(evalMetrics));
    const evalLogits = await readF32(gpu.device, net.logits, RUNS * BATCH * model.outputSize);
    const states = await Promise.all(net.layers.filter((l) => l.state).map((l) => readF32(gpu.device, l.state![0].buffer, l.state![0].initial.length)));
    expect(gpu.errors).toEqual([]);
    for (let run = 0; run < RUNS; run++) {
      const { ref, x, runParams } = referenceStep(pass, run); // one train step: running stats updated once
      const bnLayers = model.layers.filter((l) => l.spec.kind === 'batchnorm');
      bnLayers.forEach((layer, k) => {
        const channels = layer.inShape[0];
        const stats = ref.state.get(layer.index)!;
        expect(states[k].subarray(run * channels, (run + 1) * channels), `running mean ${layer.index} run ${run}`).toBeAllClose(stats.mean, { rtol: 1e-4, atol: 1e-6 });
        expect(states[k].subarray((RUNS + run) * channels, (RUNS + run + 1) * channels), `running var ${layer.index} run ${run}`).toBeAllClose(stats.var, { rtol: 1e-4, atol: 1e-6 });
      });
      const expected = ref.forward(runParams, x, BATCH, false).logits;
      const width = model.outputSize;
      expect(evalLogits.subarray(run * BATCH * width, (run + 1) * BATCH * width), `eval logits run ${run}`).toBeAllClose(expected, { rtol: 1e-4, atol: 1e-5 });
    }
    net.destroy();
  });

  it('scale-invariant net dense(no bias) → bn(not affine) → relu → dense(frozen): grads match, ⟨∇W, W⟩ ≈ 0', async () => {
    const pass = await gpuPass({
      inputShape: [6],
      layers: [
        { kind: 'dense', units: 8, bias: false },
        { kind: 'batchnorm', affine: false },
        { kind: 'activation', activation: 'relu' },
        { kind: 'dense', units: 4, trainable: false },
      ],
      loss: 'softmax_xent',
    }, 24);
    expectPassMatches(pass);
    const { model, net, params, grads } = pass;
    expect(model.tensors[0].scaleInvariantGroup).toBe(0);
    const frozen = model.tensors.map((t, i) => (t.trainable ? -1 : i)).filter((i) => i >= 0);
    for (let run = 0; run < RUNS; run++) {
      for (const t of frozen) expect(Array.from(tensorOfRun(grads, net.layout, t, run)).every((g) => g === 0)).toBe(true);
      const w = tensorOfRun(params, net.layout, 0, run);
      const g = tensorOfRun(grads, net.layout, 0, run);
      const dot = w.reduce((s, v, i) => s + v * g[i], 0);
      const norms = Math.hypot(...w) * Math.hypot(...g);
      expect(norms).toBeGreaterThan(0);
      expect(Math.abs(dot) / norms, `cos(∇W, W) run ${run}`).toBeLessThan(1e-3);
      const refGrad = referenceStep(pass, run).step.grads[0];
      expect(Math.abs(w.reduce((s, v, i) => s + v * refGrad[i], 0)) / (Math.hypot(...w) * Math.hypot(...refGrad))).toBeLessThan(1e-4);
    }
    net.destroy();
  });
});
