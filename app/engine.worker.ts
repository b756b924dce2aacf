/**
 * The engine's home in the browser: a Web Worker that owns the GPU device and trains, so the page
 * never blocks. The page calls it through comlink (typed RPC over postMessage).
 */
import * as Comlink from 'comlink';
import { generateToy } from '../src/data/toys';
import { acquireGpu, type GpuContext } from '../src/gpu/device';
import { mlp } from '../src/nn/models';
import { resolveModel } from '../src/nn/spec';
import { Trainer } from '../src/nn/trainer';

export interface DemoPoint {
  step: number;
  loss: number;
  accuracy: number;
}

export interface DemoProgress {
  points: DemoPoint[];
  step: number;
  total: number;
}

let gpu: GpuContext | undefined;

const api = {
  /** Acquires the worker's WebGPU device; returns the adapter as one line (throws with what to enable). */
  async init(): Promise<string> {
    gpu ??= await acquireGpu(navigator.gpu);
    const { vendor, architecture, device, description } = gpu.adapter;
    return [vendor, architecture, device, description].filter(Boolean).join(' / ') || 'unknown adapter';
  },

  /**
   * Trains a 2-32-32-2 ReLU MLP on the two-moons toy with plain SGD for `steps` steps, reporting every
   * `every` steps through `onProgress` (a comlink proxy).
   */
  async trainToy(steps: number, every: number, onProgress: (progress: DemoProgress) => void): Promise<DemoPoint[]> {
    if (!gpu) throw new Error('call init() first');
    const dataset = generateToy('moons', { count: 400, noise: 0.1, seed: 1, testFraction: 0.2 });
    const model = resolveModel(mlp({ inputSize: 2, hidden: [32, 32], outputs: 2, activation: 'relu' }));
    const trainer = new Trainer(gpu, model, dataset, { batch: 32, seed: 1, replicates: [0], readEvery: every });
    const points: DemoPoint[] = [];
    trainer.onMetrics((records) => {
      const fresh = records.map((m) => ({ step: m.step, loss: m.loss, accuracy: m.accuracy }));
      points.push(...fresh);
      onProgress({ points: fresh, step: fresh[fresh.length - 1]?.step ?? 0, total: steps });
    });
    try {
      await trainer.train(steps, () => [0.3]);
      await trainer.flush();
    } finally {
      trainer.destroy();
    }
    return points;
  },
};

export type EngineApi = typeof api;

Comlink.expose(api);
