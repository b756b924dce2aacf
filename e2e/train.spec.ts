import { expect, test } from '@playwright/test';
import { exportCsvRows as exportCsv, mean, stepOf } from './helpers';

// The built page trains the default experiment (6 methods on a spiral, 600 steps) in its Worker on
// real Chromium WebGPU: adapter found, pause/resume, every run's loss finite and
// falling, every evaluation present (also on the step training paused at), reset to the same init.

test('the default experiment trains, pauses, resumes to the budget and resets to the same init', async ({ page }) => {
  test.setTimeout(300_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  await page.goto('/');
  await expect(page.getByTestId('adapter')).not.toHaveText(/looking|none/, { timeout: 30_000 });
  console.log(`adapter: ${await page.getByTestId('adapter').textContent()}`);
  await expect(page.getByTestId('status')).toHaveText('ready');
  await expect(page.getByTestId('experiment')).toHaveText('All methods on a spiral');
  const runCount = await page.locator('[data-testid^="run-"]').count();
  expect(runCount).toBe(6);

  // Train, pause after ≥ 100 steps: it stops after the step in flight and stays there.
  const started = Date.now();
  await page.getByTestId('train').click();
  await expect(page.getByTestId('status')).toHaveText('training');
  await expect.poll(() => stepOf(page), { timeout: 120_000, intervals: [250] }).toBeGreaterThanOrEqual(100);
  await page.getByTestId('train').click(); // Pause
  await expect(page.getByTestId('status')).toHaveText('paused');
  const pausedAt = await stepOf(page);
  console.log(`paused at step ${pausedAt} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await page.waitForTimeout(500);
  expect(await stepOf(page)).toBe(pausedAt);
  await expect(page.getByTestId('train')).toHaveText('Resume');

  // Resume to the budget.
  await page.getByTestId('train').click();
  await expect(page.getByTestId('status')).toHaveText('training');
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 240_000 });
  console.log(`600 steps × 6 runs in ${((Date.now() - started) / 1000).toFixed(1)} s (with the pause)`);
  expect(await stepOf(page)).toBe(600);
  await expect(page.getByTestId('train')).toBeDisabled();
  for (let run = 0; run < runCount; run++) {
    expect(Number(await page.getByTestId(`loss-${run}`).textContent()), `table loss of run ${run}`).toBeLessThan(Infinity);
  }

  const rows = await exportCsv(page);
  const first: number[] = [];
  for (let run = 0; run < runCount; run++) {
    const own = rows.filter((row) => Number(row.run) === run);
    const label = own[0].label;
    expect(own.map((row) => Number(row.step))).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    const losses = own.map((row) => Number(row.train_loss));
    expect(losses.every(Number.isFinite), `${label}: finite losses`).toBe(true);
    const [head, tail] = [mean(losses.slice(0, 10)), mean(losses.slice(-10))];
    console.log(`${label}: loss ${head.toFixed(4)} → ${tail.toFixed(4)}, test accuracy ${own[599].test_accuracy}`);
    expect(tail, `${label}: loss falls`).toBeLessThan(head);
    // Every evaluation (evalEvery = 30) is there, the one at the pause step included.
    const evaluated = own.filter((row) => row.test_accuracy !== '').map((row) => Number(row.step));
    expect(evaluated, `${label}: evaluation steps`).toEqual(Array.from({ length: 20 }, (_, i) => 30 * (i + 1)));
    first.push(losses[0]);
  }

  // Reset: back to step 0, metrics cleared; one step reproduces the first step's losses (same init).
  await page.getByTestId('reset').click();
  await expect(page.getByTestId('status')).toHaveText('ready');
  expect(await stepOf(page)).toBe(0);
  await page.getByTestId('step-once').click();
  await expect(page.getByTestId('step')).toHaveText('1');
  const again = await exportCsv(page);
  expect(again.map((row) => Number(row.train_loss))).toEqual(first);

  expect(errors).toEqual([]);
});
