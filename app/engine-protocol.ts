/**
 * The page ↔ Worker contract: what the engine Worker (./engine.worker.ts) reports to the page. The
 * page imports these types from here; the callable API itself is `EngineApi` in the Worker.
 */
import type { MetricRecord, RunnerEvent } from '../src/experiment/runner';
import type { RecordDifference } from '../src/experiment/results';

/** One stacked run (method × replicate) as the page lists it. */
export interface RunSummary {
  label: string;
  color: string;
  /** Index of the method in config.runs (updateRun / removeRun take this index). */
  method: number;
  replicate: number;
}

export interface ExperimentSummary {
  name: string;
  runs: RunSummary[];
  budgetSteps: number;
  stepsPerEpoch: number;
  evalEvery: number;
  testCount: number;
}

/** addRun / removeRun rebuild the runner: training restarts from step 0 (`restarted` says so). */
export interface RebuildResult extends ExperimentSummary {
  restarted: true;
  message: string;
}

export interface EngineState {
  step: number;
  budgetSteps: number;
  running: boolean;
  done: boolean;
  /** Per stacked run: the step it diverged at (frozen since), or null. */
  diverged: Array<number | null>;
  /** The last training failure (device lost, …); metrics collected before it are kept. */
  error: string | null;
}

/**
 * What the page hears: the runner's events (metrics records are upserted by (run, step): an
 * evaluation re-sends the step's records with test metrics attached), plus the worker's own.
 */
export type EngineEvent =
  | RunnerEvent
  /** A new runner (load, addRun, removeRun): metrics start over. */
  | { kind: 'loaded'; summary: ExperimentSummary }
  | { kind: 'reset' }
  /** updateRun applied: the method trains with its new settings from `fromStep` on (labels may have changed). */
  | { kind: 'run-updated'; method: number; fromStep: number; summary: ExperimentSummary }
  | { kind: 'error'; message: string }
  /** importResults: replaying the file's training (progress events follow), then `imported`. */
  | { kind: 'replaying'; toStep: number }
  /** importResults done: the records are the file's (re-sent in full), the runner stands at its step. */
  | { kind: 'imported'; step: number; records: MetricRecord[]; difference: RecordDifference };

export interface EventBatch {
  events: EngineEvent[];
  state: EngineState;
}
