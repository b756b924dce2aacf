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
import { AutoDropController, type AutoDropConfig } from '../optim/autodrop';
import { AutoDropGpu, runDots } from '../optim/autodrop-gpu';
import type { LeapConfig } from '../optim/leap';
import { RunRates, type RunRatesConfig } from '../optim/run-rates';
import type { LrdConfig } from '../optim/lrd';
import type { OptimizerConfig } from '../optim/optimizer';
import { asRun, asStep, nextStep, type MethodIndex, type RunIndex, type Step } from '../util/ids';
import { checkpointIssue, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type RunnerCheckpoint } from './checkpoint';
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
  private readonly firstLoss: number[];
  private readonly divergedAt: Array<Step | null>;
  /** Divergences read back but not yet applied: why, and the step count at which the freeze applies. */
  private readonly pendingFreeze = new Map<RunIndex, { reason: string; atStep: Step }>();
  private listeners: Array<(event: RunnerEvent) => void> = [];
  private readonly autodrop: { gpu: AutoDropGpu; controllers: Array<AutoDropController | null>; ends: number[] } | null;
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
    this.firstLoss = runs.map(() => Number.NaN);
    this.divergedAt = runs.map(() => null);
    this.angles = runs.map(() => new Map());
    this.trainer.onMetrics((metrics) => this.collect(metrics));
    this.autodrop = runs.some((run) => run.autodrop) ? this.createAutoDrop() : null;
  }

  /**
   * AutoDrop: running parameter sums and the window reductions ride along in every step's pass
   * (one GPU module for all runs, k = 0 for runs without it); each window's three dot products per
   * run come back asynchronously, and a drop decided at window end e takes effect at step e + delay.
   */
  private createAutoDrop() {
    const gpu = AutoDropGpu.forNetwork(this.trainer.network, this.runs.map((run) => run.autodrop?.window ?? 0));
    const controllers = this.runs.map((run, index) => (run.autodrop ? new AutoDropController(run.autodrop, this.rates[index].rate(asStep(1))) : null));
    this.trainer.addStepHook(
      gpu.stepHook((windowEnd, ending, dots) => {
        const step = asStep(windowEnd);
        for (const index of ending) {
          const run = asRun(index);
          const controller = this.autodrop?.controllers[run];
          if (!controller) continue;
          const decision = controller.observe(runDots(dots, run).dots);
          const effect = controller.effectStep(step);
          if (decision.angle !== null) this.noteAngle(run, step, decision.angle);
          if (decision.dropped) this.rates[run].addDrop({ fromStep: effect, factor: controller.config.rho }, controller.config.lrMin);
          this.emit({ kind: 'autodrop', run, step, decision, effectStep: effect });
        }
      }),
    );
    return { gpu, controllers, ends: [] as number[] };
  }

  private noteAngle(run: RunIndex, step: Step, angle: number): void {
    const row = this.records.rowOf(run, step);
    if (row >= 0) {
      // Its record went out already: send it again with the angle (listeners upsert it, as an evaluation's).
      this.records.set(row, { angle });
      this.emit({ kind: 'metrics', records: [this.records.get(row)] });
    } else this.angles[run].set(step, angle); // its record comes later (collect takes it from here)
  }

  /** Before step s: every AutoDrop window whose decision applies at or before s is in. */
  private async awaitDecisionsFor(step: Step): Promise<void> {
    const auto = this.autodrop;
    if (!auto || auto.ends.length === 0) return;
    const delay = Math.min(...this.runs.map((run) => run.autodrop?.delay ?? Infinity));
    if (auto.ends[0] + delay > step + 1) return; // one step early: exp-LR plans look one step ahead
    await auto.gpu.settle();
    auto.ends = auto.ends.filter((end) => end + delay > step + 1);
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
    return this.divergedAt;
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
      if (Number.isNaN(this.firstLoss[m.run])) this.firstLoss[m.run] = m.loss;
      const exploded = !(m.loss <= this.options.divergenceFactor * Math.max(this.firstLoss[m.run], 1e-12));
      if ((m.nonFinite || exploded) && this.divergedAt[m.run] === null && !this.pendingFreeze.has(m.run)) {
        const reason = m.nonFinite || !Number.isFinite(m.loss) ? 'loss is NaN or infinite' : `loss ${m.loss.toPrecision(3)} exceeds ${this.options.divergenceFactor}× its first value`;
        this.pendingFreeze.set(m.run, { reason, atStep: this.freezeStep(m.step) });
      }
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
        diverged: this.frozenAt(m.run, m.step),
        wallMs,
      };
    });
    this.records.pushAll(records);
    this.emit({ kind: 'metrics', records });
  }

  /**
   * The step count at which a divergence seen at step s freezes its run: the end of the block after
   * s's block, L·(⌈s/L⌉ + 1) with L = logEvery. By then its metrics are read back however the GPU is
   * timed (at each block end the runner waits for the block before), so results never depend on
   * timing, pauses or single steps.
   */
  private freezeStep(step: Step): Step {
    const { logEvery } = this.options;
    return asStep((Math.ceil(step / logEvery) + 1) * logEvery);
  }

  /** Whether `run` is frozen at `step` (its parameters no longer change from the step after divergedAt). */
  private frozenAt(run: RunIndex, step: Step): boolean {
    const at = this.divergedAt[run];
    return at !== null && at < step;
  }

  /** Applies the divergences due by the current step (see freezeStep). */
  private applyDecisions(): void {
    for (const [run, { reason, atStep }] of this.pendingFreeze) {
      if (atStep > this.step) continue;
      this.pendingFreeze.delete(run);
      this.divergedAt[run] = this.step;
      this.trainer.update.setFrozen(run, true);
      this.emit({ kind: 'diverged', run: asRun(run), step: this.step, reason });
    }
  }

  /** One optimizer step of every run (each at its own rate for that step). */
  private submitStep(): void {
    const step = nextStep(this.step);
    const rates = this.rates.map((run) => run.rate(step));
    const scales = this.rates.map((run) => run.endOfStepScales(step));
    this.trainer.trainStep(rates, scales.map((s) => s.theta), scales.map((s) => s.state));
    if (this.autodrop && this.autodrop.gpu.endingRuns(this.step).length > 0) this.autodrop.ends.push(this.step);
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
        await this.awaitDecisionsFor(nextStep(this.step));
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
    if (this.autodrop) await this.autodrop.gpu.settle();
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
        diverged: this.frozenAt(result.run, step), wallMs, ...test,
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
      if (this.autodrop) {
        this.autodrop.gpu.setWindow(index, run.autodrop?.window ?? 0, this.step);
        this.autodrop.controllers[index] = run.autodrop ? new AutoDropController(run.autodrop, this.rates[index].rate(nextStep(this.step))) : null;
      }
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
    const autodrop = this.autodrop ? await this.autodrop.gpu.saveState() : null;
    return {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      step: this.step,
      activeMs: this.activeMs,
      trainer,
      autodrop,
      runs: this.runs.map((run, index) => {
        const pending = this.pendingFreeze.get(asRun(index));
        return {
          runKey: run.runKey,
          firstLoss: this.firstLoss[index],
          divergedAt: this.divergedAt[index],
          pendingFreeze: pending ? { ...pending } : null,
          drops: this.rates[index].dropState,
          autodrop: this.autodrop?.controllers[index]?.snapshot() ?? null,
          angles: [...this.angles[index]],
        };
      }),
    };
  }

  /**
   * Continues from a checkpoint of this experiment (a fresh runner, at step 0): afterwards every
   * step trains bit for bit as it would have after the checkpoint was taken. A checkpoint of other
   * runs or past the budget is refused with the reason; nothing is changed then.
   */
  restoreCheckpoint(checkpoint: RunnerCheckpoint): void {
    if (this.step !== 0 || this.records.length > 0) throw new Error('checkpoint: restore it into a fresh runner (this one has trained)');
    const issue = checkpointIssue(checkpoint, this.runs.map((run) => run.runKey), this.options.budgetSteps);
    if (issue) throw new Error(`checkpoint: ${issue}`);
    if (Boolean(checkpoint.autodrop) !== Boolean(this.autodrop)) throw new Error('checkpoint: AutoDrop state does not match this experiment');
    if (checkpoint.autodrop) this.autodrop?.gpu.loadState(checkpoint.autodrop);
    this.trainer.loadState(checkpoint.trainer);
    checkpoint.runs.forEach((saved, index) => {
      const run = asRun(index);
      this.firstLoss[index] = saved.firstLoss;
      this.divergedAt[index] = saved.divergedAt === null ? null : asStep(saved.divergedAt);
      this.trainer.update.setFrozen(index, saved.divergedAt !== null);
      if (saved.pendingFreeze) this.pendingFreeze.set(run, { reason: saved.pendingFreeze.reason, atStep: asStep(saved.pendingFreeze.atStep) });
      this.rates[index].restoreDrops(saved.drops);
      const config = this.runs[index].autodrop;
      if (this.autodrop && config && saved.autodrop) {
        this.autodrop.controllers[index] = AutoDropController.fromState(config, this.rates[index].rate(asStep(1)), saved.autodrop);
      }
      this.angles[index] = new Map(saved.angles);
    });
    this.activeMs = checkpoint.activeMs;
  }

  /** Back to step 0 with the same initial weights and data order; metrics are cleared. */
  async reset(): Promise<void> {
    await this.trainer.flush();
    this.trainer.reset();
    this.records.clear();
    this.rates = this.runs.map((run) => this.ratesFor(run));
    this.firstLoss.fill(Number.NaN);
    this.divergedAt.fill(null);
    this.pendingFreeze.clear();
    this.runs.forEach((_, index) => this.trainer.update.setFrozen(index, false));
    this.angles.forEach((map) => map.clear());
    if (this.autodrop) {
      await this.autodrop.gpu.settle();
      this.autodrop.gpu.reset();
      this.autodrop.ends = [];
      this.autodrop.controllers = this.runs.map((run, index) => (run.autodrop ? new AutoDropController(run.autodrop, this.rates[index].rate(asStep(1))) : null));
    }
    this.activeMs = 0;
  }

  destroy(): void {
    this.autodrop?.gpu.destroy();
    this.trainer.destroy();
  }
}
