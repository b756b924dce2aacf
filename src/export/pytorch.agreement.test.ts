/**
 * The exported PyTorch script against the engine (needs Python with torch: run by the `python` suite
 * of `npm test`, or `npm run test:agreement`). One config with every method (baseline, LRD, LEAP,
 * RALR, AutoDrop, exponential LR, TEXP) on an MLP, 200 steps, trained by the CLI on Node + Dawn (which
 * also writes the script) and by the script on the CPU in float32: train losses within TRAIN_RTOL,
 * rates within 1e-9, AutoDrop's drops at the same steps, LRD masks element for element at sampled
 * steps (read off the GPU's parameter changes, and against the engine's draws); a CNN on an MNIST
 * subset; and `--ddp 2` (gloo) against one process after 100 steps, every rank taking the same drops.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findPython } from '../../scripts/python.mjs';
import { loadExperimentDataset } from '../experiment/datasets';
import { parseCsv } from '../experiment/export';
import { parseExperiment, type ExperimentInput } from '../experiment/config';
import { createRunner } from '../experiment/setup';
import { tensorOfRun } from '../gpu/param-layout';
import { lrdUniform } from '../rng/draws';
import { testGpu } from '../test/gpu';

/** Relative tolerance of the train losses (the issue's aim: 1e-3; measured about 3e-7 on the MLP). */
const TRAIN_RTOL = 1e-4;
const CNN_RTOL = 1e-3;
const MASK_STEPS = [1, 2, 100, 200];
const root = join(__dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'lrlab-pytorch-'));
const python = findPython();

export const ALL_METHODS: ExperimentInput = {
  version: 1,
  name: 'Agreement: every method',
  seed: 7,
  dataset: { kind: 'toy', name: 'spiral', count: 400, noise: 0.1, testFraction: 0.2 },
  model: { kind: 'mlp', hidden: [16, 16], activation: 'tanh' },
  batch: 32,
  budget: { unit: 'steps', amount: 200 },
  evalEvery: 50,
  logEvery: 10,
  runs: [
    { label: 'baseline', optimizer: { rule: 'momentum' }, schedule: { kind: 'constant', lr: 0.05 } },
    { label: 'LRD', optimizer: { rule: 'sgd' }, schedule: { kind: 'constant', lr: 0.1 }, lrd: { keepProb: 0.5 } },
    { label: 'LEAP', optimizer: { rule: 'adam' }, schedule: { kind: 'constant', lr: 0.01 }, leap: { sigma: 0.005 } },
    { label: 'RALR', optimizer: { rule: 'momentum' }, schedule: { kind: 'step', lr: 0.05, stepSize: 3, unit: 'epoch' }, ralr: { amplifyProb: 0.3, factorHigh: 4 } },
    { label: 'AutoDrop', optimizer: { rule: 'momentum' }, schedule: { kind: 'constant', lr: 0.05 }, autodrop: { window: 4, buffer: 4, delay: 2 } },
    { label: 'ExpLR', optimizer: { rule: 'momentum' }, schedule: { kind: 'step', lr: 0.05, stepSize: 100 }, expLr: { weightDecay: 0.01 } },
    { label: 'TEXP', optimizer: { rule: 'momentum' }, schedule: { kind: 'step', lr: 0.05, stepSize: 100 }, expLr: { weightDecay: 0.01, form: 'texp' } },
  ],
};

const CNN: ExperimentInput = {
  version: 1,
  name: 'Agreement: CNN on MNIST',
  seed: 5,
  dataset: { kind: 'image', name: 'mnist', trainSubset: 512, testSubset: 128 },
  model: { kind: 'cnn', channels: [4, 8], dense: 16 },
  batch: 8,
  budget: { unit: 'steps', amount: 40 },
  evalEvery: 20,
  logEvery: 10,
  runs: [
    { label: 'Adam', optimizer: { rule: 'adam' }, schedule: { kind: 'constant', lr: 0.003 } },
    { label: 'momentum + LRD + LEAP', optimizer: { rule: 'momentum' }, schedule: { kind: 'constant', lr: 0.02 }, lrd: { keepProb: 0.7 }, leap: { sigma: 0.002 } },
  ],
};

