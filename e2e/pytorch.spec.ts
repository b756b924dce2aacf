import { expect, test } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

// "PyTorch script" in the playground: the download is the very file the CLI writes for the same
// config (`npm run experiment -- cfg.json --pytorch train.py`), whose training the agreement tests
// compare with the engine (src/export/pytorch.agreement.test.ts).

const CONFIG = {
  version: 1,
  name: 'PyTorch export',
  seed: 4,
  dataset: { kind: 'toy', name: 'moons', count: 200, noise: 0.1 },
  model: { kind: 'mlp', hidden: [8] },
  batch: 16,
  budget: { unit: 'steps', amount: 20 },
  runs: [
    { label: 'Baseline', optimizer: { rule: 'momentum' }, schedule: { kind: 'constant', lr: 0.1 } },
    { label: 'LRD + AutoDrop', optimizer: { rule: 'adam' }, schedule: { kind: 'constant', lr: 0.01 }, lrd: { keepProb: 0.5 }, autodrop: { window: 2 } },
  ],
};

test('downloads the experiment as the PyTorch script the CLI writes', async ({ page }, testInfo) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const configPath = testInfo.outputPath('config.json');
  writeFileSync(configPath, JSON.stringify(CONFIG));
  await page.goto('/');
  await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 30_000 });
  await page.getByTestId('config-file').setInputFiles(configPath);
  await expect(page.getByTestId('experiment')).toHaveText(CONFIG.name);
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-pytorch').click()]);
  expect(file.suggestedFilename()).toBe('pytorch-export.py');
  const script = readFileSync((await file.path())!, 'utf8');
  expect(script.startsWith('#!/usr/bin/env python3\n"""LR Lab experiment "PyTorch export" as a PyTorch script')).toBe(true);

  const cliPath = testInfo.outputPath('cli.py');
  const done = spawnSync(process.execPath, ['--import', 'tsx', '--import', './scripts/raw-loader.mjs', 'src/cli/experiment.ts', configPath, '--pytorch', cliPath], { encoding: 'utf8' });
  expect(done.status, done.stderr).toBe(0);
  expect(script).toBe(readFileSync(cliPath, 'utf8'));
  expect(errors).toEqual([]);
});
