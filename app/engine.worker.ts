/**
 * The engine's home in the browser: a Web Worker that owns the GPU device and a TrainingSession
 * (src/experiment/session.ts), so the page never blocks. It is a thin comlink adapter: the session
 * holds every piece of training state; this file adds the page's datasets (the site's files and the
 * user's uploads) and posts the session's events to the page as batches (at most one per FLUSH_MS
 * while training).
 */
import * as Comlink from 'comlink';
import { datasetFromCsv } from '../src/data/csv';
import { datasetFromIdx } from '../src/data/idx';
import type { Dataset } from '../src/data/types';
import { predictGrid, type BoundaryGrid } from '../src/experiment/boundary';
import type { TrainingCheckpoint } from '../src/experiment/checkpoint';
import type { RebuildResult, SessionEvent, SessionState } from '../src/experiment/session-events';
import { TrainingSession } from '../src/experiment/session';
import { acquireGpu } from '../src/gpu/device';
import { asMethod, asStep } from '../src/util/ids';
import type { EventBatch, RebuildSummary, SavedOpened, UploadPayload, UploadShape } from './engine-protocol';
import type { CheckpointTaken } from './autosave';
import { loadSaved, resultsOfLog, saveCheckpoint } from './persist';
import { parseResults } from '../src/experiment/results';
import { EventHub } from './event-hub';
import { loadSiteDataset } from './site-data';
import { zipTexts } from './zip';
import type { RangeTestOptions } from '../src/experiment/range-test';
import { runRangeTest, type RangeTestResult } from '../src/experiment/range-test-run';

/** At most one post to the page per FLUSH_MS while events are coming. */
const FLUSH_MS = 100;

/** Events after which the page should hear at once (the experiment or the running state changed). */
const URGENT: ReadonlySet<SessionEvent['kind']> = new Set(['loaded', 'reset', 'run-updated', 'budget-changed', 'imported', 'error']);

let session: TrainingSession | undefined;
let wasRunning = false;

/** Checkpoints taken for the autosave and not yet written, by step (the newest KEEP_TAKEN). */
const taken = new Map<number, TrainingCheckpoint>();
const KEEP_TAKEN = 2;

/** Datasets the user uploaded (parsed here), by id: configs name them as { kind: 'upload', id }. */
const uploads = new Map<string, Dataset>();

const events = new EventHub(currentState, FLUSH_MS);

function currentState(): SessionState {
  return (
    session?.state ?? { step: asStep(0), budgetSteps: 0, running: false, done: false, diverged: [], error: null, deviceLost: false, speed: null }
  );
}

function need(): TrainingSession {
  if (!session) throw new Error('the engine has no GPU yet: call init() first');
  return session;
}

/** Forwards a session event to the page; urgent ones (and a change of the running state) go out at once. */
function forward(event: SessionEvent): void {
  events.emit(event);
  const running = currentState().running;
  if (URGENT.has(event.kind) || running !== wasRunning) events.flush();
  wasRunning = running;
}

/** What addRun / removeRun answer: the new experiment's summary, and that training restarted. */
function rebuilt({ applied, message }: RebuildResult): RebuildSummary {
  return { ...applied.summary, restarted: true, message };
}

/** Runs a session call and posts what it reported before answering. */
async function andFlush<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } finally {
    events.flush();
  }
}

