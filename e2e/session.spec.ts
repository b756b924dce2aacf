import { expect, test } from '@playwright/test';
import { callEngine, openDefault, savedStep, stepOf, watchErrors } from './helpers';

// The training session seen from the page: a lost GPU device (destroyed from the console, as a
// driver reset would) stops training with a message in words, keeps the curves, and offers to
// resume from what this browser saved.

test('a lost GPU device: the page says so in words and resumes from the last saved state', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchErrors(page);
  await openDefault(page);
  await page.getByTestId('train').click();
  await expect.poll(() => stepOf(page), { timeout: 120_000, intervals: [100] }).toBeGreaterThanOrEqual(100);
  const seen = await stepOf(page);
  expect((await callEngine(page, 'loseDevice')).error).toBeUndefined();
  const banner = page.getByTestId('device-lost');
  await expect(banner).toContainText('The GPU stopped working for this page');
  await expect(banner).toContainText(/device was destroyed/i);
  await expect(page.getByTestId('train')).toBeDisabled();
  await expect(page.getByTestId('step-once')).toBeDisabled();
  // What the engine had read back when the device went is saved once more.
  await expect.poll(() => savedStep(page), { timeout: 20_000 }).toBeGreaterThanOrEqual(seen);
  const saved = await savedStep(page);
  await page.getByTestId('resume-saved').click();
  await expect(page.getByTestId('notes')).toContainText('restored your last experiment', { timeout: 60_000 });
  await expect(banner).toHaveCount(0);
  await expect(page.getByTestId('step')).toHaveText(String(saved));
  await expect(page.getByTestId('status')).toHaveText('paused');
  await page.getByTestId('step-once').click(); // and it trains on, on the new device
  await expect(page.getByTestId('step')).toHaveText(String(saved + 1));
  // The loss itself is reported by WebGPU on the console (that is expected); nothing else may be.
  expect(errors.filter((error) => !/lost|destroyed/i.test(error))).toEqual([]);
});
