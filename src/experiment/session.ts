/**
 * A training session: the one place that drives an ExperimentRunner over time. It owns the
 * experiment that is loaded (the config document as the user wrote it, the validated config, the
 * dataset and the runner) and everything that happens to it: start, pause, single steps, resume,
 * run edits that wait for a block boundary, the speed limit, budget changes, the end of the budget,
 * restoring a results file (a replay: catch-up), and failures (a lost device among them). The
 * page's Worker, the demos' Worker and the CLI are thin adapters around it.
 *
 * Concurrency: one training loop at a time. Calls that need a quiet GPU (step, reset, load, addRun,
 * removeRun, restore) pause the loop first and run one after another; updateRun, setBudget and
 * exportJson run at the loop's next block boundary while it trains. A failure never drops the
 * runner, so every metric already collected stays exportable.
 */
import type { Dataset } from '../data/types';
import type { GpuContext } from '../gpu/device';
import { asStep, type MethodIndex, type Step } from '../util/ids';
import { jsonDocument } from '../util/json';
import { parseExperiment, type ExperimentConfig } from './config';
import { metricsCsvChunks, runsCsv } from './export';
import { readExperimentFile } from './files';
import { resultsJsonChunks, upToLastRecord, type ResultsDocument } from './results';
import type { ExperimentRunner } from './runner';
import type { TrainingRunner } from './training-runner';
import { summarizeExperiment, type AppliedExperiment, type ConfigDocument, type RebuildResult, type RestoreResult, type SessionEvent, type SessionState } from './session-events';
import { createTrainingRunner } from './setup';
import { WorkQueue } from './work-queue';
import type { TrainingCheckpoint } from './checkpoint';
import { replayResults } from './replay';
import { TrainingLoop } from './training-loop';
import { SessionEdits, type EditedExperiment } from './session-edits';

export interface SessionOptions {
  /** The dataset a config names (the page fetches the site's files or takes an upload; Node reads files). */
  loadDataset: (config: ExperimentConfig) => Promise<Dataset>;
  /** Milliseconds on a monotonic clock (tests may pass their own). */
  now?: () => number;
}

interface Experiment extends EditedExperiment {
  unsubscribe: () => void;
}

/** How long to wait for the device's own reason after a GPU call failed without one. */
const LOST_REASON_WAIT_MS = 200;

export class TrainingSession {
  private current: Experiment | null = null;
  /** Calls that need a quiet GPU, one after another; run edits, budget changes and exports at block boundaries. */
  private readonly work = new WorkQueue();
  /** Training over time: blocks, pauses, the speed limit (./training-loop.ts). */
  private readonly loop: TrainingLoop;
  /** Run edits and budget changes (./session-edits.ts). */
  private readonly edits: SessionEdits;
  private lastError: string | null = null;
  private lostReason: string | null = null;
  private closed = false;
  private readonly listeners = new Set<(event: SessionEvent) => void>();

  constructor(
    readonly gpu: GpuContext,
    private readonly options: SessionOptions,
  ) {
    const now = options.now ?? (() => performance.now());
    this.loop = new TrainingLoop({
      work: this.work,
      runner: () => this.need().runner,
      guard: (work) => this.guard(work),
      changed: () => {
        const runner = this.current?.runner;
        if (runner) this.emit({ kind: 'progress', step: runner.step, budgetSteps: runner.options.budgetSteps });
      },
      now,
    });
    this.edits = new SessionEdits({
      need: () => this.need(),
      isCurrent: (exp) => this.current === exp,
      atBoundary: (work) => this.atBoundary(work),
      install: (document, config, dataset) => this.install(document, config, dataset),
      applied: (exp) => this.appliedOf(exp),
      emit: (event) => this.emit(event),
    });
    void gpu.lost.then((reason) => {
      if (this.closed) return;
      this.lostReason = reason;
      this.fail(reason);
    });
  }

