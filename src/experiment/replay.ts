/**
 * Restoring a results file's training (TrainingSession.restore in ./session.ts): a fresh runner of
 * the file's config replays the training to the file's step (deterministic: the same weights,
 * optimizer state and data position as when it was saved), from a checkpoint of that training
 * (./checkpoint.ts) when one fits, then takes the file's records as its history.
 */
import type { TrainingCheckpoint } from './checkpoint';
import type { RecordTable } from './record-table';
import type { MetricRecord } from './records';
import { recordDifferences, type RecordDifference, type ResultsDocument } from './results';
import type { TrainingRunner } from './training-runner';

export interface Replayed {
  /** Where the replay started: the checkpoint's step, or 0. */
  fromStep: number;
  /** The history the runner now holds: the file's records (with the AutoDrop angles the replay completed). */
  records: readonly MetricRecord[];
  /** How the replayed steps compared with the file's records. */
  difference: RecordDifference;
}

/**
 * Replays `results` on `runner` (fresh, at step 0). A `checkpoint` up to the file's step that fits
 * the runner is taken first; one that does not (other runs, other sizes) is set aside and the
 * replay starts at 0. `replaying` hears where it starts before it does; `guard` runs the GPU work
 * (the session reports a failure in words).
 */
export async function replayResults(
  runner: TrainingRunner,
  results: ResultsDocument,
  checkpoint: TrainingCheckpoint | null | undefined,
  hooks: { replaying: (fromStep: number) => void; guard: <T>(work: () => Promise<T>) => Promise<T> },
): Promise<Replayed> {
  const fromStep = checkpoint && checkpoint.step <= results.step ? await fromCheckpoint(runner, checkpoint) : 0;
  hooks.replaying(fromStep);
  await hooks.guard(async () => {
    await runner.advance(results.step - runner.step);
    await runner.settle(); // the angles of the last windows, which come after their records
  });
  const records = withLateFields(results.records, runner.records);
  const difference = recordDifferences(records.filter((record) => record.step > fromStep), runner.records);
  runner.restoreRecords(records);
  return { fromStep, records, difference };
}

/** Continues a fresh runner from `checkpoint`; the step it stands at after (0 when the checkpoint does not fit it). */
async function fromCheckpoint(runner: TrainingRunner, checkpoint: TrainingCheckpoint): Promise<number> {
  if (!runner.restoreCheckpoint) return 0;
  try {
    runner.restoreCheckpoint(checkpoint);
    return runner.step;
  } catch {
    await runner.reset(); // whatever it wrote before refusing: back to step 0
    return 0;
  }
}

/** Fields that come back after their step's record: an evaluation's test metrics, an AutoDrop window's angle. */
const LATE_FIELDS = ['testLoss', 'testAccuracy', 'angle'] as const;

/**
 * The file's records, with the late fields it was saved without: an evaluation or an angle comes
 * back after its step's record, so a save taken in between (an autosave, then a reload) holds the
 * record alone; the replay, settled, has them.
 */
export function withLateFields(records: readonly MetricRecord[], replayed: RecordTable): readonly MetricRecord[] {
  let completed: MetricRecord[] | null = null;
  records.forEach((record, index) => {
    if (LATE_FIELDS.every((field) => record[field] !== undefined)) return;
    const row = replayed.rowOf(record.run, record.step);
    if (row < 0) return;
    let filled: MetricRecord | null = null;
    for (const field of LATE_FIELDS) {
      const value = replayed.valueAt(row, field);
      if (record[field] === undefined && typeof value === 'number') filled = { ...(filled ?? record), [field]: value };
    }
    if (!filled) return;
    completed ??= [...records];
    completed[index] = filled;
  });
  return completed ?? records;
}
