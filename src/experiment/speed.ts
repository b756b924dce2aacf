/**
 * Training speed as a user sees it: optimizer steps per second of wall time, and its inverse in
 * milliseconds per step, over the last `windowMs` (everything included: kernels, readbacks, the
 * CPU's share, a speed limit's waits).
 */
export interface TrainingSpeed {
  stepsPerSecond: number;
  msPerStep: number;
}

export class SpeedMeter {
  private samples: Array<{ ms: number; step: number }> = [];

  constructor(private readonly windowMs = 2000) {}

  /** Notes that `step` steps had been taken at time `ms` (a monotonic clock). */
  note(ms: number, step: number): void {
    this.samples.push({ ms, step });
    while (this.samples.length > 2 && ms - this.samples[1].ms >= this.windowMs) this.samples.shift();
  }

  /** Forgets every sample (training starts again). */
  reset(): void {
    this.samples = [];
  }

  /** Δsteps / Δtime over the window; null until two samples span some time and some steps. */
  get speed(): TrainingSpeed | null {
    if (this.samples.length < 2) return null;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const steps = last.step - first.step;
    const ms = last.ms - first.ms;
    if (!(steps > 0 && ms > 0)) return null;
    return { stepsPerSecond: (1000 * steps) / ms, msPerStep: ms / steps };
  }
}
