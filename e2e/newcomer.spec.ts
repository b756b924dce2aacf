import { expect, test, type Page } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { createServer, type ViteDevServer } from 'vite';
import { callEngine, openDefault, stepOf, trainTo, watchErrors } from './helpers';

// What a new user hits (issue 14), in real Chromium: the summary fits its panel, the experiment's
// name follows its data, each dataset starts from settings that learn, the charts show every run on
// honest axes, uploads of 2-D data get decision boundaries, issues land where the user typed, the
// page says why nothing is exported or trained, the demos follow the theme, and `npm run dev`
// (React's development build) logs no error. Every test also fails on any console or page error.

/** A 2-D CSV of two classes (inside / outside a circle), with a header row. */
function writePointsCsv(path: string): void {
  const lines = ['x,y,label'];
  for (let i = 0; i < 240; i++) {
    const radius = (i % 2 === 0 ? 0.5 : 1.5) + 0.2 * Math.sin(7 * i);
    lines.push(`${(radius * Math.cos(i)).toFixed(4)},${(radius * Math.sin(i)).toFixed(4)},${i % 2}`);
  }
  writeFileSync(path, lines.join('\n'));
}

/** The y-axis tick labels of a chart, top to bottom as drawn. */
const yTicks = (page: Page, metric: string) => page.getByTestId(`chart-${metric}`).locator('text.y-tick').allTextContents();

/** The experiment config a share link carries. */
function sharedConfig(url: string): Record<string, unknown> {
  const data = url.slice(url.indexOf('#experiment=1.') + '#experiment=1.'.length);
  return JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as Record<string, unknown>;
}

test('the summary table fits its panel at 1400×900, with replicates too', async ({ page }) => {
  test.setTimeout(240_000);
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 1400, height: 900 });
  await openDefault(page);
  /** Whether the table needs no sideways scrolling and its last column is inside the panel. */
  const fits = () =>
    page.getByTestId('runs').evaluate((table) => {
      const box = table.parentElement!;
      const last = table.querySelector('thead th:last-child')!.getBoundingClientRect();
      return { scrolls: box.scrollWidth > box.clientWidth + 1, lastOutside: last.right > box.getBoundingClientRect().right + 1 };
    });
  await trainTo(page, 40);
  await expect(page.getByTestId('runs').locator('thead th')).toContainText(['Run', 'Step', 'Train loss', 'Test loss', /final/, /best/, /target/, 'Status', /ms/]);
  expect(await fits()).toEqual({ scrolls: false, lastOutside: false });

  // Three replicates add a mean ± std row per method.
  const config = (await callEngine(page, 'config')).result as Record<string, unknown>;
  expect(await callEngine(page, 'load', { ...config, replicates: 3 })).not.toHaveProperty('error');
  await expect(page.getByTestId('method-summary-5')).toBeVisible();
  await trainTo(page, 30);
  await expect(page.getByTestId('method-summary-0')).toContainText('±');
  expect(await fits()).toEqual({ scrolls: false, lastOutside: false });
  expect(errors).toEqual([]);
});

test('switching to Fashion-MNIST renames the experiment and applies its starting point; share links carry the name', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchErrors(page);
  await openDefault(page);
  await page.getByTestId('field-dataset').selectOption('image:fashion-mnist');
  const note = page.getByTestId('starting-point');
  await expect(note).toContainText('Starting point for Fashion-MNIST applied: MLP 64, rate 0.05, batch 64');
  await expect(note).toContainText('% test accuracy in 600 steps');
  await expect(page.getByTestId('field-batch')).toHaveValue('64');
  await expect(page.getByTestId('field-runs.0.schedule.lr')).toHaveValue('0.05');
  await expect(page.getByTestId('field-runs.5.schedule.lr')).toHaveValue('0.05');
  await page.getByTestId('apply').click();
  await expect(page.getByTestId('experiment')).toHaveText('All methods on Fashion-MNIST', { timeout: 90_000 });
  await expect(page.getByTestId('status')).toHaveText('ready');
  await page.getByTestId('share').click();
  expect(sharedConfig(await page.getByTestId('share-url').inputValue())).toMatchObject({ name: 'All methods on Fashion-MNIST', batch: 64 });

  // One click keeps one's own settings instead; the name still follows.
  await page.getByTestId('field-dataset').selectOption('image:mnist');
  await expect(page.getByTestId('field-runs.0.schedule.lr')).toHaveValue('0.1');
  await page.getByTestId('keep-settings').click();
  await expect(page.getByTestId('field-runs.0.schedule.lr')).toHaveValue('0.05');
  await expect(page.getByTestId('starting-point')).toContainText('Starting point for MNIST: MLP 64, rate 0.1');
  await page.getByTestId('use-starting-point').click();
  await expect(page.getByTestId('field-runs.0.schedule.lr')).toHaveValue('0.1');
  await page.getByTestId('discard').click();
  await expect(page.getByTestId('field-dataset')).toHaveValue('image:fashion-mnist');
  expect(errors).toEqual([]);
});

