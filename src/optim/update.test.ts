/**
 * The fused update on the GPU (Node + Dawn) against the float64 reference and the test vectors of
 * reference/methods.md §1.5 (LRD) and §2.2 (LEAP).
 */
import { describe, expect, it } from 'vitest';
import { createStorage, upload } from '../gpu/buffers';
import { runDispatches, type Dispatch } from '../gpu/commands';
import { layoutParams, setParamsOfRun, tensorOfRun, type StackedTensor } from '../gpu/param-layout';
import { readF32 } from '../gpu/readback';
import { referenceState, referenceUpdate, type ReferenceTensorState } from '../reference/optim';
import { lrdUniform } from '../rng/draws';
import { randomArray, testGpu } from '../test/gpu';
import { parseLeap } from './leap';
import { parseLrd, type LrdConfig } from './lrd';
import { parseOptimizer, type OptimizerInput } from './optimizer';
import { FusedUpdate, type RunUpdateConfig } from './update';

const THETA0 = [1, -2, 0.5, 3];
const G1 = [0.1, -0.2, 0.3, -0.4];
const G2 = [0.05, 0.1, -0.1, 0.2];
const M1 = [1, 0, 1, 0];
const M2 = [0, 1, 1, 1];

function tensor(size: number, trainable = true, decay = true): StackedTensor {
  return { size, trainable, decay };
}

function run(optimizer: OptimizerInput, extra: Partial<RunUpdateConfig> = {}): RunUpdateConfig {
  return { optimizer: parseOptimizer(optimizer), seed: 7, runKey: 0, ...extra };
}

/** Two steps of the spec's injected-mask vector on the float64 reference. */
function specVector(config: RunUpdateConfig, masks = [M1, M2]): ReferenceTensorState {
  const state = referenceState(THETA0);
  const rate = config.optimizer.rule === 'momentum' ? 0.1 : 1e-3;
  [G1, G2].forEach((grad, k) => referenceUpdate(config, 0, state, grad, k + 1, rate, { inject: { mask: (i) => masks[k][i] } }));
  return state;
}

const LRD_HALF = parseLrd({ keepProb: 0.5 });
const SGDM = { rule: 'momentum', momentum: 0.9, weightDecay: 5e-4 } as const;
const ADAM_LRD = { rule: 'adam', adamEps: 'lrd_official', weightDecay: 5e-4 } as const;
const RMS_LRD = { rule: 'rmsprop', rmsAlpha: 0.99, weightDecay: 5e-4 } as const;
const SPEC_THETA = {
  sgdm: [0.98995, -1.99181, 0.4529290013, 3.015715],
  adam: [0.9990000031, -1.9997278863, 0.4985988666, 3.0002619826],
  rmsprop: [0.9900497611, -2.0044811956, 0.493183338, 2.9955032508],
};

