/**
 * Initial parameters of a model's stacked runs (the stacked layout itself: ../gpu/param-layout.ts):
 * He/Glorot-uniform draws from Philox, the same for every run of one replicate.
 */
import type { ParamLayout } from '../gpu/param-layout';
import { RandomStream, StreamPurpose, streamId } from '../rng/stream';
import type { ParamTensor, ResolvedModel } from './spec';

/**
 * Initial values of one tensor for one replicate: He-uniform U(±√(6/fanIn)), Glorot-uniform
 * U(±√(6/(fanIn+fanOut))), zeros or ones, drawn from Philox keyed by (seed, init, replicate, t).
 */
export function initTensor(tensor: ParamTensor, tensorIndex: number, seed: number, replicate: number): Float64Array {
  const values = new Float64Array(tensor.size);
  if (tensor.init === 'zeros') return values;
  if (tensor.init === 'ones') return values.fill(1);
  const limit =
    tensor.init === 'he_uniform' ? Math.sqrt(6 / tensor.fanIn) : Math.sqrt(6 / (tensor.fanIn + tensor.fanOut));
  const stream = new RandomStream(seed, streamId(StreamPurpose.init, replicate, tensorIndex));
  for (let i = 0; i < values.length; i++) values[i] = (2 * stream.uniform() - 1) * limit;
  return values;
}

/**
 * Stacked initial parameters for all runs: run r gets replicate `replicates[r]`'s values (runs
 * of one replicate share their init: a controlled comparison).
 */
export function initParams(model: ResolvedModel, layout: ParamLayout, seed: number, replicates: readonly number[]): Float32Array {
  if (replicates.length !== layout.runs) throw new Error(`replicates has ${replicates.length} entries for ${layout.runs} runs`);
  const stacked = new Float32Array(layout.total);
  const cache = new Map<string, Float64Array>();
  model.tensors.forEach((tensor, t) => {
    const slot = layout.slots[t];
    replicates.forEach((replicate, run) => {
      const key = `${t}:${replicate}`;
      let values = cache.get(key);
      if (!values) {
        values = initTensor(tensor, t, seed, replicate);
        cache.set(key, values);
      }
      stacked.set(values, slot.offset + run * slot.runStride);
    });
  });
  return stacked;
}
