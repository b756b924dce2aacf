/** The results document: exact JSON round trips (non-finite numbers included), field-naming rejection of tampered files, and a GPU replay of an imported experiment. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testGpu } from '../test/gpu';
import { parseJsonText } from '../util/json';
import { ConfigError } from '../util/validate';
import { parseExperiment, type ExperimentConfig } from './config';
import { loadExperimentDataset } from './datasets';
import { expandRuns, runnerRun } from './expand';
import { recordColumns } from './record-columns';
import type { MetricRecord } from './records';
import { parseResults, parseResultsJson, recordDifferences, RESULTS_FORMAT, toResultsJson, type ResultsSource } from './results';
import { createRunner } from './setup';
import { asRun, asStep } from '../util/ids';

const SAVED_AT = '2025-01-02T03:04:05.678Z';
const EXAMPLES_DIR = join(__dirname, '../../public/examples');

/** A tiny experiment: 2 runs (baseline, LRD) of a small MLP on moons. */
function tinyConfig(extra: Record<string, unknown> = {}): ExperimentConfig {
  return parseExperiment({
    version: 1,
    name: 'tiny',
    seed: 7,
    dataset: { kind: 'toy', name: 'moons', count: 160, noise: 0.1, testFraction: 0.25 },
    model: { kind: 'mlp', hidden: [8] },
    batch: 16,
    budget: { unit: 'steps', amount: 30 },
    evalEvery: 15,
    logEvery: 10,
    runs: [
      { label: 'Baseline', optimizer: { rule: 'momentum' }, schedule: { kind: 'constant', lr: 0.1 } },
      { label: 'LRD', optimizer: { rule: 'momentum' }, schedule: { kind: 'constant', lr: 0.1 }, lrd: { keepProb: 0.5 } },
    ],
    ...extra,
  });
}

function record(run: number, step: number, extra: Partial<MetricRecord> = {}): MetricRecord {
  return { run: asRun(run), step: asStep(step), epoch: step / 7, trainLoss: 1 / (step + run + 3), trainAccuracy: 0.5, lr: 0.1, lrExpected: run ? 0.05 : 0.1, diverged: false, wallMs: step * 1.25, ...extra };
}

/** Fake results of tinyConfig: 2 runs × 14 steps, run 1 diverging into NaN / ±Infinity, an evaluation at step 10. */
function fakeSource(config = tinyConfig()): ResultsSource & { records: MetricRecord[] } {
  const records: MetricRecord[] = [];
  for (let step = 1; step <= 14; step++) {
    records.push(record(0, step, step === 10 ? { testLoss: 0.25, testAccuracy: 0.875 } : {}));
    const blowUp = step < 8 ? {} : { trainLoss: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY][step % 3], diverged: step > 10 };
    records.push(record(1, step, { lrBandLow: -0, lrBandHigh: 1e-300, angle: step % 2 ? Number.NaN : 12.5, ...blowUp }));
  }
  return { runs: expandRuns(config).map(runnerRun), records, diverged: [null, asStep(10)], step: asStep(14) };
}

