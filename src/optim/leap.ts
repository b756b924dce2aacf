/**
 * LEAP, learning-rate perturbation (Liu et al., arXiv 2208.11873). UNCONFIRMED rule (no public
 * code; the spec's reconstruction): η_i = η + σ·z (additive, the project's default) or
 * η·(1 + σ·z) (multiplicative), z ~ N(0,1) per element (default), per tensor or one per run,
 * redrawn every step; optionally clipped at 0. Optimizer state is never perturbed.
 * WGSL: shaders/lr_modifiers.wgsl `leap_rate`.
 */
import { z } from 'zod';
import { expected, parseConfig } from '../util/validate';

export const LEAP_GRANULARITIES = ['element', 'tensor', 'global'] as const;

// Every default is the project's choice: the spec marks LEAP's rule UNCONFIRMED.
export const leapSchema = z
  .object({
    sigma: z.number(expected('sigma must be >= 0')).min(0, 'sigma must be >= 0').default(0.01).meta({
      title: 'σ',
      description: 'Standard deviation of the rate noise: absolute in the additive form, relative in the multiplicative form (0.5·η₀ is typical).',
      unit: 'rate (additive) or × η (multiplicative)',
      projectChoice: true,
    }),
    granularity: z
      .enum(LEAP_GRANULARITIES)
      .default('element')
      .meta({ title: 'granularity', description: 'One draw per element, per tensor, or one per run, every step.', projectChoice: true }),
    form: z
      .enum(['additive', 'multiplicative'])
      .default('additive')
      .meta({ title: 'form', description: 'Additive η + σz or multiplicative η(1 + σz), z ~ N(0, 1).', projectChoice: true }),
    clipNegative: z.boolean().default(false).meta({ title: 'clip < 0', description: 'Clamp negative rates at 0.', projectChoice: true }),
  })
  .strict()
  .meta({
    title: 'LEAP',
    description: "LEAP: Gaussian noise on each element's rate; the chart shows the η ± σ band. Rule reconstructed (UNCONFIRMED).",
    examples: [{ sigma: 0.05 }],
  });

export type LeapConfig = z.output<typeof leapSchema>;

/** Validates a LEAP config; errors name the field. */
export function parseLeap(input: unknown = {}, prefix = 'leap'): LeapConfig {
  return parseConfig(leapSchema, input, prefix);
}

/** The ±1σ band of the per-element rate around η, for the charts: [low, high]. */
export function leapBand(config: LeapConfig, rate: number): [number, number] {
  const spread = config.form === 'additive' ? config.sigma : config.sigma * rate;
  const low = rate - spread;
  return [config.clipNegative ? Math.max(0, low) : low, rate + spread];
}
