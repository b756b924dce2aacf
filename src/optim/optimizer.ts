/**
 * Optimizer rules of the fused update (shaders/update.wgsl): SGD, SGD with momentum (PyTorch
 * convention: the buffer starts at the first gradient; dampening), Nesterov, Adam (standard form
 * or the official LRD code's ε placement), AdamW (Adam with decoupled decay) and RMSprop
 * (the LRD code's form or the clean form). Hyperparameters are per run.
 */
import { z } from 'zod';
import { parseConfig } from '../util/validate';

export const OPTIMIZER_RULES = ['sgd', 'momentum', 'nesterov', 'adam', 'adamw', 'rmsprop'] as const;
export type OptimizerRule = (typeof OPTIMIZER_RULES)[number];

/** Rule codes shared with shaders/update.wgsl (AdamW is Adam with decoupled decay). */
export const RULE_CODE: Record<OptimizerRule, number> = { sgd: 0, momentum: 1, nesterov: 2, adam: 3, adamw: 3, rmsprop: 4 };

const unitInterval = (what: string) => z.number().min(0, `${what} must be in [0, 1)`).lt(1, `${what} must be in [0, 1)`);

export const optimizerSchema = z
  .object({
    rule: z.enum(OPTIMIZER_RULES).default('sgd'),
    /** γ of momentum/Nesterov. */
    momentum: unitInterval('momentum').default(0.9),
    /** τ: the buffer adds (1 − τ)·d after its first step. */
    dampening: z.number().min(0).max(1).default(0),
    beta1: unitInterval('beta1').default(0.9),
    beta2: unitInterval('beta2').default(0.999),
    /** RMSprop's α (square-average decay). */
    rmsAlpha: unitInterval('rmsAlpha').default(0.99),
    eps: z.number().gt(0, 'eps must be > 0').default(1e-8),
    /**
     * Adam's ε: 'standard' = η·m̂/(√v̂ + ε) (PyTorch today); 'lrd_official' = s_t·m/(√v + ε) with
     * s_t = η√(1−β2ᵗ)/(1−β1ᵗ), as the official LRD code (old PyTorch). They differ only in ε's scale.
     */
    adamEps: z.enum(['standard', 'lrd_official']).default('standard'),
    /** RMSprop numerator: 'lrd_official' = raw g (decay only in the denominator), 'clean' = g + λθ. */
    rmspropForm: z.enum(['lrd_official', 'clean']).default('lrd_official'),
    weightDecay: z.number().min(0, 'weightDecay must be >= 0').default(0),
    /** 'coupled' = L2 added to the gradient (PyTorch weight_decay); 'decoupled' = θ −= η·λ·θ (AdamW, SGDW). */
    weightDecayMode: z.enum(['coupled', 'decoupled']).optional(),
  })
  .strict();

export type OptimizerInput = z.input<typeof optimizerSchema>;
export type OptimizerConfig = z.output<typeof optimizerSchema> & { weightDecayMode: 'coupled' | 'decoupled' };

/** Validates an optimizer config (errors name the field) and fills defaults; AdamW decays decoupled. */
export function parseOptimizer(input: unknown = {}, prefix = 'optimizer'): OptimizerConfig {
  const config = parseConfig(optimizerSchema, input, prefix);
  const weightDecayMode = config.weightDecayMode ?? (config.rule === 'adamw' ? 'decoupled' : 'coupled');
  if (config.rule === 'adamw' && weightDecayMode !== 'decoupled') {
    throw new Error(`${prefix}.weightDecayMode: AdamW decays decoupled by definition; use rule "adam" for coupled L2`);
  }
  return { ...config, weightDecayMode };
}

/**
 * Adam's step constants for 1-based step t, computed in float64 on the CPU:
 * standard: c1 = 1/(1−β1ᵗ), c2 = 1/√(1−β2ᵗ); lrd_official: c1 = √(1−β2ᵗ)/(1−β1ᵗ), c2 = 1.
 */
export function adamConstants(config: OptimizerConfig, step: number): { c1: number; c2: number } {
  const bias1 = 1 - config.beta1 ** step;
  const bias2 = 1 - config.beta2 ** step;
  return config.adamEps === 'standard' ? { c1: 1 / bias1, c2: 1 / Math.sqrt(bias2) } : { c1: Math.sqrt(bias2) / bias1, c2: 1 };
}
