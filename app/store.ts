/**
 * The playground's state (zustand): the experiment the engine runs (the document as the user wrote
 * it, the validated config and its summary, all three as the engine last sent them: the page never
 * asks for them or parses them itself), the draft being edited, the raw metric records per stacked
 * run (never decimated: exports come from the engine, charts decimate a copy), the engine's state,
 * and the view settings. Pure helpers (upsert, batch folding, issue lookup, edit classification)
 * are exported for the unit tests; the actions that talk to the Worker are in ./actions.ts.
 */
import type * as Comlink from 'comlink';
import { create } from 'zustand';
import { useMemo } from 'react';
import { parseExperiment, type ExperimentConfig } from '../src/experiment/config';
import { RecordTable } from '../src/experiment/record-table';
import { ConfigError } from '../src/util/validate';
import type { AppliedExperiment, ConfigDocument, EventBatch, ExperimentSummary, SessionState } from './engine-protocol';
import type { EngineApi } from './engine.worker';
import type { BudgetOffer } from './budget';
import type { XAxisKind } from './series';
import { savedTheme, saveTheme, type Theme } from './theme';

export type ConfigDoc = ConfigDocument;
export type Engine = Comlink.Remote<EngineApi>;

/** Where the page is: finding a GPU, working, or without WebGPU. */
export type Phase = 'starting' | 'ready' | 'no-webgpu';

export interface ViewSettings {
  smoothing: number;
  logY: boolean;
  axis: XAxisKind;
  /** Replicates: each line, or mean ± std per method. */
  aggregate: boolean;
  /** Target loss of the summary's "steps to target" column. */
  targetLoss: number;
  theme: Theme;
  /** Training speed limit in steps per second (0: as fast as the GPU goes). */
  speed: number;
}

export interface LabState {
  phase: Phase;
  adapter: string;
  /** A long call is in flight (load, import, rebuild). */
  busy: boolean;
  summary: ExperimentSummary | null;
  engine: SessionState | null;
  /**
   * Every record the engine sent, in compact columnar storage (upserted: evaluations re-send a step).
   * Mutated in place as batches arrive; `recordsVersion` changes with it, so views re-render.
   */
  records: RecordTable;
  /** The records' version (their table's count of changes) when last changed. */
  recordsVersion: number;
  notes: string[];
  /** After a raised budget: schedules that end at the old one, and the offer to stretch them (./budget.ts). */
  budgetOffer: BudgetOffer | null;
  /** Pause was asked for and training has not stopped yet. */
  pausing: boolean;
  /** The last failed action's message (the data already there stays). */
  error: string;
  /** The config the engine runs, as the user wrote it (the engine's copy, sent with its events). */
  applied: ConfigDoc | null;
  /** The same config as the engine validated it, every default filled in. */
  config: ExperimentConfig | null;
  /** The config being edited: equal to `applied` unless an edit is invalid or waits for Apply. */
  draft: ConfigDoc | null;
  /** parseExperiment's issues for the draft ("runs.1.lrd.keepProb: …"). */
  issues: string[];
  /**
   * Runs (methods) hidden from the charts, by run key: a run's key stays with it through removals,
   * duplicates and reorders (RunSummary.runKey). Opening another experiment clears it.
   */
  hidden: Record<number, boolean>;
  view: ViewSettings;
  setView: (patch: Partial<ViewSettings>) => void;
  toggleHidden: (runKey: number) => void;
}

export const useLab = create<LabState>()((set) => ({
  phase: 'starting',
  adapter: '',
  busy: true,
  summary: null,
  engine: null,
  records: new RecordTable(),
  recordsVersion: 0,
  notes: [],
  budgetOffer: null,
  pausing: false,
  error: '',
  applied: null,
  config: null,
  draft: null,
  issues: [],
  hidden: {},
  view: { smoothing: 0, logY: true, axis: 'step', aggregate: true, targetLoss: 0.5, theme: savedTheme(), speed: 0 },
  setView: (patch) => {
    if (patch.theme) saveTheme(patch.theme);
    set((state) => ({ view: { ...state.view, ...patch } }));
  },
  toggleHidden: (runKey) => set((state) => ({ hidden: { ...state.hidden, [runKey]: !state.hidden[runKey] } })),
}));

// ------------------------------------------------------------------------------- pure helpers

