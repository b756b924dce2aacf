/**
 * Autosave of the page's experiment across reloads. The page hands over the records as they arrive;
 * a save appends those since the last save as one chunk of the results log (./persist.ts), so its
 * cost depends on what trained since, never on the length of the run. Saves run at most every
 * `intervalMs` while training (a reload loses at most that much), at once when training stops (a
 * pause, the end of the budget, a lost device), and on demand (the page hiding). A new experiment,
 * a reset or a restored file starts the log over. "Forget saved" drops everything scheduled or in
 * flight across it. Storage is passed in, so the unit is tested without a browser.
 *
 * Beside the log it keeps the engine's last checkpoint (src/experiment/checkpoint.ts), so that a
 * reload replays the seconds since it, not the whole run: one every `checkpointEveryMs` while
 * training (or 50× the time the last one took, if longer: its cost stays under 2 % of training,
 * however big the stack), and one when training stops. A checkpoint is written only once the log
 * reaches its step (its records may still be on their way), and a log that starts over drops it.
 * The checkpoint itself never comes to the page: the engine's Worker keeps what it took and writes
 * it to IndexedDB when told (a 576-run sweep's, cloned into IndexedDB on the page's main thread,
 * took it for 350–400 ms); here it is known by its step.
 */
import type { ExperimentConfig } from '../src/experiment/config';
import { concatColumns, type RecordColumns } from '../src/experiment/record-columns';
import type { RunIdentity } from '../src/experiment/results';
import type { SessionState } from '../src/experiment/session-events';
import { asStep, type Step } from '../src/util/ids';
import type { ResultsContext, ResultsHead } from './persist';

/** Where saves go (./persist.ts in the page). */
export interface AutosaveStorage {
  saveConfig(config: Record<string, unknown>, keepResults: boolean): Promise<void>;
  /** Appends a chunk of records (as columns: written to IndexedDB in one piece per field, not as objects); the context only when it is new to the log. */
  appendResults(records: RecordColumns, head: ResultsHead, context?: ResultsContext): Promise<void>;
  dropResults(): Promise<void>;
  /** Replaces the saved checkpoint with the one taken at `checkpoint.step` (null drops it). */
  saveCheckpoint(checkpoint: CheckpointTaken | null): Promise<void>;
  clear(): Promise<void>;
}

/** A checkpoint the engine took and keeps until it is saved (or replaced by a later one): its step. */
export interface CheckpointTaken {
  step: number;
}

/** What the records belong to: the engine's config, its stacked runs, their divergence steps. */
export interface AutosaveContext {
  config: ExperimentConfig;
  runs: RunIdentity[];
  diverged: Array<Step | null>;
}

export interface AutosaveOptions {
  storage: AutosaveStorage;
  /** The experiment now (null before one is loaded). */
  context: () => AutosaveContext | null;
  /** Most time between two saves while training (what a reload may lose). */
  intervalMs?: number;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
  /** Asks the engine for its training state (null when it cannot take one); none asked without it. */
  checkpoint?: () => Promise<CheckpointTaken | null>;
  /** Least time between two checkpoints while training. */
  checkpointEveryMs?: number;
  now?: () => number;
}

