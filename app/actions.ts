/**
 * The playground's actions: they talk to the engine Worker (comlink) and fold what comes back into
 * the store. Startup picks the experiment: a share link, else what IndexedDB kept from the last
 * visit, else the default comparison. Every failure lands in `error`; data already there stays.
 */
import * as Comlink from 'comlink';
import { defaultExperimentInput } from '../src/experiment/defaults';
import { readShareHash, shareHash } from '../src/experiment/share';
import type { EventBatch } from './engine-protocol';
import type { EngineApi } from './engine.worker';
import { clearSaved, loadSaved, loadUpload, saveConfig, saveResults, saveUpload } from './persist';
import { classifyEdit, clone, foldBatch, resolve, setPath, uniqueLabel, useLab, validate, type ConfigDoc, type Engine } from './store';

declare global {
  interface Window {
    /** The Worker's API, for the console and the e2e tests. */
    lrlab?: { engine: Comlink.Remote<EngineApi> };
  }
}

let engine: Engine | null = null;
let restoring = false;
let lastResultsSave = 0;
let saveTimer: ReturnType<typeof setTimeout> | null = null;
/** Bumped by "Forget saved" (before and after it): a results save scheduled or in flight across it is dropped. */
let saveGeneration = 0;
/** True while "Forget saved" clears the store and loads the default: nothing is saved meanwhile. */
let forgetting = false;

const get = useLab.getState;
const set = useLab.setState;

/** Adds notes (the last 6 are kept). */
function note(...lines: string[]): void {
  if (lines.length) set((state) => ({ notes: [...state.notes, ...lines].slice(-6) }));
}

/** Runs an engine command; a failure is shown in `error`, never thrown. Resolves to its result or undefined. */
export async function act<T>(command: (remote: Engine) => Promise<T>, { busy = false } = {}): Promise<T | undefined> {
  if (!engine) return undefined;
  set({ error: '', ...(busy ? { busy: true } : {}) });
  try {
    return await command(engine);
  } catch (error) {
    set({ error: (error as Error).message });
    return undefined;
  } finally {
    if (busy) set({ busy: false });
  }
}

/** Saves the results document soon (debounced; at most every 5 s while training). */
function scheduleResultsSave(): void {
  const { engine: state, busy } = get();
  if (!engine || restoring || forgetting || busy || !state || state.step === 0) return;
  const wait = state.running ? Math.max(0, 5000 - (Date.now() - lastResultsSave)) : 600;
  if (saveTimer) clearTimeout(saveTimer);
  const generation = saveGeneration;
  saveTimer = setTimeout(() => {
    saveTimer = null;
    if (generation !== saveGeneration) return;
    lastResultsSave = Date.now();
    void engine
      ?.exportJson()
      .then((json) => (generation === saveGeneration ? saveResults(json) : undefined))
      .catch(() => undefined);
  }, wait);
}

/** Re-reads the engine's config into `applied` (and the draft, unless it holds unapplied edits). */
async function refreshConfig(cleared: boolean): Promise<void> {
  if (!engine) return;
  const config = (await engine.config()) as ConfigDoc;
  set((state) => ({ applied: config, resolved: resolve(config), ...(state.issues.length === 0 || cleared ? { draft: clone(config), issues: [] } : {}) }));
  if (!restoring) await saveConfig(config, !cleared);
}

/** Folds one batch of engine events into the store. */
function onBatch(batch: EventBatch): void {
  const state = get();
  const effect = foldBatch(state.records, batch);
  set({ records: effect.records, engine: batch.state, ...(effect.summary ? { summary: effect.summary } : {}) });
  note(...effect.notes);
  if (effect.configChanged) void refreshConfig(effect.cleared).catch(() => undefined);
  else if (effect.cleared && state.applied && !restoring) void saveConfig(state.applied, false);
  scheduleResultsSave();
}

/**
 * Starts the Worker, finds the GPU and opens an experiment (share link, saved, or default) in the
 * background; returns the function that stops it (React's effect cleanup: in development
 * StrictMode mounts twice, and a stopped connection's late events are ignored).
 */
export function connectEngine(): () => void {
  const worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module' });
  const remote = Comlink.wrap<EngineApi>(worker);
  let alive = true;
  engine = remote;
  window.lrlab = { engine: remote };
  const start = async () => {
    try {
      const adapter = await remote.init();
      if (!alive) return;
      console.info(`WebGPU adapter: ${adapter}`);
      set({ adapter, phase: 'ready' });
      await remote.subscribe(Comlink.proxy((batch: EventBatch) => alive && onBatch(batch)));
    } catch (error) {
      if (alive) set({ phase: 'no-webgpu', busy: false, error: (error as Error).message });
      return;
    }
    await openFirstExperiment(remote);
    if (alive) set({ busy: false });
  };
  void start();
  return () => {
    alive = false;
    worker.terminate();
    if (engine === remote) engine = null;
  };
}

