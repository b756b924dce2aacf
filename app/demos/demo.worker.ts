/**
 * The teaching demos' Worker: it owns a WebGPU device for the network demos (exp-LR equivalence,
 * LEAP sharpness, AutoDrop on MNIST) and runs the NQM simulation, so the page never blocks. The
 * experiments are the functions of src/demos/ (the ones the tests run), trained in a TrainingSession
 * like the playground's; progress comes back through comlink callbacks after every chunk of steps.
 */
import * as Comlink from 'comlink';
import type { ExperimentRunner } from '../../src/experiment/runner';
import type { ExperimentConfig } from '../../src/experiment/config';
import { TrainingSession } from '../../src/experiment/session';
import { acquireGpu, type GpuContext } from '../../src/gpu/device';
import { autodropMnistConfig, watchAutoDrop, type AutoDropMnistSettings, type AutoDropLog } from '../../src/demos/autodrop-mnist';
import { fixedRateAngles, nqmAutoDrop, type FixedRateCurve, type NqmAutoDropResult } from '../../src/demos/autodrop-nqm';
import { explrConfig, explrEngineConfig, explrProbe, type ExplrPoint, type ExplrSettings } from '../../src/demos/explr-equivalence';
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

/** A training session with `config` loaded on the demo's device (the same engine path as the playground). */
async function sessionFor(config: ExperimentConfig): Promise<TrainingSession> {
  const session = new TrainingSession(await device(), { loadDataset: (c) => loadSiteDataset(c) });
  await session.load(config);
  return session;
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
    const session = await sessionFor(explrEngineConfig(config));
    const { probe } = explrProbe(config, session.singleRunner.dataset);
    const sent = { count: 0 };
    try {
      onProgress(progressOf(session.singleRunner, sent), await probe(session.singleRunner));
      await trainInChunks(session, 30, async (r) => onProgress(progressOf(r, sent), await probe(r)), () => stopRequested);
    } finally {
      await session.close();
    }
  },

  /** LEAP on a network: training progress, then the sharpness of every solution. */
  async leapNetwork(settings: LeapNetworkSettings, onProgress: (progress: NetworkProgress) => void): Promise<LeapSharpness | null> {
    stopRequested = false;
    const session = await sessionFor(leapNetworkConfig(settings));
    const sent = { count: 0 };
    try {
      await trainInChunks(session, 50, (r) => onProgress(progressOf(r, sent)), () => stopRequested);
      if (!session.state.done) return null;
      return await leapSharpness(session.singleRunner, session.singleRunner.dataset, 0.2, 8);
    } finally {
      await session.close();
    }
  },

  /** AutoDrop vs step decay on MNIST; returns AutoDrop's window decisions. */
  async autodropMnist(settings: AutoDropMnistSettings, onProgress: (progress: NetworkProgress, log: AutoDropLog) => void): Promise<void> {
    stopRequested = false;
    const session = await sessionFor(autodropMnistConfig(settings));
    const { log, stop } = watchAutoDrop(session.singleRunner);
    const sent = { count: 0 };
    try {
      await trainInChunks(session, 50, (r) => onProgress(progressOf(r, sent), log), () => stopRequested);
    } finally {
      stop();
      await session.close();
    }
  },
};

export type DemoApi = typeof api;

Comlink.expose(api);
