/**
 * Optimizer rules of the fused update (shaders/update.wgsl): SGD, SGD with momentum (PyTorch
 * convention: the buffer starts at the first gradient; dampening), Nesterov, Adam (standard form
 * or the official LRD code's ε placement), AdamW (Adam with decoupled decay) and RMSprop
 * (the LRD code's form or the clean form). Hyperparameters are per run.
 */
import { z } from 'zod';
import { expected, parseConfig } from '../util/validate';

export const OPTIMIZER_RULES = ['sgd', 'momentum', 'nesterov', 'adam', 'adamw', 'rmsprop'] as const;
export type OptimizerRule = (typeof OPTIMIZER_RULES)[number];

/** Rule codes shared with shaders/update.wgsl (AdamW is Adam with decoupled decay). */
export const RULE_CODE: Record<OptimizerRule, number> = { sgd: 0, momentum: 1, nesterov: 2, adam: 3, adamw: 3, rmsprop: 4 };

const unitInterval = (what: string) => z.number(expected(`${what} must be in [0, 1)`)).min(0, `${what} must be in [0, 1)`).lt(1, `${what} must be in [0, 1)`);
const WITH_MOMENTUM = { rule: ['momentum', 'nesterov'] } as const;
const ADAM = { rule: ['adam', 'adamw'] } as const;
const RMSPROP = { rule: ['rmsprop'] } as const;

export const optimizerSchema = z
  .object({
    rule: z.enum(OPTIMIZER_RULES).default('sgd').meta({ title: 'optimizer', description: 'Base update rule.' }),
    momentum: unitInterval('momentum')
      .default(0.9)
      .meta({ title: 'momentum', description: 'γ of momentum / Nesterov (PyTorch convention: the buffer starts at the first gradient).', when: WITH_MOMENTUM }),
    dampening: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .meta({ title: 'dampening', description: 'τ: the momentum buffer adds (1 − τ)·d after its first step.', when: WITH_MOMENTUM }),
    beta1: unitInterval('beta1').default(0.9).meta({ title: 'β1', description: "Decay of Adam's first moment.", when: ADAM }),
    beta2: unitInterval('beta2').default(0.999).meta({ title: 'β2', description: "Decay of Adam's second moment.", when: ADAM }),
    rmsAlpha: unitInterval('rmsAlpha').default(0.99).meta({ title: 'RMS α', description: "RMSprop's square-average decay.", when: RMSPROP }),
    eps: z
      .number()
      .gt(0, 'eps must be > 0')
      .default(1e-8)
      .meta({ title: 'ε', description: 'Added to the root of the second moment (Adam, RMSprop).', when: { rule: [...ADAM.rule, ...RMSPROP.rule] } }),
    adamEps: z.enum(['standard', 'lrd_official']).default('standard').meta({
      title: 'Adam ε form',
      description:
        "Where Adam's ε sits: 'standard' = η·m̂/(√v̂ + ε) (PyTorch today); 'lrd_official' = s_t·m/(√v + ε) with s_t = η√(1−β2ᵗ)/(1−β1ᵗ), as the official LRD code (old PyTorch). They differ only in ε's scale.",
      when: ADAM,
    }),
    rmspropForm: z.enum(['lrd_official', 'clean']).default('lrd_official').meta({
      title: 'RMSprop form',
      description: "RMSprop's numerator: 'lrd_official' = the raw gradient (decay only in the denominator, as the LRD code), 'clean' = g + λθ.",
      when: RMSPROP,
    }),
    weightDecay: z.number(expected('weightDecay must be >= 0')).min(0, 'weightDecay must be >= 0').default(0).meta({ title: 'weight decay', description: 'λ: coupled L2 added to the gradient, or decoupled decay (see decay mode).' }),
    weightDecayMode: z.enum(['coupled', 'decoupled']).optional().meta({
      title: 'decay mode',
      description: "'coupled' = L2 added to the gradient (PyTorch weight_decay); 'decoupled' = θ −= η·λ·θ (AdamW, SGDW). Default: decoupled for AdamW, coupled for every other rule.",
    }),
  })
  .strict();

export type OptimizerInput = z.input<typeof optimizerSchema>;
export type OptimizerConfig = z.output<typeof optimizerSchema> & { weightDecayMode: 'coupled' | 'decoupled' };

/** The decay mode of a rule whose config names none: AdamW decays decoupled by definition, every other rule coupled. */
export const defaultWeightDecayMode = (rule: OptimizerRule): OptimizerConfig['weightDecayMode'] => (rule === 'adamw' ? 'decoupled' : 'coupled');

/** optimizerSchema with weightDecayMode checked (AdamW cannot couple) and resolved: what a run trains with. */
export const resolvedOptimizerSchema = optimizerSchema
  .superRefine((o, ctx) => {
    if (o.rule === 'adamw' && o.weightDecayMode === 'coupled') {
      ctx.addIssue({ code: 'custom', path: ['weightDecayMode'], message: 'AdamW decays decoupled by definition; use rule "adam" for coupled L2' });
    }
  })
  .transform((o): OptimizerConfig => ({ ...o, weightDecayMode: o.weightDecayMode ?? defaultWeightDecayMode(o.rule) }));

/** Validates an optimizer config (errors name the field) and fills defaults; AdamW decays decoupled. */
export function parseOptimizer(input: unknown = {}, prefix = 'optimizer'): OptimizerConfig {
  return parseConfig(resolvedOptimizerSchema, input, prefix);
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
