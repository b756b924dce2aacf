/**
 * A checkpoint of an experiment's training state between two steps: what a reload needs to go on
 * without replaying the whole run. The records are not in it (the autosave's log holds them): a
 * restore takes the checkpoint, replays the few steps from it to the log's last step, and takes the
 * log's records. Plain data (typed arrays, numbers, strings): it crosses postMessage and goes into
 * IndexedDB by structured clone, never through JSON (NaN and the f32 bits stay as they are).
 *
 * What is in it is everything a step depends on that is not a function of (config, seed, step):
 * parameters, BatchNorm running statistics and optimizer moments on the GPU; per run the first
 * logged loss (the divergence test), the divergence decisions taken and pending, the AutoDrop
 * drops, controller state, window origins and sums, and angles not yet attached to a record; the
 * wall time. The data order, the LRD/LEAP/RALR draws and the schedules are functions of the step.
 */
import type { AutoDropState } from '../optim/autodrop';
import type { AutoDropGpuState } from '../optim/autodrop-gpu';
import type { RateDrop } from '../optim/run-rates';
import type { TrainerState } from '../train/trainer';

export const CHECKPOINT_FORMAT = 'lr-lab-checkpoint';
export const CHECKPOINT_VERSION = 1;

/** One stacked run's CPU state. */
export interface RunCheckpoint {
  runKey: number;
  firstLoss: number;
  divergedAt: number | null;
  pendingFreeze: { reason: string; atStep: number } | null;
  drops: { drops: RateDrop[]; minRate: number };
  autodrop: AutoDropState | null;
  /** AutoDrop angles whose record has not come yet: [window-end step, degrees]. */
  angles: Array<[number, number]>;
}

export interface RunnerCheckpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  /** Optimizer steps taken when it was saved. */
  step: number;
  /** Training time so far (ms), as the records' wallMs counts it. */
  activeMs: number;
  trainer: TrainerState;
  runs: RunCheckpoint[];
  autodrop: AutoDropGpuState | null;
}

/**
 * A chunked sweep's checkpoint (./chunked-runner.ts: a sweep too big for one stack): each chunk's
 * own, all taken at the same step, in chunk order.
 */
export interface ChunkedCheckpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  step: number;
  activeMs: number;
  chunks: RunnerCheckpoint[];
}

/** What a TrainingRunner takes and restores: one stack's checkpoint, or a chunked sweep's. */
export type TrainingCheckpoint = RunnerCheckpoint | ChunkedCheckpoint;

/** Whether `checkpoint` is a chunked sweep's. */
export const isChunked = (checkpoint: TrainingCheckpoint): checkpoint is ChunkedCheckpoint => Array.isArray((checkpoint as Partial<ChunkedCheckpoint>).chunks);

/** Why `value` is not a checkpoint this version reads (either kind), or null. */
export function formatIssue(value: unknown): string | null {
  const checkpoint = value as Partial<TrainingCheckpoint> | null;
  if (!checkpoint || typeof checkpoint !== 'object' || checkpoint.format !== CHECKPOINT_FORMAT) return 'not a checkpoint';
  if (checkpoint.version !== CHECKPOINT_VERSION) return `checkpoint version ${String(checkpoint.version)}, this version reads ${CHECKPOINT_VERSION}`;
  return null;
}

/**
 * Why `value` cannot continue an experiment with these run keys whose budget is `budgetSteps`,
 * or null when it can (the buffer sizes are checked when it is loaded).
 */
export function checkpointIssue(value: unknown, runKeys: readonly number[], budgetSteps: number): string | null {
  const wrong = formatIssue(value);
  if (wrong) return wrong;
  const checkpoint = value as Partial<RunnerCheckpoint & ChunkedCheckpoint>;
  if (checkpoint.chunks) return `a sweep's checkpoint in ${checkpoint.chunks.length} chunks; this experiment trains in one`;
  const step = checkpoint.step;
  if (!(typeof step === 'number' && Number.isInteger(step) && step >= 0)) return `step ${String(step)} is not a step count`;
  if (step > budgetSteps) return `step ${step} is past the budget of ${budgetSteps} steps`;
  const runs = checkpoint.runs ?? [];
  if (runs.length !== runKeys.length || runs.some((run, index) => run.runKey !== runKeys[index])) {
    return `its runs (${runs.map((run) => run.runKey).join(', ')}) are not this experiment's (${runKeys.join(', ')})`;
  }
  return null;
}
