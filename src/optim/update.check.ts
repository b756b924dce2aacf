/**
 * GPU checks (src/check/verdict.ts) of the fused update (Node + Dawn, or any adapter) against the
 * float64 reference and the test vectors of reference/methods.md §1.5 (LRD) and §2.2 (LEAP): every
 * rule, LRD and LEAP, the scalar kernel and the vec4 kernel. Run by update.test.ts and the GPU check.
 */
import type { GpuCheck, Verdict } from '../check/verdict';
import { createStorage, upload } from '../gpu/buffers';
import { runDispatches, type Dispatch } from '../gpu/commands';
import type { GpuContext } from '../gpu/device';
import { layoutParams, setParamsOfRun, tensorOfRun, type StackedTensor } from '../gpu/param-layout';
import { readF32 } from '../gpu/readback';
import { referenceState, referenceUpdate } from '../reference/optim';
import { lrdUniform } from '../rng/draws';
import { randomArray } from '../test/gpu';
import { parseLeap } from './leap';
import { parseLrd, type LrdConfig } from './lrd';
import { type OptimizerInput } from './optimizer';
import { FusedUpdate, type RunUpdateConfig } from './update';
import { ADAM_LRD, G1, G2, LRD_HALF, M1, M2, RMS_LRD, run, SGDM, SPEC_SGDM_BUFFER, SPEC_THETA, THETA0 } from './update-vectors';

function tensor(size: number, trainable = true, decay = true): StackedTensor {
  return { size, trainable, decay };
}

/** A stacked layout of `sizes` for the given runs, with params/grads buffers on the GPU. */
function gpuTarget(gpu: GpuContext, sizes: number[], runs: RunUpdateConfig[], trainable?: boolean[], decay?: boolean[]) {
  const tensors = sizes.map((size, t) => tensor(size, trainable?.[t] ?? true, decay?.[t] ?? true));
  const layout = layoutParams(tensors, runs.length);
  const params = createStorage(gpu.device, 'test.params', layout.total * 4);
  const grads = createStorage(gpu.device, 'test.grads', layout.total * 4);
  const update = new FusedUpdate({ gpu, layout, tensors, params, grads }, runs);
  const stacked = (values: (run: number, t: number) => ArrayLike<number>) => {
    const out = new Float32Array(layout.total);
    runs.forEach((_, r) => setParamsOfRun(out, layout, r, sizes.map((_, t) => Float64Array.from(values(r, t)))));
    return out;
  };
  return {
    gpu, layout, update, params, grads,
    setParams: (values: (run: number, t: number) => ArrayLike<number>) => upload(gpu.device, params, stacked(values)),
    setGrads: (values: (run: number, t: number) => ArrayLike<number>) => upload(gpu.device, grads, stacked(values)),
    step(step: number, rates: number[], thetaScale?: number[], stateScale?: number[]) {
      update.prepare(step, rates, thetaScale, stateScale);
      runDispatches(gpu, update.dispatches);
    },
    readParams: () => readF32(gpu.device, params, layout.total),
    destroy() {
      update.destroy();
      params.destroy();
      grads.destroy();
    },
  };
}

/** A (seed) whose Philox draws give exactly the spec's masks M1, M2 for keepProb 0.5 (tensor 0, run key 0). */
function seedRealizingSpecMasks(): number {
  for (let seed = 0; seed < 100000; seed++) {
    const ok = [M1, M2].every((mask, k) => mask.every((m, i) => (lrdUniform(seed, 0, 0, k + 1, i) < 0.5 ? 1 : 0) === m));
    if (ok) return seed;
  }
  throw new Error('no seed realizes the spec masks');
}