/** What a batch of engine events changed besides the records: the experiment applied, notes. */
export interface BatchEffect {
  /** The experiment as the engine now runs it (load, rebuild, run update, budget, import). */
  applied?: AppliedExperiment;
  /** A new experiment (load, rebuild, import): the draft starts over from it. */
  replaced: boolean;
  /** Methods changed mid-training (their draft runs take the engine's version). */
  updatedMethods: number[];
  /** The budget moved (the draft's budget takes the engine's). */
  budgetChanged: boolean;
  notes: string[];
  /** A load or reset cleared the metrics. */
  cleared: boolean;
}

/** Selectors the views follow through useThrottledStore (app/redraw.ts): module-level, so they stay the same function. */
export const recordsVersion = (state: LabState) => state.recordsVersion;
export const engineStep = (state: LabState) => state.engine?.step ?? 0;

const NO_DIVERGENCE: ReadonlyArray<number | null> = [];
let lastDiverged = NO_DIVERGENCE;
/**
 * The step at which each run diverged (null: not): the same array for as long as its content is
 * (the engine's state is new with every batch of events; its divergence list seldom changes).
 */
export function divergedOf(state: Pick<LabState, 'engine'>): ReadonlyArray<number | null> {
  const next = state.engine?.diverged ?? NO_DIVERGENCE;
  if (next.length !== lastDiverged.length || next.some((step, run) => step !== lastDiverged[run])) lastDiverged = next;
  return lastDiverged;
}

/**
 * The divergence list as of the records' `version` (a throttled view's, useThrottledStore): it
 * changes only with a batch of events, which changes the version too. Read with the version, not
 * subscribed to: a store subscription renders synchronously, and each divergence in a 576-run
 * sweep rendered the summary table and the sweep panel in one long task.
 */
export function useDivergedAt(version: number): ReadonlyArray<number | null> {
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the version says when the engine's state is new
  return useMemo(() => divergedOf(useLab.getState()), [version]);
}

/** Applies a batch of engine events to `records` (in place: a load or reset clears them, metrics are upserted); returns what else changed. */
export function foldBatch(records: RecordTable, batch: EventBatch): BatchEffect {
  const effect: BatchEffect = { replaced: false, updatedMethods: [], budgetChanged: false, notes: [], cleared: false };
  for (const event of batch.events) {
    switch (event.kind) {
      case 'loaded':
        effect.applied = event.applied;
        records.clear();
        effect.replaced = true;
        effect.cleared = true;
        break;
      case 'reset':
        records.clear();
        effect.cleared = true;
        break;
      case 'run-updated':
        effect.applied = event.applied;
        effect.updatedMethods.push(event.method);
        effect.notes.push(`${event.applied.summary.runs.find((r) => r.method === event.method)?.label ?? `run ${event.method}`} changed from step ${event.fromStep} (no reset)`);
        break;
      case 'budget-changed':
        effect.applied = event.applied;
        effect.budgetChanged = true;
        effect.notes.push(`budget now ${event.applied.summary.budgetSteps} steps: training goes on from where it is`);
        break;
      case 'replaying':
        effect.notes.push(
          event.fromStep === event.toStep
            ? `restoring the saved training from its checkpoint at step ${event.fromStep}…`
            : event.fromStep > 0
              ? `replaying the saved training from its checkpoint at step ${event.fromStep} to step ${event.toStep}…`
              : `replaying the saved training to step ${event.toStep}…`,
        );
        break;
      case 'imported': {
        const { difference } = event;
        effect.notes.push(
          event.fromStep === event.step
            ? `restored at step ${event.step} from its checkpoint (nothing to replay)`
            : difference.differing === 0 && difference.missing === 0
            ? `restored at step ${event.step}: the replay${event.fromStep > 0 ? ` from the checkpoint at step ${event.fromStep}` : ''} matches the file exactly (${difference.compared} numbers)`
            : `restored at step ${event.step}; the replay differs from the file (${difference.differing} of ${difference.compared} numbers, max relative ${difference.maxRelative.toExponential(1)}; first: ${difference.first}); the file's metrics are kept`,
        );
        effect.applied = event.applied;
        records.clear();
        records.pushColumns(event.records);
        effect.replaced = true;
        break;
      }
      case 'metrics':
        records.pushColumns(event.records);
        break;
      case 'diverged':
        effect.notes.push(`run ${event.run} diverged at step ${event.step}: ${event.reason}`);
        break;
      case 'error':
        effect.notes.push(`error: ${event.message}`);
        break;
    }
  }
  return effect;
}

/**
 * The draft after the engine applied `effect`: a new experiment replaces it; a method changed
 * mid-training or a moved budget takes the engine's version of just that part, so edits still
 * waiting for Apply elsewhere in the draft are kept.
 */
