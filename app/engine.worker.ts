/**
 * The engine's home in the browser: a Web Worker that owns the GPU device and the experiment
 * runner, so the page never blocks. The page calls `EngineApi` through comlink and receives what
 * happens as batched `EventBatch`es (at most one post per FLUSH_MS while training).
 *
 * Concurrency: one training loop at a time (start/resume). Calls that need a quiet GPU (step,
 * reset, load, addRun, removeRun) pause the loop first; updateRun does not: it is applied at the
 * next block boundary (logEvery) with training going on. A failure never drops the runner, so the
 * metrics already collected stay exportable.
 */
import * as Comlink from 'comlink';
import type { Dataset } from '../src/data/types';
import { parseExperiment, type ExperimentConfig } from '../src/experiment/config';
import { toCsv } from '../src/experiment/export';
import { expandRuns } from '../src/experiment/plan';
import { appendRun, documentRuns, removeRun, replaceRun } from '../src/experiment/run-edits';
import { parseResultsJson, recordDifferences, toResultsJson, type RecordDifference } from '../src/experiment/results';
import type { ExperimentRunner } from '../src/experiment/runner';
import { createRunner, runnerRun } from '../src/experiment/setup';
import { acquireGpu, type GpuContext } from '../src/gpu/device';
import { datasetFromCsv } from '../src/data/csv';
import { datasetFromIdx } from '../src/data/idx';
import { predictGrid, type BoundaryGrid } from '../src/experiment/boundary';
import { jsonDocument } from '../src/util/json';
import type { EngineEvent, EngineState, EventBatch, ExperimentSummary, RebuildResult } from './engine-protocol';
import { EventHub } from './event-hub';
import { loadSiteDataset } from './site-data';

/** At most one post to the page per FLUSH_MS while events are coming. */
const FLUSH_MS = 100;

interface Experiment {
  /** The config document as the user wrote it (run changes applied). */
  input: Record<string, unknown>;
  config: ExperimentConfig;
  dataset: Dataset;
  runner: ExperimentRunner;
  /** AutoDrop's GPU module exists only if a run had AutoDrop when the runner was built. */
  hasAutoDrop: boolean;
  unsubscribe: () => void;
}

let gpu: GpuContext | undefined;
let experiment: Experiment | undefined;
let lastError: string | null = null;
let loop: Promise<void> | null = null;
let pauseRequested = false;
/** Work waiting for the running loop's next block boundary (mid-training run changes). */
const atBoundaryQueue: Array<() => Promise<void>> = [];
/** Serializes the calls that run while no loop is running. */
let chain: Promise<unknown> = Promise.resolve();

/** Datasets the user uploaded (parsed here), by id: configs name them as { kind: 'upload', id }. */
const uploads = new Map<string, Dataset>();

const events = new EventHub(currentState, FLUSH_MS);
const emit = (event: EngineEvent) => events.emit(event);

function currentState(): EngineState {
  const runner = experiment?.runner;
  return {
    step: runner?.step ?? 0,
    budgetSteps: runner?.options.budgetSteps ?? 0,
    running: loop !== null,
    done: runner?.done ?? false,
    diverged: runner ? [...runner.diverged] : [],
    error: lastError,
  };
}

function needGpu(): GpuContext {
  if (!gpu) throw new Error('the engine has no GPU yet: call init() first');
  return gpu;
}

function need(): Experiment {
  needGpu();
  if (!experiment) throw new Error('no experiment loaded: call load(config) first');
  return experiment;
}

function serialized<T>(work: () => Promise<T> | T): Promise<T> {
  const result = chain.then(work);
  chain = result.catch(() => undefined);
  return result;
}

function summarize(exp: Pick<Experiment, 'config' | 'dataset' | 'runner'>): ExperimentSummary {
  return {
    name: exp.config.name,
    runs: expandRuns(exp.config).map(({ label, color, runIndex, replicate }) => ({ label, color, method: runIndex, replicate })),
    budgetSteps: exp.runner.options.budgetSteps,
    stepsPerEpoch: exp.runner.trainer.stepsPerEpoch,
    evalEvery: exp.config.evalEvery,
    testCount: exp.dataset.test.count,
  };
}

