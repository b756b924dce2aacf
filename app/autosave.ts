/**
 * Autosave of the page's experiment across reloads: the config as applied, and the results
 * document (config + every record) while and after it trains. A results save runs at most every
 * `intervalMs` while training, at once when training stops (a pause or the end of the budget), and
 * on demand (the page hiding). "Forget saved" drops every save scheduled or in flight across it.
 * Storage and the source of the results are passed in, so the unit is tested without a browser.
 */
import type { SessionState } from '../src/experiment/session-events';

/** Where saves go (./persist.ts in the page). */
export interface AutosaveStorage {
  saveConfig(config: Record<string, unknown>, keepResults: boolean): Promise<void>;
  saveResults(json: string): Promise<void>;
  clear(): Promise<void>;
}

export interface AutosaveOptions {
  /** The results document of the experiment now (the engine's exportJson). */
  results: () => Promise<string>;
  storage: AutosaveStorage;
  /** Least time between two results saves while training. */
  intervalMs?: number;
  now?: () => number;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

export class Autosave {
  private lastSave = Number.NEGATIVE_INFINITY;
  private timer: unknown = null;
  /** Bumped by forget(): a results save scheduled or in flight across it is dropped. */
  private generation = 0;
  /** Saves are off while a restore replays or "Forget saved" loads the default. */
  private suspended = 0;
  private wasRunning = false;
  private savedAfterLoss = false;
  private lastStep = 0;
  private inFlight: Promise<void> = Promise.resolve();
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly setTimer: (callback: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;

  constructor(private readonly options: AutosaveOptions) {
    this.intervalMs = options.intervalMs ?? 5000;
    this.now = options.now ?? (() => Date.now());
    this.setTimer = options.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
    this.clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  }

  /**
   * The engine's state after a batch of events: schedules a results save (nothing before the first
   * step; at once when training stops; at most every intervalMs while it runs).
   */
  observe(state: SessionState): void {
    const stopped = this.wasRunning && !state.running;
    this.wasRunning = state.running;
    const stepped = state.step !== this.lastStep;
    this.lastStep = state.step;
    if (this.suspended > 0 || state.step === 0) return;
    if (state.deviceLost) {
      // The engine still holds what it read back before the loss: save that once, then nothing more comes.
      if (!this.savedAfterLoss) this.schedule(0);
      this.savedAfterLoss = true;
      return;
    }
    if (stopped || (!state.running && stepped)) this.schedule(0);
    else if (state.running) this.schedule(Math.max(0, this.intervalMs - (this.now() - this.lastSave)), false);
  }

  /** A new config was applied: saved at once; results saved before it are kept only if they belong to it. */
  configApplied(config: Record<string, unknown>, keepResults: boolean): Promise<void> {
    if (this.suspended > 0) return Promise.resolve();
    return this.options.storage.saveConfig(config, keepResults);
  }

  /** Saves the results now (the page is being hidden or unloaded); resolves when written. */
  flush(): Promise<void> {
    if (this.suspended > 0 || this.lastStep === 0) return this.inFlight;
    this.cancel();
    return this.save();
  }

  /** Runs `work` (a restore's replay) with saving off. */
  async while<T>(work: () => Promise<T>): Promise<T> {
    this.suspended++;
    try {
      return await work();
    } finally {
      this.suspended--;
    }
  }

  /** Forgets everything saved, then runs `then` (open the default) with saving off; nothing scheduled or in flight before lands after. */
  async forget(then: () => Promise<unknown>): Promise<void> {
    this.generation++;
    this.cancel();
    await this.while(async () => {
      await this.inFlight.catch(() => undefined);
      await this.options.storage.clear();
      await then();
    });
    this.generation++;
  }

  /** Schedules a save in `ms` (replacing one scheduled, unless `replace` is false and one is). */
  private schedule(ms: number, replace = true): void {
    if (this.timer !== null && !replace) return;
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

  private save(): Promise<void> {
    const generation = this.generation;
    this.lastSave = this.now();
    this.inFlight = this.options
      .results()
      .then((json) => (generation === this.generation && this.suspended === 0 ? this.options.storage.saveResults(json) : undefined))
      .catch(() => undefined);
    return this.inFlight;
  }
}