/** Runs a command in the repository; throws with its output when it fails. */
function run(command: string, args: string[], timeoutMs = 300_000): void {
  const done = spawnSync(command, args, { cwd: root, encoding: 'utf8', timeout: timeoutMs });
  if (done.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${done.error?.message ?? `exit ${done.status}`}):\n${done.stderr}`);
}

function interpreter(): string {
  if (python.error !== undefined) throw new Error(python.error);
  return python.python;
}

/** The CLI: the engine's CSV and the exported script of a config. */
function engineAndScript(name: string, config: ExperimentInput): { csv: string; script: string } {
  const configPath = join(work, `${name}.json`);
  writeFileSync(configPath, JSON.stringify(config));
  const csv = join(work, `${name}.engine.csv`);
  const script = join(work, `${name}.py`);
  run(process.execPath, ['--import', 'tsx', '--import', './scripts/raw-loader.mjs', 'src/cli/experiment.ts', configPath, '--out', csv, '--pytorch', script]);
  return { csv, script };
}

/** The script's run: its CSV, and its --params file as JSON (tensors, AutoDrop decisions per rank, LRD masks). */
function scriptRun(script: string, name: string, args: string[] = []): { csv: string; params: SavedRuns } {
  const csv = join(work, `${name}.csv`);
  const pt = join(work, `${name}.pt`);
  const json = join(work, `${name}.params.json`);
  run(interpreter(), [script, '--out', csv, '--params', pt, '--data-dir', 'public/data', ...args]);
  const convert = `import json, sys, torch
d = torch.load(sys.argv[1], weights_only=True)
masks = lambda ms: {str(s): {str(t): m.int().tolist() for t, m in by.items()} for s, by in ms.items()}
runs = [{'label': r['label'], 'drops': r['drops'], 'decisions': r['decisions'], 'masks': masks(r['masks']),
         'tensors': [t.reshape(-1).tolist() for t in r['tensors']]} for r in d['runs']]
json.dump({'world': d['world'], 'runs': runs}, open(sys.argv[2], 'w'))`;
  run(interpreter(), ['-c', convert, pt, json]);
  return { csv, params: JSON.parse(readFileSync(json, 'utf8')) as SavedRuns };
}

interface SavedRuns {
  world: number;
  runs: Array<{ label: string; drops: number[]; decisions: Array<Array<[number, boolean]>>; masks: Record<string, Record<string, number[]>>; tensors: number[][] }>;
}

type Row = Record<string, string>;
const byRun = (csv: string) => {
  const runs = new Map<number, Row[]>();
  for (const row of parseCsv(readFileSync(csv, 'utf8'))) runs.set(Number(row.run), [...(runs.get(Number(row.run)) ?? []), row]);
  return runs;
};
const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);
const drops = (rows: Row[]) => rows.filter((row, k) => k > 0 && Number(row.lr) < Number(rows[k - 1].lr)).map((row) => Number(row.step));

/** Max relative train-loss difference per run, after checking steps, rates and drops line up. */
function compare(engineCsv: string, scriptCsv: string, tolerance: number): Array<{ label: string; loss: number; lr: number; drops: number }> {
  const engine = byRun(engineCsv);
  const script = byRun(scriptCsv);
  expect([...script.keys()]).toEqual([...engine.keys()]);
  return [...engine.entries()].map(([index, rows]) => {
    const mine = script.get(index)!;
    expect(mine.map((r) => r.step)).toEqual(rows.map((r) => r.step));
    let loss = 0;
    let lr = 0;
    rows.forEach((row, k) => {
      for (const column of ['label', 'seed', 'run_key', 'methods', 'params', 'epoch', 'diverged'] as const) expect(mine[k][column], column).toBe(row[column]);
      loss = Math.max(loss, relative(Number(mine[k].train_loss), Number(row.train_loss)));
      lr = Math.max(lr, relative(Number(mine[k].lr), Number(row.lr)));
      expect(mine[k].test_loss === '', `test_loss at ${row.step}`).toBe(row.test_loss === '');
      if (row.test_loss !== '') expect(relative(Number(mine[k].test_loss), Number(row.test_loss))).toBeLessThan(tolerance);
      expect(mine[k].angle === '').toBe(row.angle === '');
    });
    expect(drops(mine), `${rows[0].label}: drops`).toEqual(drops(rows));
    expect(loss, `${rows[0].label}: train loss`).toBeLessThan(tolerance);
    expect(lr, `${rows[0].label}: lr`).toBeLessThan(1e-9);
    return { label: rows[0].label, loss, lr, drops: drops(rows).length };
  });
}

describe('exported PyTorch script vs the engine, every method (MLP, 200 steps)', () => {
  let files: { csv: string; script: string };
  let script: { csv: string; params: SavedRuns };
  beforeAll(() => {
    files = engineAndScript('all', ALL_METHODS);
    script = scriptRun(files.script, 'all', ['--mask-steps', MASK_STEPS.join(',')]);
  }, 600_000);

  it('train losses, rates and AutoDrop drops agree per method', () => {
    const table = compare(files.csv, script.csv, TRAIN_RTOL);
    console.info(`PyTorch vs engine (${python.torch}), max relative train-loss difference over 200 steps:\n${table.map((r) => `  ${r.label.padEnd(10)} ${r.loss.toExponential(2)} (lr ${r.lr.toExponential(1)}${r.drops ? `, rate fell ${r.drops}×` : ''})`).join('\n')}`);
    expect(table.find((r) => r.label === 'AutoDrop')!.drops).toBeGreaterThanOrEqual(3);
  });

  it('LRD masks are the engine\'s element for element at sampled steps', async () => {
    const config = parseExperiment(ALL_METHODS);
    const gpu = await testGpu();
    const runner = createRunner(gpu, config, await loadExperimentDataset(config.dataset, config.seed, {}));
    const lrdRun = 1;
    const saved = script.params.runs[lrdRun];
    const { layout, model } = runner.trainer.network;
    let inferred = 0;
    let total = 0;
    for (const step of MASK_STEPS) {
      await runner.advance(step - 1 - runner.step);
      const before = await runner.trainer.network.readParams();
      await runner.advance(1);
      const [after, grads] = [await runner.trainer.network.readParams(), await runner.trainer.network.readGrads()];
      model.tensors.forEach((_, t) => {
        const mask = saved.masks[String(step)][String(t)];
        const [theta0, theta1, g] = [tensorOfRun(before, layout, t, lrdRun), tensorOfRun(after, layout, t, lrdRun), tensorOfRun(grads, layout, t, lrdRun)];
        mask.forEach((keep, i) => {
          total++;
          // the engine's own draw, for every element
          expect(keep, `step ${step} tensor ${t} element ${i}`).toBe(lrdUniform(config.seed, 1, t, step, i) < Math.fround(0.5) ? 1 : 0);
          // the GPU's: plain SGD moves an element by lr·g exactly when its rate is kept (where that move is visible in f32)
          if (Math.abs(0.1 * g[i]) > 1e-6 * Math.abs(theta0[i]) + 1e-30) {
            inferred++;
            expect(theta1[i] !== theta0[i] ? 1 : 0, `GPU mask at step ${step} tensor ${t} element ${i}`).toBe(keep);
          }
        });
      });
    }
    runner.destroy();
    console.info(`LRD masks: ${total} elements at steps ${MASK_STEPS.join(', ')} equal the engine's draws; ${inferred} also read off the GPU's update`);
    expect(inferred).toBeGreaterThan(total / 2);
  });

  it('--ddp 2 (gloo, 127.0.0.1) gives the single-process parameters after 100 steps, the same drops on every rank', () => {
    const runs = ['--runs', 'LRD,LEAP,AutoDrop,ExpLR', '--steps', '100'];
    const single = scriptRun(files.script, 'single100', runs).params;
    const ddp = scriptRun(files.script, 'ddp100', [...runs, '--ddp', '2']).params;
    expect(ddp.world).toBe(2);
    const report: string[] = [];
    ddp.runs.forEach((mine, r) => {
      let worst = 0;
      mine.tensors.forEach((values, t) => values.forEach((value, i) => {
        const want = single.runs[r].tensors[t][i];
        expect(Math.abs(value - want), `${mine.label} tensor ${t} element ${i}`).toBeLessThanOrEqual(1e-4 * Math.abs(want) + 1e-6);
        worst = Math.max(worst, Math.abs(value - want) / Math.max(Math.abs(want), 1e-3));
      }));
      report.push(`${mine.label} ${worst.toExponential(1)}`);
      const [rank0, rank1] = mine.decisions;
      expect(rank1, `${mine.label}: rank 1's AutoDrop decisions`).toEqual(rank0);
      expect(mine.drops).toEqual(single.runs[r].drops);
    });
    expect(ddp.runs.find((r) => r.label === 'AutoDrop')!.drops.length).toBeGreaterThan(0);
    console.info(`DDP (2 gloo processes) vs one process after 100 steps, max relative parameter difference: ${report.join(', ')}`);
  }, 300_000);
});

describe('exported PyTorch script vs the engine: a CNN on an MNIST subset', () => {
  it('train and test losses agree', () => {
    const files = engineAndScript('cnn', CNN);
    const script = scriptRun(files.script, 'cnn');
    const table = compare(files.csv, script.csv, CNN_RTOL);
    console.info(`CNN on MNIST (40 steps): ${table.map((r) => `${r.label} ${r.loss.toExponential(2)}`).join(', ')}`);
  }, 600_000);
});