/** The experiment the page opens with: a share link wins, then IndexedDB, then the default. */
async function openFirstExperiment(remote: Engine): Promise<void> {
  // The last upload first: a saved or shared experiment may train on it.
  const upload = await loadUpload();
  if (upload) await remote.addUpload(upload.id, upload.payload as Parameters<EngineApi['addUpload']>[1]).catch(() => undefined);
  const shared = readShareHash(location.hash);
  if (shared.kind === 'config') {
    if (await tryLoad(remote, shared.config)) return note('opened the experiment from the share link');
  } else if (shared.kind === 'error') {
    set({ error: shared.message });
  } else {
    const saved = await loadSaved();
    if (saved.results) {
      restoring = true;
      try {
        await remote.importResults(saved.results);
        note('restored your last experiment from this browser');
        return;
      } catch {
        // fall through: the saved results no longer load
      } finally {
        restoring = false;
      }
    }
    if (saved.config && (await tryLoad(remote, saved.config))) return note('restored your last experiment from this browser');
  }
  await remote.load(defaultExperimentInput()).catch((error: Error) => set({ error: error.message }));
}

/** Loads a config; false (not a throw) when it fails. */
async function tryLoad(remote: Engine, config: unknown): Promise<boolean> {
  try {
    await remote.load(config);
    return true;
  } catch {
    return false;
  }
}

// ----------------------------------------------------------------------------------- controls

/** Train / pause / resume. */
export function toggleTraining(): void {
  const state = get().engine;
  if (!state || get().busy) return;
  if (state.running) void act((remote) => remote.pause());
  else if (!state.done) void act((remote) => remote.start());
}

export const stepOnce = () => act((remote) => remote.step());

/** Sets the training speed limit (steps per second; 0 = full speed). */
export function setSpeed(stepsPerSecond: number): void {
  useLab.getState().setView({ speed: stepsPerSecond });
  void act((remote) => remote.setSpeed(stepsPerSecond));
}
export const resetTraining = () => act((remote) => remote.reset());

// -------------------------------------------------------------------------------------- edits

/**
 * Sets one field of the draft (a dotted path, e.g. "runs.1.lrd.keepProb") and validates the whole
 * config. Invalid: the issues show inline and nothing reaches the engine. Valid run settings apply
 * mid-training (updateRun, no reset); other fields wait for Apply (which restarts).
 */
export async function editField(path: string, value: unknown): Promise<void> {
  const { draft, applied } = get();
  if (!draft || !applied) return;
  const next = setPath(draft, path, value);
  const issues = validate(next);
  set({ draft: next, issues });
  if (issues.length > 0) return;
  const change = classifyEdit(applied, next);
  if (change.kind !== 'runs') return;
  for (const index of change.changed) {
    const runs = next.runs as unknown[];
    const done = await act((remote) => remote.updateRun(index, runs[index]));
    // Refused by the engine (e.g. AutoDrop switched on in an experiment built without it): the
    // draft goes back to what runs, and `error` says why.
    if (done === undefined) {
      const current = get().applied?.runs as unknown[] | undefined;
      if (current) set((state) => ({ draft: state.draft ? setPath(state.draft, `runs.${index}`, clone(current[index])) : state.draft }));
    }
  }
}

/** Replaces a whole run in the draft (method on/off, schedule kind) and applies it like editField. */
export const editRun = (index: number, run: Record<string, unknown>) => editField(`runs.${index}`, run);

/** Applies a draft that changes more than run settings: reloads the experiment (training restarts). */
export async function applyDraft(): Promise<void> {
  const { draft } = get();
  if (!draft || validate(draft).length > 0) return;
  const done = await act((remote) => remote.load(draft), { busy: true });
  if (done) note('experiment changed: training restarted from step 0');
}

/** Drops unapplied edits. */
export function discardDraft(): void {
  const { applied } = get();
  if (applied) set({ draft: clone(applied), issues: [] });
}

/** Adds a run (a copy of run `from`, or a plain baseline); the experiment restarts. */
export async function addRun(from?: number): Promise<void> {
  const { applied } = get();
  if (!applied) return;
  const runs = (applied.runs as Array<Record<string, unknown>>) ?? [];
  const base = from === undefined ? { label: 'Run', optimizer: { rule: 'momentum', momentum: 0.9 }, schedule: { kind: 'constant', lr: 0.1 } } : clone(runs[from]);
  delete base.color;
  delete base.runKey;
  base.label = uniqueLabel(runs, String(base.label ?? 'Run'));
  const result = await act((remote) => remote.addRun(base), { busy: true });
  if (result) note(result.message);
}

