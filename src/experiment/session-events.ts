/**
 * What a TrainingSession (./session.ts) reports, and the state it is in. The page's Worker posts
 * these to the page as they are; the CLI and the demos listen to the same events. (Types, and the
 * summary a view lists.)
 */
import type { Dataset } from '../data/types';
import type { MethodIndex, Step } from '../util/ids';
import type { ExperimentConfig } from './config';
import { expandRuns } from './expand';
import type { RecordDifference } from './results';
import type { MetricRecord, RunnerEvent } from './records';
import type { SweptValues } from './sweep';
import type { TrainingRunner } from './training-runner';
import type { TrainingSpeed } from './speed';

/** An experiment config document as the user wrote it (defaults not filled in). */
export type ConfigDocument = Record<string, unknown>;

/** One stacked run (method × replicate) as a view lists it. */
export interface RunSummary {
  /** The method's label (a view names replicate r with runLabel in ./expand.ts: "LRD #2"). */
  label: string;
  color: string;
  /** The method in config.runs (updateRun / removeRun take it). */
  method: MethodIndex;
  replicate: number;
  /** Its sweep point among the method's (0 without a sweep; views group runs by method and point). */
  point?: number;
  /** The values the sweep gives it, by axis field (empty without a sweep; sweepLabel in ./sweep.ts names them). */
  swept?: SweptValues;
  /** The method's run key: stable across removals and reorders, unique unless the user shares draws. */
  runKey: number;
}

/** What a view needs to know of the experiment that is loaded. */
export interface ExperimentSummary {
  name: string;
  runs: RunSummary[];
  budgetSteps: number;
  stepsPerEpoch: number;
  evalEvery: number;
  testCount: number;
}

/** The summary of an experiment a view lists: name, stacked runs (method × replicate), budget. */
export function summarizeExperiment(config: ExperimentConfig, runner: TrainingRunner, dataset: Dataset): ExperimentSummary {
  return {
    name: config.name,
    runs: expandRuns(config).map(({ label, color, method, replicate, point, swept, runKey }) => ({ label, color, method, replicate, point, swept, runKey })),
    budgetSteps: runner.options.budgetSteps,
    stepsPerEpoch: runner.stepsPerEpoch,
    evalEvery: config.evalEvery,
    testCount: dataset.test.count,
  };
}

/**
 * The experiment the engine runs, in the three forms a view needs: the document as the user wrote
 * it (what the form edits and a share link carries), the validated config with every default filled
 * in, and the summary. The engine owns it; a view keeps the last one it was sent.
 */
export interface AppliedExperiment {
  document: ConfigDocument;
  config: ExperimentConfig;
  summary: ExperimentSummary;
}

export interface SessionState {
  /** Optimizer steps taken. */
  step: Step;
  budgetSteps: number;
  running: boolean;
  done: boolean;
  /** Per stacked run: the step it diverged at (frozen since), or null. */
  diverged: Array<Step | null>;
  /** The last training failure (device lost, …); metrics collected before it are kept. */
  error: string | null;
  /** The GPU device was lost: nothing can train until the engine starts again on a new device. */
  deviceLost: boolean;
  /** While training: steps per second and ms per step over the last 2 s of wall time (null otherwise). */
  speed: TrainingSpeed | null;
}

/**
 * What a session reports: the runner's events (metrics records are upserted by (run, step): an
 * evaluation re-sends the step's records with test metrics attached), plus its own.
 */
export type SessionEvent =
  | RunnerEvent
  /** A new runner (load, addRun, removeRun): metrics start over. */
  | { kind: 'loaded'; applied: AppliedExperiment }
  | { kind: 'reset' }
  /** updateRun applied: the method trains with its new settings from `fromStep` on (labels may have changed). */
  | { kind: 'run-updated'; method: MethodIndex; fromStep: Step; applied: AppliedExperiment }
  /** The budget moved; training continues from the step reached. */
  | { kind: 'budget-changed'; applied: AppliedExperiment }
  | { kind: 'error'; message: string; deviceLost: boolean }
  /** restore: replaying the file's training from `fromStep` (a checkpoint's, else 0; progress events follow), then `imported`. */
  | { kind: 'replaying'; fromStep: number; toStep: number }
  /** restore done: the records are the file's (sent in full), the runner stands at its step. */
  | { kind: 'imported'; step: Step; fromStep: number; records: readonly MetricRecord[]; difference: RecordDifference; applied: AppliedExperiment };

/** What a rebuild (addRun, removeRun) tells the user: training restarted from step 0. */
export interface RebuildResult {
  applied: AppliedExperiment;
  message: string;
}

/** The result of restoring a results file: where training stands and how the replay compared with the file. */
export interface RestoreResult {
  applied: AppliedExperiment;
  step: Step;
  /** Where the replay started: a checkpoint's step, or 0. */
  fromStep: number;
  difference: RecordDifference;
}
