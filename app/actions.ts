/**
 * The playground's actions: they talk to the engine Worker (comlink) and fold what comes back into
 * the store. Startup picks the experiment: a share link, else what IndexedDB kept from the last
 * visit, else the default comparison. Every failure lands in `error`; data already there stays.
 */
import * as Comlink from 'comlink';
import type { ExperimentConfig } from '../src/experiment/config';
import { defaultExperimentInput } from '../src/experiment/defaults';
import { expandRuns, runnerRun, type ExpandedRun } from '../src/experiment/expand';
import type { RunIdentity } from '../src/experiment/results';
import { readShareHash, shareHash } from '../src/experiment/share';
import { Autosave } from './autosave';
import { budgetOfferOf, type BudgetOffer } from './budget';
import { issuesAfterEdit } from './edit-issues';
import type { EventBatch, SavedOpened, UploadPayload } from './engine-protocol';
import type { EngineApi } from './engine.worker';
import { appendResults, clearSaved, dropResults, loadUpload, saveCheckpoint, saveConfig } from './persist';
import { classifyEdit, clone, draftAfter, foldBatch, getPath, setPath, uniqueLabel, useLab, validate, type ConfigDoc, type Engine } from './store';

declare global {
  interface Window {
    /** The Worker's API, for the console and the e2e tests. */
    lrlab?: { engine: Comlink.Remote<EngineApi> };
  }
}

let engine: Engine | null = null;

const get = useLab.getState;
const set = useLab.setState;

/** The results and config this browser keeps (IndexedDB), saved as training goes. */
const autosave = new Autosave({
  storage: {
    saveConfig,
    appendResults,
    dropResults,
    // The engine's Worker keeps the checkpoints it takes and writes them itself (./engine.worker.ts).
    saveCheckpoint: async (taken) => void (taken ? await engine?.saveCheckpoint(taken.step) : await saveCheckpoint(null)),
    clear: clearSaved,
  },
  checkpoint: () => (engine ? engine.takeCheckpoint() : Promise.resolve(null)),
  context: () => {
    const { config, engine: state } = get();
    return config && state ? { config, runs: runIdentities(config), diverged: state.diverged } : null;
  },
});

/** The runs' identities of the config applied, expanded once per config (a 576-run sweep's took 20–50 ms, and the autosave asks every second). */
const runIdentities = (() => {
  let last: { config: ExperimentConfig; runs: RunIdentity[] } | null = null;
  return (config: ExperimentConfig): RunIdentity[] => {
    if (last?.config !== config) last = { config, runs: expandRuns(config).map(runIdentity) };
    return last.runs;
  };
})();

/** The engine of the page, if connected (for actions kept in modules of their own, such as ./upload.ts). */
export const currentEngine = (): Engine | null => engine;

/** Adds notes (the last 6 are kept). */
export function note(...lines: string[]): void {
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

/** Folds one batch of engine events into the store; the experiment the engine applied comes with its events. */
function onBatch(batch: EventBatch): void {
  const state = get();
  const effect = foldBatch(state.records, batch); // (the records change in place)
  const applied = effect.applied;
  const offer = effect.replaced ? null : effect.budgetChanged && applied && state.config && state.summary
    ? budgetOfferOf(state.config, applied.config, state.summary.budgetSteps, applied.summary.budgetSteps, applied.summary.stepsPerEpoch)
    : state.budgetOffer;
  set({
    recordsVersion: state.recordsVersion + 1,
    engine: batch.state,
    budgetOffer: offer,
    pausing: state.pausing && batch.state.running,
    ...(applied ? { applied: applied.document, config: applied.config, summary: applied.summary } : {}),
    ...(applied ? { draft: draftAfter(state.draft, effect), ...(effect.replaced ? { issues: [] } : {}) } : {}),
  });
  note(...effect.notes);
  for (const event of batch.events) if (event.kind === 'metrics') autosave.append(event.records);
  if (effect.replaced || effect.cleared) autosave.restart(() => state.records.toColumns());
  if (applied) void autosave.configApplied(applied.document, !effect.cleared);
  else if (effect.cleared && state.applied) void autosave.configApplied(state.applied, false);
  autosave.observe(batch.state);
}

/**
 * Starts the Worker, finds the GPU and opens an experiment (share link, saved, or default) in the
 * background; returns the function that stops it (React's effect cleanup: in development
 * StrictMode mounts twice, and a stopped connection's late events are ignored).
 */
function connectEngine(fromSaved = false): () => void {
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
    await openFirstExperiment(remote, fromSaved);
    if (alive) set({ busy: false });
  };
  void start();
  // Leaving or hiding the page saves what has trained since the last save.
  const saveNow = () => void autosave.flush();
  const onVisibility = () => document.visibilityState === 'hidden' && saveNow();
  window.addEventListener('pagehide', saveNow);
  document.addEventListener('visibilitychange', onVisibility);
  return () => {
    alive = false;
    window.removeEventListener('pagehide', saveNow);
    document.removeEventListener('visibilitychange', onVisibility);
    worker.terminate();
    if (engine === remote) engine = null;
  };
}