test('accuracy axes span [0, 1]; an uploaded 2-D file gets decision boundaries and names the experiment', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const errors = watchErrors(page);
  await openDefault(page);
  const csv = testInfo.outputPath('points.csv');
  writePointsCsv(csv);
  await page.getByTestId('upload').setInputFiles(csv);
  await expect(page.getByTestId('notes')).toContainText('trained on your upload "points.csv"');
  await expect(page.getByTestId('experiment')).toHaveText('All methods on points.csv');
  // A budget of 30: one evaluation (step 30), shown as a dot per run; raised to 40, a second one draws the lines.
  await page.getByTestId('field-budget.amount').fill('30');
  await expect(page.locator('.controls .status')).toContainText('of 30');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 120_000 });
  const accuracy = page.getByTestId('chart-testAccuracy');
  await expect(accuracy.locator('circle.dot')).toHaveCount(6);
  await page.getByTestId('field-budget.amount').fill('40');
  await expect(page.locator('.controls .status')).toContainText('of 40');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 120_000 });
  await expect(page.getByTestId('step')).toHaveText('40');
  await expect(accuracy.locator('path.line')).toHaveCount(6);
  expect(await yTicks(page, 'testAccuracy')).toEqual(['0', '0.25', '0.5', '0.75', '1']);
  await expect(page.getByTestId('boundary-0')).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('[data-testid^="boundary-"]')).toHaveCount(6);
  expect(errors).toEqual([]);
});

test('the effective-LR chart shows every run: a padded axis, the runs on one line named, a hovered run in front', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchErrors(page);
  await openDefault(page);
  await trainTo(page, 60);
  const chart = page.getByTestId('chart-lrExpected');
  await expect(chart.locator('path.line')).toHaveCount(6);
  // Every line lies inside the plot, off its edges (LRD's expected rate 0.05 was the bottom edge).
  const edges = await chart.evaluate((figure) => {
    const axis = figure.querySelector('line.y-axis')!;
    const [top, bottom] = [Number(axis.getAttribute('y1')), Number(axis.getAttribute('y2'))].sort((a, b) => a - b);
    const lines = [...figure.querySelectorAll<SVGPathElement>('path.line')].map((path) => path.getBBox());
    return { top, bottom, highest: Math.min(...lines.map((box) => box.y)), lowest: Math.max(...lines.map((box) => box.y + box.height)) };
  });
  expect(edges.lowest).toBeLessThan(edges.bottom - 3);
  expect(edges.highest).toBeGreaterThan(edges.top + 3);
  // The baseline's constant rate is shared: the note says with whom.
  await expect(page.getByTestId('overlap-lrExpected')).toContainText(/On one line: Baseline, LEAP \(every point\)/);
  // Hovering a run in the legend draws its line last (in front) and wider.
  const lastLine = () => chart.locator('path.line').last().evaluate((path) => path.getAttribute('class') ?? '');
  expect(await lastLine()).toContain('series-m5');
  await page.getByTestId('legend-0').hover();
  await expect.poll(lastLine).toContain('series-m0');
  const widths = await chart.locator('path.line').evaluateAll((paths) => paths.map((p) => Number(p.getAttribute('stroke-width'))));
  expect(widths[widths.length - 1]).toBeGreaterThan(Math.max(...widths.slice(0, -1)));
  expect(errors).toEqual([]);
});