  // ------------------------------------------------------------------------------------- state

  /** Receives every event; returns the function that stops it. */
  subscribe(listener: (event: SessionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: SessionEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  get state(): SessionState {
    const runner = this.current?.runner;
    return {
      step: runner?.step ?? asStep(0),
      budgetSteps: runner?.options.budgetSteps ?? 0,
      running: this.loop.running,
      done: runner?.done ?? false,
      diverged: runner ? [...runner.diverged] : [],
      error: this.lastError,
      deviceLost: this.lostReason !== null,
      speed: this.loop.speed,
    };
  }

  /** The runner of the experiment loaded (throws when none is); still readable after a failure. */
  get runner(): TrainingRunner {
    if (!this.current) throw new Error('no experiment loaded: call load(config) first');
    return this.current.runner;
  }

  /** The runner as one stacked Trainer (the demos read its weights); throws for a sweep trained in chunks. */
  get singleRunner(): ExperimentRunner {
    const runner = this.runner;
    if (!('trainer' in runner)) throw new Error('this experiment trains in chunks of stacked runs: it has no single runner');
    return runner as ExperimentRunner;
  }

  /** The experiment loaded, as a view needs it (null before the first load). */
  get applied(): AppliedExperiment | null {
    return this.current ? this.appliedOf(this.current) : null;
  }

  /** The experiment, for work on the GPU (refused once the device is lost). */
  private need(): Experiment {
    if (this.lostReason) throw new Error(`${this.lostReason}. Start again to train on a new device.`);
    return this.loaded();
  }

  /** The experiment, for work on what is on the CPU (the records: exports, also after a lost device). */
  private loaded(): Experiment {
    if (!this.current) throw new Error('no experiment loaded: call load(config) first');
    return this.current;
  }

  private appliedOf(exp: EditedExperiment): AppliedExperiment {
    return { document: exp.document, config: exp.config, summary: summarizeExperiment(exp.config, exp.runner, exp.dataset) };
  }

  /** Runs `work` with no step in flight: at the loop's next block boundary while training, else now. */
  private atBoundary<T>(work: () => Promise<T> | T): Promise<T> {
    // Whether the loop runs is asked when the work's turn comes (a start() queued before it starts the loop).
    return this.work.serialized(() => (this.loop.running ? this.work.atBoundary(work, true) : work()));
  }

  /** Records a failure and reports it; a lost device is said in its own words. */
  private fail(message: string): void {
    this.lastError = message;
    this.emit({ kind: 'error', message, deviceLost: this.lostReason !== null });
  }

  /** The words for a failed GPU call: the device's reason when it was lost (a lost device's calls fail without one). */
  private async explain(error: unknown): Promise<string> {
    const message = error instanceof Error ? error.message : String(error);
    if (this.lostReason) return this.lostReason;
    if (message) return message;
    const reason = await Promise.race([this.gpu.lost, new Promise<null>((resolve) => setTimeout(() => resolve(null), LOST_REASON_WAIT_MS))]);
    return reason ?? 'a GPU operation failed without a message';
  }

  // ------------------------------------------------------------------------------ experiments

  /**
   * Validates an experiment config (an object, or its JSON text), loads its dataset and builds the
   * runner at step 0. A bad config throws the ConfigError naming every bad field, and the
   * experiment already loaded (with its metrics) stays as it was.
   */
  async load(document: unknown): Promise<AppliedExperiment> {
    const input = jsonDocument(document, 'experiment') as ConfigDocument;
    const config = parseExperiment(input);
    return this.install(input, config, await this.options.loadDataset(config));
  }

  /**
   * Opens an experiment file of either kind (told apart by parsing it): a config loads, a results
   * file restores (from `checkpoint` when it is one of that training, see restore).
   */
  async open(text: string, checkpoint?: TrainingCheckpoint | null): Promise<AppliedExperiment> {
    const file = readExperimentFile(text);
    return file.kind === 'results' ? (await this.restore(file.results, checkpoint)).applied : this.install(file.document, file.config, await this.options.loadDataset(file.config));
  }

  /** Replaces the experiment (after pausing the old one); the old runner is freed only once the new one exists. */
  private install(document: ConfigDocument, config: ExperimentConfig, dataset: Dataset): Promise<AppliedExperiment> {
    return this.work.serialized(async () => {
      await this.pause();
      if (this.lostReason) throw new Error(`${this.lostReason}. Start again to train on a new device.`);
      const runner = createTrainingRunner(this.gpu, config, dataset);
      const old = this.current;
      if (old) {
        old.unsubscribe();
        old.runner.destroy();
      }
      const unsubscribe = runner.subscribe((event) => {
        if (event.kind === 'progress') this.loop.noteStep(event.step);
        this.emit(event);
      });
      this.current = { document, config, dataset, runner, unsubscribe };
      this.lastError = null;
      const applied = this.appliedOf(this.current);
      this.emit({ kind: 'loaded', applied });
      return applied;
    });
  }

  /**
   * Restores an experiment from its results document: builds its runner, replays the training to
   * the file's step (deterministic: the same weights, optimizer state and data position as when it
   * was saved; progress events meanwhile), then takes the file's records as the history.
   * With a `checkpoint` of that training (./checkpoint.ts; the autosave keeps one) at a step up to
   * the file's, the replay starts there instead of at step 0: a reload after 50,000 steps replays
   * seconds, not the whole run. A checkpoint that does not fit (other runs, past the file's step,
   * other sizes) is set aside and the replay starts at 0; `fromStep` says where it started.
   * `difference` says how the replayed steps compared with the file: identical on the same backend,
   * within f32 tolerance on another, more if a run was changed mid-training (and no checkpoint
   * was taken after the change).
   */
  async restore(results: ResultsDocument, checkpoint?: TrainingCheckpoint | null): Promise<RestoreResult> {
    const document = jsonDocument(results.config, 'results.config') as ConfigDocument;
    await this.install(document, results.config, await this.options.loadDataset(results.config));
    return this.work.serialized(async () => {
      const exp = this.need();
      const { fromStep, records, difference } = await replayResults(exp.runner, results, checkpoint, {
        replaying: (from) => this.emit({ kind: 'replaying', fromStep: from, toStep: results.step }),
        guard: (work) => this.guard(work),
      });
      const applied = this.appliedOf(exp);
      this.emit({ kind: 'imported', step: exp.runner.step, fromStep, records, difference, applied });
      return { applied, step: exp.runner.step, fromStep, difference };
    });
  }

  /**
   * The training state now (./checkpoint.ts), taken at the next block boundary while training;
   * null when there is no experiment, its device is lost, or its runner cannot take one (a sweep
   * trained in chunks: a reload replays it).
   */
  checkpoint(): Promise<TrainingCheckpoint | null> {
    const exp = this.current;
    if (!exp || this.lostReason || !exp.runner.checkpoint) return Promise.resolve(null);
    return this.atBoundary(async () => (this.current === exp && !this.lostReason ? ((await exp.runner.checkpoint?.()) ?? null) : null));
  }

  // --------------------------------------------------------------------------------- training

  /**
   * Starts (or resumes) training; resolves when it pauses, reaches the budget, or reaches `until`
   * steps (the CLI's --steps). Resuming continues bit for bit as if there had been no pause.
   */
  async start(options: { until?: number } = {}): Promise<SessionState> {
    // The loop's promise travels wrapped: the queue would otherwise wait for the whole loop.
    const { done } = await this.work.serialized(() => ({ done: this.loop.start(this.need().runner, options.until) }));
    await done;
    return this.state;
  }

  /** Pauses the loop, if any, at its next block boundary; resolves once it has stopped. */
  async pause(): Promise<SessionState> {
    await this.loop.pause();
    return this.state;
  }

  /** `count` optimizer steps of every run (pauses training first); evaluates on evaluation steps. */
  async step(count = 1): Promise<SessionState> {
    return this.work.serialized(async () => {
      await this.pause();
      const { runner } = this.need();
      if (!runner.done) await this.guard(() => runner.advance(count));
      return this.state;
    });
  }

  /** Back to step 0 with the same initial weights and data order; metrics are cleared. Paused after. */
  async reset(): Promise<SessionState> {
    return this.work.serialized(async () => {
      await this.pause();
      const { runner } = this.need();
      await this.guard(() => runner.reset());
      this.lastError = null;
      this.emit({ kind: 'reset' });
      return this.state;
    });
  }

  /** Limits training to `stepsPerSecond` (0 or less: no limit); takes effect at the next block. Results do not depend on it. */
  setSpeed(stepsPerSecond: number): number {
    return this.loop.setSpeed(stepsPerSecond);
  }

  /** Runs `work`; a failure is reported (in words, a lost device named) and rethrown. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const message = await this.explain(error);
      this.fail(message);
      throw new Error(message, { cause: error });
    }
  }

  // ------------------------------------------------------------------------------------- edits

  /**
   * Changes method `method` (config.runs[method], every replicate of it) mid-training, without a
   * reset: `runDocument` replaces the run in the config, which is validated whole (errors name
   * `runs.<method>.<field>`). While training, it applies at the next block boundary. Resolves with
   * the first step trained with the new settings.
   */
  updateRun(method: MethodIndex, runDocument: unknown): Promise<{ fromStep: Step }> {
    return this.edits.updateRun(method, runDocument);
  }

  /**
   * Moves the budget (`budget` replaces the config's, validated whole). Nothing a run computes
   * depends on the budget, so training goes on from the step reached; a budget below it is refused.
   */
  setBudget(budget: unknown): Promise<AppliedExperiment> {
    return this.edits.setBudget(budget);
  }

  /** Adds a run (a method). The stacked runner is rebuilt: training restarts from step 0 (same init and data order). */
  addRun(runDocument: unknown): Promise<RebuildResult> {
    return this.edits.addRun(runDocument);
  }

  /** Removes method `method` (every replicate of it); the others keep their colours and draws; training restarts. */
  removeRun(method: MethodIndex): Promise<RebuildResult> {
    return this.edits.removeRun(method);
  }

  /** Moves method `method` to place `to` (a reorder); every run keeps its colour and draws; training restarts. */
  moveRun(method: MethodIndex, to: MethodIndex): Promise<RebuildResult> {
    return this.edits.moveRun(method, to);
  }

  // ----------------------------------------------------------------------------------- exports

  /**
   * The CSV export of every metric collected so far (./export.ts): the metrics table in chunks (long
   * format, step order) and the runs table. Also after a failure: the records are on the CPU.
   */
  exportCsv(): { metrics: Iterable<string>; runs: string } {
    const exp = this.loaded();
    return { metrics: metricsCsvChunks(exp.runner.runs, exp.runner.records), runs: runsCsv(exp.config.name, exp.runner.runs) };
  }

  /**
   * The results document (./results.ts) of everything so far, as JSON text in chunks (no single
   * string of the whole history); while training, taken at the next block boundary.
   */
  async exportJson(): Promise<string[]> {
    const exp = this.loaded();
    if (this.lostReason) return [...resultsJsonChunks(exp.config, upToLastRecord(exp.runner))]; // the records are on the CPU
    return this.atBoundary(() => [...resultsJsonChunks(exp.config, exp.runner)]);
  }

  /** Pauses and frees the runner's GPU buffers (the device stays the caller's). */
  async close(): Promise<void> {
    await this.pause();
    this.closed = true;
    this.current?.unsubscribe();
    this.current?.runner.destroy();
    this.current = null;
  }
}