export class Autosave {
  /** Records that arrived since the last save, as the batches brought them. */
  private pending: RecordColumns[] = [];
  private chunks = 0;
  /** The context the log on disk has (null: none yet, written with the next chunk). */
  private savedContext: ResultsContext | null = null;
  /** The last step the saved records reach. */
  private savedStep = 0;
  private timer: unknown = null;
  /** Storage operations, one after another (a log restarted while a chunk is written stays whole). */
  private chain: Promise<void> = Promise.resolve();
  /** "Forget saved" is running: nothing is saved. */
  private forgetting = false;
  /**
   * A restore replays: its records are not the history (the restored file's records come after it),
   * and what it applies (config, a log to start over) waits until it is done, so that the log on disk
   * stays whole if the page closes mid-replay.
   */
  private replaying = 0;
  private deferred: { records?: () => RecordColumns; config?: Record<string, unknown> } = {};
  private wasRunning = false;
  private savedAfterLoss = false;
  private readonly intervalMs: number;
  private readonly setTimer: (callback: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;
  /** The log restarts (and "Forget saved") count up: a checkpoint asked for before one belongs to the old log. */
  private generation = 0;
  /** The engine step the last checkpoint was asked at (-1: none in this log). */
  private checkpointStep = -1;
  private checkpointing = false;
  private lastCheckpointAt = Number.NEGATIVE_INFINITY;
  private checkpointCostMs = 0;
  /** The engine's state at the last observe (a restore's checkpoint is asked for once its replay is done). */
  private lastState: SessionState | null = null;
  /** A checkpoint past the last saved step, written once the log reaches it. */
  private held: CheckpointTaken | null = null;
  private readonly checkpointEveryMs: number;
  private readonly now: () => number;

  constructor(private readonly options: AutosaveOptions) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.checkpointEveryMs = options.checkpointEveryMs ?? 5000;
    this.now = options.now ?? (() => performance.now());
    this.setTimer = options.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
    this.clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  }

  /** Records that arrived: new steps, or a step's records re-sent with its evaluation. */
  append(records: RecordColumns): void {
    if (this.forgetting || this.replaying > 0 || records.length === 0) return;
    this.pending.push(records);
  }

  /**
   * A new experiment, a reset or a restored file: the log starts over with `records` (all there are
   * now; a function, so that a restore's are listed only if the log does start over). With
   * records, the next save overwrites the log's first chunk and its head in one transaction (older
   * chunks past the head's count are never read); without, the log is dropped.
   */
  restart(records: RecordColumns | (() => RecordColumns)): void {
    if (this.forgetting) return;
    const list = typeof records === 'function' ? records : () => records;
    if (this.replaying > 0) {
      this.deferred.records = list;
      return;
    }
    this.cancel();
    const all = list();
    this.pending = all.length > 0 ? [all] : [];
    this.chunks = 0;
    this.savedContext = null;
    this.savedStep = 0;
    this.forgetCheckpoint();
    void this.enqueue(() => this.options.storage.saveCheckpoint(null));
    if (this.pending.length > 0) this.schedule(0);
    else this.enqueue(() => this.options.storage.dropResults());
  }

  /** The engine's state after a batch of events: when to save (see the module comment). */
  observe(state: SessionState): void {
    this.lastState = state;
    const stopped = this.wasRunning && !state.running;
    this.wasRunning = state.running;
    if (this.forgetting) return;
    if (state.deviceLost) {
      if (!this.savedAfterLoss) this.schedule(0); // what was read back before the loss, once
      this.savedAfterLoss = true;
    } else if (stopped || !state.running) this.schedule(0);
    else if (this.timer === null) this.schedule(this.intervalMs);
    if (!state.deviceLost) this.maybeCheckpoint(state);
  }

  /** Asks for a checkpoint when one is due: training and the interval passed, or stopped at a step without one. */
  private maybeCheckpoint(state: SessionState): void {
    const take = this.options.checkpoint;
    if (!take || this.forgetting || this.replaying > 0 || this.checkpointing || state.step === 0 || state.step === this.checkpointStep) return;
    const started = this.now();
    if (state.running && started - this.lastCheckpointAt < Math.max(this.checkpointEveryMs, 50 * this.checkpointCostMs)) return;
    this.checkpointing = true;
    this.checkpointStep = state.step;
    this.lastCheckpointAt = started;
    const generation = this.generation;
    void take()
      .then((checkpoint) => {
        this.checkpointCostMs = this.now() - started;
        if (!checkpoint || generation !== this.generation || this.forgetting) return;
        this.held = checkpoint;
        this.writeHeldCheckpoint();
      })
      .catch(() => undefined) // no checkpoint: a reload replays from the one before (or from step 0)
      .finally(() => (this.checkpointing = false));
  }

  /** Writes the held checkpoint once the saved records reach its step. */
  private writeHeldCheckpoint(): void {
    const checkpoint = this.held;
    if (!checkpoint || checkpoint.step > this.savedStep || this.chunks === 0) return;
    this.held = null;
    void this.enqueue(async () => {
      const started = this.now();
      await this.options.storage.saveCheckpoint(checkpoint);
      this.checkpointCostMs += this.now() - started; // taking and writing it: both slow training down
    });
  }

