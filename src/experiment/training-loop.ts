/**
 * The session's training loop (./session.ts): trains the experiment's runner block by block until
 * the budget, a step count or a pause, runs the work queued for a block boundary between blocks
 * (./work-queue.ts: run edits, budget changes, exports, checkpoints), holds the speed limit, and
 * measures steps per second. One loop at a time; the session decides when one may start.
 */
import type { Step } from '../util/ids';
import { SpeedMeter, type TrainingSpeed } from './speed';
import type { TrainingRunner } from './training-runner';
import type { WorkQueue } from './work-queue';

/** What the loop needs of its session. */
export interface LoopHost {
  work: WorkQueue;
  /** The runner to train now (throws when there is none, or the device is lost). */
  runner(): TrainingRunner;
  /** Runs GPU work; a failure is reported and rethrown (TrainingSession.guard). */
  guard<T>(work: () => Promise<T>): Promise<T>;
  /** The loop started or stopped: the session reports where `runner` stands. */
  changed(): void;
  /** Milliseconds on a monotonic clock. */
  now(): number;
}

export class TrainingLoop {
  private loop: Promise<void> | null = null;
  private pauseRequested = false;
  /** The loop stops at this step count (start's `until`) or at the budget, whichever comes first. */
  private stopAt = Infinity;
  private maxStepsPerSecond = 0;
  private readonly speedMeter = new SpeedMeter();

  constructor(private readonly host: LoopHost) {}

  /** Whether the loop runs. */
  get running(): boolean {
    return this.loop !== null;
  }

  /** Steps per second over the last 2 s while running (null otherwise). */
  get speed(): TrainingSpeed | null {
    return this.loop ? this.speedMeter.speed : null;
  }

  /** The runner reached `step` (its progress events): counted toward the speed while running. */
  noteStep(step: Step): void {
    if (this.loop) this.speedMeter.note(this.host.now(), step);
  }

  /**
   * Starts the loop toward `until` steps (or the budget) unless it runs or `runner` is done; call it
   * serialized (the session's work queue). The promise settles when the loop stops.
   */
  start(runner: TrainingRunner, until = Infinity): Promise<void> {
    if (!this.loop && !runner.done) {
      this.pauseRequested = false;
      this.stopAt = until;
      this.speedMeter.reset();
      this.speedMeter.note(this.host.now(), runner.step);
      this.loop = this.trainLoop();
      this.host.changed(); // running: true, at once
    }
    return this.loop ?? Promise.resolve();
  }

  /** Pauses the loop, if any, at its next block boundary; resolves once it has stopped. */
  async pause(): Promise<void> {
    if (this.loop) {
      this.pauseRequested = true;
      await this.loop.catch(() => undefined);
    }
  }

  /** Limits training to `stepsPerSecond` (0 or less: no limit); takes effect at the next block. Results do not depend on it. */
  setSpeed(stepsPerSecond: number): number {
    this.maxStepsPerSecond = Number.isFinite(stepsPerSecond) && stepsPerSecond > 0 ? stepsPerSecond : 0;
    return this.maxStepsPerSecond;
  }

  /** Trains until the budget, `stopAt` or a pause; runs queued boundary work between blocks. */
  private async trainLoop(): Promise<void> {
    await Promise.resolve(); // start() publishes `loop` before the finally below can clear it
    const { work } = this.host;
    try {
      for (;;) {
        await work.runBoundaryWork();
        const runner = this.host.runner();
        const target = Math.min(runner.options.budgetSteps, this.stopAt);
        if (this.pauseRequested || runner.step >= target) return;
        await this.host.guard(() => this.trainBlock(runner, target));
      }
    } finally {
      await work.runBoundaryWork(); // anything queued after the last check runs now, never dropped
      this.loop = null;
      this.pauseRequested = false;
      this.host.changed(); // running: false
    }
  }

  /**
   * Trains toward `target`: at full speed until a pause or boundary work is asked for (checked at
   * every block boundary); at a speed limit, one block (to the next logEvery boundary) whose
   * unused time is then waited out.
   */
  private async trainBlock(runner: TrainingRunner, target: number): Promise<void> {
    const interrupted = () => this.pauseRequested || this.host.work.waiting;
    if (this.maxStepsPerSecond <= 0) {
      await runner.advance(target - runner.step, interrupted);
      return;
    }
    const started = this.host.now();
    const { logEvery } = runner.options;
    const steps = Math.min(target - runner.step, logEvery - (runner.step % logEvery));
    await runner.advance(steps);
    const wait = (steps * 1000) / this.maxStepsPerSecond - (this.host.now() - started);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
