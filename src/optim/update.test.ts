/**
 * The fused update: the float64 reference against the test vectors of reference/methods.md §1.5
 * (LRD) and §2.2 (LEAP); on the GPU against the reference (the checks of ./update.check.ts).
 */
import { describe, expect, it } from 'vitest';
import { referenceState, referenceUpdate, type ReferenceTensorState } from '../reference/optim';
import { expectCheck } from '../test/expect-check';
import { parseLeap } from './leap';
import { parseLrd } from './lrd';
import { parseOptimizer } from './optimizer';
import type { RunUpdateConfig } from './update';
import { UPDATE_CHECKS } from './update.check';
import { ADAM_LRD, G1, G2, LRD_HALF, M1, M2, RMS_LRD, run, SGDM, SPEC_SGDM_BUFFER, SPEC_THETA, THETA0 } from './update-vectors';

/** Two steps of the spec's injected-mask vector on the float64 reference. */
function specVector(config: RunUpdateConfig, masks = [M1, M2]): ReferenceTensorState {
  const state = referenceState(THETA0);
  const rate = config.optimizer.rule === 'momentum' ? 0.1 : 1e-3;
  [G1, G2].forEach((grad, k) => referenceUpdate(config, 0, state, grad, k + 1, rate, { inject: { mask: (i) => masks[k][i] } }));
  return state;
}

describe('float64 reference: the spec vectors (methods.md §1.5, §2.2)', () => {
  it('SGDM-LRD: θ2 and the UNMASKED momentum buffer', () => {
    const state = specVector(run(SGDM, { lrd: LRD_HALF }));
    expect(state.theta).toBeAllClose(SPEC_THETA.sgdm, { rtol: 0, atol: 1e-9 });
    expect(state.first).toBeAllClose(SPEC_SGDM_BUFFER, { rtol: 0, atol: 1e-12 });
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

describe('fused update on the GPU', () => {
  for (const check of UPDATE_CHECKS) it(check.name, () => expectCheck(check));
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
