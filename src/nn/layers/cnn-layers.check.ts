/**
 * GPU checks (src/check/verdict.ts) of the conv2d, max-pool and BatchNorm layers, one at a time,
 * against the float64 reference: forward output, parameter gradients and input gradient
 * (optionally with a fused act' epilogue), for R = 2 stacked runs with different parameters and
 * odd spatial sizes. Run by cnn-layers.test.ts and the GPU check.
 */
import type { GpuCheck, Verdict } from '../../check/verdict';
import { createStorage, createUniform, upload } from '../../gpu/buffers';
import { runDispatches } from '../../gpu/commands';
import type { GpuContext } from '../../gpu/device';
import type { WgslStruct } from '../../gpu/layout';
import { layoutParams, paramsOfRun, tensorOfRun } from '../../gpu/param-layout';
import { readF32 } from '../../gpu/readback';
import { actGrad } from '../../reference/activations';
import type { RefContext } from '../../reference/layer';
import { REF_LAYERS } from '../../reference/layers';
import { randomArray } from '../../test/gpu';
import type { ActGrad, BuildContext } from '../layer';
import { resolveModel, shapeSize, type Activation, type LayerSpec } from '../spec';
import { LAYER_BUILDERS } from './index';
import { activationBackwardInPlace } from './shape';

const RUNS = 2;
const TOL = { rtol: 1e-4, atol: 1e-5 };

interface Case {
  inputShape: number[];
  layer: LayerSpec;
  batch: number;
  /** Fuse act'(preact of a pretend previous layer) into the input gradient (layers that can). */
  fuseInput?: Activation;
  /** Also run the eval forward after the train pass (BatchNorm: running statistics). */
  evalAfter?: boolean;
  /** Build backward with dIn = null (first layer). */
  noInputGrad?: boolean;
}

/** A BuildContext like GpuNetwork's, without the network around it. */
function buildContext(gpu: GpuContext, inputShape: number[], layer: LayerSpec, batch: number) {
  const model = resolveModel({ inputShape, layers: [layer, { kind: 'flatten' }], loss: 'mse' });
  const layout = layoutParams(model.tensors, RUNS);
  const owned: GPUBuffer[] = [];
  const alloc = (label: string, floats: number) => {
    const buffer = createStorage(gpu.device, label, Math.max(floats, 4) * 4);
    owned.push(buffer);
    return buffer;
  };
  const uniform = <F extends string>(label: string, struct: WgslStruct<F>, values: Readonly<Record<F, number>>) => {
    const buffer = createUniform(gpu.device, label, struct, values);
    owned.push(buffer);
    return buffer;
  };
  const ctx: BuildContext = {
    gpu, runs: RUNS, batch, model, layout, alloc, uniform,
    params: alloc('params', layout.total), grads: alloc('grads', layout.total),
    dummy: alloc('dummy', 4), dummyOut: alloc('dummyOut', 4),
  };
  return { gpu, model, layout, ctx, destroy: () => owned.forEach((b) => b.destroy()) };
}

