/**
 * The teaching demos' Worker: it owns a WebGPU device for the network demos (exp-LR equivalence,
 * LEAP sharpness, AutoDrop on MNIST) and runs the NQM simulation, so the page never blocks. The
 * experiments are the functions of src/demos/ (the ones the tests run); progress comes back through
 * comlink callbacks after every chunk of steps.
 */
import * as Comlink from 'comlink';
import type { ExperimentRunner } from '../../src/experiment/runner';
import { createRunner } from '../../src/experiment/setup';
import { acquireGpu, type GpuContext } from '../../src/gpu/device';
import { autodropMnistConfig, watchAutoDrop, type AutoDropMnistSettings, type AutoDropLog } from '../../src/demos/autodrop-mnist';
import { fixedRateAngles, nqmAutoDrop, type FixedRateCurve, type NqmAutoDropResult } from '../../src/demos/autodrop-nqm';
import { createExplrRunner, explrConfig, explrProbe, type ExplrPoint, type ExplrSettings } from '../../src/demos/explr-equivalence';
import { leapNetworkConfig, leapSharpness, type LeapNetworkSettings, type LeapSharpness } from '../../src/demos/leap-network';
import { trainInChunks } from '../../src/demos/network';
import { loadSiteDataset } from '../site-data';

/** One logged point of one run, as the charts need it. */
export interface DemoRecord {
  run: number;
  step: number;
  trainLoss: number;
  testAccuracy?: number;
  lr: number;
}

export interface NetworkProgress {
  step: number;
  budgetSteps: number;
  labels: string[];
  records: DemoRecord[];
}

let gpu: GpuContext | null = null;
let stopRequested = false;

async function device(): Promise<GpuContext> {
  gpu ??= await acquireGpu(navigator.gpu);
  return gpu;
}

function progressOf(runner: ExperimentRunner, sent: { count: number }): NetworkProgress {
  const fresh = runner.records.slice(sent.count);
  sent.count = runner.records.length;
  return {
    step: runner.step,
    budgetSteps: runner.options.budgetSteps,
    labels: runner.runs.map((r) => r.label),
    records: fresh.map((r) => ({ run: r.run, step: r.step, trainLoss: r.trainLoss, testAccuracy: r.testAccuracy, lr: r.lr })),
  };
}

const api = {
  /** Acquires the device; returns the adapter in one line. */
  async init(): Promise<string> {
    const { vendor, architecture, device: name, description } = (await device()).adapter;
    return [vendor, architecture, name, description].filter(Boolean).join(' / ') || 'unknown adapter';
  },

  /** Stops the running network demo at its next chunk boundary. */
  stop(): void {
    stopRequested = true;
  },

  /** AutoDrop's NQM (float64, no GPU): fixed-rate angle curves and the drop run. */
  nqm(iterations = 20_000): { fixed: FixedRateCurve[]; drop: NqmAutoDropResult } {
    return { fixed: fixedRateAngles({ iterations, block: 100 }), drop: nqmAutoDrop({ iterations: 12_000, block: 50 }) };
  },

  /** The exp-LR equivalence; `onProgress` gets the records and weight probes after every chunk. */
  async explr(settings: ExplrSettings, onProgress: (progress: NetworkProgress, point: ExplrPoint) => void): Promise<void> {
    stopRequested = false;
    const config = explrConfig(settings);
    const data = await loadSiteDataset(config);
    const runner = createExplrRunner(await device(), config, data);
    const { probe } = explrProbe(config, data);
    const sent = { count: 0 };
    try {
      onProgress(progressOf(runner, sent), await probe(runner));
      await trainInChunks(runner, 30, async (r) => onProgress(progressOf(r, sent), await probe(r)), () => stopRequested);
    } finally {
      runner.destroy();
    }
  },

  /** LEAP on a network: training progress, then the sharpness of every solution. */
  async leapNetwork(settings: LeapNetworkSettings, onProgress: (progress: NetworkProgress) => void): Promise<LeapSharpness | null> {
    stopRequested = false;
    const config = leapNetworkConfig(settings);
    const data = await loadSiteDataset(config);
    const runner = createRunner(await device(), config, data);
    const sent = { count: 0 };
    try {
      await trainInChunks(runner, 50, (r) => onProgress(progressOf(r, sent)), () => stopRequested);
      if (!runner.done) return null;
      return await leapSharpness(runner, data, 0.2, 8);
    } finally {
      runner.destroy();
    }
  },

  /** AutoDrop vs step decay on MNIST; returns AutoDrop's window decisions. */
  async autodropMnist(settings: AutoDropMnistSettings, onProgress: (progress: NetworkProgress, log: AutoDropLog) => void): Promise<void> {
    stopRequested = false;
    const config = autodropMnistConfig(settings);
    const data = await loadSiteDataset(config);
    const runner = createRunner(await device(), config, data);
    const { log, stop } = watchAutoDrop(runner);
    const sent = { count: 0 };
    try {
      await trainInChunks(runner, 50, (r) => onProgress(progressOf(r, sent), log), () => stopRequested);
    } finally {
      stop();
      runner.destroy();
    }
  },
};

export type DemoApi = typeof api;

Comlink.expose(api);
