/**
 * 2-D toy classification datasets in the manner of TensorFlow Playground's `dataset.ts`.
 *
 * Coordinates: every generator works in Playground units, where the data live in about [-6, 6]²
 * (radius 5 for circles and spirals, ±5.3 for XOR), and the stored features are those divided by
 * TOY_EXTENT = 6, so they lie roughly in [-1, 1] (Gaussian tails and noise may go slightly past).
 * Labels: Playground's +1 is class 1, its -1 is class 0.
 *
 * Class balance and split: row i is drawn for the intended class i mod 2, so with no label noise
 * both classes have ⌊count/2⌋ or ⌈count/2⌉ rows. The first count − testCount rows are the train
 * split and the rest the test split (rows are i.i.d., so this is a random split, stratified to
 * within one row). Circles and XOR, as in Playground, compute the label from the noisy point but
 * store the clean point, so with noise > 0 labels near the boundary flip and balance is only
 * approximate.
 *
 * Randomness: one RandomStream(seed, streamId(toyData, index of the toy name)), drawn in row
 * order, so the same (name, options) always give the same dataset.
 */
import { RandomStream, StreamPurpose, streamId } from '../rng/stream';
import { testCountFor, type Dataset } from './types';

/** Names of the toy datasets, in the order that also keys their random streams. */
export const TOY_NAMES = ['spiral', 'circles', 'xor', 'gaussians', 'moons'] as const;
export type ToyName = (typeof TOY_NAMES)[number];

/** Half-width of the Playground coordinate box; stored features are point / TOY_EXTENT. */
export const TOY_EXTENT = 6;

/** Most rows a toy dataset may have (a guard against tampered URLs and typos). */
export const MAX_TOY_COUNT = 1_000_000;

export interface ToyOptions {
  /** total rows, train + test (integer in [2, MAX_TOY_COUNT]) */
  count: number;
  /** noise level >= 0, with each generator's own meaning (see its doc); Playground uses 0..0.5 */
  noise: number;
  /** integer in [0, 2^32) */
  seed: number;
  /** share of rows in the test split, in (0, 1); testCount = round(count · testFraction) clamped to [1, count − 1] */
  testFraction: number;
}

/** A point in Playground units and its class (0 or 1). */
type ToyPoint = [x: number, y: number, label: number];
type ToyGenerator = (rng: RandomStream, intendedLabel: number, noise: number) => ToyPoint;

const uniform = (rng: RandomStream, low: number, high: number) => low + (high - low) * rng.uniform();

/** Spiral: u ~ U(0,1), r = 5u, t = 1.75·2π·u + (label 1 ? 0 : π), p = (r sin t, r cos t) + U(−1,1)²·noise. */
const spiral: ToyGenerator = (rng, label, noise) => {
  const u = rng.uniform();
  const radius = 5 * u;
  const angle = 1.75 * 2 * Math.PI * u + (label === 1 ? 0 : Math.PI);
  const x = radius * Math.sin(angle) + uniform(rng, -1, 1) * noise;
  const y = radius * Math.cos(angle) + uniform(rng, -1, 1) * noise;
  return [x, y, label];
};

/** Circles: r ~ U(0, 2.5) (class 1) or U(3.5, 5) (class 0), angle ~ U(0, 2π); label = [|p + U(−5,5)²·noise| < 2.5]. */
const circles: ToyGenerator = (rng, intendedLabel, noise) => {
  const radius = intendedLabel === 1 ? uniform(rng, 0, 2.5) : uniform(rng, 3.5, 5);
  const angle = uniform(rng, 0, 2 * Math.PI);
  const x = radius * Math.sin(angle);
  const y = radius * Math.cos(angle);
  const noisyX = x + uniform(rng, -5, 5) * noise;
  const noisyY = y + uniform(rng, -5, 5) * noise;
  return [x, y, Math.hypot(noisyX, noisyY) < 2.5 ? 1 : 0];
};

