/**
 * Minibatch order. Every epoch visits the training rows in a fresh seeded permutation; a step
 * takes the next batchSize rows of it, and the last partial batch of an epoch is dropped, so
 * every step has exactly batchSize rows and an epoch has ⌊count / batchSize⌋ steps.
 */
import { RandomStream, StreamPurpose, streamId } from '../rng/stream';

const TWO_POW_32 = 4294967296;

/** Uniform integer in [0, n) from one u32: ⌊u · n / 2³²⌋ (exact for n <= 2²¹, bias < n / 2³²). */
function below(rng: RandomStream, n: number): number {
  return Math.floor((rng.uint32() * n) / TWO_POW_32);
}

/**
 * Shuffles `values` in place with Fisher–Yates (for i = n−1 … 1: swap i with j ~ U{0..i}),
 * drawing j from `rng`; returns `values`.
 */
export function shuffleInPlace<T extends { length: number; [index: number]: number }>(values: T, rng: RandomStream): T {
  for (let i = values.length - 1; i > 0; i--) {
    const j = below(rng, i + 1);
    const swap = values[i];
    values[i] = values[j];
    values[j] = swap;
  }
  return values;
}

function checkInteger(name: string, value: number, min: number, max = 0xffffffff): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

/** Random stream id of the data order for (replicate, epoch): streamId(dataOrder, replicate, epoch). */
export function dataOrderStreamId(replicate: number, epoch: number): number {
  return streamId(StreamPurpose.dataOrder, replicate, epoch);
}

/**
 * The row order of one epoch: a permutation of 0..count−1, Fisher–Yates shuffled by
 * RandomStream(seed, dataOrderStreamId(replicate, epoch)). The same inputs always give the same
 * order; other replicates or epochs give independent ones.
 */
export function epochPermutation(count: number, seed: number, replicate: number, epoch: number): Uint32Array {
  checkInteger('count', count, 0);
  checkInteger('seed', seed, 0);
  checkInteger('replicate', replicate, 0);
  checkInteger('epoch', epoch, 0);
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  return shuffleInPlace(order, new RandomStream(seed, dataOrderStreamId(replicate, epoch)));
}

/**
 * Steps in one epoch: ⌊count / batchSize⌋ (the last partial batch is dropped). Throws if
 * batchSize is not a positive integer or exceeds count (an epoch would have no step).
 */
export function stepsPerEpoch(count: number, batchSize: number): number {
  checkInteger('count', count, 0);
  checkInteger('batchSize', batchSize, 1);
  if (batchSize > count) {
    throw new Error(`batchSize (${batchSize}) must not exceed the number of training rows (${count})`);
  }
  return Math.floor(count / batchSize);
}

/** The rows of step `stepInEpoch` of an epoch: permutation[s·batchSize, (s+1)·batchSize) (a view). */
export function batchRows(permutation: Uint32Array, stepInEpoch: number, batchSize: number): Uint32Array {
  const steps = stepsPerEpoch(permutation.length, batchSize);
  checkInteger('stepInEpoch', stepInEpoch, 0, steps - 1);
  return permutation.subarray(stepInEpoch * batchSize, (stepInEpoch + 1) * batchSize);
}
