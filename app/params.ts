/**
 * The runs table's catalogue of editable parameters: per LR method (and the optimizer and the
 * schedule), each field with its unit, range and a short explanation, and whether its default is
 * the project's own choice (methods.md marks LEAP's and RALR's rules UNCONFIRMED; some AutoDrop and
 * LRD defaults are ours). Tooltips use the schema's `.describe()` text when it has one.
 */
import { z } from 'zod';
import { autodropSchema } from '../src/optim/autodrop';
import { expLrSchema } from '../src/optim/explr';
import { LEAP_PROJECT_CHOICES, leapSchema } from '../src/optim/leap';
import { lrdSchema } from '../src/optim/lrd';
import { OPTIMIZER_RULES, optimizerSchema } from '../src/optim/optimizer';
import { RALR_DEFAULTS, ralrSchema } from '../src/optim/ralr';
import { SCHEDULE_KINDS } from '../src/optim/schedules';

export type FieldKind = 'number' | 'boolean' | 'enum' | 'list';

export interface ParamField {
  key: string;
  label: string;
  kind: FieldKind;
  options?: readonly string[];
  unit?: string;
  range?: string;
  help: string;
  /** The default is the project's choice (the spec could not confirm it). */
  projectChoice?: boolean;
}

export type MethodKey = 'lrd' | 'leap' | 'ralr' | 'autodrop' | 'expLr';

export interface MethodInfo {
  key: MethodKey;
  name: string;
  summary: string;
  schema: z.ZodType;
  fields: ParamField[];
  /** What switching it on starts from. */
  initial: Record<string, unknown>;
}

const leapChoice = (key: string) => (LEAP_PROJECT_CHOICES as readonly string[]).includes(key);

export const METHODS: MethodInfo[] = [
  {
    key: 'lrd',
    name: 'LRD',
    summary: 'Learning Rate Dropout: each weight keeps its rate with probability keepProb per step; the chart shows the expected rate keepProb·η.',
    schema: lrdSchema,
    initial: { keepProb: 0.5 },
    fields: [
      { key: 'keepProb', label: 'keep prob', kind: 'number', range: '(0, 1]', help: 'Probability that an element keeps its learning rate this step (0.5 in the official code).' },
      { key: 'rescale', label: 'rescale 1/p', kind: 'boolean', help: 'Multiply kept rates by 1/keepProb (not in the paper).' },
      { key: 'maskDecoupledDecay', label: 'mask decay', kind: 'boolean', help: 'Mask decoupled weight decay too.', projectChoice: true },
    ],
  },
  {
    key: 'leap',
    name: 'LEAP',
    summary: 'LEAP: Gaussian noise on each element\'s rate; the chart shows the η ± σ band. Rule reconstructed (UNCONFIRMED).',
    schema: leapSchema,
    initial: { sigma: 0.05 },
    fields: [
      { key: 'sigma', label: 'σ', kind: 'number', unit: 'rate (additive) or × η (multiplicative)', range: '≥ 0', help: 'Standard deviation of the rate noise.', projectChoice: leapChoice('sigma') },
      { key: 'granularity', label: 'granularity', kind: 'enum', options: ['element', 'tensor', 'global'], help: 'One draw per element, per tensor, or one per run.', projectChoice: leapChoice('granularity') },
      { key: 'form', label: 'form', kind: 'enum', options: ['additive', 'multiplicative'], help: 'η + σz or η(1 + σz).', projectChoice: leapChoice('form') },
      { key: 'clipNegative', label: 'clip < 0', kind: 'boolean', help: 'Clamp negative rates at 0.', projectChoice: leapChoice('clipNegative') },
    ],
  },
  {
    key: 'ralr',
    name: 'RALR',
    summary: 'RALR: now and then the global rate is amplified by a random factor (the spikes). Rule reconstructed (UNCONFIRMED).',
    schema: ralrSchema,
    initial: { amplifyProb: 0.1, factorLow: 1, factorHigh: 3 },
    fields: [
      { key: 'amplifyProb', label: 'p amplify', kind: 'number', range: '[0, 1]', help: 'Probability that a resampling period is amplified.', projectChoice: RALR_DEFAULTS.projectChoice },
      { key: 'factorLow', label: 'factor low', kind: 'number', unit: '× η', range: '≥ 1', help: 'Smallest amplification factor.', projectChoice: true },
      { key: 'factorHigh', label: 'factor high', kind: 'number', unit: '× η', range: '≥ factor low', help: 'Largest amplification factor.', projectChoice: true },
      { key: 'resample', label: 'resample', kind: 'enum', options: ['epoch', 'step'], help: 'Draw once per epoch or every step.', projectChoice: true },
      { key: 'capAtInitialRate', label: 'cap at η₀', kind: 'boolean', help: 'Never exceed the initial rate.', projectChoice: true },
    ],
  },
  {
    key: 'autodrop',
    name: 'AutoDrop',
    summary: 'AutoDrop: drops the rate by ρ when the angular velocity of the weights saturates (the staircase).',
    schema: autodropSchema,
    initial: { window: 5 },
    fields: [
      { key: 'window', label: 'window k', kind: 'number', unit: 'steps', range: 'integer ≥ 1', help: 'Steps per window (the mean weights of k steps).' },
      { key: 'buffer', label: 'buffer m', kind: 'number', unit: 'windows', range: 'integer ≥ 1', help: 'Angles in the smoothing buffer.' },
      { key: 'rho', label: 'ρ', kind: 'number', unit: '× rate', range: '(0, 1)', help: 'Rate factor at each drop.' },
      { key: 'threshold', label: 'threshold', kind: 'number', unit: 'degrees', range: '≥ 0', help: 'Drop when the smoothed angle changes by less than this.' },
      { key: 'lrMin', label: 'rate floor', kind: 'number', range: '≥ 0', help: 'Never drop below this rate.', projectChoice: true },
      { key: 'delay', label: 'delay', kind: 'number', unit: 'steps', range: 'integer ≥ 1', help: 'Steps between a window end and its drop taking effect.', projectChoice: true },
    ],
  },
  {
    key: 'expLr',
    name: 'Exp LR',
    summary: 'Exponential LR (Li & Arora): no weight decay, an exponentially growing rate instead; needs SGD or momentum with weight decay 0.',
    schema: expLrSchema,
    initial: { form: 'exact', weightDecay: 5e-4 },
    fields: [
      { key: 'form', label: 'form', kind: 'enum', options: ['exact', 'texp'], help: 'The exact recurrence, or TEXP (step-decay schedules).' },
      { key: 'weightDecay', label: 'λ reproduced', kind: 'number', range: '≥ 0', help: 'Weight decay of the run this one reproduces.' },
      { key: 'renormMaxRate', label: 'renorm at', kind: 'number', range: '> 0', help: 'Renormalize when the engine rate would exceed this.' },
    ],
  },
];