/** Removes run (method) `index`; the experiment restarts. */
export async function removeRun(index: number): Promise<void> {
  const result = await act((remote) => remote.removeRun(index), { busy: true });
  if (result) note(result.message);
}

// ------------------------------------------------------------------------------ files, exports

/** A config file loads a fresh experiment; a results file ("format": "lr-lab-results") restores one. */
export async function openFile(file: File): Promise<void> {
  const text = await file.text();
  if (/^\s*\{\s*"format"\s*:\s*"lr-lab-results"/.test(text)) await act((remote) => remote.importResults(text), { busy: true });
  else await act((remote) => remote.load(text));
}

/** Offers `text` as a download named after the experiment. */
export function download(data: string | Blob, type: string, extension: string): void {
  const name = (get().summary?.name ?? 'experiment').replace(/[^\w-]+/g, '-').toLowerCase();
  const link = document.createElement('a');
  link.href = URL.createObjectURL(typeof data === 'string' ? new Blob([data], { type }) : data);
  link.download = `${name}.${extension}`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

export const exportCsv = () => act(async (remote) => download(await remote.exportCsv(), 'text/csv', 'csv'));
export const exportJson = () => act(async (remote) => download(await remote.exportJson(), 'application/json', 'results.json'));

/** The share link of the applied experiment (this page's URL with the config in its fragment). */
export function shareLink(): string {
  const { applied } = get();
  if (!applied) return '';
  return `${location.origin}${location.pathname}${shareHash(applied)}`;
}

/** Forgets the saved experiment and opens the default. */
export async function forgetSaved(): Promise<void> {
  forgetting = true;
  saveGeneration += 1;
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = null;
  try {
    await clearSaved();
    await act((remote) => remote.load(defaultExperimentInput()));
  } finally {
    saveGeneration += 1;
    forgetting = false;
  }
}

/** IDX files are told apart by name: train/t10k|test and images/labels (idx3/idx1). */
function idxRole(name: string): 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels' | null {
  const lower = name.toLowerCase();
  const test = /t10k|test/.test(lower);
  const labels = /label|idx1/.test(lower);
  const images = /image|idx3/.test(lower);
  if (!labels && !images) return null;
  return `${test ? 'test' : 'train'}${labels ? 'Labels' : 'Images'}`;
}

/**
 * Uploads the user's dataset: one CSV (label in the last column) or the four IDX files. The
 * Worker parses it; a malformed file throws its message (shown, nothing else changes). On success
 * the experiment switches to it (training restarts). Returns the error message, if any.
 */
export async function uploadDataset(files: File[]): Promise<string | null> {
  const { applied } = get();
  if (!engine || !applied || files.length === 0) return null;
  try {
    const id = files.map((f) => f.name).join('+').slice(0, 100);
    let format: 'csv' | 'idx';
    let shape: { inputShape: number[] };
    let payload: Parameters<EngineApi['addUpload']>[1];
    if (files.length === 1 && /\.(csv|tsv|txt)$/i.test(files[0].name)) {
      format = 'csv';
      payload = { format, text: await files[0].text() };
      shape = await engine.addUpload(id, payload);
    } else {
      format = 'idx';
      const parts: Record<string, Uint8Array> = {};
      for (const file of files) {
        const role = idxRole(file.name);
        if (role) parts[role] = new Uint8Array(await file.arrayBuffer());
      }
      const missing = ['trainImages', 'trainLabels', 'testImages', 'testLabels'].filter((role) => !parts[role]);
      if (files.length !== 4 || missing.length > 0) {
        throw new Error(`An upload is one CSV file (features…, label) or four IDX files (train/test × images/labels, named like train-images-idx3-ubyte); missing: ${missing.join(', ') || 'a recognisable name'}`);
      }
      payload = { format, trainImages: parts.trainImages, trainLabels: parts.trainLabels, testImages: parts.testImages, testLabels: parts.testLabels };
      shape = await engine.addUpload(id, payload);
    }
    let doc = setPath(applied, 'dataset', { kind: 'upload', id, format });
    const model = doc.model as { kind?: string };
    if (shape.inputShape.length !== 3 && model.kind?.includes('cnn')) doc = setPath(doc, 'model', { kind: 'mlp', hidden: [32, 32] });
    const issues = validate(doc);
    if (issues.length > 0) throw new Error(issues.join('; '));
    await engine.load(doc);
    await saveUpload({ id, payload });
    note(`trained on your upload "${id}": training restarted from step 0`);
    return null;
  } catch (error) {
    const message = `Upload refused: ${(error as Error).message}`;
    set({ error: message });
    return message;
  }
}

/** Each run's decision boundary (2-D datasets); null when the dataset or model has none. */
export async function fetchBoundary(size: number) {
  if (!engine) return null;
  try {
    return await engine.predictGrid(size);
  } catch {
    return null;
  }
}
