import { describe, expect, it } from 'vitest';
import { parseLrd } from '../optim/lrd';
import { parseOptimizer } from '../optim/optimizer';
import { parseSchedule } from '../optim/schedules';
import { CSV_COLUMNS, METRIC_COLUMNS, metricsCsvChunks, parseCsv, parseExport, runsCsv, toMetricsCsv } from './export';
import { RecordTable } from './record-table';
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

describe('CSV export (metrics + runs tables)', () => {
  it('long format: one row per run per step in step order, documented columns, joined with the runs table on run', () => {
    const records = [record(1, 2), record(0, 1), record(0, 2, { testLoss: 0.4, testAccuracy: 0.9 }), record(1, 1, { diverged: true })];
    const metrics = toMetricsCsv(runs, RecordTable.of(records));
    expect(metrics.split('\n')[0]).toBe(Object.keys(METRIC_COLUMNS).join(','));
    const rows = parseExport(metrics, runsCsv('demo, "quoted"', runs));
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

  it("a metrics row's size does not depend on the run's parameters, and the chunks join to the whole table", () => {
    const many = Array.from({ length: 5000 }, (_, i) => record(i % 2, Math.floor(i / 2) + 1));
    const table = RecordTable.of(many);
    const chunks = [...metricsCsvChunks(runs, table, 1000)];
    expect(chunks.length).toBeGreaterThan(4);
    expect(chunks.join('')).toBe(toMetricsCsv(runs, table));
    const lines = chunks.join('').trim().split('\n').slice(1);
    expect(lines).toHaveLength(5000);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(150); // no parameters on a row
    expect(lines.some((line) => line.includes('keepProb'))).toBe(false);
  });

  it('labels cannot inject spreadsheet formulas', () => {
    const text = toMetricsCsv(runs, RecordTable.of([record(1, 1)]));
    const runsText = runsCsv('=cmd|"/c calc"!A1', runs);
    const rows = parseExport(text, runsText);
    expect(rows[0].label.startsWith("'=")).toBe(true);
    expect(rows[0].experiment.startsWith("'=")).toBe(true);
    expect(text).not.toMatch(/(^|,)=/m);
    expect(runsText).not.toMatch(/(^|,)=/m);
  });

  it('still reads a CSV of the earlier one-table format; rejects one without the expected columns, naming them', () => {
    const legacy = `${Object.keys(CSV_COLUMNS).join(',')}\nx,0,baseline,0,0,1,0,sgd,constant,none,{},1,0.1,0.5,0.5,,,0.1,0.1,,,,0,3\n`;
    expect(parseExport(legacy)[0]).toMatchObject({ experiment: 'x', label: 'baseline', step: '1', train_loss: '0.5' });
    expect(() => parseCsv('a,b\n1,2\n')).toThrow(/lacks the columns run, label/);
  });
});
