import { describe, expect, it } from 'vitest';
import { defaultExperimentInput } from '../src/experiment/defaults';
import type { MetricRecord } from '../src/experiment/records';
import type { AppliedExperiment, EventBatch, ExperimentSummary, SessionState } from './engine-protocol';
import { RecordTable } from '../src/experiment/record-table';
import { recordColumns } from '../src/experiment/record-columns';
import { classifyEdit, draftAfter, foldBatch, getPath, issueAt, issuesUnder, setPath, statusOf, uniqueLabel, validate, type ConfigDoc } from './store';
import { aggregateStats, runStats } from './summary';
import { asMethod, asRun, asStep } from '../src/util/ids';

const record = (run: number, step: number, fields: Partial<MetricRecord> = {}): MetricRecord => ({
  run: asRun(run), step: asStep(step), epoch: step, trainLoss: 1, trainAccuracy: 0, lr: 0.1, lrExpected: 0.1, diverged: false, wallMs: step, ...fields,
});
const state: SessionState = { step: asStep(0), budgetSteps: 10, running: false, done: false, diverged: [null, null], error: null, deviceLost: false, speed: null };
const summary: ExperimentSummary = { name: 'x', runs: [{ label: 'a', color: '#000000', method: asMethod(0), replicate: 0, runKey: 0 }, { label: 'b', color: '#111111', method: asMethod(1), replicate: 0, runKey: 1 }], budgetSteps: 10, stepsPerEpoch: 5, evalEvery: 5, testCount: 10 };
const batch = (events: EventBatch['events']): EventBatch => ({ events, state });
const appliedDoc = { version: 1, batch: 8, budget: { amount: 10 }, runs: [{ label: 'a' }, { label: 'b', lrd: { keepProb: 0.5 } }] };
const applied: AppliedExperiment = { document: appliedDoc, config: appliedDoc as unknown as AppliedExperiment['config'], summary };

describe('records', () => {
  it('folds a batch into the table: loaded clears, metrics add, reset clears, imported replaces, notes say what happened', () => {
    const table = RecordTable.of([record(0, 1)]);
    let effect = foldBatch(table, batch([{ kind: 'loaded', applied }]));
    expect(table.length).toBe(0);
    expect(effect.applied !== undefined && effect.cleared).toBe(true);
    effect = foldBatch(table, batch([{ kind: 'metrics', records: recordColumns([record(0, 1), record(1, 1)]) }, { kind: 'progress', step: asStep(1), budgetSteps: 10 }]));
    expect([table.ofRun(0).length, table.ofRun(1).length]).toEqual([1, 1]);
    expect(effect.applied).toBe(undefined);
    foldBatch(table, batch([{ kind: 'metrics', records: recordColumns([record(0, 1, { testAccuracy: 0.5 })]) }])); // an evaluation re-sends the step
    expect(table.ofRun(0)).toEqual([record(0, 1, { testAccuracy: 0.5 })]);
    const updated = foldBatch(table, batch([{ kind: 'run-updated', method: asMethod(1), fromStep: asStep(2), applied }]));
    expect(updated.notes).toEqual(['b changed from step 2 (no reset)']);
    expect(table.length).toBe(2);
    foldBatch(table, batch([{ kind: 'reset' }]));
    expect(table.length).toBe(0);
    const imported = foldBatch(table, batch([{ kind: 'imported', step: asStep(2), fromStep: 0, records: recordColumns([record(1, 2)]), difference: { compared: 4, differing: 0, missing: 0, maxRelative: 0, first: '' }, applied }]));
    expect([table.ofRun(0).map((r) => r.step), table.ofRun(1).map((r) => r.step)]).toEqual([[], [2]]);
    expect(imported.notes[0]).toContain('the replay matches the file exactly');
  });
  it('the draft follows the engine: a new experiment replaces it, a run update or a budget keeps the edits waiting for Apply', () => {
    const draft = { ...appliedDoc, batch: 16, runs: [{ label: 'a' }, { label: 'b', lrd: { keepProb: 0.9 } }] };
    expect(draftAfter(draft, foldBatch(new RecordTable(), batch([{ kind: 'loaded', applied }])))).toEqual(appliedDoc);
    const afterRun = draftAfter(draft, foldBatch(new RecordTable(), batch([{ kind: 'run-updated', method: asMethod(1), fromStep: asStep(3), applied }])));
    expect(afterRun).toEqual({ ...draft, runs: appliedDoc.runs }); // the batch edit (batch: 16) is still there
    const moved = { ...appliedDoc, budget: { amount: 20 } };
    const afterBudget = draftAfter(draft, foldBatch(new RecordTable(), batch([{ kind: 'budget-changed', applied: { ...applied, document: moved } }])));
    expect(afterBudget).toEqual({ ...draft, budget: { amount: 20 } });
  });
});

