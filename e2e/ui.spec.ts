import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { encodeIdx } from '../src/data/idx';
import { METRIC_COLUMNS } from '../src/experiment/export';
import { exportCsvFile as exportCsv, mean, openDefault, savedStep, stepOf, trainTo, watchErrors } from './helpers';

// The playground UI (issue 5) on real Chromium WebGPU: the default comparison trains and its curves
// render; run edits apply mid-training or are refused inline; exports, share links, persistence,
// uploads, accessibility. Every test also fails on any console error or page error.

const RUNS = 6;
/** The `d` attribute of a series' line in a chart ('' when absent). */
async function linePath(page: Page, chart: string, series: string): Promise<string> {
  const path = page.getByTestId(`chart-${chart}`).locator(`path.series-${series}`).first();
  return (await path.count()) ? ((await path.getAttribute('d')) ?? '') : '';
}

test('the default comparison trains with the space key: every loss falls, curves render, CSV matches runs × steps', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchErrors(page);
  await openDefault(page);
  await expect(page.locator('[data-testid^="run-"]')).toHaveCount(RUNS);
  const started = Date.now();
  await page.locator('body').press('Space');
  await expect(page.getByTestId('status')).toHaveText('training');
  // Curves appear within seconds.
  await expect(page.getByTestId('chart-trainLoss').locator('path.line')).toHaveCount(RUNS, { timeout: 15_000 });
  console.log(`first curves after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // The page stays responsive while training: no main-thread task near a second (charts redraw a
  // few times a second from decimated copies; the GPU work is in the Worker).
  await page.evaluate(() => {
    const w = window as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((list) => list.getEntries().forEach((entry) => w.longTasks.push(entry.duration))).observe({ type: 'longtask' });
  });
  await expect.poll(() => stepOf(page), { timeout: 120_000, intervals: [200] }).toBeGreaterThanOrEqual(200);
  const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
  console.log(`main-thread long tasks while training (ms): ${longTasks.map(Math.round).join(' ') || 'none'}`);
  expect(Math.max(0, ...longTasks)).toBeLessThan(1000);
  await page.locator('body').press('Space');
  await expect(page.getByTestId('status')).toHaveText('paused');
  const step = await stepOf(page);

  for (const chart of ['trainLoss', 'testLoss', 'testAccuracy', 'lrExpected']) {
    const curves = page.getByTestId(`chart-${chart}`).locator('path.line');
    await expect(curves, chart).toHaveCount(RUNS);
    for (const d of await curves.evaluateAll((paths) => paths.map((p) => p.getAttribute('d') ?? ''))) expect(d.length, `${chart} path`).toBeGreaterThan(20);
  }
  // AutoDrop's angle chart appears (one run has AutoDrop).
  await expect(page.getByTestId('chart-angle').locator('path.line')).toHaveCount(1);

  const { text, rows } = await exportCsv(page);
  expect(text.split(/\r?\n/)[0].split(',')).toEqual(Object.keys(METRIC_COLUMNS));
  expect(rows).toHaveLength(RUNS * step);
  for (let run = 0; run < RUNS; run++) {
    const own = rows.filter((row) => Number(row.run) === run);
    expect(own.map((row) => Number(row.step))).toEqual(Array.from({ length: step }, (_, i) => i + 1));
    const losses = own.map((row) => Number(row.train_loss));
    expect(mean(losses.slice(-20)), `${own[0].label}: loss falls`).toBeLessThan(mean(losses.slice(0, 20)));
    // The summary shows each run's last loss soon after the pause (its redraw does not wait behind its usual interval).
    await expect.poll(async () => Number(await page.getByTestId(`loss-${run}`).textContent()), `${own[0].label}: summary loss`).toBeLessThan(Infinity);
  }
  // The legend hides a run from the charts and shows it again.
  await page.getByTestId('legend-2').click();
  await expect(page.getByTestId('chart-trainLoss').locator('path.line')).toHaveCount(RUNS - 1);
  await page.getByTestId('legend-2').click();
  await expect(page.getByTestId('chart-trainLoss').locator('path.line')).toHaveCount(RUNS);
  // 2-D data: a decision boundary per run.
  await expect(page.getByTestId('boundary-0')).toBeVisible();
  await expect(page.locator('[data-testid^="boundary-"]')).toHaveCount(RUNS);
  expect(errors).toEqual([]);
});

test('toggling LRD off on the LRD run and on for the baseline changes their effective-LR curves mid-training, without a reset', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchErrors(page);
  await openDefault(page);
  const pausedAt = await trainTo(page, 40);
  await expect.poll(() => linePath(page, 'lrExpected', 'm1')).not.toBe('');
  const before = await linePath(page, 'lrExpected', 'm1');
  await page.getByTestId('toggle-1-lrd').uncheck();
  await expect(page.getByTestId('notes')).toContainText(`LRD changed from step ${pausedAt + 1} (no reset)`);
  // And on for the baseline, with its default keep probability.
  await page.getByTestId('toggle-0-lrd').check();
  await expect(page.getByTestId('notes')).toContainText(`Baseline changed from step ${pausedAt + 1} (no reset)`);
  await expect(page.getByTestId('field-runs.0.lrd.keepProb')).toHaveValue('0.5');
  expect(await stepOf(page)).toBe(pausedAt);
  const after = await trainTo(page, pausedAt + 30);
  await expect.poll(() => linePath(page, 'lrExpected', 'm1')).not.toBe(before);

  const { rows } = await exportCsv(page);
  const lrd = rows.filter((row) => Number(row.run) === 1);
  expect(lrd.map((row) => Number(row.step))).toEqual(Array.from({ length: after }, (_, i) => i + 1)); // no reset
  for (const row of lrd) {
    // With LRD (keepProb 0.5) the expected rate is half the global rate; without, equal.
    const expected = Number(row.step) <= pausedAt ? 0.05 : 0.1;
    expect(Number(row.lr_expected), `step ${row.step}`).toBeCloseTo(expected, 12);
  }
  for (const row of rows.filter((r) => Number(r.run) === 0)) {
    expect(Number(row.lr_expected), `baseline step ${row.step}`).toBeCloseTo(Number(row.step) <= pausedAt ? 0.1 : 0.05, 12);
  }
  expect(errors).toEqual([]);
});

test('an invalid value is refused inline in words, blocks training until fixed or reverted, and the training data stays', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await openDefault(page);
  const pausedAt = await trainTo(page, 20);
  const field = page.getByTestId('field-runs.1.lrd.keepProb');
  await field.fill('2');
  await expect(page.getByTestId('issue-runs.1.lrd.keepProb')).toHaveText('keep prob: enter a number in (0, 1] (got 2)');
  await expect(field).toHaveValue('2'); // never clamped
  await expect(page.getByTestId('issues-1')).toContainText('runs.1.lrd.keepProb');
  expect(await stepOf(page)).toBe(pausedAt);
  expect((await exportCsv(page)).rows).toHaveLength(RUNS * pausedAt);
  // Train, Resume and Step wait for a valid value, and say why.
  await expect(page.getByTestId('train')).toBeDisabled();
  await expect(page.getByTestId('step-once')).toBeDisabled();
  await expect(page.getByTestId('blocked')).toContainText('LRD · keep prob: enter a number in (0, 1]');
  await page.locator('h1').click();
  await page.keyboard.press('Space');
  await page.keyboard.press('s');
  await page.waitForTimeout(300);
  expect(await stepOf(page)).toBe(pausedAt);
  // Text and an empty field get words too, never the validator's phrasing.
  await field.fill('abc');
  await expect(page.getByTestId('issue-runs.1.lrd.keepProb')).toHaveText('keep prob: enter a number in (0, 1]');
  await expect(page.getByTestId('blocked')).not.toContainText('Invalid input');
  // Revert: the draft goes back to what the engine runs (keepProb 0.5), and one more step uses it.
  await page.getByTestId('revert').click();
  await expect(field).toHaveValue('0.5');
  await expect(page.getByTestId('blocked')).toHaveCount(0);
  await page.getByTestId('step-once').click();
  await expect(page.getByTestId('step')).toHaveText(String(pausedAt + 1));
  const { rows } = await exportCsv(page);
  expect(rows).toHaveLength(RUNS * (pausedAt + 1));
  expect(Number(rows.find((row) => Number(row.run) === 1 && Number(row.step) === pausedAt + 1)!.lr_expected)).toBeCloseTo(0.05, 12);
  // Experiment-level fields too: refused in place, no Apply offered until valid.
  await page.getByTestId('field-batch').fill('0');
  await expect(page.getByTestId('issue-batch')).toHaveText('batch: enter an integer in [1, 4096] (got 0)');
  await expect(page.getByTestId('apply')).toHaveCount(0);
  await page.getByTestId('field-batch').fill('32');
  await expect(page.getByTestId('issue-batch')).toHaveCount(0);
  // A valid value clears the error and applies.
  await field.fill('0.25');
  await expect(page.getByTestId('issue-runs.1.lrd.keepProb')).toHaveCount(0);
  await expect(page.getByTestId('notes')).toContainText(`LRD changed from step ${pausedAt + 2}`);
  expect(errors).toEqual([]);
});

test('share link round trip; a tampered link shows an error and the default experiment', async ({ page, context }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await openDefault(page);
  await page.getByTestId('field-batch').fill('16');
  await page.getByTestId('apply').click();
  await expect(page.getByTestId('notes')).toContainText('training restarted');
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-url').inputValue();
  expect(link).toMatch(/#experiment=1\.[A-Za-z0-9_-]+$/);

  const other = await context.browser()!.newContext();
  try {
    const fresh = await other.newPage();
    const freshErrors = watchErrors(fresh);
    await fresh.goto(link);
    await expect(fresh.getByTestId('status')).toHaveText('ready', { timeout: 60_000 });
    await expect(fresh.getByTestId('field-batch')).toHaveValue('16');
    await expect(fresh.getByTestId('notes')).toContainText('share link');

    const tampered = link.replace(/#experiment=1\.(.)/, (_, c: string) => `#experiment=1.${c === 'A' ? 'B' : 'A'}`).slice(0, -7);
    await fresh.goto('about:blank');
    await fresh.goto(tampered);
    await expect(fresh.getByTestId('error')).toContainText('This share link is damaged');
    await expect(fresh.getByTestId('status')).toHaveText('ready', { timeout: 60_000 });
    await expect(fresh.getByTestId('experiment')).toHaveText('All methods on a spiral');
    await expect(fresh.getByTestId('field-batch')).toHaveValue('32');
    expect(freshErrors).toEqual([]);
  } finally {
    await other.close();
  }
  expect(errors).toEqual([]);
});