/**
 * After the GPU device was lost: a new Worker on a new device, which opens what this browser saved
 * (the last autosave, replayed to its step).
 */
export function restartEngine(): void {
  set({ busy: true, error: '', engine: null, notes: [], phase: 'starting' });
  stopEngine?.();
  stopEngine = connectEngine(true);
}

/** The running connection's stop function (set by startEngine). */
let stopEngine: (() => void) | null = null;

/** Connects the engine for the page's lifetime (the React effect calls this once). */
export function startEngine(): () => void {
  stopEngine = connectEngine();
  return () => stopEngine?.();
}

/** The experiment the page opens with: a share link wins (unless `fromSaved`), then IndexedDB, then the default. */
async function openFirstExperiment(remote: Engine, fromSaved: boolean): Promise<void> {
  // The last upload first: a saved or shared experiment may train on it.
  const upload = await loadUpload();
  if (upload) await remote.addUpload(upload.id, upload.payload as UploadPayload).catch(() => undefined);
  const shared = fromSaved ? ({ kind: 'none' } as const) : readShareHash(location.hash);
  if (shared.kind === 'config') {
    if (await tryLoad(remote, shared.config)) return note('opened the experiment from the share link');
  } else if (shared.kind === 'error') {
    set({ error: shared.message });
  } else {
    // The Worker reads what was saved and restores it (the page never holds a long run's records as
    // objects); a restored log goes on where it stands instead of being written again.
    const saved: SavedOpened = await autosave
      .while(
        (): Promise<SavedOpened> => remote.restoreSaved(),
        (opened) => (opened.opened === 'results' ? opened.log : null),
      )
      .catch((error: Error): SavedOpened => ({ opened: 'nothing', failure: error.message }));
    if (saved.opened !== 'results' && saved.failure) {
      set({ error: `Could not restore the saved results (${saved.failure}); ${saved.opened === 'config' ? 'opened the saved config instead' : 'opened the default experiment'}.` });
    }
    if (saved.opened !== 'nothing') return note('restored your last experiment from this browser');
  }
  await remote.load(defaultExperimentInput()).catch((error: Error) => set({ error: error.message }));
}

