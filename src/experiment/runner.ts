/**
 * The lockstep experiment runner: every run (method × replicate) of an experiment is one stacked
 * run of ONE Trainer, so one dispatch per op trains them all on the same minibatches. Per step the
 * CPU only computes each run's global rate (RunRates) and submits; metrics come back batched and
 * asynchronously. Decisions taken from metrics (divergence, AutoDrop drops) take effect at a fixed
 * step — the start of the block after the next — so results never depend on timing.
 */
import type { GpuContext } from '../gpu/device';
import type { Dataset } from '../data/types';
import type { ResolvedModel } from '../nn/spec';
import { Trainer, type StepMetrics } from '../train/trainer';
import type { AutoDropConfig, AutoDropDecision } from '../optim/autodrop';
import type { LeapConfig } from '../optim/leap';
import { RunRates, type RunRatesConfig } from '../optim/run-rates';
import type { LrdConfig } from '../optim/lrd';
import type { OptimizerConfig } from '../optim/optimizer';
import { asRun, asStep, nextStep, type MethodIndex, type RunIndex, type Step } from '../util/ids';
import { checkpointIssue, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type RunnerCheckpoint, type TrainingCheckpoint } from './checkpoint';
import { DivergenceWatch } from './divergence';
import { RunnerAutoDrop } from './runner-autodrop';
import { RecordTable } from './record-table';
import type { MetricRecord, RunnerEvent } from './records';
import type { TrainingRunner } from './training-runner';

/** One stacked run as the runner sees it (see ./expand.ts expandRuns). */
export interface RunnerRun {
  label: string;
  /** The method (config.runs) this run repeats. */
  method: MethodIndex;
  replicate: number;
  /** The values a sweep gives this run, by axis field (absent or empty without a sweep). */
  swept?: Readonly<Record<string, number>>;
  /** Seed of this run's draws (LRD, LEAP, RALR); runs of one replicate share it. */
  seed: number;
  runKey: number;
  optimizer: OptimizerConfig;
  lrd?: LrdConfig | null;
  leap?: LeapConfig | null;
  lr: RunRatesConfig;
  /** AutoDrop's config when enabled (see ../optim/autodrop.ts). */
  autodrop?: AutoDropConfig | null;
}

export interface RunnerOptions {
  /** Seed of init and data order (replicate r uses replicate index r of the engine). */
  seed: number;
  batch: number;
  /** Steps per metric readback block. */
  logEvery: number;
  /** Steps between evaluations on the test split (0 = never). */
  evalEvery: number;
  /** Total optimizer steps (the budget). */
  budgetSteps: number;
  /** A run is diverged when its loss is non-finite or exceeds lossFactor × its first logged loss. */
  divergenceFactor: number;
}

export class ExperimentRunner implements TrainingRunner {
  readonly trainer: Trainer;
  /** Every record collected, in compact columnar storage (./record-table.ts). */
  readonly records = new RecordTable();
  private rates: RunRates[];
  /** Which runs diverged, and from which step they are frozen (./divergence.ts). */
  private readonly divergence: DivergenceWatch;
  private listeners: Array<(event: RunnerEvent) => void> = [];
  /** AutoDrop's GPU sums and controllers, when a run has it (./runner-autodrop.ts). */
  private readonly autodrop: RunnerAutoDrop | null;
  /** AutoDrop angles by run, keyed by window-end step (for records that arrive after them). */
  private readonly angles: Array<Map<number, number>>;
  private activeMs = 0;
  private lastResume = 0;
  private running = false;

  constructor(
    readonly gpu: GpuContext,
    readonly model: ResolvedModel,
    readonly dataset: Dataset,
    readonly runs: RunnerRun[],
    readonly options: RunnerOptions,
  ) {
    if (runs.length === 0) throw new Error('an experiment needs at least one run');
    this.trainer = new Trainer(gpu, model, dataset, {
      batch: options.batch,
      seed: options.seed,
      replicates: runs.map((run) => run.replicate),
      readEvery: options.logEvery,
      updates: runs.map((run) => ({ optimizer: run.optimizer, lrd: run.lrd, leap: run.leap, seed: run.seed, runKey: run.runKey })),
    });
    this.rates = runs.map((run) => this.ratesFor(run));
    this.divergence = new DivergenceWatch(runs.length, { factor: options.divergenceFactor, logEvery: options.logEvery });
    this.angles = runs.map(() => new Map());
    this.trainer.onMetrics((metrics) => this.collect(metrics));
    this.autodrop = runs.some((run) => run.autodrop) ? new RunnerAutoDrop(this.trainer, runs, this.rates, (run, step, decision, effectStep) => this.onWindow(run, step, decision, effectStep)) : null;
  }