/** The LRD spec vectors with real Philox masks (one dispatch, three runs). */
async function checkSpecVectors(gpu: GpuContext, v: Verdict): Promise<void> {
  const seed = seedRealizingSpecMasks();
  const runs = [SGDM, ADAM_LRD, RMS_LRD].map((opt) => run(opt, { lrd: LRD_HALF, seed }));
  const t = gpuTarget(gpu, [4], runs);
  t.setParams(() => THETA0);
  const rates = [0.1, 1e-3, 1e-3];
  [G1, G2].forEach((grad, k) => {
    t.setGrads(() => grad);
    t.step(k + 1, rates);
  });
  const params = await t.readParams();
  const state = await t.update.readState();
  v.allClose('SGDM-LRD θ', tensorOfRun(params, t.layout, 0, 0), SPEC_THETA.sgdm, { rtol: 1e-6, atol: 1e-7 });
  v.allClose('SGDM-LRD momentum buffer', tensorOfRun(state.first, t.layout, 0, 0), SPEC_SGDM_BUFFER, { rtol: 1e-6, atol: 1e-8 });
  v.allClose('Adam-LRD θ', tensorOfRun(params, t.layout, 0, 1), SPEC_THETA.adam, { rtol: 1e-6, atol: 1e-7 });
  v.allClose('RMSprop-LRD θ', tensorOfRun(params, t.layout, 0, 2), SPEC_THETA.rmsprop, { rtol: 1e-6, atol: 1e-7 });
  t.destroy();
}

const REFERENCE_CASES: Array<[string, RunUpdateConfig[]]> = [
  ['sgd / momentum+dampening / nesterov, coupled L2', [
    run({ rule: 'sgd', weightDecay: 1e-2 }),
    run({ rule: 'momentum', momentum: 0.8, dampening: 0.3, weightDecay: 1e-3 }),
    run({ rule: 'nesterov', momentum: 0.9 }),
  ]],
  ['adam standard / adam official / adamw', [
    run({ rule: 'adam' }),
    run({ rule: 'adam', adamEps: 'lrd_official', weightDecay: 1e-3, eps: 1e-3 }),
    run({ rule: 'adamw', weightDecay: 0.05 }),
  ]],
  ['rmsprop official / clean, adamw (the vec4 kernel: no LEAP or LRD)', [
    run({ rule: 'rmsprop', weightDecay: 1e-2 }),
    run({ rule: 'rmsprop', rmspropForm: 'clean', weightDecay: 1e-2 }),
    run({ rule: 'adamw', weightDecay: 0.05 }),
  ]],
  ['LRD on sgd / momentum (rescaled) / adamw (decay unmasked), distinct run keys', [
    run({ rule: 'sgd' }, { lrd: parseLrd({ keepProb: 0.3 }) }),
    run({ rule: 'momentum', weightDecay: 1e-3 }, { lrd: parseLrd({ keepProb: 0.7, rescale: true }), runKey: 1 }),
    run({ rule: 'adamw', weightDecay: 0.1 }, { lrd: parseLrd({ keepProb: 0.5, maskDecoupledDecay: false }), runKey: 2 }),
  ]],
  ['LEAP element additive / tensor multiplicative clipped / global, and LRD+LEAP with rmsprop clean', [
    run({ rule: 'momentum' }, { leap: parseLeap({ sigma: 0.05 }) }),
    run({ rule: 'sgd' }, { leap: parseLeap({ sigma: 2, granularity: 'tensor', form: 'multiplicative', clipNegative: true }), runKey: 1 }),
    run({ rule: 'rmsprop', rmspropForm: 'clean', weightDecay: 1e-2 }, {
      leap: parseLeap({ sigma: 0.02, granularity: 'global' }), lrd: parseLrd({ keepProb: 0.6 }), runKey: 2 }),
  ]],
];