/** Replaces the experiment (after pausing the old one); the old runner is freed only once the new one exists. */
async function install(input: Record<string, unknown>, config: ExperimentConfig, dataset: Dataset): Promise<ExperimentSummary> {
  return serialized(async () => {
    await pause();
    const runner = createRunner(needGpu(), config, dataset);
    const old = experiment;
    if (old) {
      old.unsubscribe();
      old.runner.destroy();
    }
    const unsubscribe = runner.subscribe(emit);
    experiment = { input, config, dataset, runner, hasAutoDrop: runner.runs.some((run) => run.autodrop), unsubscribe };
    lastError = null;
    const summary = summarize(experiment);
    emit({ kind: 'loaded', summary });
    events.flush();
    return summary;
  });
}

/**
 * After the runner stopped at a block boundary: collects the block still in flight and runs the
 * evaluation that advance() skips when it stops on an evaluation step.
 */
async function catchUp(runner: ExperimentRunner): Promise<void> {
  await runner.trainer.flush();
  const { evalEvery, budgetSteps } = runner.options;
  const step = runner.step;
  if (evalEvery > 0 && step > 0 && (step % evalEvery === 0 || step === budgetSteps)) {
    const evaluated = runner.records.some((record) => record.step === step && record.testAccuracy !== undefined);
    if (!evaluated) await runner.evaluateNow();
  }
}

/** Trains until the budget or a pause; runs queued run changes at block boundaries. */
async function trainLoop(): Promise<void> {
  await Promise.resolve(); // start() publishes `loop` before the finally below can clear it
  try {
    for (;;) {
      const runner = need().runner;
      if (!pauseRequested && !runner.done && atBoundaryQueue.length === 0 && maxStepsPerSecond > 0) {
        await throttledBlock(runner);
      } else if (!pauseRequested && !runner.done && atBoundaryQueue.length === 0) {
        let stopped = false;
        await runner.advance(runner.options.budgetSteps, () => (stopped = pauseRequested || atBoundaryQueue.length > 0));
        if (stopped) await catchUp(runner);
      }
      while (atBoundaryQueue.length > 0) await atBoundaryQueue.shift()!();
      if (pauseRequested || need().runner.done) return;
    }
  } catch (error) {
    lastError = (error as Error).message;
    emit({ kind: 'error', message: lastError });
    throw error;
  } finally {
    // Anything queued after the last check runs now, never dropped.
    while (atBoundaryQueue.length > 0) await atBoundaryQueue.shift()!();
    loop = null;
    pauseRequested = false;
    events.flush();
  }
}

/** The speed limit of training in optimizer steps per second (0: as fast as the GPU goes). */
let maxStepsPerSecond = 0;

