import { describe, expect, it } from 'vitest';
import { autodropSchema } from '../../src/optim/autodrop';
import { expLrSchema } from '../../src/optim/explr';
import { leapSchema } from '../../src/optim/leap';
import { lrdSchema } from '../../src/optim/lrd';
import { ralrSchema } from '../../src/optim/ralr';
import { baseRateOf, scheduleForBudget } from '../../src/optim/schedules';
import { defaultExperimentInput } from '../../src/experiment/defaults';
import { validate, setPath } from '../store';
import { experimentEntries, flatEntries, runForm, specAt, startingValue, switchVariant, tooltipOf, unitOf } from './model';

const METHOD_SCHEMAS: Record<string, { shape: Record<string, unknown> }> = { lrd: lrdSchema, leap: leapSchema, ralr: ralrSchema, autodrop: autodropSchema, expLr: expLrSchema };
const doc = () => defaultExperimentInput() as unknown as Record<string, unknown>;
const tooltipAt = (path: string) => tooltipOf(specAt(path, doc())!);
const pathsOf = (entries: ReturnType<typeof experimentEntries>) => flatEntries(entries).map((entry) => entry.path);

describe('parameter catalogue', () => {
  it("says \"project's choice\" where the spec marks the rule UNCONFIRMED, and not elsewhere", () => {
    for (const path of ['runs.2.leap.sigma', 'runs.2.leap.form', 'runs.3.ralr.amplifyProb', 'runs.3.ralr.factorHigh']) {
      expect(tooltipAt(path), path).toContain("project's choice");
    }
    expect(tooltipAt('runs.1.lrd.keepProb')).not.toContain("project's choice");
    expect(tooltipAt('runs.1.lrd.keepProb')).toContain('Range: (0, 1]');
  });
  it('every field is a key of its method schema, and switching a method on gives a valid run', () => {
    const { methods } = runForm(5, doc());
    expect(methods.map((entry) => entry.spec.label)).toEqual(['LRD', 'LEAP', 'RALR', 'AutoDrop', 'Exp LR']);
    for (const method of methods) {
      const key = method.path.split('.').pop()!;
      const withMethod = setPath(doc(), method.path, startingValue(method.spec));
      const fields = runForm(5, withMethod).methods.find((entry) => entry.path === method.path)!.children!;
      expect(fields.length, key).toBeGreaterThan(0);
      for (const field of fields) expect(Object.keys(METHOD_SCHEMAS[key].shape), field.path).toContain(field.path.split('.').pop());
      if (key === 'expLr') continue; // needs weight decay 0: checked below
      expect(validate(setPath(doc(), `runs.0.${key}`, startingValue(method.spec))), key).toEqual([]);
    }
    const expLr = methods.find((entry) => entry.path.endsWith('expLr'))!;
    expect(validate(setPath(setPath(doc(), 'runs.0.optimizer.weightDecay', 0), 'runs.0.expLr', startingValue(expLr.spec)))).toEqual([]);
  });
  it('a schedule kind switch keeps the rate and gives a valid schedule', () => {
    for (const kind of ['constant', 'step', 'multistep', 'exponential', 'cosine', 'onecycle']) {
      const schedule = scheduleForBudget(kind, baseRateOf({ kind: 'constant', lr: 0.2 }), 600);
      expect(schedule.lr ?? schedule.maxLr).toBe(0.2);
      expect(validate(setPath(doc(), 'runs.0.schedule', schedule)), kind).toEqual([]);
    }
  });
});

describe('form model', () => {
  it('shows the fields of the chosen kind and the settings that apply to the chosen rule and mode', () => {
    const base = doc();
    expect(pathsOf(experimentEntries(base))).toEqual(expect.arrayContaining(['dataset.count', 'dataset.noise', 'dataset.testFraction', 'model.kind', 'model.hidden', 'batch', 'budget.amount']));
    expect(pathsOf(experimentEntries(base))).not.toContain('model.bnEps'); // BatchNorm off
    expect(pathsOf(experimentEntries(setPath(base, 'model.batchNorm', true)))).toContain('model.bnEps');
    const row = (d: Record<string, unknown>) => pathsOf(runForm(0, d).row);
    expect(row(base)).toContain('runs.0.optimizer.momentum');
    expect(row(base)).not.toContain('runs.0.optimizer.beta1');
    expect(row(setPath(base, 'runs.0.optimizer.rule', 'adam'))).toEqual(expect.arrayContaining(['runs.0.optimizer.beta1', 'runs.0.optimizer.eps']));
    const cosine = setPath(base, 'runs.0.schedule', { kind: 'cosine', lr: 0.1, length: 100, warmup: { length: 5 }, restarts: {} });
    expect(row(cosine)).toEqual(expect.arrayContaining(['runs.0.schedule.length', 'runs.0.schedule.warmup', 'runs.0.schedule.warmup.length', 'runs.0.schedule.restarts.cycleMult']));
  });
  it('reads units from the sibling that names them', () => {
    const budget = flatEntries(experimentEntries(doc())).find((entry) => entry.path === 'budget.amount')!;
    expect(unitOf(budget, doc())).toBe('steps');
    expect(unitOf(budget, setPath(doc(), 'budget.unit', 'epochs'))).toBe('epochs');
    const step = setPath(doc(), 'runs.0.schedule', { kind: 'step', lr: 0.1, stepSize: 2, unit: 'epoch' });
    const stepSize = flatEntries(runForm(0, step).row).find((entry) => entry.path.endsWith('stepSize'))!;
    expect(unitOf(stepSize, step)).toBe('epochs');
    const warmup = setPath(step, 'runs.0.schedule.warmup', { length: 2 });
    const length = flatEntries(runForm(0, warmup).row).find((entry) => entry.path.endsWith('warmup.length'))!;
    expect(unitOf(length, warmup)).toBe('epochs');
    expect(unitOf(length, setPath(warmup, 'runs.0.schedule.warmup.unit', 'step'))).toBe('steps');
  });
  it('a kind switch keeps the fields the new kind shares and starts from its example', () => {
    const model = specAt('model', doc())!;
    expect(switchVariant(model, { kind: 'mlp', hidden: [8], batchNorm: true }, 'scale-invariant-mlp')).toEqual({ kind: 'scale-invariant-mlp', hidden: [8] });
    const dataset = specAt('dataset', doc())!;
    expect(switchVariant(dataset, { kind: 'toy', name: 'spiral', count: 300 }, 'image')).toMatchObject({ kind: 'image', trainSubset: 6000, testSubset: 1000 });
  });
});
