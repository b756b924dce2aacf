/** Sweeps in the config: the axes' values, validation naming the field, expansion order and pairing, labels and CSV columns. */
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { asStep } from '../util/ids';
import { ConfigError } from '../util/validate';
import { parseExperiment, runSchema, type ExperimentInput } from './config';
import { defaultExperimentInput } from './defaults';
import { expandRuns, replicateSeed, runnerRun } from './expand';
import { parseCsv, runsCsv, toMetricsCsv } from './export';
import { RecordTable } from './record-table';
import { axisValues, fieldPathIn, MAX_STACKED_RUNS, sweepableFields, sweepLabel } from './sweep';

const base = defaultExperimentInput();
const withSweep = (sweep: unknown, extra: Partial<ExperimentInput> = {}) => ({ ...base, ...extra, sweep }) as ExperimentInput;
const issuesOf = (input: unknown): string[] => {
  try {
    parseExperiment(input);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
};

describe('sweep axes', () => {
  it('a log range has equal ratios and ends exactly at both ends; linear equal steps; a list is itself', () => {
    const log = axisValues({ kind: 'range', field: 'lr', from: 0.001, to: 1, count: 4, spacing: 'log' });
    expect(log[0]).toBe(0.001);
    expect(log[3]).toBe(1);
    expect(log[1]).toBeCloseTo(0.01, 15);
    expect(log[2]).toBeCloseTo(0.1, 15);
    expect(axisValues({ kind: 'range', field: 'lr', from: 1, to: 2, count: 5, spacing: 'linear' })).toEqual([1, 1.25, 1.5, 1.75, 2]);
    expect(axisValues({ kind: 'range', field: 'lr', from: 0.3, to: 0.3, count: 1, spacing: 'log' })).toEqual([0.3]);
    expect(axisValues({ kind: 'values', field: 'lrd.keepProb', values: [0.2, 0.9] })).toEqual([0.2, 0.9]);
  });

  it('lists the numeric run fields an axis may name, lr first; resolves where each applies', () => {
    const fields = sweepableFields(runSchema);
    expect(fields[0]).toBe('lr');
    expect(fields).toEqual(expect.arrayContaining(['lrd.keepProb', 'leap.sigma', 'ralr.amplifyProb', 'autodrop.rho', 'optimizer.momentum', 'schedule.gamma', 'expLr.weightDecay']));
    expect(fields).not.toContain('runKey');
    expect(fields).not.toContain('label');
    const config = parseExperiment(base);
    const [baseline, lrd] = config.runs;
    expect(fieldPathIn(runSchema, baseline, 'lr')).toBe('schedule.lr');
    expect(fieldPathIn(runSchema, { ...baseline, schedule: { kind: 'onecycle', maxLr: 1, totalSteps: 10 } }, 'lr')).toBe('schedule.maxLr');
    expect(fieldPathIn(runSchema, lrd, 'lrd.keepProb')).toBe('lrd.keepProb');
    expect(fieldPathIn(runSchema, baseline, 'lrd.keepProb')).toBeNull(); // no LRD on the baseline
    expect(fieldPathIn(runSchema, baseline, 'optimizer.momentum')).toBe('optimizer.momentum');
    expect(fieldPathIn(runSchema, baseline, 'optimizer.beta1')).toBeNull(); // a momentum run has no β1
    expect(fieldPathIn(runSchema, baseline, 'schedule.gamma')).toBeNull(); // a constant schedule has no γ
  });
});

describe('sweep validation names the field', () => {
  it('refuses an unknown field, a field no run uses, two axes on one field', () => {
    expect(issuesOf(withSweep({ axes: [{ kind: 'values', field: 'lrd.keepprob', values: [0.5] }] }))[0]).toMatch(/^sweep\.axes\.0\.field: "lrd\.keepprob" is not a numeric field of a run; one of: lr, /);
    expect(issuesOf(withSweep({ axes: [{ kind: 'values', field: 'label', values: [1] }] }))[0]).toMatch(/^sweep\.axes\.0\.field: "label" is not a numeric field/);
    expect(issuesOf(withSweep({ axes: [{ kind: 'values', field: 'optimizer.beta1', values: [0.5] }] }))).toEqual([
      'sweep.axes.0.field: no run uses optimizer.beta1: switch its method on in a run, or choose a rule or schedule that has it (got "optimizer.beta1")',
    ]);
    const twice = issuesOf(withSweep({ axes: [{ kind: 'values', field: 'lr', values: [0.1] }, { kind: 'values', field: 'lr', values: [0.2] }] }));
    expect(twice).toEqual(['sweep.axes.1.field: must differ from sweep.axes.0.field ("lr") (got "lr")']);
  });

  it('refuses an empty range or list, a log range through 0, repeated values, unknown keys', () => {
    expect(issuesOf(withSweep({ axes: [{ kind: 'range', field: 'lr', from: 0.1, to: 1, count: 0 }] }))).toEqual(['sweep.axes.0.count: must be an integer in [1, 64] (got 0)']);
    expect(issuesOf(withSweep({ axes: [{ kind: 'range', field: 'lr', from: 0.1, to: 0.1, count: 3 }] }))[0]).toMatch(/^sweep\.axes\.0\.to: must differ from "from"/);
    expect(issuesOf(withSweep({ axes: [{ kind: 'range', field: 'lr', from: 0, to: 1, count: 3 }] }))).toEqual(['sweep.axes.0.from: must be > 0 for a log range (got 0)']);
    expect(issuesOf(withSweep({ axes: [{ kind: 'values', field: 'lr', values: [] }] }))).toEqual(['sweep.axes.0.values: must list at least one value (got [])']);
    expect(issuesOf(withSweep({ axes: [{ kind: 'values', field: 'lr', values: [0.1, 0.1] }] }))).toEqual(['sweep.axes.0.values: must not repeat a value (got [0.1,0.1])']);
    expect(issuesOf(withSweep({ axes: [] }))).toEqual(['sweep.axes: must list at least one axis (got [])']);
    expect(issuesOf(withSweep({ axes: [{ kind: 'grid', field: 'lr' }] }))).toEqual(['sweep.axes.0.kind: must be one of "values", "range" (got "grid")']);
    expect(issuesOf(withSweep({ axes: [{ kind: 'values', field: 'lr', values: [0.1] }], chunk: 2 }))).toEqual(['sweep: Unrecognized key: "chunk" (got {"axes":[{"kind":"values","field":"lr","values":[0.1]}],"chunk":2})']);
  });

  it('refuses more stacked runs than allowed, saying how many', () => {
    const issues = issuesOf(withSweep({ axes: [{ kind: 'range', field: 'lr', from: 0.001, to: 1, count: 64 }] }, { replicates: 3 }));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(new RegExp(`^sweep: 6 runs at 64 \\+ 64 \\+ 64 \\+ 64 \\+ 64 \\+ 64 sweep points × 3 replicates = 1152 stacked runs; at most ${MAX_STACKED_RUNS}`));
  });

  it('refuses a swept value a run does not accept, naming the value and the run field it sets', () => {
    expect(issuesOf(withSweep({ axes: [{ kind: 'values', field: 'lrd.keepProb', values: [0.5, 1.5] }] }))).toEqual([
      'sweep.axes.0.values.1: gives runs.1.lrd.keepProb = 1.5: keepProb must be in (0, 1] (got 1.5)',
    ]);
    // exp-LR's rate condition (a cross-field rule) at the top of a rate range.
    const explr = issuesOf(withSweep({ axes: [{ kind: 'range', field: 'lr', from: 0.01, to: 100, count: 3 }] }));
    expect(explr).toHaveLength(1);
    expect(explr[0]).toMatch(/^sweep\.axes\.0\.to: gives runs\.5\.expLr\.weightDecay = 0\.0005: weightDecay·\(peak rate 100\)/);
  });
});

describe('sweep expansion', () => {
  const config = parseExperiment(
    withSweep({ axes: [{ kind: 'range', field: 'lr', from: 0.01, to: 1, count: 3 }, { kind: 'values', field: 'lrd.keepProb', values: [0.3, 0.7] }] }, { replicates: 2 }),
  );
  const runs = expandRuns(config);

  it('is method-major, then sweep point (first axis outermost), then replicate; an axis applies only to runs that have its field', () => {
    // 5 methods × 3 rates + LRD × 3 rates × 2 keep probabilities, × 2 replicates.
    expect(runs).toHaveLength((5 * 3 + 6) * 2);
    expect(runs.map((run) => run.index)).toEqual(runs.map((_, i) => i));
    const lrd = runs.filter((run) => run.method === 1);
    expect(lrd.map((run) => `${run.point}/${run.replicate}:${run.swept.lr},${run.swept['lrd.keepProb']}`)).toEqual([
      '0/0:0.01,0.3', '0/1:0.01,0.3', '1/0:0.01,0.7', '1/1:0.01,0.7', '2/0:0.1,0.3', '2/1:0.1,0.3', '3/0:0.1,0.7', '3/1:0.1,0.7', '4/0:1,0.3', '4/1:1,0.3', '5/0:1,0.7', '5/1:1,0.7',
    ]);
    expect(lrd[7].run.schedule).toMatchObject({ kind: 'constant', lr: 0.1 });
    expect(lrd[7].run.lrd?.keepProb).toBe(0.7);
    expect(runs.filter((run) => run.method === 0).map((run) => Object.keys(run.swept))).toEqual(Array(6).fill(['lr']));
    // The config's own runs are untouched.
    expect(config.runs[1].lrd?.keepProb).toBe(0.5);
  });

  it('keeps the pairing: replicate r of every method and point shares the draw seed and run key of its method', () => {
    for (const run of runs) {
      expect(run.seed).toBe(replicateSeed(config.seed, run.replicate));
      expect(run.runKey).toBe(config.runs[run.method].runKey);
    }
  });

  it('names each run with its swept values; the CSV has one column per swept field', () => {
    expect(sweepLabel('LRD', { lr: 0.1, 'lrd.keepProb': 0.7 })).toBe('LRD lr=0.1 keepProb=0.7');
    expect(sweepLabel('LRD', {})).toBe('LRD');
    const stacked = runs.map(runnerRun);
    expect(stacked[13].label).toBe('LRD lr=0.1 keepProb=0.7 #2');
    const records = stacked.map((_, run) => ({ run: run as never, step: asStep(1), epoch: 0.1, trainLoss: 1, trainAccuracy: 0.5, lr: 0.1, lrExpected: 0.1, diverged: false, wallMs: 1 }));
    const rows = parseCsv(toMetricsCsv(stacked, RecordTable.of(records)));
    const runRows = Papa.parse<Record<string, string>>(runsCsv('x', stacked), { header: true, skipEmptyLines: true }).data;
    expect(runRows[13]).toMatchObject({ 'sweep.lr': '0.1', 'sweep.lrd.keepProb': '0.7' });
    expect(Object.keys(rows[0]).slice(-2)).toEqual(['sweep.lr', 'sweep.lrd.keepProb']);
    expect(rows[13]).toMatchObject({ label: 'LRD lr=0.1 keepProb=0.7 #2', 'sweep.lr': '0.1', 'sweep.lrd.keepProb': '0.7' });
    expect(rows[0]).toMatchObject({ 'sweep.lr': '0.01', 'sweep.lrd.keepProb': '' });
  });

  it('without a sweep nothing changes: index = method·replicates + replicate, no swept columns', () => {
    const plain = expandRuns(parseExperiment({ ...base, replicates: 3 }));
    expect(plain.map((run) => [run.index, run.method * 3 + run.replicate, run.point])).toEqual(plain.map((run) => [run.index, run.index, 0]));
    const csv = toMetricsCsv(plain.map(runnerRun), new RecordTable());
    expect(csv.split('\n')[0]).not.toMatch(/sweep/);
    expect(runsCsv('x', plain.map(runnerRun)).split('\n')[0]).not.toMatch(/sweep/);
  });
});
