import { describe, expect, it } from 'vitest';
import { METHODS, scheduleOfKind, tooltipOf } from './params';
import { validate, setPath } from './store';
import { defaultExperimentInput } from '../src/experiment/defaults';

const field = (method: string, key: string) => {
  const info = METHODS.find((m) => m.key === method)!;
  return { info, field: info.fields.find((f) => f.key === key)! };
};

describe('parameter catalogue', () => {
  it("says \"project's choice\" where the spec marks the rule UNCONFIRMED, and not elsewhere", () => {
    for (const [method, key] of [['leap', 'sigma'], ['leap', 'form'], ['ralr', 'amplifyProb'], ['ralr', 'factorHigh']]) {
      const { info, field: f } = field(method, key);
      expect(tooltipOf(info.schema, f), `${method}.${key}`).toContain("project's choice");
    }
    const { info, field: keep } = field('lrd', 'keepProb');
    expect(tooltipOf(info.schema, keep)).not.toContain("project's choice");
    expect(tooltipOf(info.schema, keep)).toContain('Range: (0, 1]');
  });
  it('every field is a key of its method schema, and switching a method on gives a valid run', () => {
    const doc = defaultExperimentInput() as unknown as Record<string, unknown>;
    for (const method of METHODS) {
      const shape = (method.schema as unknown as { shape: Record<string, unknown> }).shape;
      for (const f of method.fields) expect(Object.keys(shape), `${method.key}.${f.key}`).toContain(f.key);
      if (method.key === 'expLr') continue; // needs weight decay 0: checked below
      expect(validate(setPath(doc, `runs.0.${method.key}`, method.initial)), method.key).toEqual([]);
    }
    expect(validate(setPath(setPath(doc, 'runs.0.optimizer.weightDecay', 0), 'runs.0.expLr', METHODS[4].initial))).toEqual([]);
  });
  it('a schedule kind switch keeps the rate and gives a valid schedule', () => {
    const doc = defaultExperimentInput() as unknown as Record<string, unknown>;
    for (const kind of ['constant', 'step', 'multistep', 'exponential', 'cosine', 'onecycle']) {
      const schedule = scheduleOfKind(kind, { kind: 'constant', lr: 0.2 }, 600);
      expect(schedule.lr ?? schedule.maxLr).toBe(0.2);
      expect(validate(setPath(doc, 'runs.0.schedule', schedule)), kind).toEqual([]);
    }
  });
});
