/**
 * What a runner produces: one metric record per run per step (test metrics on evaluation steps),
 * and the events it reports while training. Views, exports and results files all read these.
 */
import type { AutoDropDecision } from '../optim/autodrop';
import type { RunIndex, Step } from '../util/ids';

/** One logged point of one run. Test metrics are present on evaluation steps only. */
export interface MetricRecord {
  /** The stacked run (method × replicate). */
  run: RunIndex;
  /** The step it was logged at (src/util/ids.ts: after that step). */
  step: Step;
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss?: number;
  testAccuracy?: number;
  /** Global rate η_t (exp-LR: the true η̃_t). */
  lr: number;
  /** Expected per-element rate (LRD: keepProb·η). */
  lrExpected: number;
  lrBandLow?: number;
  lrBandHigh?: number;
  /** AutoDrop's angular velocity (degrees) of the window ending at this step, when enabled. */
  angle?: number;
  diverged: boolean;
  /** Milliseconds since the runner started training (excluding pauses). */
  wallMs: number;
}

export type RunnerEvent =
  | { kind: 'metrics'; records: MetricRecord[] }
  | { kind: 'diverged'; run: RunIndex; step: Step; reason: string }
  /** A window of AutoDrop ended at `step`; its decision applies from `effectStep` on. */
  | { kind: 'autodrop'; run: RunIndex; step: Step; decision: AutoDropDecision; effectStep: Step }
  | { kind: 'progress'; step: Step; budgetSteps: number };
