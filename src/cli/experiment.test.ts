/** The experiment CLI: the command line, and the program run as a child process on a small config (GPU via Dawn). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CSV_COLUMNS, parseCsv, parseExport } from '../experiment/export';
import { parseResultsJson } from '../experiment/results';
import { acquireNodeGpu } from '../gpu/node';
import { loadConfig, parseArgs, runExperiment, UsageError } from './experiment';

const ROOT = join(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'lrlab-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small experiment: 2 runs of a tiny MLP on moons, a budget of 50 steps. */
const SMALL = {
  version: 1,
  name: 'CLI test',
  seed: 3,
  dataset: { kind: 'toy', name: 'moons', count: 160 },
  model: { kind: 'mlp', hidden: [8] },
  batch: 16,
  budget: { unit: 'steps', amount: 50 },
  evalEvery: 15,
  logEvery: 10,
  runs: [
    { label: 'Baseline', optimizer: { rule: 'momentum' }, schedule: { kind: 'constant', lr: 0.1 } },
    { label: 'LRD', optimizer: { rule: 'momentum' }, schedule: { kind: 'constant', lr: 0.1 }, lrd: { keepProb: 0.5 } },
  ],
};

function writeJson(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return path;
}

/** Runs `npm run experiment -- …args` as a child process. */
function cli(...args: string[]) {
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--import', './scripts/raw-loader.mjs', 'src/cli/experiment.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 110_000,
  });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout, seconds: (performance.now() - started) / 1000 };
}

describe('experiment CLI arguments', () => {
  it('reads the config path and the options, in both spellings', () => {
    expect(parseArgs(['c.json', '--out', 'a.csv', '--json=r.json', '--steps', '30', '--data-dir', 'd'])).toEqual({
      configPath: 'c.json', out: 'a.csv', json: 'r.json', steps: 30, dataDir: 'd',
    });
    expect(parseArgs(['--json', 'r.json', '--', '--odd-name.json'])).toMatchObject({ configPath: '--odd-name.json', json: 'r.json' });
    expect(parseArgs(['c.json', '--help'])).toBeNull();
  });

  it('rejects bad command lines, naming the problem', () => {
    const fails = (args: string[], message: RegExp) => {
      expect(() => parseArgs(args)).toThrow(UsageError);
      expect(() => parseArgs(args)).toThrow(message);
    };
    fails(['c.json', '--out', 'a.csv', '--bogus'], /^unknown option --bogus \(options: --out, --json, --pytorch, --steps, --data-dir, --summary, --metric, --target-loss, --tolerance, --compare, --compare-at, --range-from, --range-to, --range-steps, --range-test, --help\)$/);
    fails(['c.json', '--out', 'a.csv', '-x'], /^unknown option -x/);
    fails(['c.json', '--out=a.csv', '--verbose=1'], /^unknown option --verbose /);
    fails(['c.json', '--out'], /^--out needs a value$/);
    fails(['c.json', '--out', '--json', 'r.json'], /^--out needs a value$/);
    fails(['c.json', '--out', 'a.csv', '--out', 'b.csv'], /^--out is given twice$/);
    fails(['--out', 'a.csv'], /^no config file given$/);
    fails(['a.json', 'b.json', '--out', 'a.csv'], /^one config file at a time/);
    fails(['c.json'], /^nothing to write/);
    fails(['c.json', '--out', 'x', '--json', './x'], /same file/);
    for (const steps of ['0', '-3', '2.5', '1e3', 'ten']) fails(['c.json', '--out', 'a.csv', '--steps', steps], /^--steps must be a positive integer/);
  });
});

