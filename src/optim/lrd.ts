/**
 * Learning Rate Dropout (Lin et al., arXiv 1912.00144; official code HuangxingLin123/Learning-Rate-Dropout):
 * every step each parameter element keeps its learning rate with probability keepProb, else its
 * update is skipped: θ −= η·(M ⊙ u), M_i ~ Bernoulli(keepProb), redrawn every step from the
 * counter-based RNG (src/rng/draws.ts). Optimizer state always sees the full gradient.
 * WGSL: shaders/lr_modifiers.wgsl `lrd_factor`.
 */
import { z } from 'zod';
import { expected, parseConfig } from '../util/validate';

export const lrdSchema = z
  .object({
    keepProb: z.number(expected('keepProb must be in (0, 1]')).gt(0, 'keepProb must be in (0, 1]').max(1, 'keepProb must be in (0, 1]').default(0.5).meta({
      title: 'keep prob',
      description: "Probability that an element KEEPS its learning rate this step (the official code's `dropout`, 0.5 in every official command).",
    }),
    rescale: z.boolean().default(false).meta({ title: 'rescale 1/p', description: 'Multiply kept rates by 1/keepProb (not in the paper).' }),
    maskDecoupledDecay: z
      .boolean()
      .default(true)
      .meta({ title: 'mask decay', description: 'Mask decoupled weight decay too (the third-party RAdam_LRD does not).', projectChoice: true }),
  })
  .strict()
  .meta({
    title: 'LRD',
    description: 'Learning Rate Dropout: each weight keeps its rate with probability keepProb per step; the chart shows the expected rate keepProb·η.',
    examples: [{ keepProb: 0.5 }],
  });

export type LrdConfig = z.output<typeof lrdSchema>;

/** Validates an LRD config; errors name the field (e.g. "lrd.keepProb: keepProb must be in (0, 1]"). */
export function parseLrd(input: unknown = {}, prefix = 'lrd'): LrdConfig {
  return parseConfig(lrdSchema, input, prefix);
}

/** Expected effective rate E[η·M·scale] = η·keepProb (η when rescaled): what the charts plot. */
export function lrdExpectedRate(config: LrdConfig, rate: number): number {
  return config.rescale ? rate : rate * config.keepProb;
}

/** The kept element's factor: 1, or 1/keepProb when rescaling. */
export function lrdKeepScale(config: LrdConfig): number {
  return config.rescale ? 1 / config.keepProb : 1;
}
