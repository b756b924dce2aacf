/** Edits to a config document's runs: what changes, what stays, and the draws/colours kept stable. */
import { describe, expect, it } from 'vitest';
import { minimalConfig } from '../test/configs';
import { parseExperiment, RUN_COLORS } from './config';
import { appendRun, documentRuns, moveRun, removeRun, replaceRun } from './run-edits';

const threeRuns = (): Record<string, unknown> => ({
  ...minimalConfig(),
  runs: [
    { label: 'A', schedule: { kind: 'constant', lr: 0.1 } },
    { label: 'B', schedule: { kind: 'constant', lr: 0.2 } },
    { label: 'C', schedule: { kind: 'constant', lr: 0.3 } },
  ],
});

describe('run edits of a config document', () => {
  it('replaceRun changes only that run and leaves the input document as it was', () => {
    const input = threeRuns();
    const edited = replaceRun(input, 1, { label: 'B2', schedule: { kind: 'constant', lr: 0.5 } });
    expect(documentRuns(edited).map((run) => (run as { label: string }).label)).toEqual(['A', 'B2', 'C']);
    expect(documentRuns(input).map((run) => (run as { label: string }).label)).toEqual(['A', 'B', 'C']);
    expect(edited.dataset).toEqual(input.dataset);
  });

  it('an index that is not a run is an error naming it and the number of runs', () => {
    const input = threeRuns();
    const config = parseExperiment(input);
    for (const index of [3, -1, 1.5]) {
      expect(() => replaceRun(input, index, {})).toThrow(`runs.${index}: no such run (the experiment has 3)`);
      expect(() => removeRun(input, config, index)).toThrow(`runs.${index}: no such run (the experiment has 3)`);
    }
  });

  it('removeRun keeps the colour and run key each remaining run had', () => {
    const input = threeRuns();
    const before = parseExperiment(input);
    const after = parseExperiment(removeRun(input, before, 0));
    expect(after.runs.map((run) => run.label)).toEqual(['B', 'C']);
    expect(after.runs.map((run) => [run.color, run.runKey])).toEqual(before.runs.slice(1).map((run) => [run.color, run.runKey]));
  });

  it('moveRun reorders the runs; each keeps its colour and run key; a bad place is named', () => {
    const input = threeRuns();
    const before = parseExperiment(input);
    const after = parseExperiment(moveRun(input, before, 2, 0));
    expect(after.runs.map((run) => run.label)).toEqual(['C', 'A', 'B']);
    const byLabel = (config: typeof before) => Object.fromEntries(config.runs.map((run) => [run.label, [run.color, run.runKey]]));
    expect(byLabel(after)).toEqual(byLabel(before));
    expect(() => moveRun(input, before, 0, 3)).toThrow('runs.3: no such run (the experiment has 3)');
  });

  it('appendRun gives a run without its own a fresh run key and an unused colour, after a removal too', () => {
    const input = threeRuns();
    const removed = removeRun(input, parseExperiment(input), 0); // keys 1, 2; colours 1, 2
    const appended = parseExperiment(appendRun(removed, parseExperiment(removed), { label: 'D', schedule: { kind: 'constant', lr: 0.1 } }));
    const added = appended.runs[2];
    expect(added.runKey).toBe(3);
    expect(added.color).toBe(RUN_COLORS[0]);
    const explicit = appendRun(removed, parseExperiment(removed), { label: 'E', schedule: { kind: 'constant', lr: 0.1 }, runKey: 9, color: '#123456' });
    expect(parseExperiment(explicit).runs[2]).toMatchObject({ runKey: 9, color: '#123456' });
  });
});
