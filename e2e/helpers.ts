/** Helpers the e2e specs share: the step shown, console errors, CSV downloads, the saved results, training to a step. */
import { expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import { parseExport } from '../src/experiment/export';

/** The step the status bar shows. */
export const stepOf = async (page: Page) => Number(await page.getByTestId('step').textContent());

export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Collects console errors and page errors; a test asserts the list is empty at its end. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  return errors;
}

/** The two tables of a CSV export ZIP (metrics.csv, runs.csv), and the metrics rows joined with their run's row. */
export function readCsvZip(bytes: Uint8Array): { text: string; runs: string; rows: Array<Record<string, string>> } {
  const files = unzipSync(bytes);
  const text = strFromU8(files['metrics.csv']);
  const runs = strFromU8(files['runs.csv']);
  return { text, runs, rows: parseExport(text, runs) };
}

/** The rows of the CLI's CSV output `path` joined with the runs table beside it (x.runs.csv). */
export function readCliCsv(path: string): Array<Record<string, string>> {
  return parseExport(readFileSync(path, 'utf8'), readFileSync(path.replace(/\.csv$/, '.runs.csv'), 'utf8'));
}

/** Clicks Export CSV; the metrics text, the runs text and the joined rows. */
export async function exportCsvFile(page: Page): Promise<{ text: string; runs: string; rows: Array<Record<string, string>> }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
  expect(download.suggestedFilename()).toMatch(/\.csv\.zip$/);
  return readCsvZip(readFileSync((await download.path())!));
}

/** The rows of an Export CSV download. */
export const exportCsvRows = async (page: Page) => (await exportCsvFile(page)).rows;

/** A value the page saved in IndexedDB (store 'experiment' of database 'lr-lab'; only its `field` if given), or undefined. */
function savedValue<T>(page: Page, key: string, field?: string): Promise<T | undefined> {
  return page.evaluate(
    ({ key, field }) =>
      new Promise<T | undefined>((resolve) => {
        const open = indexedDB.open('lr-lab');
        open.onerror = () => resolve(undefined);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('experiment')) return resolve(undefined);
          const request = db.transaction('experiment').objectStore('experiment').get(key);
          request.onsuccess = () => {
            const value = request.result as Record<string, unknown> | undefined;
            resolve((field ? value?.[field] : value) as T | undefined);
            db.close();
          };
          request.onerror = () => resolve(undefined);
        };
      }),
    { key, field },
  );
}

/** The step the results the page saved in IndexedDB reach (the head of its log; -1 if none yet). */
export async function savedStep(page: Page): Promise<number> {
  const head = await savedValue<{ step: number; chunks: number }>(page, 'results-head');
  return head && head.chunks > 0 ? head.step : -1;
}

/** The step of the engine's checkpoint the page saved beside its log (-1 if none). */
export async function checkpointStep(page: Page): Promise<number> {
  return (await savedValue<number>(page, 'checkpoint', 'step')) ?? -1;
}

/** Opens the page and waits for the default experiment. */
export async function openDefault(page: Page) {
  await page.goto('/');
  await expect(page.getByTestId('status')).toHaveText('ready', { timeout: 60_000 });
  await expect(page.getByTestId('experiment')).toHaveText('All methods on a spiral');
}

/** Trains until at least `steps` steps, then pauses; returns the step. */
export async function trainTo(page: Page, steps: number): Promise<number> {
  await page.getByTestId('train').click();
  await expect(page.getByTestId('status')).toHaveText('training');
  await expect.poll(() => stepOf(page), { timeout: 120_000, intervals: [200] }).toBeGreaterThanOrEqual(steps);
  await page.getByTestId('train').click();
  await expect(page.getByTestId('status')).toHaveText('paused');
  return stepOf(page);
}

/** Calls window.lrlab.engine[method](...args) in the page; resolves to its result or { error: message }. */
export function callEngine(page: Page, method: string, ...args: unknown[]): Promise<Record<string, unknown>> {
  return page.evaluate(
    ([name, params]) => {
      const engine = window.lrlab!.engine as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
      return engine[name as string](...(params as unknown[])).then(
        (result) => ({ result }),
        (error: Error) => ({ error: error.message }),
      );
    },
    [method, args] as const,
  );
}
