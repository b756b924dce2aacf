/**
 * Persistence across reloads in IndexedDB (idb-keyval): the experiment config as applied, its
 * results as an append-only log (a small head, one chunk of records per save, and the context the
 * records belong to, written when it changes: a save costs what was trained since the last one,
 * never the whole history), and the last uploaded dataset.
 * A chunk holds its records as columns of typed arrays (RecordColumns), which IndexedDB copies in
 * one piece per field; chunks saved by earlier versions, lists of record objects, are still read.
 * The page writes (./autosave.ts); on load the engine's Worker reads (restoreSaved in
 * ./engine.worker.ts): it assembles the results document from the log and restores it (a
 * deterministic replay, from the engine's last checkpoint when there is one:
 * src/experiment/checkpoint.ts), or loads the config alone if nothing trained, so the page never
 * holds a long run's records as objects. Results saved by earlier versions as one document (key
 * `results`) are still read.
 */
import { createStore, delMany, get, getMany, keys, set, setMany } from 'idb-keyval';
import type { TrainingCheckpoint } from '../src/experiment/checkpoint';
import type { ExperimentConfig } from '../src/experiment/config';
import { RecordTable } from '../src/experiment/record-table';
import { columnsIssue, type RecordColumns } from '../src/experiment/record-columns';
import type { MetricRecord } from '../src/experiment/records';
import { RESULTS_FORMAT, RESULTS_VERSION, type RunIdentity } from '../src/experiment/results';
import type { Step } from '../src/util/ids';

const store = () => createStore('lr-lab', 'experiment');
const CONFIG_KEY = 'config';
/** The results of earlier versions: one JSON document. */
const LEGACY_RESULTS_KEY = 'results';
const HEAD_KEY = 'results-head';
/** What the log's records belong to (config, runs): written with the first chunk and when it changes. */
const CONTEXT_KEY = 'results-context';
const CHUNK_PREFIX = 'results-chunk-';
const UPLOAD_KEY = 'upload';
/** The engine's last checkpoint of the training in the log (typed arrays, by structured clone). */
const CHECKPOINT_KEY = 'checkpoint';

/** The user's last uploaded dataset as the Worker's addUpload takes it (CSV text or IDX bytes). */
export interface StoredUpload {
  id: string;
  payload: unknown;
}

/**
 * What the log's records belong to: the config and its stacked runs. Written with the log's first
 * chunk and again only when it changes (a 576-run sweep's run identities, cloned into IndexedDB
 * with every chunk, made each save a 20–60 ms task on the page's main thread).
 */
export interface ResultsContext {
  config: ExperimentConfig;
  runs: RunIdentity[];
}

/** Where the log stands, rewritten with every chunk. (Heads saved by earlier versions also carry the context.) */
export interface ResultsHead {
  /** The last step the saved records reach. */
  step: Step;
  diverged: Array<Step | null>;
  /** Chunks written so far (keys CHUNK_PREFIX + 0 … chunks − 1). */
  chunks: number;
  savedAt: string;
}

/** What a previous visit left: the config, and (if it trained) its results log or an old results document. */
export interface Saved {
  config?: Record<string, unknown>;
  /** The head and its records: one per run and step (a step's later record replaced the earlier), in the order first saved. */
  log?: { head: ResultsHead & ResultsContext; records: RecordColumns };
  /** An earlier version's results document (JSON text). */
  results?: string;
  /** The training state at a step the log reaches (the restore replays from there). */
  checkpoint?: TrainingCheckpoint;
}

const chunkKey = (index: number) => `${CHUNK_PREFIX}${index}`;

/**
 * The records of a log's chunks, in order, a step's later record replacing an earlier one (an
 * evaluation or an angle saved after its step); null when a chunk is neither columns nor a list of
 * records (then the log is not restored).
 */
export function recordsOfChunks(chunks: readonly unknown[]): RecordColumns | null {
  const table = new RecordTable();
  for (const chunk of chunks) {
    if (Array.isArray(chunk)) table.pushAll(chunk as MetricRecord[]); // an earlier version's chunk
    else if (columnsIssue(chunk) === null) table.pushColumns(chunk as RecordColumns);
    else return null;
  }
  return table.toColumns(); // as columns: the restore makes them into objects once (parseResults)
}

