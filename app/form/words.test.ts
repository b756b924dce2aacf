import { describe, expect, it } from 'vitest';
import { defaultExperimentInput } from '../../src/experiment/defaults';
import { setPath, validate, issueAt, type ConfigDoc } from '../store';
import { describeIssue } from './words';

const doc = defaultExperimentInput() as unknown as ConfigDoc;

/** What the form says under the field at `path` after setting it to `value`. */
function said(path: string, value: unknown): string | undefined {
  const next = setPath(doc, path, value);
  const message = issueAt(validate(next), path);
  return message === undefined ? undefined : describeIssue(path, message, next);
}

describe('issues in words', () => {
  it('a number field asks for what it takes, from the schema range, never with the validator\'s phrasing', () => {
    expect(said('runs.1.lrd.keepProb', 'abc')).toBe('keep prob: enter a number in (0, 1]');
    expect(said('runs.1.lrd.keepProb', '')).toBe('keep prob: enter a number in (0, 1]');
    expect(said('runs.1.lrd.keepProb', 2)).toBe('keep prob: enter a number in (0, 1] (got 2)');
    expect(said('batch', 'lots')).toBe('batch: enter an integer in [1, 4096]');
    expect(said('runs.2.leap.sigma', 'q')).toMatch(/^σ: enter a number ≥ 0$/);
    expect(said('runs.0.optimizer.momentum', 'z')).toMatch(/: enter a number in \[0, 1\)$/);
    expect(said('model.hidden.0', 'a')).toMatch(/: enter an integer in \[1, 1024\]/);
    for (const text of [said('runs.0.optimizer.momentum', 'z'), said('runs.2.leap.sigma', 'q')]) expect(text).not.toMatch(/Invalid input|expected number/);
  });
  it('a rule between fields keeps its words', () => {
    const text = said('runs.1.label', 'Baseline');
    expect(text).toMatch(/must be unique/);
  });
});
