/**
 * GPU checks (src/check/verdict.ts) of dense networks through GpuNetwork against the float64
 * ReferenceNetwork: the matmul kernels (scalar, vec4 with either block, quads), the fused loss,
 * and the fused small-MLP step. Run by network.test.ts and the GPU check.
 */
import type { GpuCheck, Verdict } from '../check/verdict';
import { upload } from '../gpu/buffers';
import { runDispatches } from '../gpu/commands';
import type { GpuContext } from '../gpu/device';
import { paramsOfRun, tensorOfRun } from '../gpu/param-layout';
import { readF32 } from '../gpu/readback';
import { ReferenceNetwork } from '../reference/network';
import { randomArray } from '../test/gpu';
import { matmulKernel } from './kernels';
import { METRIC_RECORD } from './layouts';
import { GpuNetwork } from './network';
import { initParams } from './params';
import { resolveModel, type ModelSpec } from './spec';

/** Runs one training pass on the GPU with given inputs/labels written directly (no gather). */
export async function gpuPass(gpu: GpuContext, spec: ModelSpec, runs: number, batch: number, seed: number, fusedSmallMlp?: boolean) {
  const model = resolveModel(spec);
  const net = new GpuNetwork(gpu, model, { runs, batch, fusedSmallMlp });
  const replicates = Array.from({ length: runs }, (_, r) => r);
  const params = initParams(model, net.layout, seed, replicates);
  net.setParams(params);
  const input = randomArray(runs * batch * model.inputSize, seed + 1);
  const labels = new Uint32Array(runs * batch).map((_, i) => (i * 7 + seed) % model.outputSize);
  upload(gpu.device, net.input, input);
  upload(gpu.device, net.labels, labels);
  net.writeStepInfo(1, 0, 0);
  runDispatches(gpu, net.trainDispatches);
  const grads = await net.readGrads();
  const logits = await readF32(gpu.device, net.logits, runs * batch * model.outputSize);
  const metrics = await readF32(gpu.device, net.metrics, runs * METRIC_RECORD.words);
  const labelsOfDispatches = net.trainDispatches.map((d) => d.label);
  net.destroy();
  return { model, net, params, input, labels, grads, logits, metrics, labelsOfDispatches };
}

// Batch 37 is not a multiple of the 32-wide tiles nor of 4 (scalar matmul for K = batch); the vec4
// cases have every width and the batch a multiple of 4 but not of 32 (edge tiles), once with
// quad-shared loads where the tuning has them (SwiftShader) and once without.
const vec4Model: ModelSpec = { inputShape: [20], layers: [{ kind: 'dense', units: 36, activation: 'relu' }, { kind: 'dense', units: 44, activation: 'tanh' }, { kind: 'dense', units: 12 }], loss: 'softmax_xent' };
const reluSoftmax: ModelSpec = { inputShape: [7], layers: [{ kind: 'dense', units: 33, activation: 'relu' }, { kind: 'dense', units: 5 }], loss: 'softmax_xent' };
const tanhMse: ModelSpec = { inputShape: [2], layers: [{ kind: 'dense', units: 8, activation: 'tanh' }, { kind: 'dense', units: 8, activation: 'tanh' }, { kind: 'dense', units: 1, activation: 'tanh' }], loss: 'mse' };
// Frozen first layer (its gradients are not computed), a layer without bias, every activation.
const mixedSmall: ModelSpec = {
  inputShape: [5],
  layers: [
    { kind: 'dense', units: 6, activation: 'sigmoid', trainable: false },
    { kind: 'dense', units: 7, activation: 'gelu', bias: false },
    { kind: 'dense', units: 9, activation: 'leaky_relu' },
    { kind: 'dense', units: 4 },
  ],
  loss: 'softmax_xent',
};
// Near the fused step's size limit (1,840 multiply-adds per row); most invocations get no row.
const wideSmall: ModelSpec = { inputShape: [3], layers: [{ kind: 'dense', units: 40, activation: 'relu' }, { kind: 'dense', units: 40, activation: 'tanh' }, { kind: 'dense', units: 3 }], loss: 'mse' };
// A batch of 70 rows: more rows than a GPU subgroup and than SwiftShader's 8 invocations.
const manyRows: ModelSpec = { inputShape: [4], layers: [{ kind: 'dense', units: 16, activation: 'relu' }, { kind: 'dense', units: 3 }], loss: 'softmax_xent' };

interface NetworkCase {
  name: string;
  family: string;
  spec: ModelSpec;
  batch?: number;
  /** false: the vec4 matmuls without quads even where the tuning has them; true: as the tuning says. */
  quads?: boolean;
  fused?: boolean;
}

