/**
 * AutoDrop in the lockstep runner (./runner.ts): the running parameter sums and the window
 * reductions ride along in every step's pass (one GPU module for all runs, k = 0 for runs without
 * it, ../optim/autodrop-gpu.ts); each window's three dot products per run come back
 * asynchronously to the run's controller (../optim/autodrop.ts), and a drop decided at window end
 * e takes effect at step e + delay. Before a step the runner waits for every decision that applies
 * to it, so results never depend on the GPU's timing.
 */
import { AutoDropController, type AutoDropDecision } from '../optim/autodrop';
import { AutoDropGpu, runDots, type AutoDropGpuState } from '../optim/autodrop-gpu';
import type { RunRates } from '../optim/run-rates';
import type { Trainer } from '../train/trainer';
import { asRun, asStep, type RunIndex, type Step } from '../util/ids';
import type { RunnerCheckpoint } from './checkpoint';
import type { RunnerRun } from './runner';

/** A window of `run` ended at `step` with `decision`, which applies from `effectStep` on. */
export type AutoDropListener = (run: RunIndex, step: Step, decision: AutoDropDecision, effectStep: Step) => void;

export class RunnerAutoDrop {
  private readonly gpu: AutoDropGpu;
  /** Per run: its controller (null without AutoDrop). */
  private controllers: Array<AutoDropController | null>;
  /** Window ends submitted whose decisions may not be in yet, oldest first. */
  private ends: number[] = [];

  constructor(
    trainer: Trainer,
    /** The runner's own array (its updateRun replaces entries in place: this sees them). */
    private readonly runs: readonly RunnerRun[],
    rates: readonly RunRates[],
    listener: AutoDropListener,
  ) {
    this.gpu = AutoDropGpu.forNetwork(trainer.network, runs.map((run) => run.autodrop?.window ?? 0));
    this.controllers = this.freshControllers(rates);
    trainer.addStepHook(
      this.gpu.stepHook((windowEnd, ending, dots) => {
        const step = asStep(windowEnd);
        for (const index of ending) {
          const run = asRun(index);
          const controller = this.controllers[run];
          if (!controller) continue;
          const decision = controller.observe(runDots(dots, run).dots);
          listener(run, step, decision, controller.effectStep(step));
        }
      }),
    );
  }

  /** Each run's controller at the start of training (its rate at step 1). */
  private freshControllers(rates: readonly RunRates[]): Array<AutoDropController | null> {
    return this.runs.map((run, index) => (run.autodrop ? new AutoDropController(run.autodrop, rates[index].rate(asStep(1))) : null));
  }

  /** Step `step` was submitted: its window ends, if any, are awaited before the steps they affect. */
  submitted(step: Step): void {
    if (this.gpu.endingRuns(step).length > 0) this.ends.push(step);
  }

  /** Before step s: every window whose decision applies at or before s is in. */
  async awaitDecisionsFor(step: Step): Promise<void> {
    if (this.ends.length === 0) return;
    const delay = Math.min(...this.runs.map((run) => run.autodrop?.delay ?? Infinity));
    if (this.ends[0] + delay > step + 1) return; // one step early: exp-LR plans look one step ahead
    await this.gpu.settle();
    this.ends = this.ends.filter((end) => end + delay > step + 1);
  }

  /** Every window submitted is delivered. */
  settle(): Promise<void> {
    return this.gpu.settle();
  }

  /** Stacked run `index` now runs `run` from the step after `step` (its rate then: `rate`). */
  setRun(index: number, run: RunnerRun, step: Step, rate: number): void {
    this.gpu.setWindow(index, run.autodrop?.window ?? 0, step);
    this.controllers[index] = run.autodrop ? new AutoDropController(run.autodrop, rate) : null;
  }

  /** `run`'s controller state, for a checkpoint. */
  snapshot(run: RunIndex): RunnerCheckpoint['runs'][number]['autodrop'] {
    return this.controllers[run]?.snapshot() ?? null;
  }

  /** The GPU's sums and window state (nothing in flight after). */
  saveState(): Promise<AutoDropGpuState> {
    return this.gpu.saveState();
  }

  /** A checkpoint's state back: the GPU's, and each run's controller (its rate at step 1: `rates`). */
  loadState(state: AutoDropGpuState, runs: RunnerCheckpoint['runs'], rates: readonly RunRates[]): void {
    this.gpu.loadState(state);
    runs.forEach((saved, index) => {
      const config = this.runs[index].autodrop;
      if (config && saved.autodrop) this.controllers[index] = AutoDropController.fromState(config, rates[index].rate(asStep(1)), saved.autodrop);
    });
  }

  /** Back to step 0 (after the windows in flight are delivered). */
  async reset(rates: readonly RunRates[]): Promise<void> {
    await this.gpu.settle();
    this.gpu.reset();
    this.ends = [];
    this.controllers = this.freshControllers(rates);
  }

  destroy(): void {
    this.gpu.destroy();
  }
}