  /** An AutoDrop window of `run` ended at `step`: its angle goes to the step's record, a drop to the run's rates from `effectStep`. */
  private onWindow(run: RunIndex, step: Step, decision: AutoDropDecision, effectStep: Step): void {
    const config = this.runs[run].autodrop;
    if (decision.angle !== null) this.noteAngle(run, step, decision.angle);
    if (decision.dropped && config) this.rates[run].addDrop({ fromStep: effectStep, factor: config.rho }, config.lrMin);
    this.emit({ kind: 'autodrop', run, step, decision, effectStep });
  }

  private noteAngle(run: RunIndex, step: Step, angle: number): void {
    const row = this.records.rowOf(run, step);
    if (row >= 0) {
      // Its record went out already: send it again with the angle (listeners upsert it, as an evaluation's).
      this.records.set(row, { angle });
      this.emit({ kind: 'metrics', records: [this.records.get(row)] });
    } else this.angles[run].set(step, angle); // its record comes later (collect takes it from here)
  }

  private ratesFor(run: RunnerRun): RunRates {
    return new RunRates(run.lr, {
      seed: run.seed,
      runKey: run.runKey,
      stepsPerEpoch: this.trainer.stepsPerEpoch,
      momentum: run.optimizer.rule === 'sgd' ? 0 : run.optimizer.momentum,
    });
  }

  /** ⌊train rows / batch⌋ (the Trainer's). */
  get stepsPerEpoch(): number {
    return this.trainer.stepsPerEpoch;
  }

  /** Optimizer steps taken (the last step's number). */
  get step(): Step {
    return this.trainer.step;
  }

  get done(): boolean {
    return this.step >= this.options.budgetSteps;
  }

  /** Step at which each run diverged (null: healthy), by stacked run. */
  get diverged(): ReadonlyArray<Step | null> {
    return this.divergence.diverged;
  }

  subscribe(listener: (event: RunnerEvent) => void): () => void {
    this.listeners.push(listener);
    return () => (this.listeners = this.listeners.filter((l) => l !== listener));
  }

