/**
 * Sweeps in the page (issue 15): a small LR sweep trains in the page's Worker, the sensitivity plot
 * and the paired table appear (a p-value for the t-test, and for the signed-rank test a note that 3
 * replicates are too few), a click on a point shows that group's curves; the LR range test suggests
 * a rate per run and "use this rate" sets it on the run.
 */
import { expect, test } from '@playwright/test';
import { callEngine, openDefault, watchErrors } from './helpers';

const SWEEP = {
  version: 1,
  name: 'A small LR sweep',
  seed: 2,
  replicates: 3,
  dataset: { kind: 'toy', name: 'spiral', count: 200, noise: 0.1, testFraction: 0.2 },
  model: { kind: 'mlp', hidden: [8], activation: 'tanh' },
  batch: 16,
  budget: { unit: 'steps', amount: 60 },
  evalEvery: 20,
  logEvery: 10,
  runs: [
    { label: 'Baseline', optimizer: { rule: 'momentum', momentum: 0.9 }, schedule: { kind: 'constant', lr: 0.1 } },
    { label: 'LRD', optimizer: { rule: 'momentum', momentum: 0.9 }, schedule: { kind: 'constant', lr: 0.1 }, lrd: { keepProb: 0.5 } },
  ],
  sweep: { axes: [{ kind: 'values', field: 'lr', values: [0.03, 0.3, 1] }] },
};

test('a sweep trains in the page; the sensitivity plot and the paired table appear; the range test suggests a rate and "use this rate" applies it', async ({ page }) => {
  test.setTimeout(240_000);
  const errors = watchErrors(page);
  await openDefault(page);
  expect(await callEngine(page, 'load', SWEEP)).not.toHaveProperty('error');
  await expect(page.getByTestId('experiment')).toHaveText('A small LR sweep');
  await expect(page.getByTestId('sweep-field-0')).toHaveValue('lr');

  await page.getByTestId('train').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 150_000 });

  // Sensitivity: one line per method, one point per rate, a best point each.
  const plot = page.getByTestId('sensitivity-plot');
  await expect(plot).toBeVisible();
  for (const method of [0, 1]) for (const point of [0, 1, 2]) await expect(page.getByTestId(`point-${method}:${point}`)).toBeVisible();
  await expect(plot.locator('[data-best="true"]')).toHaveCount(2);

  // The paired table: LRD against the baseline's best rate.
  const table = page.getByTestId('paired-table');
  await expect(table).toBeVisible();
  await expect(page.getByTestId('ttest-1')).toHaveText(/^\d\.\d{4}|^\d\.\de-\d|every difference/);
  await expect(page.getByTestId('wilcoxon-1')).toHaveText('needs ≥ 6 pairs (has 3)');
  await expect(page.getByTestId('paired-note')).toContainText('3 replicates');

  // A click on a point shows that group's curves in the main charts.
  await page.getByTestId('point-1:2').click();
  await expect(page.getByTestId('sweep-focus')).toContainText('LRD lr=1');
  await expect(page.locator('.series-m1p2').first()).toBeAttached();

  // The range test of both runs, stacked; then the valley suggestion becomes run 0's rate.
  await page.getByTestId('range-startLr').fill('0.001');
  await page.getByTestId('range-endLr').fill('100');
  await page.getByTestId('range-steps').fill('40');
  await page.getByTestId('range-test').click();
  await expect(page.getByTestId('range-table')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('range-plot')).toBeVisible();
  const suggested = Number(await page.getByTestId('suggest-valley-0').getAttribute('data-rate'));
  expect(suggested).toBeGreaterThan(0.001);
  expect(suggested).toBeLessThan(100);
  await page.getByTestId('range-kind').selectOption('valley');
  await page.getByTestId('use-rate').click();
  await expect
    .poll(async () => ((await callEngine(page, 'config')).result as { runs: Array<{ schedule: { lr: number } }> }).runs[0].schedule.lr)
    .toBe(Number(suggested.toPrecision(3)));
  expect(errors).toEqual([]);
});

test("a sweep of more than 48 runs lists its groups in the summary, and every run on request", async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await openDefault(page);
  const values = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100];
  expect(await callEngine(page, 'load', { ...SWEEP, budget: { unit: 'steps', amount: 20 }, sweep: { axes: [{ kind: 'values', field: 'lr', values }] } })).not.toHaveProperty('error');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 90_000 });
  const runs = page.getByTestId('runs');
  // 2 methods × 9 rates × 3 replicates = 54 runs: the 18 groups' mean ± std, no row per run.
  await expect(runs.locator('[data-testid^="method-summary-"]')).toHaveCount(18);
  await expect(runs.locator('[data-testid^="run-"]')).toHaveCount(0);
  await expect(page.getByTestId('summary-every-run')).not.toBeChecked();
  await page.getByTestId('summary-every-run').check();
  await expect(runs.locator('[data-testid^="run-"]')).toHaveCount(54);
  await expect(page.getByTestId('loss-53')).toHaveText(/^\d|–/);
  expect(errors).toEqual([]);
});
