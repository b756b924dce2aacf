import { expect, test } from '@playwright/test';
import { watchErrors } from './helpers';

// The teaching demos (demos.html) in real Chromium: every page loads without console errors and
// shows its headline result. The 2-D/1-D demos compute in the page; the network demos train on
// WebGPU in the demo Worker (the e2e waits for their first live numbers, not the whole budget).

test('the index lists the five demos and links to the playground', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/demos.html');
  await expect(page.getByTestId('demo-index').locator('li')).toHaveCount(5);
  await expect(page.getByRole('link', { name: 'playground' })).toHaveAttribute('href', 'index.html');
  expect(errors).toEqual([]);
});

test('LRD: the saddle escape counters (GD 0/20, GD + LRD 20/20) and the contour plot', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/demos.html#/lrd');
  await expect(page.getByTestId('contour-plot')).toBeVisible();
  await expect(page.getByTestId('escaped-gd')).toContainText('0 / 20');
  await expect(page.getByTestId('escaped-sgdm')).toContainText('0 / 20');
  await expect(page.getByTestId('escaped-gd-lrd')).toContainText('20 / 20');
  await expect(page.getByTestId('escaped-sgdm-lrd')).toContainText('20 / 20');
  const href = await page.getByTestId('open-playground').getAttribute('href');
  expect(href).toMatch(/^index\.html#experiment=1\./);
  expect(errors).toEqual([]);
});

test('LEAP: flat-minimum shares with and without LEAP, and the network part trains on WebGPU', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchErrors(page);
  await page.goto('/demos.html#/leap');
  await expect(page.getByTestId('landscape-plot').first()).toBeVisible();
  await expect(page.getByTestId('flat-share-plain')).toContainText('/ 100');
  await expect(page.getByTestId('flat-share-leap')).toContainText('/ 100');
  const share = async (id: string) => Number(((await page.getByTestId(id).locator('strong').textContent()) ?? '').split('/')[0]);
  expect(await share('flat-share-leap')).toBeGreaterThan(await share('flat-share-plain'));
  await expect(page.getByTestId('adapter')).not.toContainText('looking', { timeout: 30_000 });
  await page.getByTestId('train-network').click();
  await expect(page.getByTestId('network-progress')).toContainText(/step [1-9]\d* \//, { timeout: 60_000 });
  expect(errors).toEqual([]);
});

test('RALR: the spiky rate chart and the good-well counters', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/demos.html#/ralr');
  await expect(page.getByTestId('ralr-rate-chart').locator('.recharts-line').first()).toBeVisible();
  await expect(page.getByTestId('good-plain')).toContainText('0 / 20');
  await expect(page.getByTestId('good-ralr')).toContainText(/[1-9]\d* \/ 20/);
  expect(errors).toEqual([]);
});

test('AutoDrop: measured NQM angles next to the predictions, and the drops', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await page.goto('/demos.html#/autodrop');
  await expect(page.getByTestId('nqm-0.06')).toContainText('118.23°', { timeout: 60_000 });
  for (const alpha of ['0.06', '0.03', '0.01', '0.001']) {
    const difference = Number(((await page.getByTestId(`nqm-${alpha}`).locator('td').nth(3).textContent()) ?? '').replace('°', ''));
    expect(Math.abs(difference)).toBeLessThan(1);
  }
  await expect(page.getByTestId('nqm-drops').locator('tbody tr')).not.toHaveCount(0);
  await expect(page.getByTestId('nqm-angle-chart').locator('.recharts-line').first()).toBeVisible();
  expect(errors).toEqual([]);
});

test('Exp-LR: the live cosine between the two weight vectors appears near 1', async ({ page }) => {
  test.setTimeout(240_000);
  const errors = watchErrors(page);
  await page.goto('/demos.html#/explr');
  await expect(page.getByTestId('adapter')).not.toContainText('looking', { timeout: 30_000 });
  await page.getByTestId('train-network').click();
  await expect(page.getByTestId('explr-cosine')).toBeVisible({ timeout: 60_000 });
  // Past the first phase (step 300), where the rates differ by 20× and weight decay has shrunk ‖θ‖ to ≈ 2.
  const stepNow = async () => Number(/step (\d+)/.exec((await page.getByTestId('network-progress').textContent()) ?? '')?.[1] ?? 0);
  await expect.poll(stepNow, { timeout: 150_000, intervals: [1000] }).toBeGreaterThanOrEqual(330);
  const text = (await page.getByTestId('explr-cosine').textContent()) ?? '';
  const exact = Number(/exact exp-LR ([\d.]+)/.exec(text)?.[1]);
  expect(exact).toBeGreaterThan(0.9999);
  expect(errors).toEqual([]);
});

test('every "Open in the playground" link loads its experiment in the playground', async ({ page, context }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  const expected: Record<string, string> = {
    lrd: 'Learning Rate Dropout',
    leap: 'Demo: LEAP and the sharpness of the solution',
    ralr: 'RALR: random amplified learning rates',
    autodrop: 'Demo: AutoDrop vs step decay on MNIST',
    explr: 'Demo: exponential LR ≡ step decay + weight decay',
  };
  for (const [route, name] of Object.entries(expected)) {
    await page.goto(`/demos.html#/${route}`);
    const href = (await page.getByTestId('open-playground').getAttribute('href')) ?? '';
    expect(href).toMatch(/^index\.html#experiment=1\./);
    const playground = await context.newPage();
    const playgroundErrors = watchErrors(playground);
    await playground.goto(`/${href}`);
    await expect(playground.getByText(name, { exact: true }).first()).toBeVisible({ timeout: 30_000 });
    await expect(playground.getByText(/share link is damaged/)).toHaveCount(0);
    expect(playgroundErrors, route).toEqual([]);
    await playground.close();
  }
  expect(errors).toEqual([]);
});