  private emit(event: RunnerEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private wallMs(): number {
    return this.activeMs + (this.running ? performance.now() - this.lastResume : 0);
  }

  /** Turns a block of step metrics into records and flags divergence (frozen at the next block boundary). */
  private collect(metrics: StepMetrics[]): void {
    const wallMs = this.wallMs();
    const perEpoch = this.trainer.stepsPerEpoch;
    const records = metrics.map((m): MetricRecord => {
      const run = this.runs[m.run];
      const effective = this.rates[m.run].effective(m.step, run.lrd, run.leap);
      this.divergence.observe(m.run, m.step, m.loss, m.nonFinite);
      return {
        run: m.run,
        step: m.step,
        epoch: m.step / perEpoch,
        trainLoss: m.loss,
        trainAccuracy: m.accuracy,
        lr: effective.rate,
        lrExpected: effective.expected,
        lrBandLow: effective.band?.[0],
        lrBandHigh: effective.band?.[1],
        angle: this.takeAngle(m.run, m.step),
        diverged: this.divergence.frozenAt(m.run, m.step),
        wallMs,
      };
    });
    this.records.pushAll(records);
    this.emit({ kind: 'metrics', records });
  }

  /** Freezes the runs whose divergence is due by the current step (see ./divergence.ts). */
  private applyDecisions(): void {
    for (const { run, reason } of this.divergence.due(this.step)) {
      this.trainer.update.setFrozen(run, true);
      this.emit({ kind: 'diverged', run, step: this.step, reason });
    }
  }

  /** One optimizer step of every run (each at its own rate for that step). */
  private submitStep(): void {
    const step = nextStep(this.step);
    const rates = this.rates.map((run) => run.rate(step));
    const scales = this.rates.map((run) => run.endOfStepScales(step));
    this.trainer.trainStep(rates, scales.map((s) => s.theta), scales.map((s) => s.state));
    this.autodrop?.submitted(this.step);
  }

  /** Whether step `step` is followed by an evaluation on the test split. */
  isEvaluationStep(step: Step): boolean {
    const { evalEvery, budgetSteps } = this.options;
    return evalEvery > 0 && step > 0 && (step % evalEvery === 0 || step === budgetSteps);
  }

  /**
   * Trains up to `steps` more steps (never past the budget), evaluating at the interval.
   * `shouldStop` is checked after every step (pause). Resolves when the steps are done,
   * their metrics collected and the evaluation of the last step (if it has one) attached: stopping
   * early leaves nothing owed, so the next call continues exactly as if there had been no stop.
   */
  async advance(steps: number, shouldStop: () => boolean = () => false): Promise<void> {
    const { logEvery } = this.options;
    const target = Math.min(this.options.budgetSteps, this.step + steps);
    this.running = true;
    this.lastResume = performance.now();
    try {
      while (this.step < target) {
        await this.autodrop?.awaitDecisionsFor(nextStep(this.step));
        this.submitStep();
        const step = this.step;
        if (step % logEvery === 0) {
          // Block b just went out; wait until block b − 1 is collected, then apply the decisions
          // due now (see freezeStep): whatever the GPU's timing, they take effect at the same step.
          await this.trainer.settle(1);
          this.applyDecisions();
          this.emit({ kind: 'progress', step, budgetSteps: this.options.budgetSteps });
        }
        if (this.isEvaluationStep(step)) await this.evaluateNow();
        if (shouldStop()) break; // (at any step: the flush below reads the partial block)
      }
      await this.trainer.flush();
      this.applyDecisions();
      this.emit({ kind: 'progress', step: this.step, budgetSteps: this.options.budgetSteps });
    } finally {
      this.activeMs += performance.now() - this.lastResume;
      this.running = false;
    }
  }

  async settle(): Promise<void> {
    await this.trainer.flush();
    await this.autodrop?.settle();
  }

  /**
   * Moves the end of training to `budgetSteps` (not below the step reached). Nothing a run computes
   * depends on the budget, so training continues from where it is as if the budget had always been
   * this one; only the extra evaluation at the old end stays in the records.
   */
  setBudget(budgetSteps: number): void {
    if (!(Number.isInteger(budgetSteps) && budgetSteps >= this.step && budgetSteps >= 1)) {
      throw new Error(`budget: ${budgetSteps} steps is below the ${this.step} steps already trained; reset to train a shorter budget`);
    }
    this.options.budgetSteps = budgetSteps;
  }

  /** Evaluates every run on the test split now and attaches the result to this step's records. */
  async evaluateNow(): Promise<void> {
    await this.trainer.flush();
    const results = await this.trainer.evaluate();
    const step = this.step;
    const wallMs = this.wallMs();
    const records = results.map((result): MetricRecord => {
      const row = this.records.rowOf(result.run, step);
      const test = { testLoss: result.loss, testAccuracy: result.accuracy };
      if (row >= 0) {
        this.records.set(row, test);
        return this.records.get(row);
      }
      const run = this.runs[result.run];
      const effective = this.rates[result.run].effective(asStep(Math.max(step, 1)), run.lrd, run.leap);
      const record: MetricRecord = {
        run: result.run, step, epoch: step / this.trainer.stepsPerEpoch, trainLoss: Number.NaN, trainAccuracy: Number.NaN,
        lr: effective.rate, lrExpected: effective.expected, lrBandLow: effective.band?.[0], lrBandHigh: effective.band?.[1],
        diverged: this.divergence.frozenAt(result.run, step), wallMs, ...test,
      };
      this.records.upsert(record);
      return record;
    });
    this.emit({ kind: 'metrics', records });
  }

  /** The AutoDrop angle of `run`'s window ending at `step`, if it came before the step's record (then forgotten). */
  private takeAngle(run: RunIndex, step: Step): number | undefined {
    const angle = this.angles[run].get(step);
    if (angle !== undefined) this.angles[run].delete(step);
    return angle;
  }

  /**
   * Why `run` cannot replace stacked run `index` mid-training ("<field of the run>: <why>"), or null
   * when it can. AutoDrop's GPU module exists only if a run had AutoDrop when the runner was built.
   */
  runUpdateIssue(index: number, run: Pick<RunnerRun, 'autodrop'>): string | null {
    if (!(Number.isInteger(index) && index >= 0 && index < this.runs.length)) return `index: no stacked run ${index} (the experiment has ${this.runs.length})`;
    if (run.autodrop && !this.autodrop) return 'autodrop: AutoDrop can only be switched on mid-training in an experiment that started with it; add it to the config and load it again';
    return null;
  }

  /** Replaces a run's method settings from the next step on (no reset): optimizer, LRD, LEAP and rate plan. */
  updateRun(index: number, run: RunnerRun): void {
    const issue = this.runUpdateIssue(index, run);
    if (issue) throw new Error(`run ${index}: ${issue}`);
    const previous = this.runs[index];
    this.runs[index] = run;
    this.trainer.update.setRun(index, { optimizer: run.optimizer, lrd: run.lrd, leap: run.leap, seed: run.seed, runKey: run.runKey });
    this.rates[index] = this.ratesFor(run);
    if (JSON.stringify(previous.autodrop ?? null) !== JSON.stringify(run.autodrop ?? null)) {
      this.autodrop?.setRun(index, run, this.step, this.rates[index].rate(nextStep(this.step)));
    }
  }

  /**
   * Replaces the metric history with `records` (an imported results file whose training this runner
   * has just replayed): exports then reproduce the file, and wall time goes on from its last record.
   */
  restoreRecords(records: readonly MetricRecord[]): void {
    this.records.clear();
    this.records.pushAll(records);
    this.activeMs = records.reduce((latest, record) => Math.max(latest, record.wallMs), 0);
  }

  /**
   * The training state between two steps (./checkpoint.ts): every metric read back and every
   * AutoDrop window delivered first, so that nothing is in flight. Call it when not advancing.
   */
  async checkpoint(): Promise<RunnerCheckpoint> {
    const trainer = await this.trainer.saveState();
    const autodrop = this.autodrop ? await this.autodrop.saveState() : null;
    return {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      step: this.step,
      activeMs: this.activeMs,
      trainer,
      autodrop,
      runs: this.runs.map((run, index) => ({
        runKey: run.runKey,
        ...this.divergence.snapshot(asRun(index)),
        drops: this.rates[index].dropState,
        autodrop: this.autodrop?.snapshot(asRun(index)) ?? null,
        angles: [...this.angles[index]],
      })),
    };
  }

  /** Why `checkpoint` cannot continue this runner, or null when it can (restoreCheckpoint). */
  restoreIssue(checkpoint: TrainingCheckpoint): string | null {
    if (this.step !== 0 || this.records.length > 0) return 'restore it into a fresh runner (this one has trained)';
    const issue = checkpointIssue(checkpoint, this.runs.map((run) => run.runKey), this.options.budgetSteps);
    if (issue) return issue;
    if (Boolean((checkpoint as RunnerCheckpoint).autodrop) !== Boolean(this.autodrop)) return 'AutoDrop state does not match this experiment';
    return null;
  }

  /**
   * Continues from a checkpoint of this experiment (a fresh runner, at step 0): afterwards every
   * step trains bit for bit as it would have after the checkpoint was taken. A checkpoint of other
   * runs or past the budget is refused with the reason; nothing is changed then.
   */
  restoreCheckpoint(checkpoint: TrainingCheckpoint): void {
    const issue = this.restoreIssue(checkpoint);
    if (issue) throw new Error(`checkpoint: ${issue}`);
    checkpoint = checkpoint as RunnerCheckpoint;
    this.trainer.loadState(checkpoint.trainer);
    checkpoint.runs.forEach((saved, index) => {
      this.divergence.restore(asRun(index), saved);
      this.trainer.update.setFrozen(index, saved.divergedAt !== null);
      this.rates[index].restoreDrops(saved.drops);
      this.angles[index] = new Map(saved.angles);
    });
    if (checkpoint.autodrop) this.autodrop?.loadState(checkpoint.autodrop, checkpoint.runs, this.rates);
    this.activeMs = checkpoint.activeMs;
  }

  /** Back to step 0 with the same initial weights and data order; metrics are cleared. */
  async reset(): Promise<void> {
    await this.trainer.flush();
    this.trainer.reset();
    this.records.clear();
    this.rates = this.runs.map((run) => this.ratesFor(run));
    this.divergence.reset();
    this.runs.forEach((_, index) => this.trainer.update.setFrozen(index, false));
    this.angles.forEach((map) => map.clear());
    await this.autodrop?.reset(this.rates);
    this.activeMs = 0;
  }

  destroy(): void {
    this.autodrop?.destroy();
    this.trainer.destroy();
  }
}