/** XOR: |x|, |y| ~ 0.3 + U(0, 5), sign(x)·sign(y) = +1 for class 1, −1 for class 0; label = [(x + nx)(y + ny) ≥ 0], n ~ U(−5,5)·noise. */
const xor: ToyGenerator = (rng, intendedLabel, noise) => {
  const signX = rng.uniform() < 0.5 ? -1 : 1;
  const signY = intendedLabel === 1 ? signX : -signX;
  const x = signX * (0.3 + uniform(rng, 0, 5));
  const y = signY * (0.3 + uniform(rng, 0, 5));
  const noisyX = x + uniform(rng, -5, 5) * noise;
  const noisyY = y + uniform(rng, -5, 5) * noise;
  return [x, y, noisyX * noisyY >= 0 ? 1 : 0];
};

/** Gaussians: p ~ N(±(2, 2), σ² I) (+ for class 1), σ² = 0.5 + 7·noise (Playground's [0, 0.5] → [0.5, 4]). */
const gaussians: ToyGenerator = (rng, label, noise) => {
  const sigma = Math.sqrt(0.5 + 7 * noise);
  const center = label === 1 ? 2 : -2;
  return [center + sigma * rng.normal(), center + sigma * rng.normal(), label];
};

/** Moons (scikit-learn's): t ~ U(0, π), class 0 (cos t, sin t), class 1 (1 − cos t, ½ − sin t); p = 3·(m − (½, ¼) + N(0, noise²)²). */
const moons: ToyGenerator = (rng, label, noise) => {
  const t = uniform(rng, 0, Math.PI);
  const moonX = label === 0 ? Math.cos(t) : 1 - Math.cos(t);
  const moonY = label === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
  const x = 3 * (moonX - 0.5 + noise * rng.normal());
  const y = 3 * (moonY - 0.25 + noise * rng.normal());
  return [x, y, label];
};

const GENERATORS: Record<ToyName, ToyGenerator> = { spiral, circles, xor, gaussians, moons };

/** True if `name` is one of TOY_NAMES. */
export function isToyName(name: string): name is ToyName {
  return (TOY_NAMES as readonly string[]).includes(name);
}

/** Checks toy options and throws an Error naming the first wrong field. */
export function validateToyOptions(options: ToyOptions): void {
  const { count, noise, seed, testFraction } = options;
  if (!Number.isInteger(count) || count < 2 || count > MAX_TOY_COUNT) {
    throw new Error(`count must be an integer in [2, ${MAX_TOY_COUNT}], got ${count}`);
  }
  if (typeof noise !== 'number' || !Number.isFinite(noise) || noise < 0) {
    throw new Error(`noise must be a finite number >= 0, got ${noise}`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`seed must be an integer in [0, 2^32), got ${seed}`);
  }
  if (typeof testFraction !== 'number' || !(testFraction > 0 && testFraction < 1)) {
    throw new Error(`testFraction must be a number with 0 < testFraction < 1, got ${testFraction}`);
  }
}

/**
 * Generates toy dataset `name` (inputShape [2], 2 classes, f32 features ≈ in [-1, 1], scale 1,
 * shift 0) deterministically from options.seed; see the module comment for the split.
 */
export function generateToy(name: ToyName, options: ToyOptions): Dataset {
  if (!isToyName(name)) {
    throw new Error(`toy name must be one of ${TOY_NAMES.join(', ')}; got ${JSON.stringify(name)}`);
  }
  validateToyOptions(options);
  const { count, noise, seed, testFraction } = options;
  const rng = new RandomStream(seed, streamId(StreamPurpose.toyData, TOY_NAMES.indexOf(name)));
  const generate = GENERATORS[name];
  const x = new Float32Array(2 * count);
  const y = new Uint32Array(count);
  for (let row = 0; row < count; row++) {
    const [px, py, label] = generate(rng, row % 2, noise);
    x[2 * row] = px / TOY_EXTENT;
    x[2 * row + 1] = py / TOY_EXTENT;
    y[row] = label;
  }
  const trainCount = count - testCountFor(count, testFraction);
  return {
    name,
    inputShape: [2],
    numClasses: 2,
    scale: 1,
    shift: 0,
    classNames: ['0', '1'],
    train: { count: trainCount, x: x.slice(0, 2 * trainCount), y: y.slice(0, trainCount) },
    test: { count: count - trainCount, x: x.slice(2 * trainCount), y: y.slice(trainCount) },
  };
}