/**
 * The results document (not yet validated: src/experiment/results.ts parseResults, with
 * recordsInMemory) of a saved log: its head and its records.
 */
export function resultsOfLog({ head, records }: NonNullable<Saved['log']>): Record<string, unknown> {
  return { format: RESULTS_FORMAT, version: RESULTS_VERSION, savedAt: head.savedAt, config: head.config, runs: head.runs, records, diverged: head.diverged, step: head.step };
}

/** The saved head with its context (an earlier version's head carries its own); null without both. */
export function headOf(head: unknown, context: unknown): (ResultsHead & ResultsContext) | null {
  if (!head || typeof head !== 'object') return null;
  const full = { ...(context && typeof context === 'object' ? context : {}), ...head } as Partial<ResultsHead & ResultsContext>;
  return full.config && full.runs && typeof full.chunks === 'number' ? (full as ResultsHead & ResultsContext) : null;
}

/** Reads what was saved; nothing (never a throw) when IndexedDB is unavailable. */
export async function loadSaved(): Promise<Saved> {
  try {
    const db = store();
    const [config, head, context, results, checkpoint] = await getMany<unknown>([CONFIG_KEY, HEAD_KEY, CONTEXT_KEY, LEGACY_RESULTS_KEY, CHECKPOINT_KEY], db);
    const saved: Saved = { config: config as Record<string, unknown> | undefined, results: results as string | undefined };
    if (checkpoint) saved.checkpoint = checkpoint as TrainingCheckpoint;
    const logHead = headOf(head, context);
    if (logHead) {
      const records = recordsOfChunks(await getMany<unknown>(Array.from({ length: logHead.chunks }, (_, i) => chunkKey(i)), db));
      if (records) saved.log = { head: logHead, records };
    }
    return saved;
  } catch {
    return {};
  }
}

/** Saves the applied config; the results saved before it are dropped if they belong to another config. */
export async function saveConfig(config: Record<string, unknown>, keepResults: boolean): Promise<void> {
  try {
    const db = store();
    await set(CONFIG_KEY, config, db);
    if (!keepResults) await dropResults();
  } catch {
    // Private mode or no IndexedDB: the page works without persistence.
  }
}

/** Appends chunk `head.chunks − 1` of records and the head (and the context, when given), in one transaction (all or none). */
export async function appendResults(records: RecordColumns, head: ResultsHead, context?: ResultsContext): Promise<void> {
  try {
    await setMany([[chunkKey(head.chunks - 1), records], [HEAD_KEY, head], ...(context ? [[CONTEXT_KEY, context] as [string, ResultsContext]] : [])], store());
  } catch {
    // as above
  }
}

/** Replaces the checkpoint (null drops it). */
export async function saveCheckpoint(checkpoint: TrainingCheckpoint | null): Promise<void> {
  try {
    if (checkpoint) await set(CHECKPOINT_KEY, checkpoint, store());
    else await delMany([CHECKPOINT_KEY], store());
  } catch {
    // as above
  }
}

/** Drops the results log and its checkpoint (a new experiment, a reset, or forget). */
export async function dropResults(): Promise<void> {
  try {
    const db = store();
    const old = (await keys<string>(db)).filter((key) => key === HEAD_KEY || key === CONTEXT_KEY || key === LEGACY_RESULTS_KEY || key === CHECKPOINT_KEY || String(key).startsWith(CHUNK_PREFIX));
    await delMany(old, db);
  } catch {
    // as above
  }
}

/** Keeps the last uploaded dataset, so that an experiment on it survives a reload. */
export async function saveUpload(upload: StoredUpload): Promise<void> {
  try {
    await set(UPLOAD_KEY, upload, store());
  } catch {
    // as above
  }
}

/** The last uploaded dataset, if any. */
export async function loadUpload(): Promise<StoredUpload | undefined> {
  try {
    return await get<StoredUpload>(UPLOAD_KEY, store());
  } catch {
    return undefined;
  }
}

/** Forgets everything saved (the "Forget saved" control). */
export async function clearSaved(): Promise<void> {
  try {
    const db = store();
    await dropResults();
    await delMany([CONFIG_KEY, UPLOAD_KEY], db);
  } catch {
    // as above
  }
}