describe('float64 reference: the spec vectors (methods.md §1.5, §2.2)', () => {
  it('SGDM-LRD: θ2 and the UNMASKED momentum buffer', () => {
    const state = specVector(run(SGDM, { lrd: LRD_HALF }));
    expect(state.theta).toBeAllClose(SPEC_THETA.sgdm, { rtol: 0, atol: 1e-9 });
    expect(state.first).toBeAllClose([0.140944975, -0.0819, 0.1704599875, -0.15715], { rtol: 0, atol: 1e-12 });
  });
  it('Adam-LRD (official ε placement)', () => {
    expect(specVector(run(ADAM_LRD, { lrd: LRD_HALF })).theta).toBeAllClose(SPEC_THETA.adam, { rtol: 0, atol: 1e-9 });
  });
  it('RMSprop-LRD (official: masked raw gradient, decay only in the denominator)', () => {
    expect(specVector(run(RMS_LRD, { lrd: LRD_HALF })).theta).toBeAllClose(SPEC_THETA.rmsprop, { rtol: 0, atol: 1e-9 });
  });
  it('LEAP with injected noise: θ2 = [0.9845, −1.994, 0.482, 3.023]', () => {
    const config = run({ rule: 'sgd' }, { leap: parseLeap({ sigma: 0.01 }) });
    const eps = [[0.01, -0.02, 0, 0.005], [-0.01, 0, 0.02, -0.005]];
    const state = referenceState(THETA0);
    [G1, G2].forEach((grad, k) => referenceUpdate(config, 0, state, grad, k + 1, 0.1, { inject: { rate: (i) => 0.1 + eps[k][i] } }));
    expect(state.theta).toBeAllClose([0.9845, -1.994, 0.482, 3.023], { rtol: 0, atol: 1e-12 });
  });
  it('masking the momentum buffer in place (a known re-implementation bug) does NOT give the vector', () => {
    const config = run(SGDM, { lrd: LRD_HALF });
    const state = referenceState(THETA0);
    [G1, G2].forEach((grad, k) => {
      referenceUpdate(config, 0, state, grad, k + 1, 0.1, { inject: { mask: (i) => [M1, M2][k][i] } });
      state.first.forEach((b, i) => (state.first[i] = b * [M1, M2][k][i])); // d_p = buf; d_p.mul_(mask)
    });
    expect(state.theta).not.toBeAllClose(SPEC_THETA.sgdm, { rtol: 0, atol: 1e-6 });
  });
});