async function checkLayer(gpu: GpuContext, v: Verdict, c: Case, seed: number): Promise<void> {
  const { model, layout, ctx, destroy } = buildContext(gpu, c.inputShape, c.layer, c.batch);
  const resolved = model.layers[0];
  const inSize = model.inputSize;
  const outSize = shapeSize(resolved.outShape);
  // Random parameters, different per run (γ around 1).
  const params = randomArray(layout.total, seed, 0.6);
  model.tensors.forEach((t, ti) => {
    if (t.init !== 'ones') return;
    for (let r = 0; r < RUNS; r++) for (let i = 0; i < t.size; i++) params[layout.slots[ti].offset + r * layout.slots[ti].runStride + i] += 1;
  });
  upload(gpu.device, ctx.params, params);
  const input = ctx.alloc('input', RUNS * c.batch * inSize);
  const inputValues = randomArray(RUNS * c.batch * inSize, seed + 1, 2);
  upload(gpu.device, input, inputValues);
  const layer = LAYER_BUILDERS[c.layer.kind]!(ctx, resolved, input);
  for (const state of layer.state ?? []) upload(gpu.device, state.buffer, state.initial);

  const dOutValues = randomArray(RUNS * c.batch * outSize, seed + 2);
  const dOut = ctx.alloc('dOut', dOutValues.length);
  upload(gpu.device, dOut, dOutValues);
  const dIn = c.noInputGrad ? null : ctx.alloc('dIn', RUNS * c.batch * inSize);
  let dInAct: ActGrad | null = null;
  const prevPreact = randomArray(RUNS * c.batch * inSize, seed + 3);
  if (c.fuseInput) {
    v.equal('can fuse the input gradient', layer.canFuseInputGrad, true);
    dInAct = { activation: c.fuseInput, preact: ctx.alloc('prevPreact', prevPreact.length) };
    upload(gpu.device, dInAct.preact, prevPreact);
  }
  // As GpuNetwork does: a layer with a fused activation receives dZ = dY ⊙ act'(Z).
  const actBackward = layer.fusedActivation
    ? [activationBackwardInPlace(ctx, layer.fusedActivation.activation, layer.fusedActivation.preact, dOut, dOutValues.length)]
    : [];
  runDispatches(gpu, [...layer.forwardTrain, ...actBackward, ...layer.backward(dOut, dIn, dInAct)]);
  const output = await readF32(gpu.device, layer.output, RUNS * c.batch * outSize);
  const grads = await readF32(gpu.device, ctx.grads, layout.total);
  const inputGrad = dIn ? await readF32(gpu.device, dIn, RUNS * c.batch * inSize) : null;
  const state = layer.state?.length ? await readF32(gpu.device, layer.state[0].buffer, layer.state[0].initial.length) : null;
  let evalOutput: Float32Array | null = null;
  if (c.evalAfter) {
    runDispatches(gpu, layer.forwardEval);
    evalOutput = await readF32(gpu.device, layer.output, RUNS * c.batch * outSize);
  }
  destroy();

  const impl = REF_LAYERS[c.layer.kind]!;
  for (let run = 0; run < RUNS; run++) {
    const slice = <T extends Float32Array>(a: T, width: number) => a.subarray(run * c.batch * width, (run + 1) * c.batch * width);
    const runParams = paramsOfRun(params, layout, run);
    const stateMap = new Map(impl.initState ? [[0, impl.initState(resolved)]] : []);
    const refCtx: RefContext = { batch: c.batch, params: runParams, grads: runParams.map((p) => new Float64Array(p.length)), state: stateMap, train: true };
    const forward = impl.forward(refCtx, resolved, Float64Array.from(slice(inputValues, inSize)));
    v.allClose(`output run ${run}`, slice(output, outSize), forward.output, TOL);
    let dx = impl.backward(refCtx, resolved, forward, Float64Array.from(slice(dOutValues, outSize)));
    if (c.fuseInput) dx = dx.map((g, i) => g * actGrad(c.fuseInput!, slice(prevPreact, inSize)[i]));
    if (inputGrad) v.allClose(`dX run ${run}`, slice(inputGrad, inSize), dx, { rtol: 1e-3, atol: 1e-5 });
    model.tensors.forEach((t, ti) => {
      v.allClose(`${t.name} run ${run}`, tensorOfRun(grads, layout, ti, run), refCtx.grads[ti], { rtol: 1e-3, atol: 1e-5 });
    });
    if (state) {
      const channels = resolved.inShape[0];
      const stats = stateMap.get(0)!;
      v.allClose(`running mean run ${run}`, state.subarray(run * channels, (run + 1) * channels), stats.mean, TOL);
      const vars = state.subarray((RUNS + run) * channels, (RUNS + run + 1) * channels);
      v.allClose(`running var run ${run}`, vars, stats.var, TOL);
    }
    if (evalOutput) {
      const evalRef = impl.forward({ ...refCtx, train: false }, resolved, Float64Array.from(slice(inputValues, inSize)));
      v.allClose(`eval output run ${run}`, slice(evalOutput, outSize), evalRef.output, TOL);
    }
  }
}