describe('experiment CLI: sweep reports and the range test', () => {
  it('reads --summary, the report options and --range-test, refusing bad values by name', () => {
    expect(parseArgs(['c.json', '--summary', 's.csv'])).toEqual({ configPath: 'c.json', summary: 's.csv', out: undefined, json: undefined, pytorch: undefined, steps: undefined, dataDir: undefined });
    expect(parseArgs(['c.json', '--out', 'a.csv', '--metric', 'finalTrainLoss', '--compare', 'LRD', '--compare-at', 'same'])?.report).toEqual({
      metric: 'finalTrainLoss', targetLoss: 0.5, tolerance: 0.02, compare: 'LRD', compareAt: 'same',
    });
    expect(parseArgs(['c.json', '--range-test', '--range-to', '1', '--range-steps', '50'])?.rangeTest).toEqual({ startLr: 1e-7, endLr: 1, steps: 50, stopFactor: 4 });
    expect(() => parseArgs(['c.json', '--out', 'a.csv', '--metric', 'accuracy'])).toThrow(/^--metric must be one of finalTestAccuracy, bestTestAccuracy, finalTrainLoss, finalTestLoss/);
    expect(() => parseArgs(['c.json', '--range-test', '--range-from', '2', '--range-to', '1'])).toThrow(/^--range-to must be above --range-from/);
    expect(() => parseArgs(['c.json', '--range-test', '--range-steps', '2.5'])).toThrow(/^--range-steps must be a positive integer/);
  });

  it('a sweep config: --summary has one row per stacked run with its swept value; the paired table and the sensitivity are printed', async () => {
    const sweep = { ...SMALL, replicates: 2, sweep: { axes: [{ kind: 'values', field: 'lr', values: [0.05, 0.2] }] } };
    const summary = join(dir, 'sweep-summary.csv');
    const lines: string[] = [];
    const gpu = await acquireNodeGpu();
    try {
      await runExperiment({ configPath: 'x', summary }, { config: loadConfig(writeJson('sweep.json', sweep)).config, fromResults: false }, gpu, (line) => lines.push(line));
    } finally {
      gpu.device.destroy();
    }
    const rows = readFileSync(summary, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('run,label,method,sweep.lr,replicate,final_test_accuracy,best_test_accuracy,final_train_loss,steps_to_target,diverged');
    expect(rows).toHaveLength(1 + 2 * 2 * 2);
    expect(rows[6]).toMatch(/^5,LRD lr=0\.05 #2,1,0\.05,1,/); // method, then rate, then replicate
    const text = lines.join('\n');
    expect(text).toMatch(/sensitivity of the final test accuracy to lr/);
    expect(text).toMatch(/paired comparison of the final test accuracy with Baseline lr=0\.\d+/);
    expect(text).toMatch(/LRD lr=0\.\d+ +2 /);
    expect(text).toMatch(/needs ≥ 6/);
  });
});

describe('experiment CLI (child process)', () => {
  it('trains a small config: exit 0, CSV of runs × steps rows, JSON results that match it; a results file reruns to the same numbers', () => {
    const config = writeJson('small.json', SMALL);
    const csvPath = join(dir, 'small.csv');
    const jsonPath = join(dir, 'small.results.json');
    const run = cli(config, '--out', csvPath, '--json', jsonPath, '--steps', '30');
    console.info(`CLI run: ${run.seconds.toFixed(1)} s`);
    expect(run.stderr).toMatch(/2 runs × 30 steps \(of a budget of 50: --steps\)/);
    expect(run.stderr).toMatch(/100% 30\/30/);
    expect(run.status, run.stderr).toBe(0);

    const rows = parseExport(readFileSync(csvPath, 'utf8'), readFileSync(join(dir, 'small.runs.csv'), 'utf8'));
    expect(rows).toHaveLength(2 * 30);
    expect(Object.keys(rows[0])).toEqual(Object.keys(CSV_COLUMNS));
    expect(rows.map((r) => `${r.step}/${r.run}`)).toEqual(Array.from({ length: 60 }, (_, i) => `${Math.floor(i / 2) + 1}/${i % 2}`));
    expect(new Set(rows.map((r) => r.methods))).toEqual(new Set(['none', 'lrd']));

    const results = parseResultsJson(readFileSync(jsonPath, 'utf8'));
    expect(results.step).toBe(30);
    expect(results.config.budget.amount).toBe(50);
    expect(results.runs.map((r) => r.label)).toEqual(['Baseline', 'LRD']);
    expect(results.records).toHaveLength(rows.length);
    const byKey = new Map(results.records.map((r) => [`${r.step}/${r.run}`, r]));
    const optional = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '' : String(value));
    for (const row of rows) {
      const record = byKey.get(`${row.step}/${row.run}`)!;
      const identity = results.runs[record.run];
      expect(row.label).toBe(identity.label);
      expect([Number(row.method), Number(row.replicate), Number(row.seed), Number(row.run_key)]).toEqual([
        identity.method, identity.replicate, identity.seed, identity.runKey,
      ]);
      expect(Number(row.train_loss)).toBe(record.trainLoss); // shortest round-trip decimals: exact
      expect(Number(row.epoch)).toBe(record.epoch);
      expect(Number(row.lr)).toBe(record.lr);
      expect(row.test_loss).toBe(optional(record.testLoss));
      expect(row.test_accuracy).toBe(optional(record.testAccuracy));
      expect(row.diverged).toBe(record.diverged ? '1' : '0');
    }
    expect(rows.filter((r) => r.test_accuracy !== '').map((r) => r.step)).toEqual(['15', '15', '30', '30']);

    // The results file as input: its config, trained to the step it reached, gives the same CSV.
    const rerunPath = join(dir, 'rerun.csv');
    const rerun = cli(jsonPath, '--out', rerunPath);
    console.info(`CLI rerun: ${rerun.seconds.toFixed(1)} s`);
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(rerun.stderr).toMatch(/rerun of a results file/);
    const withoutTime = (text: string) => parseCsv(text).map(({ wall_ms: _, ...rest }) => rest);
    expect(withoutTime(readFileSync(rerunPath, 'utf8'))).toEqual(withoutTime(readFileSync(csvPath, 'utf8')));
  });

  it('an invalid config exits 2 and names every bad field, one per line', () => {
    const bad = writeJson('bad.json', { ...SMALL, batch: 0, runs: [SMALL.runs[0], { ...SMALL.runs[1], lrd: { keepProb: 2 } }] });
    const run = cli(bad, '--out', join(dir, 'bad.csv'));
    expect(run.status).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toBe(`invalid experiment config ${bad}:`);
    expect(lines.slice(1).map((line) => line.trim().split(':')[0]).sort()).toEqual(['batch', 'runs.1.lrd.keepProb']);
    expect(run.stderr).toMatch(/batch: must be an integer in \[1, 4096\] \(got 0\)/);
  });

  it('invalid JSON exits 2 with the line and column', () => {
    const broken = writeJson('broken.json', '{\n  "version": 1,\n  "name": "x"\n  "seed": 2\n}');
    const run = cli(broken, '--out', join(dir, 'broken.csv'));
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('experiment: not valid JSON at line 4, column 3: expected "," or "}"');
  });

  it('a missing file exits 1 with a clear message; so does an unknown option', () => {
    const missing = join(dir, 'nope.json');
    const run = cli(missing, '--out', join(dir, 'nope.csv'));
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(`error: cannot read ${missing}: no such file`);
    const unknown = cli(missing, '--out', join(dir, 'nope.csv'), '--fast');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/^error: unknown option --fast /);
    expect(unknown.stderr).toContain('usage: npm run experiment');
  });

  it('a lost device stops training with its reason (exit 1), and the outputs keep what was collected', async () => {
    const long = writeJson('long.json', { ...SMALL, budget: { unit: 'steps', amount: 1_000_000 } });
    const out = join(dir, 'lost.csv');
    const json = join(dir, 'lost.json');
    const options = { configPath: long, out, json };
    const gpu = await acquireNodeGpu(); // a device of its own: it is destroyed
    const lines: string[] = [];
    const running = runExperiment(options, loadConfig(long), gpu, (line) => {
      lines.push(line);
      if (lines.length === 1) setTimeout(() => gpu.device.destroy(), 1500); // 1.5 s into training
    });
    await expect(running).rejects.toThrow(/GPU device lost \(destroyed\)/);
    expect(lines.join('\n')).toMatch(/training stopped at step \d+: GPU device lost/);
    const rows = parseCsv(readFileSync(out, 'utf8'));
    expect(rows.length).toBeGreaterThan(0);
    const results = parseResultsJson(readFileSync(json, 'utf8'));
    expect(results.records.length).toBe(rows.length);
    expect(results.step).toBe(Math.max(...rows.map((row) => Number(row.step))));
  });
});
