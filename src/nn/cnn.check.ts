/**
 * GPU checks (src/check/verdict.ts) of convolutional and BatchNorm networks end to end through
 * GpuNetwork (forward → fused loss → backward) against the float64 ReferenceNetwork, per run, for
 * R = 2 runs with different weights; and the scale-invariant models' ⟨∇W, W⟩ = 0. Run by
 * cnn.test.ts, models.test.ts and the GPU check.
 */
import type { GpuCheck, Verdict } from '../check/verdict';
import { upload } from '../gpu/buffers';
import { runDispatches } from '../gpu/commands';
import type { GpuContext } from '../gpu/device';
import { paramsOfRun, tensorOfRun } from '../gpu/param-layout';
import { readF32 } from '../gpu/readback';
import { ReferenceNetwork } from '../reference/network';
import { randomArray } from '../test/gpu';
import { METRIC_RECORD } from './layouts';
import { mlp, scaleInvariantCnn } from './models';
import { GpuNetwork } from './network';
import { initParams } from './params';
import { resolveModel, type ModelSpec } from './spec';

const RUNS = 2;
const BATCH = 3;

/** One training pass of `spec` on the GPU; the network stays alive. */
async function gpuPass(gpu: GpuContext, spec: ModelSpec, seed: number) {
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
function passMatches(pass: Pass, v: Verdict): void {
  const { model, net, grads, logits, metrics } = pass;
  for (let run = 0; run < RUNS; run++) {
    const { step } = referenceStep(pass, run);
    const width = model.outputSize;
    v.allClose(`logits run ${run}`, logits.subarray(run * BATCH * width, (run + 1) * BATCH * width), step.logits, { rtol: 1e-4, atol: 1e-5 });
    const record = METRIC_RECORD.read(metrics, run);
    v.closeTo(`loss run ${run}`, record.loss, step.loss, 4);
    v.equal(`correct run ${run}`, record.correct, step.correct);
    v.equal(`non-finite run ${run}`, record.nonFinite, 0);
    model.tensors.forEach((tensor, t) => {
      if (!tensor.trainable) return;
      v.allClose(`${tensor.name} run ${run}`, tensorOfRun(grads, net.layout, t, run), step.grads[t], { rtol: 1e-3, atol: 1e-5 });
    });
  }
}

/** A check of one network spec's training pass. */
const passCheck = (name: string, spec: ModelSpec, seed: number): GpuCheck => ({
  name, family: 'conv',
  run: async (gpu, v) => {
    const pass = await gpuPass(gpu, spec, seed);
    passMatches(pass, v);
    pass.net.destroy();
  },
});

/** Train grads, then BatchNorm's running statistics and the eval pass against the reference. */
async function checkBatchNormNet(gpu: GpuContext, v: Verdict): Promise<void> {
  const pass = await gpuPass(gpu, {
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
  passMatches(pass, v);
  const { model, net } = pass;
  const evalMetrics = net.allocate('evalMetrics', RUNS * 4);
  runDispatches(gpu, net.evalDispatches(evalMetrics));
  const evalLogits = await readF32(gpu.device, net.logits, RUNS * BATCH * model.outputSize);
  const states = await Promise.all(net.layers.filter((l) => l.state).map((l) => readF32(gpu.device, l.state![0].buffer, l.state![0].initial.length)));
  for (let run = 0; run < RUNS; run++) {
    const { ref, x, runParams } = referenceStep(pass, run); // one train step: running stats updated once
    const bnLayers = model.layers.filter((l) => l.spec.kind === 'batchnorm');
    bnLayers.forEach((layer, k) => {
      const channels = layer.inShape[0];
      const stats = ref.state.get(layer.index)!;
      v.allClose(`running mean ${layer.index} run ${run}`, states[k].subarray(run * channels, (run + 1) * channels), stats.mean, { rtol: 1e-4, atol: 1e-6 });
      v.allClose(`running var ${layer.index} run ${run}`, states[k].subarray((RUNS + run) * channels, (RUNS + run + 1) * channels), stats.var, { rtol: 1e-4, atol: 1e-6 });
    });
    const expected = ref.forward(runParams, x, BATCH, false).logits;
    const width = model.outputSize;
    v.allClose(`eval logits run ${run}`, evalLogits.subarray(run * BATCH * width, (run + 1) * BATCH * width), expected, { rtol: 1e-4, atol: 1e-5 });
  }
  net.destroy();
}

/** Scale-invariant dense → BN → relu → frozen dense: grads match, ⟨∇W, W⟩ ≈ 0, the frozen layer gets no gradient. */
async function checkScaleInvariantNet(gpu: GpuContext, v: Verdict): Promise<void> {
  const pass = await gpuPass(gpu, {
    inputShape: [6],
    layers: [
      { kind: 'dense', units: 8, bias: false },
      { kind: 'batchnorm', affine: false },
      { kind: 'activation', activation: 'relu' },
      { kind: 'dense', units: 4, trainable: false },
    ],
    loss: 'softmax_xent',
  }, 24);
  passMatches(pass, v);
  const { model, net, params, grads } = pass;
  v.equal('scale-invariant group of tensor 0', model.tensors[0].scaleInvariantGroup, 0);
  const frozen = model.tensors.map((t, i) => (t.trainable ? -1 : i)).filter((i) => i >= 0);
  for (let run = 0; run < RUNS; run++) {
    for (const t of frozen) v.isTrue(`frozen tensor ${t} run ${run} has no gradient`, Array.from(tensorOfRun(grads, net.layout, t, run)).every((g) => g === 0));
    const w = tensorOfRun(params, net.layout, 0, run);
    const g = tensorOfRun(grads, net.layout, 0, run);
    const dot = w.reduce((s, x, i) => s + x * g[i], 0);
    const norms = Math.hypot(...w) * Math.hypot(...g);
    v.greater(`‖W‖·‖∇W‖ run ${run}`, norms, 0);
    v.less(`cos(∇W, W) run ${run}`, Math.abs(dot) / norms, 1e-3);
    const refGrad = referenceStep(pass, run).step.grads[0];
    v.less(`reference cos(∇W, W) run ${run}`, Math.abs(w.reduce((s, x, i) => s + x * refGrad[i], 0)) / (Math.hypot(...w) * Math.hypot(...refGrad)), 1e-4);
  }
  net.destroy();
}

/** ⟨∇W, W⟩ ≈ 0 for every scale-invariant group of scaleInvariantCnn; the fixed layer gets no gradient. */
async function checkScaleInvariantCnn(gpu: GpuContext, v: Verdict): Promise<void> {
  const model = resolveModel(scaleInvariantCnn({ inputShape: [1, 8, 8], classes: 3, channels: [3, 4], dense: 6 }));
  const [runs, batch] = [2, 8];
  const net = new GpuNetwork(gpu, model, { runs, batch });
  net.setParams(initParams(model, net.layout, 5, [0, 1]));
  upload(gpu.device, net.input, randomArray(runs * batch * model.inputSize, 9));
  upload(gpu.device, net.labels, new Uint32Array(runs * batch).map((_, i) => i % 3));
  net.writeStepInfo(1, 0, 0);
  runDispatches(gpu, net.trainDispatches);
  const [params, grads] = [await net.readParams(), await net.readGrads()];
  model.tensors.forEach((tensor, t) => {
    for (let run = 0; run < runs; run++) {
      const w = tensorOfRun(params, net.layout, t, run);
      const g = tensorOfRun(grads, net.layout, t, run);
      v.record(`${tensor.name} gradient run ${run}`, g);
      if (!tensor.trainable) {
        v.isTrue(`${tensor.name} gradient`, g.every((x) => x === 0));
        continue;
      }
      const dot = w.reduce((s, x, i) => s + x * g[i], 0);
      const norms = Math.hypot(...w) * Math.hypot(...g);
      v.greater(tensor.name, norms, 0);
      v.less(`cos(∇W, W) of ${tensor.name} run ${run}`, Math.abs(dot) / norms, 1e-3);
    }
  });
  net.destroy();
}

/** Backward stops at the first layer with a trainable tensor (no unused input gradient). */
async function checkBackwardStops(gpu: GpuContext, v: Verdict): Promise<void> {
  const labels = (spec: ModelSpec) => {
    const net = new GpuNetwork(gpu, resolveModel(spec), { runs: 1, batch: 2 });
    const names = net.trainDispatches.map((d) => d.label);
    net.destroy();
    return names.slice(names.indexOf('softmax_xent') + 1);
  };
  // flatten → dense(relu) → dense: dW, db, dX (fused relu') of the last layer, then dW, db of the first (no dX).
  v.equal('mlp backward', labels(mlp({ inputShape: [1, 4, 4], hidden: [3], outputs: 2 })), ['matmul', 'colsum', 'matmul', 'matmul', 'colsum']);
  // frozen conv → conv → flatten → frozen dense: dX of the dense, relu' of the second conv (not fused
  // across the flatten), its dW, and nothing for the frozen first conv.
  v.equal('cnn backward', labels({
    inputShape: [1, 4, 4],
    layers: [
      { kind: 'conv2d', filters: 2, kernelSize: 3, activation: 'relu', trainable: false },
      { kind: 'conv2d', filters: 2, kernelSize: 3, activation: 'relu' },
      { kind: 'flatten' },
      { kind: 'dense', units: 2, trainable: false },
    ],
    loss: 'softmax_xent',
  }), ['matmul', 'act_backward', 'conv_dw']);
}

/** The CNN networks of cnn.test.ts. */
export const CNN_CHECKS: GpuCheck[] = [
  passCheck('conv3x3-relu-pool, conv5x5-relu-pool, flatten, dense on 2x9x9', {
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
  }, 21),
  passCheck('conv5x5 tanh → conv3x3 leaky (fused input grads) → pool on 1x7x7, mse', {
    inputShape: [1, 7, 7],
    layers: [
      { kind: 'conv2d', filters: 2, kernelSize: 5, activation: 'tanh' },
      { kind: 'conv2d', filters: 3, kernelSize: 3, activation: 'leaky_relu', bias: false },
      { kind: 'maxpool2' },
      { kind: 'flatten' },
      { kind: 'dense', units: 4, activation: 'sigmoid' },
    ],
    loss: 'mse',
  }, 22),
  { name: 'conv-bn-relu-pool, dense-bn(not affine): train grads, running stats, then eval', family: 'batchnorm', run: checkBatchNormNet },
  { name: 'scale-invariant net dense(no bias) → bn(not affine) → relu → dense(frozen): grads match, ⟨∇W, W⟩ ≈ 0', family: 'batchnorm', run: checkScaleInvariantNet },
];

/** The GPU tests of models.test.ts. */
export const MODEL_CHECKS: GpuCheck[] = [
  { name: 'GPU: ⟨∇W, W⟩ ≈ 0 for every scale-invariant group of scaleInvariantCnn; the fixed layer gets no gradient', family: 'conv', run: checkScaleInvariantCnn },
  { name: 'GPU: backward stops at the first layer with a trainable tensor (no unused input gradient)', family: 'matmul', run: checkBackwardStops },
];
