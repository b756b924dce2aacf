import { expect, test, type Page } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { exportCsvFile } from './helpers';

// Results files on real Chromium WebGPU: export JSON after training, restore it in a fresh page
// (the Worker replays the training and the replay matches the file exactly), and the CSV exported
// after the import equals the one before (wall time aside). A tampered file is refused with the
// field named, and the experiment already loaded stays.

const schedule = { kind: 'constant', lr: 0.1 };
const CONFIG = {
  version: 1,
  name: 'Results round trip',
  seed: 11,
  dataset: { kind: 'toy', name: 'circles', count: 200, noise: 0.1, testFraction: 0.25 },
  model: { kind: 'mlp', hidden: [8] },
  batch: 16,
  budget: { unit: 'steps', amount: 50 },
  evalEvery: 20,
  logEvery: 10,
  runs: [
    { label: 'Baseline', optimizer: { rule: 'momentum' }, schedule },
    { label: 'LRD + LEAP', optimizer: { rule: 'momentum' }, schedule, lrd: { keepProb: 0.5 }, leap: { sigma: 0.05 } },
    { label: 'Adam + RALR', optimizer: { rule: 'adam' }, schedule: { kind: 'constant', lr: 0.01 }, ralr: { amplifyProb: 0.3 } },
  ],
};

async function download(page: Page, testId: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return readFileSync((await file.path())!, 'utf8');
}

/** The CSV export's rows (metrics joined with runs), as JSON text to compare. */
async function downloadCsv(page: Page): Promise<string> {
  return JSON.stringify((await exportCsvFile(page)).rows);
}

const withoutWallTime = (csv: string) => (JSON.parse(csv) as Array<Record<string, string>>).map(({ wall_ms: _, ...row }) => row);

test('export JSON, import it in a fresh page: the replay matches exactly and the CSV is the same', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  const configPath = testInfo.outputPath('config.json');
  writeFileSync(configPath, JSON.stringify(CONFIG));

  await page.goto('/');
  await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 30_000 });
  await page.getByTestId('config-file').setInputFiles(configPath);
  await expect(page.getByTestId('experiment')).toHaveText(CONFIG.name);
  await page.getByTestId('train').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 60_000 });
  const csv = await downloadCsv(page);
  const json = await download(page, 'export-json');
  const resultsPath = testInfo.outputPath('results.json');
  writeFileSync(resultsPath, json);
  const doc = JSON.parse(json) as { format: string; version: number; step: number; records: { run: unknown[] }; config: { runs: unknown[] } };
  expect(doc.format).toBe('lr-lab-results');
  expect(doc.version).toBe(2);
  expect(doc.step).toBe(50);
  expect(doc.records.run).toHaveLength(3 * 50); // the records as columns
  expect(JSON.parse(csv)).toHaveLength(3 * 50);

  // A fresh page: the default experiment, then the file. (The page keeps the experiment across
  // reloads in IndexedDB: forget it first, so that the reload opens the default.)
  await page.getByTestId('forget').click();
  await expect(page.getByTestId('experiment')).not.toHaveText(CONFIG.name);
  await page.reload();
  await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 30_000 });
  await expect(page.getByTestId('experiment')).not.toHaveText(CONFIG.name);
  await page.getByTestId('config-file').setInputFiles(resultsPath);
  await expect(page.getByTestId('notes')).toContainText('restored at step 50: the replay matches the file exactly', { timeout: 60_000 });
  await expect(page.getByTestId('experiment')).toHaveText(CONFIG.name);
  await expect(page.getByTestId('step')).toHaveText('50');
  await expect(page.getByTestId('status')).toHaveText('done');
  const again = await downloadCsv(page);
  expect(withoutWallTime(again)).toEqual(withoutWallTime(csv));
  // The restored records are the file's, wall times included: only the export time differs.
  const withoutSavedAt = (text: string) => text.replace(/"savedAt": "[^"]*"/, '');
  expect(withoutSavedAt(await download(page, 'export-json'))).toBe(withoutSavedAt(json));

  // A tampered file: refused, the field named, the restored experiment untouched.
  const tampered = testInfo.outputPath('tampered.json');
  writeFileSync(tampered, json.replace('"step": 50', '"step": 40'));
  await page.getByTestId('config-file').setInputFiles(tampered);
  await expect(page.getByTestId('error')).toContainText('records.');
  await expect(page.getByTestId('error')).toContainText('must be <= step 40');
  await expect(page.getByTestId('experiment')).toHaveText(CONFIG.name);
  await expect(page.getByTestId('step')).toHaveText('50');
  expect(withoutWallTime(await downloadCsv(page))).toEqual(withoutWallTime(csv));
  expect(errors).toEqual([]);
});