/** Params and state match the float64 reference over 4 steps (odd sizes, a frozen tensor, one without decay). */
async function checkAgainstReference(gpu: GpuContext, v: Verdict, runs: RunUpdateConfig[]): Promise<void> {
  const sizes = [5, 67, 130, 1];
  const decay = [true, false, true, true]; // tensor 1 is like a bias: no weight decay
  const t = gpuTarget(gpu, sizes, runs, [true, true, true, false], decay);
  const init = (r: number, k: number) => randomArray(sizes[k], 100 + 10 * r + k, 0.5);
  t.setParams(init);
  const refs = runs.map((_, r) => sizes.map((_, k) => referenceState(init(r, k))));
  const rates = [0.05, 0.02, 0.01];
  for (let step = 1; step <= 4; step++) {
    const grad = (r: number, k: number) => randomArray(sizes[k], 1000 * step + 10 * r + k, 1);
    t.setGrads(grad);
    t.step(step, rates);
    runs.forEach((config, r) => sizes.forEach((_, k) => {
      if (k < 3) referenceUpdate(config, k, refs[r][k], grad(r, k), step, rates[r], { decay: decay[k] });
    }));
  }
  const params = await t.readParams();
  const state = await t.update.readState();
  runs.forEach((config, r) => sizes.forEach((_, k) => {
    const at = `run ${r} tensor ${k}`;
    v.allClose(`θ ${at}`, tensorOfRun(params, t.layout, k, r), refs[r][k].theta, { rtol: 1e-4, atol: 1e-6 });
    if (config.optimizer.rule !== 'sgd' && config.optimizer.rule !== 'rmsprop') {
      v.allClose(`state ${at}`, tensorOfRun(state.first, t.layout, k, r), refs[r][k].first, { rtol: 1e-4, atol: 1e-6 });
    }
  }));
  // the frozen tensor never moves
  runs.forEach((_, r) => v.allClose(`frozen θ run ${r}`, tensorOfRun(params, t.layout, 3, r), init(r, 3), { rtol: 0, atol: 0 }));
  t.destroy();
}

/** The vec4 kernel over many workgroups (2 runs × 9,001 + 3 elements, mixed rules): reference match, padding untouched. */
async function checkManyWorkgroups(gpu: GpuContext, v: Verdict): Promise<void> {
  const runs = [run({ rule: 'adam', weightDecay: 1e-3 }), run({ rule: 'momentum', momentum: 0.9, weightDecay: 1e-2 })];
  const sizes = [9001, 3];
  const t = gpuTarget(gpu, sizes, runs);
  v.greater('chunks', t.layout.chunkTable.length, 2 * 64); // more than two 64-chunk workgroups
  const init = (r: number, k: number) => randomArray(sizes[k], 300 + 10 * r + k, 0.5);
  // Padding holds a sentinel in θ and a gradient of 1: an update that touched it would move it.
  const inside = new Uint8Array(t.layout.total);
  t.layout.slots.forEach((slot) => runs.forEach((_, r) => inside.fill(1, slot.offset + r * slot.runStride, slot.offset + r * slot.runStride + slot.size)));
  const withPadding = (values: (run: number, k: number) => ArrayLike<number>, pad: number) => {
    const out = new Float32Array(t.layout.total).fill(pad);
    runs.forEach((_, r) => setParamsOfRun(out, t.layout, r, sizes.map((_, k) => Float64Array.from(values(r, k)))));
    return out;
  };
  upload(gpu.device, t.params, withPadding(init, 7));
  const refs = runs.map((_, r) => sizes.map((_, k) => referenceState(init(r, k))));
  const rates = [0.01, 0.05];
  for (let step = 1; step <= 3; step++) {
    const grad = (r: number, k: number) => randomArray(sizes[k], 2000 * step + 10 * r + k, 1);
    upload(gpu.device, t.grads, withPadding(grad, 1));
    t.step(step, rates);
    runs.forEach((config, r) => sizes.forEach((_, k) => referenceUpdate(config, k, refs[r][k], grad(r, k), step, rates[r], { decay: true })));
  }
  const params = await t.readParams();
  runs.forEach((_, r) => sizes.forEach((_, k) => {
    v.allClose(`run ${r} tensor ${k}`, tensorOfRun(params, t.layout, k, r), refs[r][k].theta, { rtol: 1e-4, atol: 1e-6 });
  }));
  const padding = [...params].filter((_, i) => !inside[i]);
  v.greater('padding floats', padding.length, 0);
  v.isTrue('padding keeps its sentinel 7', padding.every((x) => x === 7), `values ${[...new Set(padding)].slice(0, 5).join(', ')}`);
  t.destroy();
}