test('a duplicate label is flagged on the card typed in', async ({ page }) => {
  const errors = watchErrors(page);
  await openDefault(page);
  await page.getByTestId('field-runs.0.label').fill('LRD');
  await page.getByTestId('field-runs.0.label').press('Tab');
  await expect(page.getByTestId('issue-runs.0.label')).toContainText('must be unique: runs.1.label is also "LRD"');
  await expect(page.getByTestId('issues-0')).toContainText('must be unique');
  await expect(page.getByTestId('issue-runs.1.label')).toHaveCount(0);
  await expect(page.getByTestId('issues-1')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('Export CSV before any training says there is nothing yet instead of downloading a header', async ({ page }) => {
  const errors = watchErrors(page);
  await openDefault(page);
  let downloads = 0;
  page.on('download', () => downloads++);
  await page.getByTestId('export').click();
  await expect(page.getByTestId('export-notice')).toContainText('Nothing to export yet');
  await page.waitForTimeout(1500);
  expect(downloads).toBe(0);
  await page.getByTestId('step-once').click();
  await expect.poll(() => stepOf(page)).toBe(1);
  await expect(page.getByTestId('export-notice')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('without WebGPU the reason shows once and the charts do not ask to press Train', async ({ playwright }, testInfo) => {
  const browser = await playwright.chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto(testInfo.project.use.baseURL!);
    await expect(page.getByTestId('no-webgpu')).toBeVisible();
    await expect(page.getByText(/No WebGPU adapter was found|navigator\.gpu is undefined/)).toHaveCount(1);
    await expect(page.getByTestId('chart-trainLoss')).toContainText('it has no WebGPU');
    await expect(page.getByText('press Train')).toHaveCount(0);
  } finally {
    await browser.close();
  }
});

test('the demos page follows the system theme and the theme chosen in either page', async ({ page }) => {
  const errors = watchErrors(page);
  /** The page background's brightness, 0 (black) to 255 (white). */
  const brightness = () =>
    page.evaluate(() => {
      const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g)!.map(Number);
      return (r + g + b) / 3;
    });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/demos.html#/lrd');
  await expect(page.getByTestId('contour-plot')).toBeVisible();
  expect(await brightness()).toBeLessThan(60);
  const plotBackground = await page.getByTestId('contour-plot').evaluate((svg) => getComputedStyle(svg).backgroundColor);
  expect(plotBackground).not.toBe('rgb(250, 250, 250)');
  await page.getByTestId('theme').selectOption('light');
  expect(await brightness()).toBeGreaterThan(200);
  // The choice is the playground's too, and back.
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.getByTestId('theme').selectOption('dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/demos.html');
  expect(await brightness()).toBeLessThan(60);
  expect(errors).toEqual([]);
});

test.describe('npm run dev (React development build)', () => {
  let server: ViteDevServer;
  const port = Number(process.env.E2E_PORT ?? 4173) + 1;
  test.beforeAll(async () => {
    server = await createServer({ configFile: 'vite.config.ts', logLevel: 'error', server: { host: '127.0.0.1', port, strictPort: true } });
    await server.listen();
  });
  test.afterAll(async () => {
    await server?.close();
  });

  test('the LRD demo and the playground log no React error', async ({ page }) => {
    test.setTimeout(240_000);
    const errors = watchErrors(page);
    await page.goto(`http://127.0.0.1:${port}/demos.html#/lrd`);
    await expect(page.getByTestId('escaped-gd-lrd')).toContainText('20 / 20', { timeout: 120_000 });
    await page.waitForTimeout(2000);
    expect(errors).toEqual([]);
    await page.goto(`http://127.0.0.1:${port}/`);
    await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 120_000 });
    await trainTo(page, 30);
    expect(errors).toEqual([]);
  });
});
