import { describe, expect, it } from 'vitest';
import { upload } from '../gpu/buffers';
import { runDispatches } from '../gpu/commands';
import { paramsOfRun, tensorOfRun } from '../gpu/param-layout';
import { readF32 } from '../gpu/readback';
import { ReferenceNetwork } from '../reference/network';
import { randomArray, testGpu } from '../test/gpu';
import { matmulKernel } from './kernels';
import { METRIC_RECORD } from './layouts';
import { GpuNetwork } from './network';
import { initParams } from './params';
import { resolveModel, type ModelSpec } from './spec';

/** Runs one training pass on the GPU with given inputs/labels written directly (no gather). */
async function gpuPass(spec: ModelSpec, runs: number, batch: number, seed: number, quads?: boolean, fusedSmallMlp?: boolean) {
  const shared = await testGpu();
  const gpu = quads === undefined ? shared : { ...shared, tuning: { ...shared.tuning, quads: quads && shared.tuning.quads } };
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
  net.destroy();
  return { model, net, params, input, labels, grads, logits, metrics };
}

describe('GpuNetwork vs float64 reference', () => {
  // [name, model, batch, quads, fused small MLP]; batch 37 is not a multiple of the 32-wide tiles nor of 4 (scalar
  // matmul for K = batch); the vec4 cases have every width and the batch a multiple of 4 but not of 32
  // (edge tiles), once with quad-shared loads where the device has them (SwiftShader) and once without.
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
  const cases: Array<[string, ModelSpec, number?, boolean?, boolean?]> = [
    ['mlp relu softmax (general kernels)', reluSoftmax, undefined, undefined, false],
    ['mlp relu softmax (fused small-MLP kernels; batch 13)', reluSoftmax, 13, undefined, true],
    ['mlp tanh mse 1-out (general kernels)', tanhMse, undefined, undefined, false],
    ['mlp tanh mse 1-out (fused small-MLP kernels)', tanhMse, undefined, undefined, true],
    ['frozen layer, no bias, sigmoid/gelu/leaky/none (fused small-MLP kernels)', mixedSmall, undefined, undefined, true],
    ['widths 40, mse over 3 outputs, batch 5 below the 8 invocations (fused small-MLP kernels)', wideSmall, 5, undefined, true],
    ['sigmoid/gelu/leaky + activation layer', { inputShape: [13], layers: [{ kind: 'dense', units: 17, activation: 'sigmoid' }, { kind: 'dense', units: 9, activation: 'gelu' }, { kind: 'dense', units: 6 }, { kind: 'activation', activation: 'leaky_relu' }, { kind: 'dense', units: 3 }], loss: 'softmax_xent' }],
    ['vec4 matmuls: widths and batch multiples of 4', vec4Model, 44, false],
    ['vec4 matmuls with quad-shared loads (where the device has them)', vec4Model, 44, true],
  ];
  for (const [name, spec, batchSize, quads, fused] of cases) {
    it(`${name}: logits, loss and every gradient match, per run`, async () => {
      const runs = 3;
      const batch = batchSize ?? 37;
      const { model, net, params, input, labels, grads, logits, metrics } = await gpuPass(spec, runs, batch, 11, quads, fused);
      expect(net.fusedSmallMlp).toBe(fused === true);
      if (fused) expect(net.trainDispatches.map((d) => d.label)).toEqual(['small_mlp_step']);
      if (batchSize && !fused) {
        const shared = (await testGpu()).tuning;
        const label = matmulKernel({ vec4: true }, { ...shared, quads: quads === true && shared.quads }).name;
        expect(net.trainDispatches.filter((d) => d.label === label).length).toBeGreaterThanOrEqual(6);
      }
      const ref = new ReferenceNetwork(model);
      for (let run = 0; run < runs; run++) {
        const x = Float64Array.from(input.subarray(run * batch * model.inputSize, (run + 1) * batch * model.inputSize));
        const y = labels.subarray(run * batch, (run + 1) * batch);
        const expected = ref.step(paramsOfRun(params, net.layout, run), x, y, batch);
        const width = model.outputSize;
        expect(logits.subarray(run * batch * width, (run + 1) * batch * width)).toBeAllClose(expected.logits, { rtol: 1e-4, atol: 1e-5 });
        expect(METRIC_RECORD.read(metrics, run).loss).toBeCloseTo(expected.loss, 4);
        expect(METRIC_RECORD.read(metrics, run).correct).toBe(expected.correct);
        expect(METRIC_RECORD.read(metrics, run).nonFinite).toBe(0);
        expect(METRIC_RECORD.read(metrics, run).rows).toBe(batch);
        model.tensors.forEach((tensor, t) => {
          // A frozen tensor's gradient is never computed: its buffer keeps its zeros.
          const want = tensor.trainable ? expected.grads[t] : new Float64Array(tensor.size);
          expect(tensorOfRun(grads, net.layout, t, run), `${tensor.name} run ${run}`).toBeAllClose(want, { rtol: 1e-3, atol: 1e-6 });
        });
      }
    });
  }
});
