import { expect, test } from '@playwright/test';
import { callEngine, exportCsvRows as exportCsv, stepOf } from './helpers';
import { writeFileSync } from 'node:fs';

// The Worker's controls on real Chromium WebGPU, through the page's buttons and (for the calls the
// thin page has no widget for yet) its comlink handle window.lrlab.engine: step, a bad config that
// loses nothing, a mid-training hyperparameter change between two steps, pause on an evaluation
// step, add and remove a run; and a clear message where there is no WebGPU.

const schedule = { kind: 'constant', lr: 0.1 };
const optimizer = { rule: 'momentum', momentum: 0.9 };
const CONFIG = {
  version: 1,
  name: 'Controls',
  seed: 3,
  dataset: { kind: 'toy', name: 'moons', count: 300, noise: 0.1, testFraction: 0.2 },
  model: { kind: 'mlp', hidden: [8] },
  batch: 16,
  budget: { unit: 'steps', amount: 2000 },
  // logEvery = evalEvery.
  evalEvery: 10,
  logEvery: 10,
  runs: [
    { label: 'Baseline', optimizer, schedule },
    { label: 'LRD', optimizer, schedule, lrd: { keepProb: 0.5 } },
    { label: 'LEAP', optimizer, schedule, leap: { sigma: 0.05 } },
  ],
};

const call = callEngine;

test('step, bad input, mid-training change, pause on an evaluation step, add and remove a run', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  const configPath = testInfo.outputPath('controls.json');
  writeFileSync(configPath, JSON.stringify(CONFIG));

  await page.goto('/');
  await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 30_000 });
  await page.getByTestId('config-file').setInputFiles(configPath);
  await expect(page.getByTestId('experiment')).toHaveText('Controls');
  await expect(page.locator('[data-testid^="run-"]')).toHaveCount(3);

  // Single steps.
  for (let i = 1; i <= 3; i++) {
    await page.getByTestId('step-once').click();
    await expect(page.getByTestId('step')).toHaveText(String(i));
  }
  await expect(page.getByTestId('status')).toHaveText('paused');

  // A bad config names the field and loses nothing: same experiment, same step, same metrics.
  const badPath = testInfo.outputPath('bad.json');
  writeFileSync(badPath, JSON.stringify({ ...CONFIG, runs: CONFIG.runs.map((run, i) => (i === 1 ? { ...run, lrd: { keepProb: 0 } } : run)) }));
  await page.getByTestId('config-file').setInputFiles(badPath);
  await expect(page.getByTestId('error')).toContainText('runs.1.lrd.keepProb');
  await expect(page.getByTestId('experiment')).toHaveText('Controls');
  expect(await stepOf(page)).toBe(3);
  expect((await exportCsv(page)).length).toBe(9);

  // Bad run changes are refused before anything changes.
  const badRun = await call(page, 'updateRun', 1, { label: 'LRD', optimizer, schedule, lrd: { keepProb: 2 } });
  expect(badRun.error).toContain('runs.1.lrd.keepProb');
  const autodrop = await call(page, 'updateRun', 0, { label: 'Baseline', optimizer, schedule, autodrop: {} });
  expect(autodrop.error).toContain('runs.0.autodrop');

  // Resume; change the Baseline's rate mid-training: it applies between two steps, without a reset.
  await page.getByTestId('train').click();
  await expect(page.getByTestId('status')).toHaveText('training');
  await expect.poll(() => stepOf(page), { intervals: [100] }).toBeGreaterThanOrEqual(20);
  const changed = await call(page, 'updateRun', 0, { label: 'Baseline (slow)', optimizer, schedule: { kind: 'constant', lr: 0.02 } });
  const fromStep = (changed.result as { fromStep: number }).fromStep;
  expect(changed.error).toBeUndefined();
  expect(fromStep).toBeGreaterThan(20); // applied between two steps, training going on
  await expect(page.getByTestId('run-0')).toContainText('Baseline (slow)');
  await expect.poll(() => stepOf(page), { intervals: [100] }).toBeGreaterThanOrEqual(fromStep + 20);
  await page.getByTestId('train').click(); // Pause
  await expect(page.getByTestId('status')).toHaveText('paused');
  const pausedAt = await stepOf(page);
  console.log(`rate changed from step ${fromStep}; paused at ${pausedAt}`);

  const rows = await exportCsv(page);
  for (let run = 0; run < 3; run++) {
    const own = rows.filter((row) => Number(row.run) === run);
    expect(own.map((row) => Number(row.step))).toEqual(Array.from({ length: pausedAt }, (_, i) => i + 1)); // no reset
    for (const row of own) {
      const expected = run === 0 && Number(row.step) >= fromStep ? 0.02 : 0.1;
      expect(Number(row.lr), `run ${run} step ${row.step}`).toBe(expected);
    }
    // An evaluation at every 10th step, also when training paused right after one.
    expect(own.filter((row) => row.test_accuracy !== '').map((row) => Number(row.step))).toEqual(
      Array.from({ length: Math.floor(pausedAt / 10) }, (_, i) => 10 * (i + 1)),
    );
  }

  // Adding a run rebuilds the runner: training restarts at step 0, and the result says so.
  const added = await call(page, 'addRun', { label: 'Adam', optimizer: { rule: 'adam' }, schedule: { kind: 'constant', lr: 0.01 } });
  expect(added.error).toBeUndefined();
  expect(added.result).toMatchObject({ restarted: true, runs: [{ label: 'Baseline (slow)' }, { label: 'LRD' }, { label: 'LEAP' }, { label: 'Adam' }] });
  await expect(page.locator('[data-testid^="run-"]')).toHaveCount(4);
  expect(await stepOf(page)).toBe(0);
  const duplicate = await call(page, 'addRun', { label: 'LRD', schedule });
  expect(duplicate.error).toContain('runs.4.label');

  // Removing one keeps the others' colours and draws (run keys).
  const removed = await call(page, 'removeRun', 1);
  expect(removed.error).toBeUndefined();
  await expect(page.locator('[data-testid^="run-"]')).toHaveCount(3);
  await page.getByTestId('step-once').click();
  await expect(page.getByTestId('step')).toHaveText('1');
  const after = await exportCsv(page);
  expect(after.map((row) => [row.label, row.run_key])).toEqual([
    ['Baseline (slow)', '0'],
    ['LEAP', '2'],
    ['Adam', '3'],
  ]);
  const config = (await call(page, 'config')).result as { runs: Array<{ color: string }> };
  expect(config.runs.map((run) => run.color)).toEqual(['#0072b2', '#009e73', '#cc79a7']);
  expect(errors).toEqual([]);
});

test('without WebGPU the page says what to enable', async ({ playwright }, testInfo) => {
  // A second browser without --enable-unsafe-webgpu: Chromium on Linux then offers no adapter.
  const browser = await playwright.chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto(testInfo.project.use.baseURL!);
    await expect(page.getByTestId('error')).toContainText(/WebGPU adapter|WebGPU is not available/);
    await expect(page.getByTestId('error')).toContainText('--enable-unsafe-webgpu');
    await expect(page.getByTestId('train')).toBeDisabled();
    console.log(`without WebGPU: ${await page.getByTestId('error').textContent()}`);
  } finally {
    await browser.close();
  }
});