/** The issues of the ConfigError that parsing `text` throws. */
function issuesOf(text: string): string[] {
  try {
    parseResultsJson(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

/** The fake document's text after `edit` changed its JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form edits of parsed JSON
function tampered(edit: (json: Record<string, any>) => void): string {
  const json = JSON.parse(toResultsJson(tinyConfig(), fakeSource(), { savedAt: SAVED_AT }));
  edit(json);
  return JSON.stringify(json);
}

const bitsOf = (values: number[]) => Array.from(new Uint32Array(new Float64Array(values).buffer));

describe('results document', () => {
  it('round-trips exactly: parse then write gives the same text, records bit for bit', () => {
    const config = tinyConfig();
    const source = fakeSource(config);
    const text = toResultsJson(config, source, { savedAt: SAVED_AT });
    const doc = parseResultsJson(text);
    expect(doc.format).toBe(RESULTS_FORMAT);
    expect(doc.savedAt).toBe(SAVED_AT);
    expect(doc.config).toEqual(config);
    expect(doc.runs).toEqual(source.runs.map(({ label, method, replicate, seed, runKey }) => ({ label, method, replicate, seed, runKey })));
    expect(doc.diverged).toEqual([null, 10]);
    expect(doc.step).toBe(14);
    expect(doc.records).toHaveLength(source.records.length);
    for (const [index, original] of source.records.entries()) {
      const restored = doc.records[index];
      for (const key of Object.keys(original) as Array<keyof MetricRecord>) {
        if (original[key] === undefined) expect(key in restored).toBe(false);
        else expect(Object.is(restored[key], original[key]), `records.${index}.${key}`).toBe(true);
      }
    }
    expect(toResultsJson(doc.config, doc, doc)).toBe(text);
    expect(toResultsJson(doc.config, doc)).not.toBe(text); // a new savedAt, and only that
    expect(toResultsJson(doc.config, doc).replace(/"savedAt": "[^"]*"/, `"savedAt": "${SAVED_AT}"`)).toBe(text);
  });

  it('writes the records as columns (about 8 bytes a number), non-finite numbers as strings and −0 as -0 (JSON has no NaN)', () => {
    const text = toResultsJson(tinyConfig(), fakeSource(), { savedAt: SAVED_AT });
    const json = JSON.parse(text);
    expect(Object.keys(json.records)).toEqual(['run', 'step', 'epoch', 'trainLoss', 'trainAccuracy', 'testLoss', 'testAccuracy', 'lr', 'lrExpected', 'lrBandLow', 'lrBandHigh', 'angle', 'diverged', 'wallMs']);
    expect(json.records.run).toHaveLength(28);
    expect(json.records.trainLoss).toContain('NaN');
    expect(json.records.trainLoss).toContain('Infinity');
    expect(json.records.trainLoss).toContain('-Infinity');
    expect(json.records.testLoss.filter((v: unknown) => v !== null)).toEqual([0.25]); // absent: null
    expect(text).toContain('"lrBandLow": [null,-0,');
    expect(text).not.toMatch(/[:,[]\s*(NaN|Infinity|-Infinity)\b/);
    expect(json.version).toBe(2);
  });

  it('still reads version 1 (one object per record): the same records', () => {
    const text = toResultsJson(tinyConfig(), fakeSource(), { savedAt: SAVED_AT });
    const json = JSON.parse(text);
    const columns = json.records as Record<string, unknown[]>;
    json.version = 1;
    json.records = columns.run.map((_, row) => Object.fromEntries(Object.keys(columns).flatMap((field) => (columns[field][row] === null ? [] : [[field, columns[field][row]]]))));
    const v1 = parseResultsJson(JSON.stringify(json));
    const v2 = parseResultsJson(text);
    expect(JSON.stringify(v1.records)).toBe(JSON.stringify(v2.records)); // (the test's own JSON.stringify wrote −0 as 0)
    expect(v1.records.filter((r) => Number.isNaN(r.trainLoss))).toHaveLength(v2.records.filter((r) => Number.isNaN(r.trainLoss)).length);
    expect(issuesOf(JSON.stringify({ ...json, records: [{ ...json.records[0], trainLoss: 'lots' }] }))[0]).toBe('records.0.trainLoss: must be a number, "NaN", "Infinity" or "-Infinity" (got "lots")');
  });

  it('reads records held in memory (a saved log, structured-cloned): non-finite numbers as they are, bit for bit, and names a bad field', () => {
    const config = tinyConfig();
    const source = fakeSource(config);
    const head = { format: RESULTS_FORMAT, version: 2, savedAt: SAVED_AT, config: structuredClone(config), runs: source.runs.map(({ label, method, replicate, seed, runKey }) => ({ label, method, replicate, seed, runKey })), diverged: source.diverged, step: source.step };
    const doc = parseResults({ ...head, records: structuredClone(source.records) }, { recordsInMemory: true });
    expect(bitsOf(doc.records.flatMap((r) => [r.trainLoss, r.lrBandLow ?? 1, r.angle ?? 1]))).toEqual(bitsOf(source.records.flatMap((r) => [r.trainLoss, r.lrBandLow ?? 1, r.angle ?? 1])));
    expect(doc.records).toEqual(source.records);
    expect(doc.config).toEqual(config);
    const issues = (records: unknown[]) => {
      try {
        parseResults({ ...head, records }, { recordsInMemory: true });
      } catch (error) {
        return (error as ConfigError).issues;
      }
      return [];
    };
    expect(issues([source.records[0], { ...source.records[1], trainLoss: 'NaN' }])).toEqual(['records.1.trainLoss: must be a number (got "NaN")']);
    expect(issues([{ ...source.records[0], run: 5 }])).toEqual(['records.0.run: must be < 2, the number of runs (got 5)']);
    // As the log holds them: typed columns, made into records once.
    const columns = structuredClone(recordColumns(source.records));
    const fromColumns = parseResults({ ...head, records: columns }, { recordsInMemory: true });
    expect(fromColumns.records).toEqual(source.records);
    expect(bitsOf(fromColumns.records.flatMap((r) => [r.trainLoss, r.lrBandLow ?? 1, r.angle ?? 1]))).toEqual(bitsOf(source.records.flatMap((r) => [r.trainLoss, r.lrBandLow ?? 1, r.angle ?? 1])));
    const bad = structuredClone(columns);
    bad.dense.epoch[1] = -1;
    bad.dense.wallMs[2] = Number.NaN;
    bad.run[0] = 5;
    expect(issues(bad as never)).toEqual(['records.1.epoch: must be a number >= 0 (got -1)', 'records.2.wallMs: must be a number >= 0 (got NaN)']);
    bad.dense.epoch[1] = 1;
    bad.dense.wallMs[2] = 1;
    expect(issues(bad as never)).toEqual(['records.0.run: must be < 2, the number of runs (got 5)']);
    expect(issues({ ...columns, step: [1, 2] } as never)).toEqual([`records: its step column is not ${columns.length} unsigned integers`]);
  });

  it('keeps every example config exactly (defaults filled, replicates expanded)', () => {
    for (const file of readdirSync(EXAMPLES_DIR).filter((name) => name.endsWith('.json'))) {
      const config = parseExperiment(JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')));
      const runs = expandRuns(config).map(runnerRun);
      const text = toResultsJson(config, { runs, records: [], diverged: runs.map(() => null), step: asStep(0) }, { savedAt: SAVED_AT });
      const doc = parseResultsJson(text);
      expect(doc.config, file).toEqual(config);
      expect(toResultsJson(doc.config, doc, doc), file).toBe(text);
    }
  });

  it('applies config defaults on import (a hand-trimmed config reads like the full one)', () => {
    const doc = parseResults(
      JSON.parse(
        tampered((json) => {
          delete json.config.evalEvery;
          delete json.config.runs[0].color;
        }),
      ),
    );
    expect(doc.config.evalEvery).toBe(50);
    expect(doc.config.runs[0].color).toBe(tinyConfig().runs[0].color);
  });

  it('rejects tampered documents, naming the field', () => {
    expect(issuesOf(tampered((json) => (json.records.trainLoss[12] = 'lots')))).toEqual([
      'records.trainLoss.12: must be a number, "NaN", "Infinity" or "-Infinity" (got "lots")',
    ]);
    expect(issuesOf(tampered((json) => (json.records.lr[3] = null)))).toEqual(['records.lr.3: must be a number, "NaN", "Infinity" or "-Infinity" (got null)']);
    expect(issuesOf(tampered((json) => json.records.lr.pop()))[0]).toMatch(/^records\.lr: must have 28 values, one per record \(as "run" has\), not 27/);
    expect(issuesOf(tampered((json) => (json.records.step[3] = 2.5)))).toEqual(['records.step.3: must be an integer >= 0 (got 2.5)']);
    expect(issuesOf(tampered((json) => (json.records.run[5] = 2)))).toEqual(['records.5.run: must be < 2, the number of runs (got 2)']);
    expect(issuesOf(tampered((json) => (json.records.step[5] = 15)))).toEqual(['records.5.step: must be <= step 14 (got 15)']);
    expect(issuesOf(tampered((json) => (json.records.diverged[0] = 'no')))).toEqual(['records.diverged.0: must be true or false (got "no")']);
    expect(issuesOf(tampered((json) => (json.records.extra = [])))[0]).toMatch(/^records: .*extra/);
    expect(issuesOf(tampered((json) => (json.runs[1].seed = 8)))).toEqual(['runs.1.seed: must be 7 as the config gives (got 8)']);
    expect(issuesOf(tampered((json) => (json.runs[0].label = 'Other')))).toEqual(['runs.0.label: must be "Baseline" as the config gives (got "Other")']);
    expect(issuesOf(tampered((json) => json.runs.pop()))[0]).toMatch(/^runs: must list the 2 stacked runs/);
    expect(issuesOf(tampered((json) => (json.diverged = [null])))).toEqual(['diverged: must have one entry per run (2), not 1']);
    expect(issuesOf(tampered((json) => (json.diverged = [null, 99])))).toEqual(['diverged.1: must be <= step 14 (got 99)']);
    expect(issuesOf(tampered((json) => (json.config.batch = 0)))).toEqual(['config.batch: must be an integer in [1, 4096] (got 0)']);
    expect(issuesOf(tampered((json) => (json.config.runs[1].lrd.keepProb = 2)))[0]).toMatch(/^config\.runs\.1\.lrd\.keepProb: .*\(got 2\)$/);
    expect(issuesOf(tampered((json) => (json.config.colour = 'red')))).toEqual(['config.colour: is not a field of the experiment config']);
    expect(issuesOf(tampered((json) => (json.config = 5)))).toEqual(['config: must be a JSON object (got 5)']);
    expect(issuesOf(tampered((json) => delete json.records))).toEqual(['records: is required']);
    expect(issuesOf(tampered((json) => (json.savedAt = 'yesterday')))).toEqual(['savedAt: must be an ISO 8601 date-time (got "yesterday")']);
    expect(issuesOf(tampered((json) => (json.notes = 'hi')))).toEqual(['notes: is not a field of a results document']);
    // Several problems: all reported in one pass.
    expect(issuesOf(tampered((json) => ((json.step = -1), (json.records.wallMs[1] = -5))))).toEqual([
      'records.wallMs.1: must be a number >= 0 (got -5)',
      'step: must be an integer >= 0 (got -1)',
    ]);
  });

  it('rejects other files with one clear message', () => {
    expect(issuesOf(tampered((json) => (json.format = 'csv')))).toEqual(['format: must be "lr-lab-results" (got "csv")']);
    expect(issuesOf(tampered((json) => (json.version = 3)))).toEqual(['version: 3 is newer than this app understands (it reads version 2); update LR Lab']);
    expect(issuesOf(tampered((json) => delete json.version))).toEqual(['version: is required (this app reads results of versions 1 to 2)']);
    expect(issuesOf(JSON.stringify(tinyConfig()))[0]).toMatch(/^format: is required; this looks like an experiment config/);
    expect(issuesOf('[1, 2]')).toEqual(['results: must be a JSON object (got a list)']);
  });

  it('a hopeless file lists the first 20 issues and counts the rest', () => {
    const issues = issuesOf(tampered((json) => (json.records.trainLoss = json.records.trainLoss.map(() => 'lots'))));
    expect(issues).toHaveLength(21);
    expect(issues[20]).toBe('… and 8 more');
  });

  it('malformed JSON: a message with line and column', () => {
    const text = toResultsJson(tinyConfig(), fakeSource(), { savedAt: SAVED_AT });
    const lines = text.split('\n');
    const broken = lines.map((line, index) => (index === 2 ? line.replace('"version"', 'version') : line)).join('\n');
    expect(issuesOf(broken)).toEqual(['results: not valid JSON at line 3, column 3: expected a property name in double quotes']);
    expect(issuesOf(text.slice(0, 200))[0]).toMatch(/^results: not valid JSON at line \d+, column \d+: unexpected end of text \(is the file cut short\?\)$/);
    expect(issuesOf('{"a": 1,}')).toEqual(['results: not valid JSON at line 1, column 9: expected a property name in double quotes']);
    expect(issuesOf('{"a": NaN}')).toEqual(['results: not valid JSON at line 1, column 7: unexpected "N"']);
    expect(issuesOf('')).toEqual(['results: not valid JSON at line 1, column 1: unexpected end of text (is the file cut short?)']);
    expect(issuesOf('{}\n{}')).toEqual(['results: not valid JSON at line 2, column 1: unexpected text after the JSON value']);
    expect(parseJsonText(' [1, -2.5e3, "a\\n\\u00e9", true, null] ', 'x')).toEqual([1, -2500, 'a\né', true, null]);
  });

  it('refuses to write runs that are not the config’s', () => {
    const source = fakeSource();
    expect(() => toResultsJson(tinyConfig({ seed: 8 }), source)).toThrow(/runs\.0\.seed: must be 8 as the config gives \(got 7\)/);
  });
});

describe('recordDifferences', () => {
  it('ignores wall time, treats NaN as equal, and names the first difference', () => {
    const file = fakeSource().records;
    const same = file.map((r) => ({ ...r, wallMs: r.wallMs + 99 }));
    expect(recordDifferences(file, same)).toMatchObject({ differing: 0, maxRelative: 0, missing: 0, first: null });
    const changed = file.map((r) => (r.run === 0 && r.step === 3 ? { ...r, trainLoss: r.trainLoss * (1 + 1e-6) } : r));
    const diff = recordDifferences(file, changed);
    expect(diff.differing).toBe(1);
    expect(diff.maxRelative).toBeCloseTo(1e-6, 9);
    expect(diff.first).toMatch(/^run 0 step 3 trainLoss: /);
    const shorter = recordDifferences(file, file.slice(0, -2));
    expect(shorter.missing).toBe(2);
    expect(shorter.first).toMatch(/no such record in the replay/);
  });
});

describe('results document on the GPU', () => {
  it('an imported experiment re-creates the same runner and reproduces its numbers bit for bit', async () => {
    const gpu = await testGpu();
    const train = async (config: ExperimentConfig, steps: number) => {
      const dataset = await loadExperimentDataset(config.dataset, config.seed, {});
      const runner = createRunner(gpu, config, dataset);
      await runner.advance(steps);
      const result = { runs: runner.runs, records: [...runner.records], diverged: [...runner.diverged], step: runner.step };
      runner.destroy();
      return result;
    };
    const first = await train(tinyConfig(), 30);
    expect(first.records).toHaveLength(60);
    const doc = parseResultsJson(toResultsJson(tinyConfig(), first));
    const replay = await train(doc.config, doc.step);
    expect(replay.step).toBe(30);
    const losses = (records: MetricRecord[], run: number) => records.filter((r) => r.run === run).map((r) => r.trainLoss);
    for (const run of [0, 1]) {
      expect(bitsOf(losses(replay.records, run))).toEqual(bitsOf(losses(doc.records, run)));
      expect(bitsOf(losses(doc.records, run))).toEqual(bitsOf(losses(first.records, run)));
    }
    const withoutTime = (records: MetricRecord[]) => records.map(({ wallMs: _, ...rest }) => JSON.parse(JSON.stringify(rest)));
    expect(withoutTime(replay.records)).toEqual(withoutTime(doc.records)); // test metrics, rates, epochs too
    expect(replay.diverged).toEqual(doc.diverged);
    expect(recordDifferences(doc.records, replay.records)).toEqual({ compared: expect.any(Number), differing: 0, maxRelative: 0, missing: 0, first: null });
    expect(doc.records.filter((r) => r.testAccuracy !== undefined).map((r) => r.step)).toEqual([15, 15, 30, 30]);
  });
});