describe('validation and edits', () => {
  const doc = defaultExperimentInput() as unknown as ConfigDoc;
  it('validates the whole config and finds issues by field', () => {
    expect(validate(doc)).toEqual([]);
    const bad = setPath(doc, 'runs.1.lrd.keepProb', 2);
    const issues = validate(bad);
    expect(issueAt(issues, 'runs.1.lrd.keepProb')).toBe('keepProb must be in (0, 1] (got 2)');
    expect(issuesUnder(issues, 'runs.1')).toHaveLength(1);
    expect(issuesUnder(issues, 'runs.0')).toEqual([]);
    expect(issuesUnder(issues, 'runs.1.l')).toEqual([]); // whole path segments only
  });
  it('never clamps: a text in a number field is refused with the field named', () => {
    expect(issueAt(validate(setPath(doc, 'batch', 'lots')), 'batch')).toContain('must be an integer');
  });
  it('sets and gets dotted paths without touching the original', () => {
    const next = setPath(doc, 'runs.0.schedule.lr', 0.5);
    expect(getPath(next, 'runs.0.schedule.lr')).toBe(0.5);
    expect(getPath(doc, 'runs.0.schedule.lr')).toBe(0.1);
    expect(getPath(setPath(doc, 'runs.1.lrd', undefined), 'runs.1.lrd')).toBeUndefined();
  });
  it('classifies edits: run settings apply mid-training, anything else restarts', () => {
    expect(classifyEdit(doc, doc)).toEqual({ kind: 'none' });
    expect(classifyEdit(doc, setPath(doc, 'runs.2.leap.sigma', 0.01))).toEqual({ kind: 'runs', changed: [2] });
    expect(classifyEdit(doc, setPath(doc, 'batch', 16))).toEqual({ kind: 'restart' });
    expect(classifyEdit(doc, { ...doc, runs: (doc.runs as unknown[]).slice(1) })).toEqual({ kind: 'restart' });
    expect(classifyEdit(doc, setPath(doc, 'budget.amount', 1200))).toEqual({ kind: 'runs', changed: [], budget: true }); // continues, no restart
  });
  it('makes unique labels for duplicates', () => {
    expect(uniqueLabel([{ label: 'LRD' }, { label: 'LRD copy' }], 'LRD')).toBe('LRD copy 2');
  });
  it('derives the status line', () => {
    expect(statusOf({ busy: true, engine: null, summary: null })).toBe('starting');
    expect(statusOf({ busy: false, engine: state, summary })).toBe('ready');
    expect(statusOf({ busy: false, engine: { ...state, step: asStep(3) }, summary })).toBe('paused');
    expect(statusOf({ busy: false, engine: { ...state, step: asStep(3), running: true }, summary })).toBe('training');
    expect(statusOf({ busy: false, engine: { ...state, step: asStep(10), done: true }, summary })).toBe('done');
  });
});

describe('summary statistics', () => {
  const records = [
    record(0, 10, { trainLoss: 2, wallMs: 50 }),
    record(0, 20, { trainLoss: 0.4, testAccuracy: 0.8, testLoss: 0.5, wallMs: 100 }),
    record(0, 30, { trainLoss: Number.NaN, testAccuracy: 0.7, testLoss: 0.6, wallMs: 150 }),
  ];
  it('final / best accuracy, last finite loss, steps to target, ms per step', () => {
    const s = runStats(records, 0.5, null);
    expect(s).toMatchObject({ step: 30, trainLoss: 0.4, finalTestAccuracy: 0.7, bestTestAccuracy: 0.8, finalTestLoss: 0.6, stepsToTarget: 20, diverged: false, msPerStep: 5 });
    expect(runStats(records, 0.1, 25).stepsToTarget).toBeNaN();
    expect(runStats(records, 0.1, 25).diverged).toBe(true);
  });
  it('mean ± std across replicates', () => {
    const a = runStats(records, 0.5, null);
    const b = { ...a, finalTestAccuracy: 0.9 };
    const { mean, std, diverged } = aggregateStats([a, b]);
    expect(mean.finalTestAccuracy).toBeCloseTo(0.8, 12);
    expect(std.finalTestAccuracy).toBeCloseTo(0.1, 12);
    expect(diverged).toBe(0);
  });
});