const bitsOf = (values: Float32Array) => Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));
const KERNEL_CASES: Array<[string, OptimizerInput[]]> = [
  ['sgd: coupled L2 / decoupled', [{ rule: 'sgd', weightDecay: 1e-2 }, { rule: 'sgd', weightDecay: 3e-2, weightDecayMode: 'decoupled' }]],
  ['momentum: dampening / decoupled', [
    { rule: 'momentum', momentum: 0.8, dampening: 0.3, weightDecay: 1e-3 },
    { rule: 'momentum', weightDecay: 1e-3, weightDecayMode: 'decoupled' },
  ]],
  ['nesterov', [{ rule: 'nesterov', momentum: 0.9, weightDecay: 2e-3 }]],
  ['adam standard / lrd_official / adamw', [
    { rule: 'adam', weightDecay: 1e-3 },
    { rule: 'adam', adamEps: 'lrd_official', weightDecay: 1e-3, eps: 1e-3 },
    { rule: 'adamw', weightDecay: 0.05 },
  ]],
  ['rmsprop lrd_official / clean', [{ rule: 'rmsprop', weightDecay: 1e-2 }, { rule: 'rmsprop', rmspropForm: 'clean', weightDecay: 1e-2, eps: 1e-4 }]],
  ['every rule in one dispatch', [
    { rule: 'sgd', weightDecay: 1e-2 }, { rule: 'momentum', dampening: 0.1 }, { rule: 'nesterov' },
    { rule: 'adam', adamEps: 'lrd_official' }, { rule: 'adamw', weightDecay: 0.01 }, { rule: 'rmsprop', rmspropForm: 'clean' },
  ]],
];

/** The scalar and vec4 kernels agree bit for bit without modifiers (padding included, state not zero). */
async function checkKernelsAgree(gpu: GpuContext, v: Verdict, optimizers: OptimizerInput[]): Promise<void> {
  const runs = optimizers.map((optimizer, r) => run(optimizer, { runKey: r }));
  const sizes = [5, 67, 130, 1];
  const t = gpuTarget(gpu, sizes, runs, [true, true, true, false], [true, false, true, true]);
  const scalar = t.update.kernelDispatch('scalar');
  const vec4 = t.update.kernelDispatch('vec4');
  v.equal('kernels', [scalar.label, vec4.label], ['update', 'update_vec4']);
  // Every float of the buffers (padding included) starts random; the state is not zero.
  const initial = (seed: number, scale: number) => randomArray(t.layout.total, seed, scale);
  const outcome = async (dispatch: Dispatch) => {
    upload(gpu.device, t.params, initial(1, 0.5));
    upload(gpu.device, t.update.state1, initial(2, 0.1));
    upload(gpu.device, t.update.state2, initial(3, 0.1).map(Math.abs));
    for (let step = 1; step <= 3; step++) {
      upload(gpu.device, t.grads, initial(10 + step, 1));
      // renormalization scales on step 2 (θ of odd runs, state of even ones)
      const scales = (odd: boolean) => runs.map((_, r) => (step === 2 && r % 2 === (odd ? 1 : 0) ? 0.75 : 1));
      t.update.prepare(step, runs.map((_, r) => 0.01 * (r + 1)), scales(true), scales(false));
      runDispatches(gpu, [dispatch]);
    }
    const state = await t.update.readState();
    return { params: bitsOf(await t.readParams()), first: bitsOf(state.first), second: bitsOf(state.second) };
  };
  const a = await outcome(scalar);
  const b = await outcome(vec4);
  v.notEqual('θ moved', a.params, bitsOf(initial(1, 0.5)));
  v.equal('θ bits, vec4 vs scalar', b.params, a.params);
  v.equal('state1 bits, vec4 vs scalar', b.first, a.first);
  v.equal('state2 bits, vec4 vs scalar', b.second, a.second);
  t.destroy();
}

