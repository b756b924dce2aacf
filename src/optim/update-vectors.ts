/**
 * The test vectors of reference/methods.md §1.5 (LRD) and §2.2 (LEAP): inputs, injected masks and
 * the expected θ₂, shared by the float64 reference's tests (update.test.ts) and the GPU checks
 * (update.check.ts).
 */
import { parseLrd } from './lrd';
import { parseOptimizer, type OptimizerInput } from './optimizer';
import type { RunUpdateConfig } from './update';

/** θ₀, the gradients of steps 1 and 2, the injected masks of steps 1 and 2. */
export const THETA0 = [1, -2, 0.5, 3];
export const G1 = [0.1, -0.2, 0.3, -0.4];
export const G2 = [0.05, 0.1, -0.1, 0.2];
export const M1 = [1, 0, 1, 0];
export const M2 = [0, 1, 1, 1];

/** A run's update config: seed 7, run key 0, unless `extra` says otherwise. */
export function run(optimizer: OptimizerInput, extra: Partial<RunUpdateConfig> = {}): RunUpdateConfig {
  return { optimizer: parseOptimizer(optimizer), seed: 7, runKey: 0, ...extra };
}

/** LRD with keep probability ½ (the vectors' masks). */
export const LRD_HALF = parseLrd({ keepProb: 0.5 });
/** The vectors' optimizers: SGD with momentum 0.9, Adam (official ε placement) and RMSprop (α 0.99), all with L2 5e-4. */
export const SGDM = { rule: 'momentum', momentum: 0.9, weightDecay: 5e-4 } as const;
export const ADAM_LRD = { rule: 'adam', adamEps: 'lrd_official', weightDecay: 5e-4 } as const;
export const RMS_LRD = { rule: 'rmsprop', rmsAlpha: 0.99, weightDecay: 5e-4 } as const;
/** θ₂ of the spec vectors. */
export const SPEC_THETA = {
  sgdm: [0.98995, -1.99181, 0.4529290013, 3.015715],
  adam: [0.9990000031, -1.9997278863, 0.4985988666, 3.0002619826],
  rmsprop: [0.9900497611, -2.0044811956, 0.493183338, 2.9955032508],
};
/** The SGDM-LRD vector's UNMASKED momentum buffer after step 2. */
export const SPEC_SGDM_BUFFER = [0.140944975, -0.0819, 0.1704599875, -0.15715];