export function draftAfter(draft: ConfigDoc | null, effect: BatchEffect): ConfigDoc | null {
  const document = effect.applied?.document;
  if (!document) return draft;
  if (effect.replaced || !draft) return clone(document);
  let next = draft;
  const runs = document.runs as unknown[];
  for (const method of effect.updatedMethods) next = setPath(next, `runs.${method}`, clone(runs[method]));
  if (effect.budgetChanged) next = setPath(next, 'budget', clone(document.budget));
  return next;
}

/** The field path of a ConfigError issue ("runs.1.lrd.keepProb: must …" → "runs.1.lrd.keepProb"). */
export function issueField(issue: string): string {
  const colon = issue.indexOf(': ');
  return colon < 0 ? '' : issue.slice(0, colon);
}

/** The message of the first issue at `field` (exactly), without the field name; undefined if none. */
export function issueAt(issues: readonly string[], field: string): string | undefined {
  const issue = issues.find((i) => issueField(i) === field);
  return issue === undefined ? undefined : issue.slice(field.length + 2);
}

/** Issues at `prefix` or below it (e.g. every issue of run 2: "runs.2"). */
export function issuesUnder(issues: readonly string[], prefix: string): string[] {
  return issues.filter((i) => {
    const field = issueField(i);
    return field === prefix || field.startsWith(`${prefix}.`);
  });
}

/** Every issue of a config document (empty when valid). */
export function validate(doc: unknown): string[] {
  try {
    parseExperiment(doc);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    return [`experiment: ${(error as Error).message}`];
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** How a valid draft differs from the applied config (see classifyEdit). */
export type EditKind = { kind: 'none' } | { kind: 'runs'; changed: number[]; budget?: true } | { kind: 'restart' };

/**
 * How a valid draft differs from the applied config: nothing; only some runs' settings and/or the
 * budget (applied mid-training: updateRun, setBudget); or anything else (a reload that restarts).
 */
export function classifyEdit(applied: ConfigDoc, draft: ConfigDoc): EditKind {
  const { runs: appliedRuns, budget: appliedBudget, ...appliedRest } = applied;
  const { runs: draftRuns, budget: draftBudget, ...draftRest } = draft;
  const a = Array.isArray(appliedRuns) ? appliedRuns : [];
  const d = Array.isArray(draftRuns) ? draftRuns : [];
  if (!same(appliedRest, draftRest) || a.length !== d.length) return { kind: 'restart' };
  const changed = d.flatMap((run, i) => (same(run, a[i]) ? [] : [i]));
  const budget = !same(appliedBudget, draftBudget);
  if (changed.length === 0 && !budget) return { kind: 'none' };
  return budget ? { kind: 'runs', changed, budget } : { kind: 'runs', changed };
}

/** A deep copy of a JSON value. */
export const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** `doc` with the value at the dotted `path` set (objects created on the way; undefined deletes). */
export function setPath(doc: ConfigDoc, path: string, value: unknown): ConfigDoc {
  const next = clone(doc);
  const keys = path.split('.');
  let node: Record<string, unknown> | unknown[] = next;
  keys.slice(0, -1).forEach((key) => {
    const holder = node as Record<string, unknown>;
    if (typeof holder[key] !== 'object' || holder[key] === null) holder[key] = {};
    node = holder[key] as Record<string, unknown>;
  });
  const last = keys[keys.length - 1];
  if (value === undefined) delete (node as Record<string, unknown>)[last];
  else (node as Record<string, unknown>)[last] = value;
  return next;
}

/** The value at a dotted path of a document (undefined if absent). */
export function getPath(doc: unknown, path: string): unknown {
  let node = doc;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** A label not used by any run: "<base> copy", "<base> copy 2", … (labels must be unique). */
export function uniqueLabel(runs: ReadonlyArray<{ label?: unknown }>, base: string): string {
  const taken = new Set(runs.map((run) => run.label));
  for (let n = 1; ; n++) {
    const label = n === 1 ? `${base} copy` : `${base} copy ${n}`;
    if (!taken.has(label)) return label.slice(0, 60);
  }
}

/** The status line: starting, training, pausing (asked, not yet stopped), done, paused (steps taken), ready. */
export function statusOf(state: Pick<LabState, 'busy' | 'engine' | 'summary'> & { pausing?: boolean }): string {
  const { busy, engine, summary } = state;
  if (busy) return 'starting';
  if (engine?.running) return state.pausing ? 'pausing' : 'training';
  if (engine?.done) return 'done';
  if ((engine?.step ?? 0) > 0) return 'paused';
  return summary ? 'ready' : 'no experiment';
}
