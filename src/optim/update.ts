/**
 * The fused update over the stacked parameter buffer (shaders/update.wgsl): one dispatch for
 * every tensor of every run. Per-run scalars (learning rate, …) are the only thing the CPU writes
 * per step.
 */
import updateWgsl from '../../shaders/update.wgsl?raw';
import commonWgsl from '../../shaders/common.wgsl?raw';
import { createStorage, upload } from '../gpu/buffers';
import { makeDispatch, type Dispatch } from '../gpu/commands';
import { composeWgsl } from '../gpu/pipelines';
import type { GpuNetwork } from '../nn/network';
import { SEGMENT_ALIGN } from '../nn/params';

/** Floats of per-run scalars in run_scalars (room for the optimizer hyperparameters). */
export const SCALARS_PER_RUN = 8;

export interface FusedUpdate {
  dispatch: Dispatch;
  /** Writes η per run for the next step. */
  setLearningRates(rates: ArrayLike<number>): void;
  destroy(): void;
}

/** Plain SGD, θ ← θ − η_run·g, for all trainable tensors of all runs of `network`. */
export function buildSgdUpdate(network: GpuNetwork): FusedUpdate {
  const { gpu, layout, model, runs } = network;
  const device = gpu.device;
  const chunks = layout.total / SEGMENT_ALIGN;
  const chunkTable = createStorage(device, 'update.chunks', layout.chunkTable);
  const flags = createStorage(device, 'update.flags', new Uint32Array(model.tensors.map((t) => (t.trainable ? 1 : 0)).concat([0])));
  const runScalars = createStorage(device, 'update.scalars', new Float32Array(runs * SCALARS_PER_RUN));
  const dims = network.createUniform('update', [chunks, runs, SCALARS_PER_RUN, 0]);
  const x = Math.min(chunks, 65535);
  const dispatch = makeDispatch(
    gpu,
    { name: 'update.sgd', source: composeWgsl(commonWgsl, updateWgsl), entryPoint: 'sgd' },
    [dims, chunkTable, flags, runScalars, network.grads, network.params],
    [x, Math.ceil(chunks / x)],
  );
  const scalars = new Float32Array(runs * SCALARS_PER_RUN);
  return {
    dispatch,
    setLearningRates(rates) {
      if (rates.length !== runs) throw new Error(`learning rates: got ${rates.length} values for ${runs} runs`);
      for (let run = 0; run < runs; run++) {
        const rate = rates[run];
        if (!Number.isFinite(rate)) throw new Error(`learning rate of run ${run} must be finite, got ${rate}`);
        scalars[run * SCALARS_PER_RUN] = rate;
      }
      upload(device, runScalars, scalars);
    },
    destroy() {
      chunkTable.destroy();
      flags.destroy();
      runScalars.destroy();
    },
  };
}
