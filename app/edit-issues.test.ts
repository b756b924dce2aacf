import { describe, expect, it } from 'vitest';
import { issuesAfterEdit } from './edit-issues';
import { validate } from './store';
import { defaultExperimentInput } from '../src/experiment/defaults';

describe('issuesAfterEdit', () => {
  const withLabel = (index: number, label: string) => {
    const doc = defaultExperimentInput() as { runs: Array<{ label: string }> };
    doc.runs[index].label = label;
    return doc;
  };

  it('moves a duplicate label onto the run typed in, naming the other', () => {
    // The validator flags the later run (1), but the user typed into run 0.
    const issues = validate(withLabel(0, 'LRD'));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^runs\.1\.label: must be unique: runs\.0\.label is also "LRD"/);
    const moved = issuesAfterEdit(issues, 'runs.0.label');
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatch(/^runs\.0\.label: must be unique: runs\.1\.label is also "LRD"/);
  });

  it('keeps an issue that is already on the field typed in', () => {
    const issues = validate(withLabel(3, 'LRD'));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^runs\.3\.label: must be unique: runs\.1\.label/);
    expect(issuesAfterEdit(issues, 'runs.3.label')).toEqual(issues);
  });

  it('leaves other issues and whole-name mismatches alone', () => {
    const issues = ['runs.11.label: must be unique: runs.10.label is also "x"', 'batch: must be an integer in [1, 4096]'];
    expect(issuesAfterEdit(issues, 'runs.1.label')).toEqual(issues);
    expect(issuesAfterEdit(issues, 'batch')).toEqual(issues);
  });
});