test('a reload restores the experiment and its results from IndexedDB', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await openDefault(page);
  await page.getByTestId('field-runs.0.label').fill('Mine');
  await expect(page.getByTestId('run-0')).toContainText('Mine');
  // The S key takes one step (with the focus outside form fields), then the Step button.
  await page.locator('h1').click();
  await page.keyboard.press('s');
  await expect(page.getByTestId('step')).toHaveText('1');
  for (let i = 2; i <= 3; i++) {
    await page.getByTestId('step-once').click();
    await expect(page.getByTestId('step')).toHaveText(String(i));
  }
  const before = (await exportCsv(page)).rows;
  await expect.poll(() => savedStep(page), { timeout: 20_000 }).toBe(3); // the debounced save
  await page.reload();
  await expect(page.getByTestId('notes')).toContainText('restored your last experiment', { timeout: 60_000 });
  await expect(page.getByTestId('step')).toHaveText('3');
  await expect(page.getByTestId('run-0')).toContainText('Mine');
  await expect(page.getByTestId('status')).toHaveText('paused');
  const after = (await exportCsv(page)).rows;
  const strip = (rows: Array<Record<string, string>>) => rows.map(({ wall_ms: _, ...rest }) => rest);
  expect(strip(after)).toEqual(strip(before));
  expect(errors).toEqual([]);
});