/** keepProb 1 and σ 0 give the base optimizer bit for bit; keepProb 0 freezes θ while state evolves. */
async function checkIdentities(gpu: GpuContext, v: Verdict): Promise<void> {
  const base = { rule: 'adamw', weightDecay: 1e-2 } as const; // decoupled: the state does not see θ
  const frozen: LrdConfig = { keepProb: 0, rescale: false, maskDecoupledDecay: true }; // below the schema's range on purpose
  const runs = [run(base), run(base, { lrd: parseLrd({ keepProb: 1 }), leap: parseLeap({ sigma: 0 }) }), run(base, { lrd: frozen })];
  const sizes = [33, 200];
  const t = gpuTarget(gpu, sizes, runs);
  const init = (_: number, k: number) => randomArray(sizes[k], 5 + k, 0.5);
  t.setParams(init);
  for (let step = 1; step <= 3; step++) {
    t.setGrads((_, k) => randomArray(sizes[k], 50 * step + k, 1));
    t.step(step, [0.01, 0.01, 0.01]);
  }
  const params = await t.readParams();
  const state = await t.update.readState();
  for (let k = 0; k < sizes.length; k++) {
    v.equal(`keepProb 1, σ 0 = base, tensor ${k}`, Array.from(tensorOfRun(params, t.layout, k, 1)), Array.from(tensorOfRun(params, t.layout, k, 0)));
    v.allClose(`keepProb 0 keeps θ, tensor ${k}`, tensorOfRun(params, t.layout, k, 2), init(2, k), { rtol: 0, atol: 0 });
    v.equal(`keepProb 0: state as base, tensor ${k}`, Array.from(tensorOfRun(state.second, t.layout, k, 2)), Array.from(tensorOfRun(state.second, t.layout, k, 0)));
    v.notAllClose(`base θ moved, tensor ${k}`, tensorOfRun(params, t.layout, k, 0), init(0, k), { rtol: 0, atol: 1e-4 });
  }
  t.destroy();
}

/** LRD keeps ≈ keepProb of elements (4 SE), masks uncorrelated across steps; LEAP variance ≈ σ². */
async function checkStatistics(gpu: GpuContext, v: Verdict): Promise<void> {
  const keepProb = 0.3;
  const sigma = 0.2;
  const n = 20000;
  const runs = [run({ rule: 'sgd' }, { lrd: parseLrd({ keepProb }) }), run({ rule: 'sgd' }, { leap: parseLeap({ sigma }), runKey: 1 })];
  const t = gpuTarget(gpu, [n], runs);
  t.setGrads(() => new Float64Array(n).fill(1));
  const deltas: Float32Array[][] = [[], []];
  for (let step = 1; step <= 2; step++) {
    t.setParams(() => new Float64Array(n));
    t.step(step, [1, 1]);
    const params = await t.readParams();
    for (let r = 0; r < 2; r++) deltas[r].push(Float32Array.from(tensorOfRun(params, t.layout, 0, r), (x) => -x));
  }
  deltas.forEach((steps, r) => steps.forEach((d, k) => v.record(`Δθ run ${r} step ${k + 1}`, d)));
  const se = Math.sqrt((keepProb * (1 - keepProb)) / n);
  const masks = deltas[0];
  const kept = masks.map((m) => m.reduce((a, b) => a + b, 0) / n);
  kept.forEach((fraction, k) => v.less(`|kept − keepProb| step ${k + 1}`, Math.abs(fraction - keepProb), 4 * se));
  let both = 0;
  for (let i = 0; i < n; i++) both += masks[0][i] * masks[1][i];
  const covariance = both / n - kept[0] * kept[1];
  v.less('|mask covariance across steps|', Math.abs(covariance), (4 * keepProb * (1 - keepProb)) / Math.sqrt(n));
  deltas[1].forEach((rates, k) => {
    const mean = rates.reduce((a, b) => a + b, 0) / n;
    const variance = rates.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    v.less(`|LEAP mean − 1| step ${k + 1}`, Math.abs(mean - 1), (4 * sigma) / Math.sqrt(n));
    v.less(`|LEAP variance/σ² − 1| step ${k + 1}`, Math.abs(variance / sigma ** 2 - 1), 4 * Math.sqrt(2 / n));
  });
  t.destroy();
}