const CASES: NetworkCase[] = [
  { name: 'mlp relu softmax (general kernels)', family: 'matmul', spec: reluSoftmax, fused: false },
  { name: 'mlp relu softmax (fused small-MLP kernels; batch 13)', family: 'small-mlp', spec: reluSoftmax, batch: 13, fused: true },
  { name: 'mlp tanh mse 1-out (general kernels)', family: 'matmul', spec: tanhMse, fused: false },
  { name: 'mlp tanh mse 1-out (fused small-MLP kernels)', family: 'small-mlp', spec: tanhMse, fused: true },
  { name: 'frozen layer, no bias, sigmoid/gelu/leaky/none (fused small-MLP kernels)', family: 'small-mlp', spec: mixedSmall, fused: true },
  { name: 'widths 40, mse over 3 outputs, batch 5 below the invocations (fused small-MLP kernels)', family: 'small-mlp', spec: wideSmall, batch: 5, fused: true },
  { name: 'batch 70 over several rows per invocation (fused small-MLP kernels)', family: 'small-mlp', spec: manyRows, batch: 70, fused: true },
  {
    name: 'sigmoid/gelu/leaky + activation layer', family: 'matmul',
    spec: { inputShape: [13], layers: [{ kind: 'dense', units: 17, activation: 'sigmoid' }, { kind: 'dense', units: 9, activation: 'gelu' }, { kind: 'dense', units: 6 }, { kind: 'activation', activation: 'leaky_relu' }, { kind: 'dense', units: 3 }], loss: 'softmax_xent' },
  },
  { name: 'vec4 matmuls: widths and batch multiples of 4', family: 'matmul', spec: vec4Model, batch: 44, quads: false },
  { name: 'vec4 matmuls with quad-shared loads (where the device has them)', family: 'matmul', spec: vec4Model, batch: 44, quads: true },
];

/** The case's pass, compared per run with the reference: logits, loss, accuracy, flags, rows, every gradient. */
async function checkNetwork(c: NetworkCase, shared: GpuContext, v: Verdict): Promise<void> {
  const gpu = c.quads === false ? { ...shared, tuning: { ...shared.tuning, quads: false } } : shared;
  const runs = 3;
  const batch = c.batch ?? 37;
  const { model, net, params, input, labels, grads, logits, metrics, labelsOfDispatches } = await gpuPass(gpu, c.spec, runs, batch, 11, c.fused);
  v.equal('fused small-MLP step', net.fusedSmallMlp, c.fused === true);
  if (c.fused) v.equal('dispatches', labelsOfDispatches, ['small_mlp_step']);
  if (c.batch && !c.fused) {
    const label = matmulKernel({ vec4: true }, gpu.tuning).name;
    v.atLeast(`${label} dispatches`, labelsOfDispatches.filter((name) => name === label).length, 6);
  }
  const ref = new ReferenceNetwork(model);
  for (let run = 0; run < runs; run++) {
    const x = Float64Array.from(input.subarray(run * batch * model.inputSize, (run + 1) * batch * model.inputSize));
    const y = labels.subarray(run * batch, (run + 1) * batch);
    const expected = ref.step(paramsOfRun(params, net.layout, run), x, y, batch);
    const width = model.outputSize;
    v.allClose(`logits run ${run}`, logits.subarray(run * batch * width, (run + 1) * batch * width), expected.logits, { rtol: 1e-4, atol: 1e-5 });
    const record = METRIC_RECORD.read(metrics, run);
    v.closeTo(`loss run ${run}`, record.loss, expected.loss, 4);
    v.equal(`correct run ${run}`, record.correct, expected.correct);
    v.equal(`non-finite run ${run}`, record.nonFinite, 0);
    v.equal(`rows run ${run}`, record.rows, batch);
    model.tensors.forEach((tensor, t) => {
      // A frozen tensor's gradient is never computed: its buffer keeps its zeros.
      const want = tensor.trainable ? expected.grads[t] : new Float64Array(tensor.size);
      v.allClose(`${tensor.name} run ${run}`, tensorOfRun(grads, net.layout, t, run), want, { rtol: 1e-3, atol: 1e-6 });
    });
  }
}

/** Each case: logits, loss and every gradient match the reference, per run. */
export const NETWORK_CHECKS: GpuCheck[] = CASES.map((c) => ({
  name: `${c.name}: logits, loss and every gradient match, per run`,
  family: c.family,
  run: (gpu, v) => checkNetwork(c, gpu, v),
}));