/** The identity fields of a stacked run (what a results document lists). */
function runIdentity(expanded: ExpandedRun): RunIdentity {
  const { label, method, replicate, seed, runKey } = runnerRun(expanded);
  return { label, method, replicate, seed, runKey };
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

/** Train / pause / resume (never while a field of the draft is invalid: see blockedBy). */
export function toggleTraining(): void {
  const { engine: state, busy, issues } = get();
  if (!state || busy) return;
  if (state.running) {
    set({ pausing: true });
    void act((remote) => remote.pause());
  } else if (!state.done && issues.length === 0) void act((remote) => remote.start());
}

/** After the budget: raises it by its own amount (steps or epochs) and trains on from the step reached. */
export async function goOn(): Promise<void> {
  const { applied, config } = get();
  if (!applied || !config) return;
  const budget = { ...(applied.budget as Record<string, unknown>), amount: config.budget.amount * 2 };
  if (await act((remote) => remote.setBudget(budget))) await act((remote) => remote.start());
}

/** Stretches the schedules tied to the old budget over the new one; their rates change from step 1 on, so training restarts. */
export async function stretchSchedules(offer: BudgetOffer): Promise<void> {
  const { applied } = get();
  if (!applied) return;
  let doc = clone(applied);
  for (const tied of offer.schedules) {
    doc = setPath(doc, `runs.${tied.method}.schedule.${tied.field}`, offer.toSteps);
    doc = setPath(doc, `runs.${tied.method}.schedule.unit`, 'step');
  }
  set({ budgetOffer: null });
  if (await act((remote) => remote.load(doc), { busy: true })) note('schedules stretched over the new budget: training restarted from step 0');
}

/** One optimizer step (never while a field of the draft is invalid). */
export const stepOnce = () => (get().issues.length > 0 ? Promise.resolve(undefined) : act((remote) => remote.step()));

/** Sets the training speed limit (steps per second; 0 = full speed). */
export function setSpeed(stepsPerSecond: number): void {
  useLab.getState().setView({ speed: stepsPerSecond });
  void act((remote) => remote.setSpeed(stepsPerSecond));
}
export const resetTraining = () => act((remote) => remote.reset());

// -------------------------------------------------------------------------------------- edits

/**
 * Sets one field of the draft (a dotted path, e.g. "runs.1.lrd.keepProb") and validates the whole
 * config. Invalid: the issues show inline and nothing reaches the engine. Valid run settings and a
 * budget apply mid-training (updateRun, setBudget: no reset); other fields wait for Apply (which restarts).
 */
export async function editField(path: string, value: unknown): Promise<void> {
  const { draft, applied } = get();
  if (!draft || !applied) return;
  const next = setPath(draft, path, value);
  // A rule between two fields shows on the one typed in (a duplicate label: this run's card).
  const issues = issuesAfterEdit(validate(next), path);
  set({ draft: next, issues });
  if (issues.length > 0) return;
  const change = classifyEdit(applied, next);
  if (change.kind !== 'runs') return;
  if (change.budget) await applyOrRevert('budget', (remote) => remote.setBudget(next.budget));
  const runs = next.runs as unknown[];
  for (const index of change.changed) await applyOrRevert(`runs.${index}`, (remote) => remote.updateRun(index, runs[index]));
}

/**
 * Sends one part of the draft to the engine. Refused there (e.g. AutoDrop switched on in an
 * experiment built without it, a budget below the step reached): that part of the draft goes back
 * to what runs, and `error` says why.
 */
async function applyOrRevert(path: string, command: (remote: Engine) => Promise<unknown>): Promise<void> {
  const done = await act(command);
  if (done !== undefined) return;
  const current = get().applied;
  if (current) set((state) => ({ draft: state.draft ? setPath(state.draft, path, clone(getPath(current, path))) : state.draft }));
}

/**
 * Replaces the whole draft (a dataset switch that also renames the experiment and applies the
 * dataset's starting point) and validates it; such a change restarts, so it waits for Apply.
 */
export function editDraft(next: ConfigDoc): void {
  set({ draft: next, issues: validate(next) });
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

/** Moves run (method) `index` one place up (−1) or down (+1); colours, dashes and hide flags stay with the runs; the experiment restarts. */
export async function moveRun(index: number, by: -1 | 1): Promise<void> {
  const result = await act((remote) => remote.moveRun(index, index + by), { busy: true });
  if (result) note(result.message);
}

// ------------------------------------------------------------------------------ files, exports

/** Opens a file: a config loads a fresh experiment, a results file restores one (the engine tells them apart by parsing). */
export async function openFile(file: File): Promise<void> {
  const text = await file.text();
  if (await act((remote) => autosave.while(() => remote.open(text)), { busy: true })) set({ hidden: {} });
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

/** Downloads the CSV export: a ZIP of metrics.csv (long format) and runs.csv (one row per run), joined on `run`. */
export const exportCsv = () => act(async (remote) => download(new Blob((await remote.exportCsv()) as BlobPart[], { type: 'application/zip' }), 'application/zip', 'csv.zip'));
/** Downloads the results document (JSON, re-importable). */
export const exportJson = () => act(async (remote) => download(new Blob(await remote.exportJson(), { type: 'application/json' }), 'application/json', 'results.json'));

/** The share link of the applied experiment (this page's URL with the config in its fragment). */
export function shareLink(): string {
  const { applied } = get();
  if (!applied) return '';
  return `${location.origin}${location.pathname}${shareHash(applied)}`;
}

/** Forgets the saved experiment and opens the default. */
export async function forgetSaved(): Promise<void> {
  await autosave.forget(() => act((remote) => remote.load(defaultExperimentInput())));
  set({ hidden: {} });
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