/** A frozen (diverged) run keeps θ and state even with NaN gradients; setRun changes the rule mid-training. */
async function checkFrozenAndSetRun(gpu: GpuContext, v: Verdict): Promise<void> {
  const runs = [run({ rule: 'momentum' }), run({ rule: 'momentum' }, { runKey: 1 })];
  const t = gpuTarget(gpu, [9], runs);
  t.setParams(() => randomArray(9, 8, 1));
  t.setGrads(() => randomArray(9, 9, 1));
  t.step(1, [0.1, 0.1]);
  const before = await t.readParams();
  t.update.setFrozen(0, true);
  t.update.setRun(1, run({ rule: 'sgd' }, { runKey: 1 }));
  t.setGrads((r) => (r === 0 ? new Float64Array(9).fill(Number.NaN) : new Float64Array(9).fill(1)));
  t.step(2, [0.1, 0.1]);
  const after = await t.readParams();
  v.allClose('frozen run θ', tensorOfRun(after, t.layout, 0, 0), tensorOfRun(before, t.layout, 0, 0), { rtol: 0, atol: 0 });
  v.allClose('sgd run θ', tensorOfRun(after, t.layout, 0, 1), tensorOfRun(before, t.layout, 0, 1).map((x) => x - 0.1), { rtol: 1e-6, atol: 1e-7 });
  t.destroy();
}

/** Renormalization scales θ and the momentum buffer in the same pass. */
async function checkRenormalization(gpu: GpuContext, v: Verdict): Promise<void> {
  const runs = [run({ rule: 'momentum' }), run({ rule: 'momentum' }, { runKey: 1 })];
  const t = gpuTarget(gpu, [10], runs);
  t.setParams(() => randomArray(10, 3, 1));
  t.setGrads(() => randomArray(10, 4, 1));
  t.step(1, [0.1, 0.1], [1, 0.5], [1, 2]);
  const params = await t.readParams();
  const state = await t.update.readState();
  const a = tensorOfRun(params, t.layout, 0, 0);
  v.allClose('θ × 0.5', tensorOfRun(params, t.layout, 0, 1), a.map((x) => x * 0.5), { rtol: 1e-6, atol: 0 });
  v.allClose('momentum buffer × 2', tensorOfRun(state.first, t.layout, 0, 1), tensorOfRun(state.first, t.layout, 0, 0).map((x) => x * 2), { rtol: 1e-6, atol: 0 });
  t.destroy();
}

/** Every GPU test of update.test.ts, in its order. */
export const UPDATE_CHECKS: GpuCheck[] = [
  { name: 'reproduces the LRD spec vectors with real Philox masks (one dispatch, three runs)', family: 'update', run: checkSpecVectors },
  ...REFERENCE_CASES.map(([name, runs]): GpuCheck => ({
    name: `${name}: params and state match the float64 reference over 4 steps (odd sizes)`, family: 'update', run: (gpu, v) => checkAgainstReference(gpu, v, runs),
  })),
  { name: 'the vec4 kernel over many workgroups (2 runs × 9,001 + 3 elements, mixed rules): reference match, padding untouched', family: 'update', run: checkManyWorkgroups },
  ...KERNEL_CASES.map(([name, optimizers]): GpuCheck => ({
    name: `the scalar and vec4 kernels agree bit for bit without modifiers: ${name}`, family: 'update', run: (gpu, v) => checkKernelsAgree(gpu, v, optimizers),
  })),
  { name: 'identities: keepProb 1 and σ 0 give the base optimizer bit for bit; keepProb 0 freezes θ while state evolves', family: 'update', run: checkIdentities },
  { name: 'statistics: LRD keeps ≈ keepProb of elements (4 SE), masks uncorrelated across steps; LEAP variance ≈ σ²', family: 'update', run: checkStatistics },
  { name: 'a frozen (diverged) run keeps θ and state even with NaN gradients; setRun changes the rule mid-training', family: 'update', run: checkFrozenAndSetRun },
  { name: 'renormalization scales θ and the momentum buffer in the same pass', family: 'update', run: checkRenormalization },
];