/** A stacked layout of `sizes` for the given runs, with params/grads buffers on the GPU. */
async function gpuTarget(sizes: number[], runs: RunUpdateConfig[], trainable?: boolean[], decay?: boolean[]) {
  const gpu = await testGpu();
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
      runDispatches(gpu, [update.dispatch]);
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

describe('fused update on the GPU', () => {
  it('reproduces the LRD spec vectors with real Philox masks (one dispatch, three runs)', async () => {
    const seed = seedRealizingSpecMasks();
    const runs = [SGDM, ADAM_LRD, RMS_LRD].map((opt) => run(opt, { lrd: LRD_HALF, seed }));
    const t = await gpuTarget([4], runs);
    t.setParams(() => THETA0);
    const rates = [0.1, 1e-3, 1e-3];
    [G1, G2].forEach((grad, k) => {
      t.setGrads(() => grad);
      t.step(k + 1, rates);
    });
    const params = await t.readParams();
    const state = await t.update.readState();
    expect(tensorOfRun(params, t.layout, 0, 0)).toBeAllClose(SPEC_THETA.sgdm, { rtol: 1e-6, atol: 1e-7 });
    expect(tensorOfRun(state.first, t.layout, 0, 0)).toBeAllClose([0.140944975, -0.0819, 0.1704599875, -0.15715], { rtol: 1e-6, atol: 1e-8 });
    expect(tensorOfRun(params, t.layout, 0, 1)).toBeAllClose(SPEC_THETA.adam, { rtol: 1e-6, atol: 1e-7 });
    expect(tensorOfRun(params, t.layout, 0, 2)).toBeAllClose(SPEC_THETA.rmsprop, { rtol: 1e-6, atol: 1e-7 });
    t.destroy();
  });

  const cases: Array<[string, RunUpdateConfig[]]> = [
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

  it.each(cases)('%s: params and state match the float64 reference over 4 steps (odd sizes)', async (_, runs) => {
    const sizes = [5, 67, 130, 1];
    const decay = [true, false, true, true]; // tensor 1 is like a bias: no weight decay
    const t = await gpuTarget(sizes, runs, [true, true, true, false], decay);
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
      expect(tensorOfRun(params, t.layout, k, r), at).toBeAllClose(refs[r][k].theta, { rtol: 1e-4, atol: 1e-6 });
      if (config.optimizer.rule !== 'sgd' && config.optimizer.rule !== 'rmsprop') {
        expect(tensorOfRun(state.first, t.layout, k, r), at).toBeAllClose(refs[r][k].first, { rtol: 1e-4, atol: 1e-6 });
      }
    }));
    // the frozen tensor never moves
    runs.forEach((_, r) => expect(tensorOfRun(params, t.layout, 3, r)).toBeAllClose(init(r, 3), { rtol: 0, atol: 0 }));
    t.destroy();
  });

  it('the vec4 kernel over many workgroups (2 runs × 9,001 + 3 elements, mixed rules): reference match, padding untouched', async () => {
    const runs = [run({ rule: 'adam', weightDecay: 1e-3 }), run({ rule: 'momentum', momentum: 0.9, weightDecay: 1e-2 })];
    const sizes = [9001, 3];
    const t = await gpuTarget(sizes, runs);
    expect(t.layout.chunkTable.length).toBeGreaterThan(2 * 64); // more than two 64-chunk workgroups
    const init = (r: number, k: number) => randomArray(sizes[k], 300 + 10 * r + k, 0.5);
    // Padding holds a sentinel in θ and a gradient of 1: an update that touched it would move it.
    const inside = new Uint8Array(t.layout.total);
    t.layout.slots.forEach((slot) => runs.forEach((_, r) => inside.fill(1, slot.offset + r * slot.runStride, slot.offset + r * slot.runStride + slot.size)));
    const withPadding = (values: (run: number, k: number) => ArrayLike<number>, pad: number) => {
      const out = new Float32Array(t.layout.total).fill(pad);
      runs.forEach((_, r) => setParamsOfRun(out, t.layout, r, sizes.map((_, k) => Float64Array.from(values(r, k)))));
      return out;
    };
    upload(t.gpu.device, t.params, withPadding(init, 7));
    const refs = runs.map((_, r) => sizes.map((_, k) => referenceState(init(r, k))));
    const rates = [0.01, 0.05];
    for (let step = 1; step <= 3; step++) {
      const grad = (r: number, k: number) => randomArray(sizes[k], 2000 * step + 10 * r + k, 1);
      upload(t.gpu.device, t.grads, withPadding(grad, 1));
      t.step(step, rates);
      runs.forEach((config, r) => sizes.forEach((_, k) => referenceUpdate(config, k, refs[r][k], grad(r, k), step, rates[r], { decay: true })));
    }
    const params = await t.readParams();
    runs.forEach((_, r) => sizes.forEach((_, k) => {
      expect(tensorOfRun(params, t.layout, k, r), `run ${r} tensor ${k}`).toBeAllClose(refs[r][k].theta, { rtol: 1e-4, atol: 1e-6 });
    }));
    const padding = [...params].filter((_, i) => !inside[i]);
    expect(padding.length).toBeGreaterThan(0);
    expect(new Set(padding)).toEqual(new Set([7]));
    t.destroy();
  });

  const bitsOf = (values: Float32Array) => Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));
  const kernelCases: Array<[string, OptimizerInput[]]> = [
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

  it.each(kernelCases)('the scalar and vec4 kernels agree bit for bit without modifiers: %s', async (_, optimizers) => {
    const runs = optimizers.map((optimizer, r) => run(optimizer, { runKey: r }));
    const sizes = [5, 67, 130, 1];
    const t = await gpuTarget(sizes, runs, [true, true, true, false], [true, false, true, true]);
    const scalar = t.update.kernelDispatch('scalar');
    const vec4 = t.update.kernelDispatch('vec4');
    expect([scalar.label, vec4.label]).toEqual(['update', 'update_vec4']);
    // Every float of the buffers (padding included) starts random; the state is not zero.
    const initial = (seed: number, scale: number) => randomArray(t.layout.total, seed, scale);
    const outcome = async (dispatch: Dispatch) => {
      upload(t.gpu.device, t.params, initial(1, 0.5));
      upload(t.gpu.device, t.update.state1, initial(2, 0.1));
      upload(t.gpu.device, t.update.state2, initial(3, 0.1).map(Math.abs));
      for (let step = 1; step <= 3; step++) {
        upload(t.gpu.device, t.grads, initial(10 + step, 1));
        // renormalization scales on step 2 (θ of odd runs, state of even ones)
        const scales = (odd: boolean) => runs.map((_, r) => (step === 2 && r % 2 === (odd ? 1 : 0) ? 0.75 : 1));
        t.update.prepare(step, runs.map((_, r) => 0.01 * (r + 1)), scales(true), scales(false));
        runDispatches(t.gpu, [dispatch]);
      }
      const state = await t.update.readState();
      return { params: bitsOf(await t.readParams()), first: bitsOf(state.first), second: bitsOf(state.second) };
    };
    const a = await outcome(scalar);
    const b = await outcome(vec4);
    expect(a.params).not.toEqual(bitsOf(initial(1, 0.5)));
    expect(b.params).toEqual(a.params);
    expect(b.first).toEqual(a.first);
    expect(b.second).toEqual(a.second);
    t.destroy();
  });

  it('identities: keepProb 1 and σ 0 give the base optimizer bit for bit; keepProb 0 freezes θ while state evolves', async () => {
    const base = { rule: 'adamw', weightDecay: 1e-2 } as const; // decoupled: the state does not see θ
    const frozen: LrdConfig = { keepProb: 0, rescale: false, maskDecoupledDecay: true }; // below the schema's range on purpose
    const runs = [
      run(base),
      run(base, { lrd: parseLrd({ keepProb: 1 }), leap: parseLeap({ sigma: 0 }) }),
      run(base, { lrd: frozen }),
    ];
    const sizes = [33, 200];
    const t = await gpuTarget(sizes, runs);
    const init = (_: number, k: number) => randomArray(sizes[k], 5 + k, 0.5);
    t.setParams(init);
    for (let step = 1; step <= 3; step++) {
      t.setGrads((_, k) => randomArray(sizes[k], 50 * step + k, 1));
      t.step(step, [0.01, 0.01, 0.01]);
    }
    const params = await t.readParams();
    const state = await t.update.readState();
    for (let k = 0; k < sizes.length; k++) {
      expect(Array.from(tensorOfRun(params, t.layout, k, 1))).toEqual(Array.from(tensorOfRun(params, t.layout, k, 0)));
      expect(tensorOfRun(params, t.layout, k, 2)).toBeAllClose(init(2, k), { rtol: 0, atol: 0 });
      expect(Array.from(tensorOfRun(state.second, t.layout, k, 2))).toEqual(Array.from(tensorOfRun(state.second, t.layout, k, 0)));
      expect(tensorOfRun(params, t.layout, k, 0)).not.toBeAllClose(init(0, k), { rtol: 0, atol: 1e-4 });
    }
    t.destroy();
  });

  it('statistics: LRD keeps ≈ keepProb of elements (4 SE), masks uncorrelated across steps; LEAP variance ≈ σ²', async () => {
    const keepProb = 0.3;
    const sigma = 0.2;
    const n = 20000;
    const runs = [run({ rule: 'sgd' }, { lrd: parseLrd({ keepProb }) }), run({ rule: 'sgd' }, { leap: parseLeap({ sigma }), runKey: 1 })];
    const t = await gpuTarget([n], runs);
    t.setGrads(() => new Float64Array(n).fill(1));
    const deltas: Float32Array[][] = [[], []];
    for (let step = 1; step <= 2; step++) {
      t.setParams(() => new Float64Array(n));
      t.step(step, [1, 1]);
      const params = await t.readParams();
      for (let r = 0; r < 2; r++) deltas[r].push(Float32Array.from(tensorOfRun(params, t.layout, 0, r), (x) => -x));
    }
    const se = Math.sqrt((keepProb * (1 - keepProb)) / n);
    const masks = deltas[0];
    const kept = masks.map((m) => m.reduce((a, b) => a + b, 0) / n);
    for (const fraction of kept) expect(Math.abs(fraction - keepProb)).toBeLessThan(4 * se);
    let both = 0;
    for (let i = 0; i < n; i++) both += masks[0][i] * masks[1][i];
    const covariance = both / n - kept[0] * kept[1];
    expect(Math.abs(covariance)).toBeLessThan(4 * keepProb * (1 - keepProb) / Math.sqrt(n));
    for (const rates of deltas[1]) {
      const mean = rates.reduce((a, b) => a + b, 0) / n;
      const variance = rates.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
      expect(Math.abs(mean - 1)).toBeLessThan(4 * sigma / Math.sqrt(n));
      expect(Math.abs(variance / sigma ** 2 - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    }
    t.destroy();
  });

  it('a frozen (diverged) run keeps θ and state even with NaN gradients; setRun changes the rule mid-training', async () => {
    const runs = [run({ rule: 'momentum' }), run({ rule: 'momentum' }, { runKey: 1 })];
    const t = await gpuTarget([9], runs);
    const init = () => randomArray(9, 8, 1);
    t.setParams(init);
    t.setGrads(() => randomArray(9, 9, 1));
    t.step(1, [0.1, 0.1]);
    const before = await t.readParams();
    t.update.setFrozen(0, true);
    t.update.setRun(1, run({ rule: 'sgd' }, { runKey: 1 }));
    t.setGrads((r) => (r === 0 ? new Float64Array(9).fill(Number.NaN) : new Float64Array(9).fill(1)));
    t.step(2, [0.1, 0.1]);
    const after = await t.readParams();
    expect(tensorOfRun(after, t.layout, 0, 0)).toBeAllClose(tensorOfRun(before, t.layout, 0, 0), { rtol: 0, atol: 0 });
    expect(tensorOfRun(after, t.layout, 0, 1)).toBeAllClose(tensorOfRun(before, t.layout, 0, 1).map((x) => x - 0.1), { rtol: 1e-6, atol: 1e-7 });
    t.destroy();
  });

  it('renormalization scales θ and the momentum buffer in the same pass', async () => {
    const runs = [run({ rule: 'momentum' }), run({ rule: 'momentum' }, { runKey: 1 })];
    const t = await gpuTarget([10], runs);
    const init = () => randomArray(10, 3, 1);
    t.setParams(init);
    t.setGrads(() => randomArray(10, 4, 1));
    t.step(1, [0.1, 0.1], [1, 0.5], [1, 2]);
    const params = await t.readParams();
    const state = await t.update.readState();
    const a = tensorOfRun(params, t.layout, 0, 0);
    expect(tensorOfRun(params, t.layout, 0, 1)).toBeAllClose(a.map((x) => x * 0.5), { rtol: 1e-6, atol: 0 });
    expect(tensorOfRun(state.first, t.layout, 0, 1)).toBeAllClose(tensorOfRun(state.first, t.layout, 0, 0).map((x) => x * 2), { rtol: 1e-6, atol: 0 });
    t.destroy();
  });
});

describe('bad hyperparameters are rejected with the field named', () => {
  it.each([
    [() => parseLrd({ keepProb: 0 }), /lrd\.keepProb/],
    [() => parseLrd({ keepProb: 1.5 }), /lrd\.keepProb/],
    [() => parseLrd({ keepProb: Number.NaN }), /lrd\.keepProb/],
    [() => parseLeap({ sigma: -0.1 }), /leap\.sigma/],
    [() => parseLeap({ granularity: 'layer' }), /leap\.granularity/],
    [() => parseOptimizer({ rule: 'adam', beta2: 1 }), /optimizer\.beta2/],
    [() => parseOptimizer({ momentum: Number.NaN }), /optimizer\.momentum/],
    [() => parseOptimizer({ rule: 'lion' }), /optimizer\.rule/],
    [() => parseOptimizer({ weightDecay: -1 }), /optimizer\.weightDecay/],
    [() => parseOptimizer({ rule: 'adamw', weightDecayMode: 'coupled' }), /optimizer\.weightDecayMode/],
    [() => parseOptimizer({ lr: 0.1 }), /optimizer/],
  ])('%#', (parse, field) => {
    expect(parse).toThrow(field);
  });
});
