/**
 * When a stacked run has diverged, and from which step it is frozen. A run diverges when its loss is
 * non-finite (or the step's metrics say so) or exceeds `factor` × its first logged loss; from then
 * on its parameters no longer change. The freeze applies at a fixed step, whatever the GPU's
 * timing: a divergence seen at step s freezes its run at the end of the block after s's block,
 * L·(⌈s/L⌉ + 1) with L = logEvery. By then its metrics are read back however the GPU is timed (at
 * each block end the runner waits for the block before), so results never depend on timing,
 * pauses or single steps. (The runner applies what `due` returns; see ./runner.ts.)
 */
import { asRun, asStep, type RunIndex, type Step } from '../util/ids';
import type { RunnerCheckpoint } from './checkpoint';

type SavedRun = Pick<RunnerCheckpoint['runs'][number], 'firstLoss' | 'divergedAt' | 'pendingFreeze'>;

export class DivergenceWatch {
  /** Each run's first logged loss (NaN until it has one). */
  private readonly firstLoss: number[];
  private readonly divergedAt: Array<Step | null>;
  /** Divergences read back but not yet applied: why, and the step count at which the freeze applies. */
  private readonly pending = new Map<RunIndex, { reason: string; atStep: Step }>();

  constructor(
    runs: number,
    private readonly options: { factor: number; logEvery: number },
  ) {
    this.firstLoss = Array.from({ length: runs }, () => Number.NaN);
    this.divergedAt = Array.from({ length: runs }, () => null);
  }

  /** Step at which each run diverged (null: healthy). */
  get diverged(): ReadonlyArray<Step | null> {
    return this.divergedAt;
  }

  /** A logged loss of `run` at `step`: a divergence (not ¬(loss ≤ factor·max(first, 1e−12))) is noted, to apply at freezeStep(step). */
  observe(run: RunIndex, step: Step, loss: number, nonFinite: boolean): void {
    if (Number.isNaN(this.firstLoss[run])) this.firstLoss[run] = loss;
    const exploded = !(loss <= this.options.factor * Math.max(this.firstLoss[run], 1e-12));
    if ((nonFinite || exploded) && this.divergedAt[run] === null && !this.pending.has(run)) {
      const reason = nonFinite || !Number.isFinite(loss) ? 'loss is NaN or infinite' : `loss ${loss.toPrecision(3)} exceeds ${this.options.factor}× its first value`;
      this.pending.set(run, { reason, atStep: this.freezeStep(step) });
    }
  }

  /** The step count at which a divergence seen at `step` freezes its run: L·(⌈s/L⌉ + 1). */
  private freezeStep(step: Step): Step {
    const { logEvery } = this.options;
    return asStep((Math.ceil(step / logEvery) + 1) * logEvery);
  }

  /** Whether `run` is frozen at `step` (its parameters no longer change from the step after divergedAt). */
  frozenAt(run: RunIndex, step: Step): boolean {
    const at = this.divergedAt[run];
    return at !== null && at < step;
  }

  /** The divergences due at step count `step`, now applied (diverged at `step`): the runner freezes them. */
  due(step: Step): Array<{ run: RunIndex; reason: string }> {
    const out: Array<{ run: RunIndex; reason: string }> = [];
    for (const [run, { reason, atStep }] of this.pending) {
      if (atStep > step) continue;
      this.pending.delete(run);
      this.divergedAt[run] = step;
      out.push({ run, reason });
    }
    return out;
  }

  /** `run`'s part of a checkpoint. */
  snapshot(run: RunIndex): SavedRun {
    const pending = this.pending.get(run);
    return { firstLoss: this.firstLoss[run], divergedAt: this.divergedAt[run], pendingFreeze: pending ? { ...pending } : null };
  }

  /** Takes `run`'s part of a checkpoint back. */
  restore(run: RunIndex, saved: SavedRun): void {
    this.firstLoss[run] = saved.firstLoss;
    this.divergedAt[run] = saved.divergedAt === null ? null : asStep(saved.divergedAt);
    if (saved.pendingFreeze) this.pending.set(asRun(run), { reason: saved.pendingFreeze.reason, atStep: asStep(saved.pendingFreeze.atStep) });
    else this.pending.delete(run);
  }

  /** Every run healthy again, no first loss (a reset). */
  reset(): void {
    this.firstLoss.fill(Number.NaN);
    this.divergedAt.fill(null);
    this.pending.clear();
  }
}
