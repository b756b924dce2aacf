import { expect, test } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import type { CsvColumn } from '../src/experiment/export';
import { exportCsvFile, readCliCsv } from './helpers';
import { runNodeExperiment } from './node-gpu';

// Invariant 2 (DESIGN.md): the same config and seeds give the same numbers in Node (Dawn, the CLI)
// and in Chromium (the page's Worker), within f32 tolerance. LRD and LEAP draw from the in-kernel
// counter-based RNG, RALR from its CPU twin, so all three RNG paths are compared.

const RTOL = 1e-4;
const ATOL = 1e-5;
const optimizer = { rule: 'momentum', momentum: 0.9, weightDecay: 5e-4 };
const schedule = { kind: 'constant', lr: 0.1 };
const CONFIG = {
  version: 1,
  name: 'Node-Chromium agreement',
  seed: 7,
  dataset: { kind: 'toy', name: 'spiral', count: 200, noise: 0.1, testFraction: 0.25 },
  model: { kind: 'mlp', hidden: [16, 16], activation: 'relu' },
  batch: 16,
  budget: { unit: 'steps', amount: 40 },
  evalEvery: 20,
  logEvery: 10,
  runs: [
    { label: 'Baseline', optimizer, schedule },
    { label: 'LRD', optimizer, schedule, lrd: { keepProb: 0.5 } },
    { label: 'LEAP', optimizer, schedule, leap: { sigma: 0.05 } },
    { label: 'RALR', optimizer, schedule, ralr: { amplifyProb: 0.3, factorLow: 1, factorHigh: 3 } },
  ],
};
const TEST_COUNT = 50; // 200 rows × testFraction 0.25
const BATCH = 16;
const RUNS = CONFIG.runs.length;
const STEPS = CONFIG.budget.amount;

/** Columns compared, with the tolerance each may differ by (|a − b| <= atol + rtol·|b|). */
const COLUMNS: Array<{ column: CsvColumn; rtol: number; atol: number }> = [
  { column: 'train_loss', rtol: RTOL, atol: ATOL },
  { column: 'test_loss', rtol: RTOL, atol: ATOL },
  // Fractions of rows: equal unless a row sits on a decision boundary within f32 noise.
  { column: 'train_accuracy', rtol: 0, atol: 1 / BATCH + 1e-9 },
  { column: 'test_accuracy', rtol: 0, atol: 1 / TEST_COUNT + 1e-9 },
  // Rates come from the CPU (float64 TypeScript in both): identical.
  { column: 'lr', rtol: 1e-12, atol: 0 },
  { column: 'lr_expected', rtol: 1e-12, atol: 0 },
  { column: 'lr_band_low', rtol: 1e-12, atol: 0 },
  { column: 'lr_band_high', rtol: 1e-12, atol: 0 },
  { column: 'epoch', rtol: 0, atol: 0 },
  { column: 'diverged', rtol: 0, atol: 0 },
];

test('Node and Chromium train the same config to the same numbers (f32 tolerance)', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));

  const configPath = testInfo.outputPath('agreement.json');
  const nodeCsv = testInfo.outputPath('node.csv');
  writeFileSync(configPath, JSON.stringify(CONFIG, null, 1));

  let started = Date.now();
  const log = runNodeExperiment(configPath, nodeCsv);
  console.log(`Node: ${((Date.now() - started) / 1000).toFixed(1)} s\n${log.split(/[\r\n]+/).filter((line) => !line.startsWith('training')).join('\n')}`);
  const nodeRows = readCliCsv(nodeCsv);

  started = Date.now();
  await page.goto('/');
  await expect(page.getByTestId('adapter')).not.toHaveText(/looking|none/, { timeout: 30_000 });
  console.log(`Chromium adapter: ${await page.getByTestId('adapter').textContent()}`);
  await expect(page.getByTestId('status')).toHaveText('ready');
  await page.getByTestId('config-file').setInputFiles(configPath);
  await expect(page.getByTestId('experiment')).toHaveText(CONFIG.name);
  await expect(page.locator('[data-testid^="run-"]')).toHaveCount(RUNS);
  await page.getByTestId('train').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 120_000 });
  const pageRows = (await exportCsvFile(page)).rows;
  console.log(`Chromium: ${((Date.now() - started) / 1000).toFixed(1)} s (page load included)`);

  // Same rows, in the same order (toCsv sorts by step, then run).
  const keys = (rows: typeof nodeRows) => rows.map((row) => `${row.run}@${row.step}`);
  expect(nodeRows.length).toBe(RUNS * STEPS);
  expect(keys(pageRows)).toEqual(keys(nodeRows));
  const failures: string[] = [];
  for (const column of ['label', 'method', 'seed', 'run_key', 'methods', 'params'] as const) {
    const at = nodeRows.findIndex((row, i) => row[column] !== pageRows[i][column]);
    if (at >= 0) failures.push(`${column} differs (row ${at}): Node ${nodeRows[at][column]}, Chromium ${pageRows[at][column]}`);
  }

  const report: string[] = [];
  let [identical, total] = [0, 0];
  for (const { column, rtol, atol } of COLUMNS) {
    let maxAbs = 0;
    let maxRel = 0;
    let worst = '';
    let compared = 0;
    nodeRows.forEach((node, i) => {
      const inPage = pageRows[i];
      if ((node[column] === '') !== (inPage[column] === '')) {
        failures.push(`${column} run ${node.run} step ${node.step}: Node "${node[column]}", Chromium "${inPage[column]}"`);
        return;
      }
      if (node[column] === '') return;
      const [a, b] = [Number(inPage[column]), Number(node[column])];
      const diff = Math.abs(a - b);
      compared++;
      total++;
      if (a === b) identical++;
      if (diff > maxAbs) [maxAbs, worst] = [diff, `run ${node.run} (${node.label}) step ${node.step}`];
      if (b !== 0) maxRel = Math.max(maxRel, diff / Math.abs(b));
      if (!(diff <= atol + rtol * Math.abs(b))) failures.push(`${column} run ${node.run} (${node.label}) step ${node.step}: Chromium ${a}, Node ${b}, |diff| ${diff.toExponential(2)}`);
    });
    report.push(`${column.padEnd(15)} ${String(compared).padStart(4)} values  max |diff| ${maxAbs.toExponential(2)}  max rel ${maxRel.toExponential(2)}${worst ? `  (${worst})` : ''}`);
  }
  console.log(`Node vs Chromium, ${RUNS} runs × ${STEPS} steps (${identical} of ${total} numbers bit-identical):\n${report.join('\n')}`);
  expect(failures.slice(0, 20), `${failures.length} values beyond tolerance (first 20)`).toEqual([]);
  expect(errors).toEqual([]);
});
