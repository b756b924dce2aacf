/**
 * The page ↔ Worker contract: what the engine Worker (./engine.worker.ts) posts to the page, and the
 * shapes of its upload call. The events and the state are the TrainingSession's own
 * (src/experiment/session-events.ts); the callable API is `EngineApi` in the Worker.
 */
import type { RecordColumns } from '../src/experiment/record-columns';
import type { ExperimentSummary, SessionEvent, SessionState } from '../src/experiment/session-events';

export type { AppliedExperiment, ConfigDocument, ExperimentSummary, RunSummary, SessionEvent, SessionState } from '../src/experiment/session-events';

/** A restore's records as the page gets them: as columns (a restore after 50,000 steps has 300,000 records). */
export type ImportedEvent = Omit<Extract<SessionEvent, { kind: 'imported' }>, 'records'> & { records: RecordColumns };

/** Records as the page gets them while training: as columns (a big sweep logs thousands a second). */
export type MetricsEvent = Omit<Extract<SessionEvent, { kind: 'metrics' }>, 'records'> & { records: RecordColumns };

/** A session event as posted to the page (./event-hub.ts): as it is, but records as columns. */
export type PageEvent = Exclude<SessionEvent, { kind: 'imported' | 'metrics' }> | ImportedEvent | MetricsEvent;

/** The session's events since the last batch, with its state now. */
export interface EventBatch {
  events: PageEvent[];
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

/**
 * What the engine opened of what this browser saved (restoreSaved): the results (from the saved
 * log, which then goes on, or from an earlier version's document), the config alone, or nothing;
 * `failure` says why saved results could not be restored.
 */
export type SavedOpened =
  | { opened: 'results'; log: { chunks: number; step: number } | null }
  | { opened: 'config' | 'nothing'; failure?: string };