const CASES: Array<[string, string, Case]> = [
  ['conv', 'conv 3x3 relu, bias, 3→5 channels, 9x9', { inputShape: [3, 9, 9], layer: { kind: 'conv2d', filters: 5, kernelSize: 3, activation: 'relu' }, batch: 3 }],
  ['conv', 'conv 5x5 no bias, 2→3 channels, 7x11, fused tanh input grad', { inputShape: [2, 7, 11], layer: { kind: 'conv2d', filters: 3, kernelSize: 5, bias: false }, batch: 3, fuseInput: 'tanh' }],
  ['conv', 'conv 3x3 sigmoid, 5→4 channels, 10x9 (two tiles), fused relu input grad', { inputShape: [5, 10, 9], layer: { kind: 'conv2d', filters: 4, kernelSize: 3, activation: 'sigmoid' }, batch: 2, fuseInput: 'relu' }],
  ['conv', 'conv 5x5 bias, 1→2 channels on 3x3 (kernel larger than image)', { inputShape: [1, 3, 3], layer: { kind: 'conv2d', filters: 2, kernelSize: 5 }, batch: 4 }],
  ['pool', 'maxpool2 on 7x7 (odd: last row/column get 0)', { inputShape: [3, 7, 7], layer: { kind: 'maxpool2' }, batch: 3 }],
  ['pool', 'maxpool2 on 8x5', { inputShape: [2, 8, 5], layer: { kind: 'maxpool2' }, batch: 5 }],
  ['batchnorm', 'batchnorm affine, conv input 3x7x7, then eval', { inputShape: [3, 7, 7], layer: { kind: 'batchnorm' }, batch: 3, evalAfter: true }],
  ['batchnorm', 'batchnorm not affine, conv input 2x5x3, momentum 0.3, then eval', { inputShape: [2, 5, 3], layer: { kind: 'batchnorm', affine: false, momentum: 0.3 }, batch: 4, evalAfter: true }],
  ['batchnorm', 'batchnorm affine, dense input 6, eps 1e-3, then eval', { inputShape: [6], layer: { kind: 'batchnorm', eps: 1e-3 }, batch: 5, evalAfter: true }],
  ['batchnorm', 'batchnorm affine, dense input, N = 300 > 256 threads', { inputShape: [3], layer: { kind: 'batchnorm' }, batch: 300 }],
  ['batchnorm', 'batchnorm affine as first layer (no input grad)', { inputShape: [2, 3, 3], layer: { kind: 'batchnorm' }, batch: 3, noInputGrad: true }],
];

/** The first maximum in row-major window order gets the gradient (ties). */
async function checkPoolTies(gpu: GpuContext, v: Verdict): Promise<void> {
  const { model, ctx, destroy } = buildContext(gpu, [1, 2, 2], { kind: 'maxpool2' }, 1);
  const input = ctx.alloc('input', RUNS * 4);
  upload(gpu.device, input, new Float32Array([1, 5, 5, 5, 7, 7, 7, 7]));
  const layer = LAYER_BUILDERS.maxpool2!(ctx, model.layers[0], input);
  const dOut = ctx.alloc('dOut', RUNS);
  upload(gpu.device, dOut, new Float32Array([2, 3]));
  const dIn = ctx.alloc('dIn', RUNS * 4);
  runDispatches(gpu, [...layer.forwardTrain, ...layer.backward(dOut, dIn, null)]);
  v.equal('dX', Array.from(await readF32(gpu.device, dIn, RUNS * 4)), [0, 2, 0, 0, 3, 0, 0, 0]);
  destroy();
}

/** Every layer case against the reference (R = 2 runs), then max-pool ties. */
export const CNN_LAYER_CHECKS: GpuCheck[] = [
  ...CASES.map(([family, name, c], i): GpuCheck => ({ name, family, run: (gpu, v) => checkLayer(gpu, v, c, 100 + 17 * i) })),
  { name: 'maxpool2 ties: first maximum in row-major window order gets the gradient', family: 'pool', run: checkPoolTies },
];
