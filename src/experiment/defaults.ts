/**
 * The playground's opening comparison: every method side by side on a 2-D spiral with a small MLP.
 * All runs share the base optimizer (SGD with momentum 0.9 and coupled weight decay 5e-4) and the
 * constant base rate of the spiral's starting point (0.1; model and batch from it too:
 * ./starting-points.ts), so each differs from the baseline only in its method. The exp-LR run
 * trains without weight decay and grows its rate instead (Li & Arora); it reproduces the baseline
 * exactly only on a scale-invariant model (public/examples/exp-lr.json), here approximately.
 */
import { parseExperiment, RUN_COLORS, type ExperimentConfig, type ExperimentInput } from './config';
import { STARTING_POINTS } from './starting-points';

const SPIRAL = STARTING_POINTS.spiral;
const RATE = SPIRAL.rate;
const WEIGHT_DECAY = 5e-4;
const optimizer = { rule: 'momentum', momentum: 0.9, weightDecay: WEIGHT_DECAY } as const;
const schedule = { kind: 'constant', lr: RATE } as const;

/** The opening experiment as written (defaults not yet filled). */
export function defaultExperimentInput(): ExperimentInput {
  return {
    version: 1,
    name: 'All methods on a spiral',
    description:
      'Baseline SGD with momentum against LRD, LEAP, RALR, AutoDrop and exponential LR; identical init, data and batches.',
    seed: 1,
    replicates: 1,
    dataset: { kind: 'toy', name: 'spiral', count: 600, noise: 0.1, testFraction: 0.2 },
    model: structuredClone(SPIRAL.model) as ExperimentInput['model'],
    batch: SPIRAL.batch,
    budget: { unit: 'steps', amount: 600 },
    evalEvery: 30,
    logEvery: 10,
    runs: [
      { label: 'Baseline', color: RUN_COLORS[0], optimizer, schedule },
      { label: 'LRD', color: RUN_COLORS[1], optimizer, schedule, lrd: { keepProb: 0.5 } },
      { label: 'LEAP', color: RUN_COLORS[2], optimizer, schedule, leap: { sigma: RATE / 2 } },
      { label: 'RALR', color: RUN_COLORS[3], optimizer, schedule, ralr: { amplifyProb: 0.1, factorLow: 1, factorHigh: 3 } },
      // k = 5 steps per window (a third of an epoch here) so that drops happen within the budget.
      { label: 'AutoDrop', color: RUN_COLORS[4], optimizer, schedule, autodrop: { window: 5 } },
      {
        label: 'Exponential LR',
        color: RUN_COLORS[5],
        optimizer: { ...optimizer, weightDecay: 0 },
        schedule,
        expLr: { form: 'exact', weightDecay: WEIGHT_DECAY },
      },
    ],
  };
}

/** The opening experiment, validated, with every default filled. */
export function defaultExperiment(): ExperimentConfig {
  return parseExperiment(defaultExperimentInput());
}
