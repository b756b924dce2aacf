/** Helpers the e2e specs share: the step shown, console errors, CSV downloads, the saved results, training to a step. */
import { expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { parseCsv } from '../src/experiment/export';

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

/** Clicks Export CSV; the download's text and its rows. */
export async function exportCsvFile(page: Page): Promise<{ text: string; rows: Array<Record<string, string>> }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
  const text = readFileSync((await download.path())!, 'utf8');
  return { text, rows: parseCsv(text) };
}

/** The rows of an Export CSV download. */
export const exportCsvRows = async (page: Page) => (await exportCsvFile(page)).rows;

/** The step the results the page saved in IndexedDB reach (the head of its log; -1 if none yet). */
export function savedStep(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const open = indexedDB.open('lr-lab');
        open.onerror = () => resolve(-1);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('experiment')) return resolve(-1);
          const request = db.transaction('experiment').objectStore('experiment').get('results-head');
          request.onsuccess = () => {
            const head = request.result as { step: number; chunks: number } | undefined;
            resolve(head && head.chunks > 0 ? head.step : -1);
            db.close();
          };
          request.onerror = () => resolve(-1);
        };
      }),
  );
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