const api = {
  /** Acquires the worker's WebGPU device; returns the adapter as one line (throws with what to enable). */
  async init(): Promise<string> {
    if (!session) {
      const gpu = await acquireGpu(navigator.gpu);
      session = new TrainingSession(gpu, { loadDataset: (config) => loadSiteDataset(config, uploads) });
      session.subscribe(forward);
    }
    const { vendor, architecture, device, description } = session.gpu.adapter;
    return [vendor, architecture, device, description].filter(Boolean).join(' / ') || 'unknown adapter';
  },

  /** Receives every event, batched (comlink.proxy the callback). */
  subscribe(callback: (batch: EventBatch) => unknown): void {
    events.subscribe(callback);
  },

  /** Validates and loads an experiment config (object or JSON text); a bad one throws naming every field, and what was loaded stays. */
  load: (document: unknown) => andFlush(need().load(document)),
  /** Opens a file's text: an experiment config loads, a results file restores (replaying its training). */
  open: (text: string, checkpoint?: TrainingCheckpoint | null) => andFlush(need().open(text, checkpoint)),
  /**
   * Opens what this browser saved (./persist.ts), read here so that the page never holds it: the
   * results log, validated and restored from its checkpoint (see TrainingSession.restore), or an
   * earlier version's results document; else, or when they cannot be restored, the config alone.
   */
  restoreSaved: () => andFlush(restoreSaved(need())),
  /**
   * Takes the training state now, a checkpoint for the autosave (a reload then replays seconds, not
   * the run), and keeps it here until saveCheckpoint: the page, which decides when it is written,
   * never holds it (a 576-run sweep's, cloned into IndexedDB on the page's main thread, took it for
   * 350–400 ms). Resolves to its step (null: none could be taken).
   */
  async takeCheckpoint(): Promise<CheckpointTaken | null> {
    const checkpoint = await need().checkpoint();
    if (!checkpoint) return null;
    taken.set(checkpoint.step, checkpoint);
    for (const step of [...taken.keys()].slice(0, -KEEP_TAKEN)) taken.delete(step); // the newest few wait to be written
    return { step: checkpoint.step };
  },
  /** Writes the checkpoint taken at `step` to IndexedDB (./persist.ts); false when it is no longer kept. */
  async saveCheckpoint(step: number): Promise<boolean> {
    const checkpoint = taken.get(step);
    if (!checkpoint) return false;
    for (const older of [...taken.keys()]) if (older <= step) taken.delete(older);
    await saveCheckpoint(checkpoint);
    return true;
  },
  start: () => andFlush(need().start()),
  pause: () => andFlush(need().pause()),
  step: () => andFlush(need().step()),
  reset: () => andFlush(need().reset()),
  setSpeed: (stepsPerSecond: number) => need().setSpeed(stepsPerSecond),
  updateRun: (method: number, runDocument: unknown) => andFlush(need().updateRun(asMethod(method), runDocument)),
  setBudget: (budget: unknown) => andFlush(need().setBudget(budget)),
  /** Adds a run (a method): the runner is rebuilt, so training restarts from step 0 (the result says so). */
  addRun: (runDocument: unknown) => andFlush(need().addRun(runDocument).then(rebuilt)),
  /** Removes method `method` (every replicate); the others keep their colours and draws; training restarts. */
  removeRun: (method: number) => andFlush(need().removeRun(asMethod(method)).then(rebuilt)),
  moveRun: (method: number, to: number) => andFlush(need().moveRun(asMethod(method), asMethod(to)).then(rebuilt)),
  /** The CSV export as a ZIP (metrics.csv and runs.csv, ./zip.ts), its bytes in parts (transferred, not copied). */
  exportCsv(): Uint8Array[] {
    const { metrics, runs } = need().exportCsv();
    const parts = zipTexts([
      { name: 'metrics.csv', chunks: metrics },
      { name: 'runs.csv', chunks: [runs] },
    ]);
    return Comlink.transfer(parts, parts.map((part) => part.buffer as ArrayBuffer));
  },
  /** The results document as JSON text in chunks. */
  exportJson: () => need().exportJson(),

  /**
   * Parses an uploaded dataset and keeps it under `id` for configs with { kind: 'upload', id }.
   * CSV: one text (label in the last column unless `labelColumn`); IDX: the four files' bytes.
   * A malformed file throws its parser's message (row and column, or which file). Returns its shape.
   */
  addUpload(id: string, upload: UploadPayload): UploadShape {
    const dataset =
      upload.format === 'csv'
        ? datasetFromCsv(upload.text, { name: id, testFraction: upload.testFraction ?? 0.2, seed: 1, labelColumn: upload.labelColumn })
        : datasetFromIdx({ name: id, ...upload });
    uploads.set(id, dataset);
    return { id, inputShape: dataset.inputShape, numClasses: dataset.numClasses, train: dataset.train.count, test: dataset.test.count };
  },

  /**
   * The LR range test of every run of the experiment loaded, stacked, on its dataset (training is
   * paused first; the experiment and its metrics stay as they are). `onProgress` hears the step reached.
   */
  async rangeTest(options: RangeTestOptions, onProgress?: (step: number, total: number) => unknown): Promise<RangeTestResult> {
    const current = need();
    await current.pause();
    const applied = current.applied;
    if (!applied) throw new Error('no experiment loaded');
    return runRangeTest(current.gpu, applied.config, current.runner.dataset, options, (step, total) => void onProgress?.(step, total));
  },

  /** Each run's decision boundary on a grid (2-D classification datasets only; see src/experiment/boundary.ts). */
  async predictGrid(size = 48): Promise<BoundaryGrid> {
    return predictGrid(need().runner, size);
  },

  state(): SessionState {
    return currentState();
  },

  /** The config document the engine runs (for the console and the tests; the page gets it with every change). */
  config(): Record<string, unknown> | null {
    return need().applied?.document ?? null;
  },

  /** Destroys the GPU device, as a driver reset would (the e2e test of device loss; also handy in the console). */
  loseDevice(): void {
    need().gpu.device.destroy();
  },
};

export type EngineApi = typeof api;

/** restoreSaved: see the API. */
async function restoreSaved(current: TrainingSession): Promise<SavedOpened> {
  const saved = await loadSaved();
  let failure: string | undefined;
  try {
    if (saved.log) {
      await current.restore(parseResults(resultsOfLog(saved.log), { recordsInMemory: true }), saved.checkpoint ?? null);
      return { opened: 'results', log: { chunks: saved.log.head.chunks, step: saved.log.head.step } };
    }
    if (saved.results) {
      await current.open(saved.results);
      return { opened: 'results', log: null };
    }
  } catch (error) {
    failure = (error as Error).message;
  }
  if (saved.config) {
    try {
      await current.load(saved.config);
      return { opened: 'config', failure };
    } catch {
      // a config this version refuses: the page opens the default
    }
  }
  return { opened: 'nothing', failure };
}

Comlink.expose(api);