/** One block (to the next logEvery boundary) at the speed limit: trains it, then waits out the rest of its time. */
async function throttledBlock(runner: ExperimentRunner): Promise<void> {
  const started = performance.now();
  const { logEvery } = runner.options;
  const steps = logEvery - (runner.step % logEvery);
  await runner.advance(steps);
  const wait = (steps * 1000) / maxStepsPerSecond - (performance.now() - started);
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

/** Pauses the loop, if any, at its next block boundary; resolves once it has stopped. */
async function pause(): Promise<EngineState> {
  if (loop) {
    pauseRequested = true;
    await loop.catch(() => undefined);
  }
  return currentState();
}

/** Starts (or resumes) training; resolves when it pauses or reaches the budget. */
async function start(): Promise<EngineState> {
  await serialized(() => {
    if (!loop && !need().runner.done) {
      pauseRequested = false;
      loop = trainLoop();
      events.flush(); // running: true, at once
    }
  });
  await loop; // (null when already done)
  return currentState();
}

/** Runs `work` with no step in flight: at the loop's next block boundary while training, else now. */
function atBoundary<T>(work: () => T): Promise<T> {
  if (!loop) return serialized(work);
  return new Promise<T>((resolve, reject) =>
    atBoundaryQueue.push(async () => {
      try {
        resolve(work());
      } catch (error) {
        reject(error);
      }
    }),
  );
}

const api = {
  /** Acquires the worker's WebGPU device; returns the adapter as one line (throws with what to enable). */
  async init(): Promise<string> {
    if (!gpu) {
      gpu = await acquireGpu(navigator.gpu);
      void gpu.lost.then((reason) => {
        lastError = reason;
        emit({ kind: 'error', message: reason });
      });
    }
    const { vendor, architecture, device, description } = gpu.adapter;
    return [vendor, architecture, device, description].filter(Boolean).join(' / ') || 'unknown adapter';
  },

  /**
   * Validates an experiment config (an object, or its JSON text), loads its dataset and builds the
   * runner at step 0. A bad config throws the ConfigError message naming every bad field, and the
   * experiment already loaded (with its metrics) stays as it was.
   */
  async load(configJson: unknown): Promise<ExperimentSummary> {
    needGpu();
    const input = jsonDocument(configJson, 'experiment');
    const config = parseExperiment(input);
    return install(input as Record<string, unknown>, config, await loadSiteDataset(config, uploads));
  },

  /** Receives every event, batched (comlink.proxy the callback). */
  subscribe(callback: (batch: EventBatch) => unknown): void {
    events.subscribe(callback);
  },

  start,
  /** Same as start: carries on from the current step. */
  resume: start,
  pause,

  /** Limits training to `stepsPerSecond` (0 or less: no limit); takes effect at the next block. Results do not depend on it. */
  setSpeed(stepsPerSecond: number): number {
    maxStepsPerSecond = Number.isFinite(stepsPerSecond) && stepsPerSecond > 0 ? stepsPerSecond : 0;
    return maxStepsPerSecond;
  },

  /** One optimizer step of every run (pauses training first); evaluates if it is an evaluation step. */
  async step(): Promise<EngineState> {
    return serialized(async () => {
      await pause();
      const { runner } = need();
      if (!runner.done) await runner.advance(1);
      events.flush();
      return currentState();
    });
  },

  /** Back to step 0 with the same initial weights and data order; metrics are cleared. Paused after. */
  async reset(): Promise<EngineState> {
    return serialized(async () => {
      await pause();
      const { runner } = need();
      await runner.reset();
      lastError = null;
      events.drop((event) => event.kind === 'metrics' || event.kind === 'progress');
      emit({ kind: 'reset' });
      events.flush();
      return currentState();
    });
  },

  /**
   * Changes method `index` (config.runs[index], every replicate of it) mid-training, without a
   * reset: `runConfigJson` replaces the run in the config, which is validated whole (errors name
   * `runs.<index>.<field>`). While training, it applies at the next block boundary. Resolves with
   * the first step trained with the new settings.
   */
  async updateRun(index: number, runConfigJson: unknown): Promise<{ fromStep: number }> {
    const exp = need();
    const input = replaceRun(exp.input, index, jsonDocument(runConfigJson, `runs.${index}`));
    const config = parseExperiment(input);
    const changed = expandRuns(config).filter((run) => run.runIndex === index);
    if (changed[0].run.autodrop && !exp.hasAutoDrop) {
      throw new Error(`runs.${index}.autodrop: AutoDrop can only be switched on mid-training in an experiment that started with it; add it to the config and load it again`);
    }
    return atBoundary(() => {
      if (experiment !== exp) throw new Error('the experiment was replaced before the change could apply');
      for (const run of changed) exp.runner.updateRun(run.index, runnerRun(run));
      exp.input = input;
      exp.config = config;
      const fromStep = exp.runner.step + 1;
      emit({ kind: 'run-updated', method: index, fromStep, summary: summarize(exp) });
      events.flush();
      return { fromStep };
    });
  },

  /**
   * Adds a run (a method) to the experiment. The stacked runner is rebuilt, so training restarts
   * from step 0 for every run (same init and data order as before).
   */
  async addRun(runConfigJson: unknown): Promise<RebuildResult> {
    const exp = need();
    const input = appendRun(exp.input, exp.config, jsonDocument(runConfigJson, `runs.${documentRuns(exp.input).length}`));
    const summary = await install(input, parseExperiment(input), exp.dataset);
    return { ...summary, restarted: true, message: 'Adding a run rebuilds the experiment: training restarted from step 0.' };
  },

  /**
   * Removes method `index` (every replicate of it). The other runs keep their colours and draws
   * (run keys); the runner is rebuilt, so training restarts from step 0.
   */
  async removeRun(index: number): Promise<RebuildResult> {
    const exp = need();
    const input = removeRun(exp.input, exp.config, index);
    const summary = await install(input, parseExperiment(input), exp.dataset);
    return { ...summary, restarted: true, message: 'Removing a run rebuilds the experiment: training restarted from step 0.' };
  },

  /** The long-format CSV of every metric collected so far (src/experiment/export.ts). */
  exportCsv(): string {
    const { config, runner } = need();
    return toCsv(config.name, runner.runs, runner.records);
  },

  /**
   * The results document (src/experiment/results.ts) of everything so far: config, runs, every
   * record, divergence, the step reached. While training it is taken at the next block boundary,
   * so records and step agree.
   */
  async exportJson(): Promise<string> {
    const exp = need();
    return atBoundary(() => toResultsJson(exp.config, exp.runner));
  },

  /**
   * Restores an experiment from its results document (JSON text): validates it (a bad file throws
   * a ConfigError naming each field, and the experiment already loaded stays), builds its runner,
   * replays the training to the file's step (deterministic: the same weights, optimizer state and
   * data position as when it was saved; progress events meanwhile), then takes the file's records
   * as the history. `difference` says how the replay compared with the file: identical on the
   * same backend, within f32 tolerance on another, more if a run was changed mid-training before
   * the file was saved (the file holds the final settings).
   */
  async importResults(text: string): Promise<{ summary: ExperimentSummary; step: number; difference: RecordDifference }> {
    needGpu();
    if (typeof text !== 'string') throw new Error('importResults: expects the text of a results file');
    const doc = parseResultsJson(text);
    const summary = await install(jsonDocument(doc.config, 'results.config') as Record<string, unknown>, doc.config, await loadSiteDataset(doc.config, uploads));
    return serialized(async () => {
      const exp = need();
      emit({ kind: 'replaying', toStep: doc.step });
      await exp.runner.advance(doc.step);
      await catchUp(exp.runner);
      const difference = recordDifferences(doc.records, exp.runner.records);
      exp.runner.restoreRecords(doc.records);
      emit({ kind: 'imported', step: exp.runner.step, records: doc.records, difference });
      events.flush();
      return { summary, step: exp.runner.step, difference };
    });
  },

  /**
   * Parses an uploaded dataset and keeps it under `id` for configs with { kind: 'upload', id }.
   * CSV: one text (label in the last column unless `labelColumn`); IDX: the four files' bytes.
   * A malformed file throws its parser's message (row and column, or which file). Returns its shape.
   */
  addUpload(
    id: string,
    upload: { format: 'csv'; text: string; testFraction?: number; labelColumn?: string | number } | { format: 'idx'; trainImages: Uint8Array; trainLabels: Uint8Array; testImages: Uint8Array; testLabels: Uint8Array },
  ): { id: string; inputShape: number[]; numClasses: number; train: number; test: number } {
    const dataset =
      upload.format === 'csv'
        ? datasetFromCsv(upload.text, { name: id, testFraction: upload.testFraction ?? 0.2, seed: 1, labelColumn: upload.labelColumn })
        : datasetFromIdx({ name: id, ...upload });
    uploads.set(id, dataset);
    return { id, inputShape: dataset.inputShape, numClasses: dataset.numClasses, train: dataset.train.count, test: dataset.test.count };
  },

  /** Each run's decision boundary on a grid (2-D classification datasets only; see src/experiment/boundary.ts). */
  async predictGrid(size = 48): Promise<BoundaryGrid> {
    return predictGrid(need().runner, size);
  },

  /** The experiment config as loaded (with run changes applied), as the user wrote it. */
  config(): Record<string, unknown> {
    return need().input;
  },

  state(): EngineState {
    return currentState();
  },
};

export type EngineApi = typeof api;

Comlink.expose(api);