test('"Forget saved" right after a pause drops the save still pending; the reload opens the default', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await openDefault(page);
  await page.getByTestId('field-runs.0.label').fill('Mine');
  await expect(page.getByTestId('run-0')).toContainText('Mine');
  await trainTo(page, 1);
  // The results save is debounced (600 ms after the pause): forget before it fires.
  await page.getByTestId('forget').click();
  await expect(page.getByTestId('step')).toHaveText('0');
  await page.waitForTimeout(1500);
  expect(await savedStep(page)).toBe(-1);
  await page.reload();
  await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 60_000 });
  await expect(page.getByTestId('run-0')).not.toContainText('Mine');
  await expect(page.getByTestId('step')).toHaveText('0');
  expect(errors).toEqual([]);
});

test('a malformed CSV upload shows an error and changes nothing; a good one trains and survives a reload', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  await openDefault(page);
  const bad = testInfo.outputPath('bad.csv');
  writeFileSync(bad, 'x,y,label\n1,2,a\n3,oops,b\n5,6,a\n');
  await page.getByTestId('upload').setInputFiles(bad);
  await expect(page.getByTestId('upload-error')).toContainText('Upload refused');
  await expect(page.getByTestId('upload-error')).toContainText('row 3');
  await expect(page.getByTestId('experiment')).toHaveText('All methods on a spiral');
  await expect(page.getByTestId('status')).toHaveText('ready');

  // A good CSV trains.
  const good = testInfo.outputPath('good.csv');
  const lines = ['a,b,label', ...Array.from({ length: 200 }, (_, i) => `${Math.cos(i)},${Math.sin(i)},${i % 2}`)];
  writeFileSync(good, lines.join('\n'));
  await page.getByTestId('upload').setInputFiles(good);
  await expect(page.getByTestId('notes')).toContainText('trained on your upload "good.csv"');
  await page.getByTestId('step-once').click();
  await expect(page.getByTestId('step')).toHaveText('1');
  // The upload is kept too: a reload restores the experiment on it.
  await expect.poll(() => savedStep(page), { timeout: 20_000 }).toBe(1);
  await page.reload();
  await expect(page.getByTestId('notes')).toContainText('restored your last experiment', { timeout: 60_000 });
  await expect(page.getByTestId('field-dataset')).toHaveValue('upload:good.csv');
  await expect(page.getByTestId('step')).toHaveText('1');
  expect(errors).toEqual([]);
});

