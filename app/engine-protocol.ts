/**
 * The page ↔ Worker contract: what the engine Worker (./engine.worker.ts) posts to the page, and the
 * shapes of its upload call. The events and the state are the TrainingSession's own
 * (src/experiment/session-events.ts); the callable API is `EngineApi` in the Worker.
 */
import type { ExperimentSummary, SessionEvent, SessionState } from '../src/experiment/session-events';

export type { AppliedExperiment, ConfigDocument, ExperimentSummary, RunSummary, SessionEvent, SessionState } from '../src/experiment/session-events';

/** The session's events since the last batch, with its state now. */
export interface EventBatch {
  events: SessionEvent[];
  state: SessionState;
}

/** A dataset the user uploads: one CSV text, or the four IDX files' bytes. */
export type UploadPayload =
  | { format: 'csv'; text: string; testFraction?: number; labelColumn?: string | number }
  | { format: 'idx'; trainImages: Uint8Array; trainLabels: Uint8Array; testImages: Uint8Array; testLabels: Uint8Array };

/** What the Worker made of an upload. */
export interface UploadShape {
  id: string;
  inputShape: number[];
  numClasses: number;
  train: number;
  test: number;
}

/** addRun / removeRun rebuild the runner: training restarts from step 0 (`restarted` says so). */
export interface RebuildSummary extends ExperimentSummary {
  restarted: true;
  message: string;
}
