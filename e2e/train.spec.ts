import { expect, test } from '@playwright/test';

// The built page trains in its Worker on real Chromium WebGPU: adapter found, loss finite and falling.
test('the demo trains a few hundred steps with a finite, falling loss', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  await page.goto('/');
  await expect(page.getByTestId('adapter')).not.toHaveText(/looking|none/, { timeout: 30_000 });
  console.log(`adapter: ${await page.getByTestId('adapter').textContent()}`);
  await page.getByTestId('train').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 120_000 });
  const losses = JSON.parse((await page.getByTestId('losses').textContent()) ?? '[]') as number[];
  expect(losses.length).toBe(300);
  expect(losses.every(Number.isFinite)).toBe(true);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  expect(mean(losses.slice(-20))).toBeLessThan(0.7 * mean(losses.slice(0, 20)));
  expect(errors).toEqual([]);
});