test('accessibility: axe finds no serious or critical violations (light and dark)', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await openDefault(page);
  await page.getByTestId('step-once').click();
  await expect(page.getByTestId('step')).toHaveText('1');
  for (const theme of ['light', 'dark']) {
    await page.getByTestId('theme').selectOption(theme);
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${theme}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`)).toEqual([]);
  }
  // Phone width: nothing overflows horizontally.
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  expect(errors).toEqual([]);
});

test('speed limit, and charts download as SVG and PNG', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await openDefault(page);
  await page.getByTestId('speed').selectOption('10');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('status')).toHaveText('training');
  const started = Date.now();
  await expect.poll(() => stepOf(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(10);
  await page.waitForTimeout(2000);
  const step = await stepOf(page);
  const seconds = (Date.now() - started) / 1000;
  // 10 steps/s in blocks of 10: never more than one block ahead of the limit.
  expect(step).toBeLessThanOrEqual(10 * Math.ceil(seconds) + 20);
  await page.getByTestId('train').click();
  await expect(page.getByTestId('status')).toHaveText('paused');

  const [svg] = await Promise.all([page.waitForEvent('download'), page.getByTestId('svg-trainLoss').click()]);
  const text = readFileSync((await svg.path())!, 'utf8');
  expect(text.startsWith('<svg')).toBe(true);
  expect(text).toContain('class="line series-');
  const [png] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Train loss: download PNG' }).click()]);
  const bytes = readFileSync((await png.path())!);
  expect([...bytes.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  expect(bytes.length).toBeGreaterThan(1000);
  expect(errors).toEqual([]);
});

test('replicates: mean ± std bands and per-method summary; duplicate and remove restart; hover shows every run', async ({ page }) => {
  test.setTimeout(150_000);
  const errors = watchErrors(page);
  await openDefault(page);
  await page.getByTestId('field-replicates').fill('2');
  await page.getByTestId('field-budget.amount').fill('60');
  await page.getByTestId('apply').click();
  await expect(page.locator('[data-testid^="run-"]')).toHaveCount(2 * RUNS);
  await page.getByTestId('train').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 90_000 });
  // One mean line per method, each with its ±std band.
  await expect(page.getByTestId('chart-trainLoss').locator('path.line')).toHaveCount(RUNS);
  await expect(page.getByTestId('chart-trainLoss').locator('path.band')).toHaveCount(RUNS);
  await expect(page.getByTestId('method-summary-0')).toContainText('mean ± std of 2');
  await expect(page.getByTestId('method-summary-0')).toContainText('±');
  // Each replicate on its own instead.
  await page.getByTestId('aggregate').uncheck();
  await expect(page.getByTestId('chart-trainLoss').locator('path.line')).toHaveCount(2 * RUNS);

  // The hover readout lists every run at that x.
  const box = (await page.getByTestId('chart-trainLoss').locator('svg.plot').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
  const tooltip = page.getByTestId('chart-trainLoss').locator('[data-testid="chart-tooltip"]');
  await expect(tooltip).toContainText('Baseline');
  await expect(tooltip).toContainText('Exponential LR #2');

  // Duplicate run 1 (restarts), then remove it again.
  await page.getByTestId('duplicate-1').click();
  await expect(page.getByTestId('notes')).toContainText('Adding a run rebuilds the experiment');
  await expect(page.getByTestId('method-6')).toBeVisible();
  await expect(page.getByTestId('field-runs.6.label')).toHaveValue('LRD copy');
  await expect(page.getByTestId('step')).toHaveText('0');
  await page.getByTestId('remove-6').click();
  await expect(page.getByTestId('notes')).toContainText('Removing a run rebuilds the experiment');
  await expect(page.locator('[data-testid^="method-"]:not([data-testid^="method-summary"])')).toHaveCount(RUNS);
  expect(errors).toEqual([]);
});

test('without WebGPU the page explains what is missing and how to get it', async ({ playwright }, testInfo) => {
  const browser = await playwright.chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto(testInfo.project.use.baseURL!);
    const panel = page.getByTestId('no-webgpu');
    await expect(panel).toContainText('WebGPU is missing');
    await expect(panel).toContainText('--enable-unsafe-webgpu');
    await expect(panel).toContainText('Chrome or Edge 113');
    await expect(page.getByTestId('train')).toBeDisabled();
  } finally {
    await browser.close();
  }
});

test('four IDX files upload as an image dataset and train; a missing file is refused', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  await openDefault(page);
  /** n 6×6 images: class 1 bright on the left half, class 0 on the right. */
  const images = (n: number) => {
    const data = new Uint8Array(n * 36);
    for (let i = 0; i < n; i++) for (let p = 0; p < 36; p++) data[i * 36 + p] = (p % 6 < 3) === (i % 2 === 1) ? 220 : 10;
    return encodeIdx([n, 6, 6], data);
  };
  const labels = (n: number) => encodeIdx([n], Uint8Array.from({ length: n }, (_, i) => i % 2));
  const files = { 'train-images-idx3-ubyte': images(64), 'train-labels-idx1-ubyte': labels(64), 't10k-images-idx3-ubyte': images(16), 't10k-labels-idx1-ubyte': labels(16) };
  const paths = Object.entries(files).map(([name, bytes]) => {
    const path = testInfo.outputPath(name);
    writeFileSync(path, bytes);
    return path;
  });
  await page.getByTestId('upload').setInputFiles(paths.slice(0, 3));
  await expect(page.getByTestId('upload-error')).toContainText('missing: testLabels');
  await expect(page.getByTestId('experiment')).toHaveText('All methods on a spiral');
  await page.getByTestId('upload').setInputFiles(paths);
  await expect(page.getByTestId('notes')).toContainText('trained on your upload');
  await expect(page.getByTestId('field-dataset')).toHaveValue(/^upload:/);
  await page.getByTestId('step-once').click();
  await expect(page.getByTestId('step')).toHaveText('1');
  await expect(page.getByTestId('upload-error')).toHaveCount(0);
  expect(errors).toEqual([]);
});