  private forgetCheckpoint(): void {
    this.generation++;
    this.held = null;
    this.checkpointStep = -1;
    this.lastCheckpointAt = Number.NEGATIVE_INFINITY;
  }

  /** A config was applied: saved at once (results saved before it stay only if `keepResults`). */
  configApplied(config: Record<string, unknown>, keepResults: boolean): Promise<void> {
    if (this.forgetting) return this.chain;
    if (this.replaying > 0) {
      this.deferred.config = config;
      return this.chain;
    }
    return this.enqueue(() => this.options.storage.saveConfig(config, keepResults));
  }

  /** Saves now (the page is being hidden or closed); resolves when written. */
  flush(): Promise<void> {
    this.cancel();
    return this.save();
  }

  /**
   * Runs `work` (a restore's replay) without taking its records as history; what it applied is saved
   * after. `goesOn`: when the restore was of the saved log itself, where that log stands (its
   * chunks and step): the log goes on from there, with its checkpoint, instead of starting over.
   */
  async while<T>(work: () => Promise<T>, goesOn?: (result: T) => { chunks: number; step: number } | null): Promise<T> {
    this.replaying++;
    let log: { chunks: number; step: number } | null = null;
    try {
      const result = await work();
      log = goesOn?.(result) ?? null;
      return result;
    } finally {
      this.replaying--;
      if (this.replaying === 0) {
        const { records, config } = this.deferred;
        this.deferred = {};
        if (config) void this.configApplied(config, true);
        if (log && !this.forgetting) this.goOn(log);
        else if (records) this.restart(records);
        if (this.lastState) this.maybeCheckpoint(this.lastState); // the restored step, so that the next reload starts there
      }
    }
  }

  /** The saved log was restored as it is: the next save appends its chunk `chunks` (nothing to write again). */
  private goOn({ chunks, step }: { chunks: number; step: number }): void {
    this.cancel();
    this.pending = [];
    this.chunks = chunks;
    this.savedContext = null; // (written again with the next chunk: the log may be an earlier version's)
    this.savedStep = step;
  }

  /** Forgets everything saved, then runs `then` (open the default) with saving off; nothing scheduled or in flight before lands after. */
  async forget(then: () => Promise<unknown>): Promise<void> {
    this.forgetting = true;
    this.cancel();
    this.pending = [];
    this.forgetCheckpoint();
    try {
      await this.chain;
      await this.options.storage.clear();
      await then();
    } finally {
      this.chunks = 0;
      this.savedContext = null;
      this.savedStep = 0;
      this.forgetting = false;
    }
  }

  private enqueue(operation: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(operation).catch(() => undefined);
    return this.chain;
  }

  /** Schedules a save in `ms` (replacing one scheduled). */
  private schedule(ms: number): void {
    this.cancel();
    this.timer = this.setTimer(() => {
      this.timer = null;
      void this.save();
    }, ms);
  }

  private cancel(): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
  }

  /** Appends the pending records as the next chunk, with a head saying where the log stands (and what it belongs to, when that is new). */
  private save(): Promise<void> {
    const context = this.options.context();
    if (this.forgetting || this.pending.length === 0 || !context) return this.chain;
    const records = concatColumns(this.pending);
    this.pending = [];
    for (const step of records.step) if (step > this.savedStep) this.savedStep = step;
    const step = asStep(this.savedStep);
    this.chunks += 1;
    const head: ResultsHead = {
      step,
      diverged: context.diverged.map((at) => (at !== null && at <= step ? at : null)),
      chunks: this.chunks,
      savedAt: new Date().toISOString(),
    };
    const known = this.savedContext?.config === context.config && this.savedContext.runs === context.runs;
    const fresh = known ? undefined : { config: context.config, runs: context.runs };
    if (fresh) this.savedContext = fresh;
    const saved = this.enqueue(() => this.options.storage.appendResults(records, head, fresh));
    this.writeHeldCheckpoint();
    return saved.then(() => this.chain);
  }
}
