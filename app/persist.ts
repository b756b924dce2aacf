/**
 * Persistence across reloads in IndexedDB (idb-keyval): the experiment config as applied and the
 * latest results document (config + every record), and the last uploaded dataset. On load the page restores the results with
 * importResults (a deterministic replay), or loads the config alone if there are no results.
 */
import { createStore, del, get, set } from 'idb-keyval';

const store = () => createStore('lr-lab', 'experiment');
const CONFIG_KEY = 'config';
const RESULTS_KEY = 'results';
const UPLOAD_KEY = 'upload';

/** The user's last uploaded dataset as the Worker's addUpload takes it (CSV text or IDX bytes). */
export interface StoredUpload {
  id: string;
  payload: unknown;
}

/** What a previous visit left: the config and (if it trained) the results JSON. */
export interface Saved {
  config?: Record<string, unknown>;
  results?: string;
}

/** Reads what was saved; nothing (never a throw) when IndexedDB is unavailable. */
export async function loadSaved(): Promise<Saved> {
  try {
    const db = store();
    const [config, results] = await Promise.all([get<Record<string, unknown>>(CONFIG_KEY, db), get<string>(RESULTS_KEY, db)]);
    return { config, results };
  } catch {
    return {};
  }
}

/** Saves the applied config; the results saved before it are dropped if they belong to another config. */
export async function saveConfig(config: Record<string, unknown>, keepResults: boolean): Promise<void> {
  try {
    const db = store();
    await set(CONFIG_KEY, config, db);
    if (!keepResults) await del(RESULTS_KEY, db);
  } catch {
    // Private mode or no IndexedDB: the page works without persistence.
  }
}

/** Saves the results document (JSON text). */
export async function saveResults(json: string): Promise<void> {
  try {
    await set(RESULTS_KEY, json, store());
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
    await Promise.all([del(CONFIG_KEY, db), del(RESULTS_KEY, db), del(UPLOAD_KEY, db)]);
  } catch {
    // as above
  }
}