export const OPTIMIZER_FIELDS: ParamField[] = [
  { key: 'rule', label: 'optimizer', kind: 'enum', options: OPTIMIZER_RULES, help: 'Base update rule.' },
  { key: 'momentum', label: 'momentum', kind: 'number', range: '[0, 1)', help: 'γ of momentum / Nesterov.' },
  { key: 'weightDecay', label: 'weight decay', kind: 'number', range: '≥ 0', help: 'λ (coupled L2, or decoupled for AdamW).' },
];

/** Schedule fields shown per kind (the rate is `maxLr` for onecycle, `lr` otherwise). */
export const SCHEDULE_FIELDS: Record<string, ParamField[]> = {
  common: [{ key: 'kind', label: 'schedule', kind: 'enum', options: SCHEDULE_KINDS, help: 'Base learning-rate schedule (PyTorch semantics).' }],
  constant: [{ key: 'lr', label: 'rate η', kind: 'number', range: '> 0', help: 'Learning rate.' }],
  step: [
    { key: 'lr', label: 'rate η', kind: 'number', range: '> 0', help: 'Initial learning rate.' },
    { key: 'stepSize', label: 'step size', kind: 'number', unit: 'steps', range: 'integer ≥ 1', help: 'Multiply by γ every stepSize.' },
    { key: 'gamma', label: 'γ', kind: 'number', range: '(0, 1]', help: 'Decay factor.' },
  ],
  multistep: [
    { key: 'lr', label: 'rate η', kind: 'number', range: '> 0', help: 'Initial learning rate.' },
    { key: 'milestones', label: 'milestones', kind: 'list', unit: 'steps', range: 'increasing integers', help: 'Steps where the rate is multiplied by γ (comma separated).' },
    { key: 'gamma', label: 'γ', kind: 'number', range: '(0, 1]', help: 'Decay factor.' },
  ],
  exponential: [
    { key: 'lr', label: 'rate η', kind: 'number', range: '> 0', help: 'Initial learning rate.' },
    { key: 'gamma', label: 'γ', kind: 'number', range: '(0, 1]', help: 'Factor per step.' },
  ],
  cosine: [
    { key: 'lr', label: 'rate η', kind: 'number', range: '> 0', help: 'Initial learning rate.' },
    { key: 'length', label: 'length', kind: 'number', unit: 'steps', range: 'integer ≥ 1', help: 'Steps of one cosine half-period.' },
    { key: 'minLr', label: 'min rate', kind: 'number', range: '[0, η]', help: 'Rate at the end of the cosine.' },
  ],
  onecycle: [
    { key: 'maxLr', label: 'max rate', kind: 'number', range: '> 0', help: 'Peak learning rate.' },
    { key: 'totalSteps', label: 'total', kind: 'number', unit: 'steps', range: 'integer ≥ 2', help: 'Length of the cycle.' },
  ],
};

/** A schedule of `kind` carrying over the rate of `old` (defaults for the other fields). */
export function scheduleOfKind(kind: string, old: Record<string, unknown>, budgetSteps: number): Record<string, unknown> {
  const lr = typeof old.lr === 'number' ? old.lr : typeof old.maxLr === 'number' ? old.maxLr : 0.1;
  const third = Math.max(1, Math.round(budgetSteps / 3));
  switch (kind) {
    case 'step':
      return { kind, lr, stepSize: third, gamma: 0.1 };
    case 'multistep':
      return { kind, lr, milestones: [third, 2 * third], gamma: 0.1 };
    case 'exponential':
      return { kind, lr, gamma: 0.995 };
    case 'cosine':
      return { kind, lr, length: Math.max(1, budgetSteps) };
    case 'onecycle':
      return { kind, maxLr: lr, totalSteps: Math.max(2, budgetSteps) };
    default:
      return { kind: 'constant', lr };
  }
}

/** The tooltip of a field: its schema description when there is one, else the catalogue's help, plus range, unit and "project's choice". */
export function tooltipOf(schema: z.ZodType | undefined, field: ParamField): string {
  const shape = (schema as unknown as { shape?: Record<string, z.ZodType> })?.shape;
  const described = shape?.[field.key]?.description;
  const parts = [described ?? field.help];
  if (field.range) parts.push(`Range: ${field.range}.`);
  if (field.unit) parts.push(`Unit: ${field.unit}.`);
  if (field.projectChoice) parts.push("Default: the project's choice (the spec marks it UNCONFIRMED).");
  return parts.join(' ');
}

export { optimizerSchema };
