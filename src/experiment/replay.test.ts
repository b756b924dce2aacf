import { describe, expect, it } from 'vitest';
import { asRun, asStep } from '../util/ids';
import { RecordTable } from './record-table';
import type { MetricRecord } from './records';
import { withLateFields } from './replay';

// A save taken between a step's record and its evaluation (or its AutoDrop angle) holds the record
// alone; a restore fills those fields in from the replay, and changes nothing else.

const record = (run: number, step: number, extra: Partial<MetricRecord> = {}): MetricRecord => ({
  run: asRun(run), step: asStep(step), epoch: step / 10, trainLoss: 1 / step, trainAccuracy: 0.5, lr: 0.1, lrExpected: 0.1, diverged: false, wallMs: step, ...extra,
});

describe('withLateFields', () => {
  it("fills in the evaluation and the angle the file's last step was saved without, from the replay", () => {
    const file = [record(0, 9), record(0, 10), record(1, 10, { testLoss: 0.7 })];
    const replayed = RecordTable.of([record(0, 9), record(0, 10, { testLoss: 0.3, testAccuracy: 0.9, angle: 88 }), record(1, 10, { testLoss: 0.5, testAccuracy: 0.8 })]);
    const filled = withLateFields(file, replayed);
    expect(filled[0]).toBe(file[0]); // nothing late at step 9: the same object
    expect(filled[1]).toEqual({ ...file[1], testLoss: 0.3, testAccuracy: 0.9, angle: 88 });
    expect(filled[2]).toEqual({ ...file[2], testAccuracy: 0.8 }); // the file's own test loss stays
    expect(file[1].testLoss).toBeUndefined(); // the file's records are not modified
  });

  it('gives the same list when nothing is missing or the replay has no such record', () => {
    const file = [record(0, 1, { testLoss: 0.2, testAccuracy: 0.5, angle: 90 }), record(2, 1)];
    expect(withLateFields(file, RecordTable.of([record(0, 1, { testLoss: 0.1 })]))).toBe(file);
  });
});
