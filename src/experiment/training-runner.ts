/**
 * What a TrainingSession drives: the stacked runs of one experiment, trained in lockstep. Both the
 * ExperimentRunner (all runs in one Trainer) and the ChunkedRunner (a sweep too big for one: several
 * ExperimentRunners, block by block, ./chunked-runner.ts) are one, with the same numbers.
 */
import type { Dataset } from '../data/types';
import type { GpuContext } from '../gpu/device';
import type { RunIndex, Step } from '../util/ids';
import type { TrainingCheckpoint } from './checkpoint';
import type { RecordTable } from './record-table';
import type { MetricRecord, RunnerEvent } from './records';
import type { RunnerOptions, RunnerRun } from './runner';

export interface TrainingRunner {
  readonly gpu: GpuContext;
  readonly dataset: Dataset;
  /** The stacked runs, by RunIndex. */
  readonly runs: RunnerRun[];
  /** Every metric record so far (test metrics attached to their step's record), in compact columnar storage. */
  readonly records: RecordTable;
  readonly options: RunnerOptions;
  /** Optimizer steps taken. */
  readonly step: Step;
  readonly done: boolean;
  /** Step at which each run diverged (null: healthy), by stacked run. */
  readonly diverged: ReadonlyArray<Step | null>;
  /** ⌊train rows / batch⌋. */
  readonly stepsPerEpoch: number;
  /** Receives every event (metrics, progress, divergence, AutoDrop decisions); returns the function that stops it. */
  subscribe(listener: (event: RunnerEvent) => void): () => void;
  /** Trains up to `steps` more steps (never past the budget); `shouldStop` is asked after every step. */
  advance(steps: number, shouldStop?: () => boolean): Promise<void>;
  /**
   * Waits until every asynchronous result of the steps trained so far is in (AutoDrop's angles come
   * back after their step's record); advance does not wait for them, so that training never stalls.
   */
  settle(): Promise<void>;
  /** Moves the end of training (not below the step reached). */
  setBudget(budgetSteps: number): void;
  /** Whether `step` is followed by an evaluation on the test split. */
  isEvaluationStep(step: Step): boolean;
  /** Why `run` cannot replace stacked run `index` mid-training, or null when it can. */
  runUpdateIssue(index: RunIndex | number, run: Pick<RunnerRun, 'autodrop'>): string | null;
  /** Replaces a run's method settings from the next step on (no reset). */
  updateRun(index: RunIndex | number, run: RunnerRun): void;
  /** Replaces the metric history (a restored results file). */
  restoreRecords(records: readonly MetricRecord[]): void;
  /** The training state between two steps (./checkpoint.ts), when this runner can take one. */
  checkpoint?(): Promise<TrainingCheckpoint>;
  /** Continues a fresh runner from a checkpoint of the same experiment (refused with the reason otherwise). */
  restoreCheckpoint?(checkpoint: TrainingCheckpoint): void;
  /** Back to step 0 with the same initial weights and data order; metrics are cleared. */
  reset(): Promise<void>;
  destroy(): void;
}
