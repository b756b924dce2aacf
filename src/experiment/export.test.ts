import { describe, expect, it } from 'vitest';
import { parseLrd } from '../optim/lrd';
import { parseOptimizer } from '../optim/optimizer';
import { parseSchedule } from '../optim/schedules';
import { CSV_COLUMNS, parseCsv, toCsv } from './export';
import type { RunnerRun } from './runner';
import type { MetricRecord } from './records';
import { asMethod, asRun, asStep } from '../util/ids';

const runs: RunnerRun[] = [
  { label: 'baseline', method: asMethod(0), replicate: 0, seed: 1, runKey: 0, optimizer: parseOptimizer({ rule: 'sgd' }), lr: { schedule: parseSchedule({ kind: 'constant', lr: 0.1 }) } },
  { label: '=HYPERLINK("http://evil","x")', method: asMethod(1), replicate: 0, seed: 1, runKey: 1, optimizer: parseOptimizer({ rule: 'momentum' }), lrd: parseLrd({}), lr: { schedule: parseSchedule({ kind: 'step', lr: 0.1, stepSize: 10 }) } },
];

function record(run: number, step: number, extra: Partial<MetricRecord> = {}): MetricRecord {
  return { run: asRun(run), step: asStep(step), epoch: step / 10, trainLoss: 1 / step, trainAccuracy: 0.5, lr: 0.1, lrExpected: run ? 0.05 : 0.1, diverged: false, wallMs: step * 3.3, ...extra };
}

describe('CSV export', () => {
  it('long format: one row per run per step, documented columns, values round-trip', () => {
    const records = [record(1, 2), record(0, 1), record(0, 2, { testLoss: 0.4, testAccuracy: 0.9 }), record(1, 1, { diverged: true })];
    const rows = parseCsv(toCsv('demo, "quoted"', runs, records));
    expect(rows).toHaveLength(4);
    expect(Object.keys(rows[0])).toEqual(Object.keys(CSV_COLUMNS));
    expect(rows.map((r) => `${r.step}/${r.run}`)).toEqual(['1/0', '1/1', '2/0', '2/1']);
    expect(rows[0].experiment).toBe('demo, "quoted"');
    expect(Number(rows[2].test_accuracy)).toBe(0.9);
    expect(rows[0].test_accuracy).toBe('');
    expect(Number(rows[3].train_loss)).toBe(0.5);
    expect(rows[1].diverged).toBe('1');
    expect(rows[1].methods).toBe('lrd');
    expect(rows[0].methods).toBe('none');
    expect(JSON.parse(rows[1].params).lrd.keepProb).toBe(0.5);
  });

  it('labels cannot inject spreadsheet formulas', () => {
    const text = toCsv('=cmd|"/c calc"!A1', runs, [record(1, 1)]);
    const rows = parseCsv(text);
    expect(rows[0].label.startsWith("'=")).toBe(true);
    expect(rows[0].experiment.startsWith("'=")).toBe(true);
    expect(text).not.toMatch(/(^|,)=/m);
  });

  it('rejects a CSV without the expected columns, naming them', () => {
    expect(() => parseCsv('a,b\n1,2\n')).toThrow(/lacks the columns experiment, run, label/);
  });
});
