import { expect, test, type Page } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { defaultExperimentInput } from '../src/experiment/defaults';
import { callEngine, checkpointStep, exportCsvRows, openDefault, savedStep, stepOf, watchErrors } from './helpers';

// The training session seen from the page: a lost GPU device (destroyed from the console, as a
// driver reset would) stops training with a message in words, keeps the curves, and offers to
// resume from what this browser saved; the end of the budget and going on past it; a reload right
// after the end; hide flags that stay with their run; the speed shown while training; how soon a
// pause stops.

/** Opens the default comparison with a budget of `steps` (as a file, the way a user would). */
async function openWithBudget(page: Page, path: string, steps: number) {
  writeFileSync(path, JSON.stringify({ ...defaultExperimentInput(), budget: { unit: 'steps', amount: steps } }));
  await openDefault(page);
  await page.getByTestId('config-file').setInputFiles(path);
  await expect(page.getByTestId('step')).toHaveText('0');
  await expect(page.locator('.controls .status')).toContainText(`of ${steps}`);
}

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
  await expect.poll(() => savedStep(page), { timeout: 20_000 }).toBeGreaterThanOrEqual(seen - 20); // (records trail the step by up to two blocks)
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

test('the end of the budget says how to go on; Go on continues from the step reached, and a reload right after the end keeps it', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const errors = watchErrors(page);
  await openWithBudget(page, testInfo.outputPath('short.json'), 150);
  await page.getByTestId('train').click();
  await expect(page.getByTestId('speed-readout')).toContainText(/\d+ steps\/s · [\d.]+ ms\/step/); // speed in view while training
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 120_000 });
  await page.reload(); // right after the end of a full-speed run
  await expect(page.getByTestId('notes')).toContainText('restored your last experiment', { timeout: 60_000 });
  await expect(page.getByTestId('step')).toHaveText('150');
  await expect(page.getByTestId('budget-reached')).toContainText('The budget of 150 steps is reached');
  const before = await exportCsvRows(page);
  await page.getByTestId('go-on').click();
  await expect(page.getByTestId('status')).toHaveText('done', { timeout: 120_000 });
  await expect(page.getByTestId('step')).toHaveText('300');
  const after = await exportCsvRows(page);
  const strip = (rows: Array<Record<string, string>>) => rows.map(({ wall_ms: _, ...rest }) => rest);
  expect(after).toHaveLength(6 * 300); // no restart: every step once
  expect(strip(after.filter((row) => Number(row.step) <= 150 && row.test_accuracy === ''))).toEqual(strip(before.filter((row) => row.test_accuracy === '')));
  expect(errors).toEqual([]);
});

test('a reload mid-run replays only from the last checkpoint; a reload after a pause replays nothing; every record is restored', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  const errors = watchErrors(page);
  const notes = page.getByTestId('notes');
  await openWithBudget(page, testInfo.outputPath('long.json'), 100_000);
  await page.getByTestId('train').click();
  await expect.poll(() => stepOf(page), { timeout: 120_000, intervals: [200] }).toBeGreaterThanOrEqual(1200);
  await expect.poll(() => checkpointStep(page), { timeout: 60_000 }).toBeGreaterThan(500); // one every 5 s while training
  // A checkpoint is written once the saved log reaches its step, so for up to a second the log may
  // end exactly at it (a reload then has nothing to replay): wait for a save past it.
  await expect.poll(async () => (await savedStep(page)) - (await checkpointStep(page)), { timeout: 30_000, intervals: [100] }).toBeGreaterThan(0);
  await page.reload(); // while training: the log reaches further than the checkpoint
  await expect(notes).toContainText('restored your last experiment', { timeout: 120_000 });
  await expect(notes).toContainText(/replaying the saved training from its checkpoint at step [1-9]\d* to step \d+/);
  await expect(notes).toContainText(/restored at step \d+: the replay from the checkpoint at step [1-9]\d* matches the file exactly \([1-9]\d* numbers\)/);
  const restored = await stepOf(page);
  await expect.poll(() => checkpointStep(page), { timeout: 30_000 }).toBe(restored); // a checkpoint at the restored step
  await page.getByTestId('train').click();
  await expect.poll(() => stepOf(page), { timeout: 120_000, intervals: [200] }).toBeGreaterThanOrEqual(restored + 300);
  await page.getByTestId('train').click(); // pause
  await expect(page.getByTestId('status')).toHaveText('paused');
  const paused = await stepOf(page);
  await expect.poll(() => savedStep(page), { timeout: 30_000 }).toBe(paused);
  await expect.poll(() => checkpointStep(page), { timeout: 30_000 }).toBe(paused);
  const before = await exportCsvRows(page);
  await page.reload();
  await expect(notes).toContainText(`restored at step ${paused} from its checkpoint (nothing to replay)`, { timeout: 60_000 });
  await expect(page.getByTestId('step')).toHaveText(String(paused));
  const after = await exportCsvRows(page);
  expect(after.length).toBe(before.length);
  expect(after).toEqual(before); // every field, wall time included
  expect(errors).toEqual([]);
});

test('hide flags stay with their run: hide LEAP, remove LRD, train again, move LEAP down: LEAP stays hidden, RALR shown; colours and dashes stay', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await openDefault(page);
  const legend = (name: string) => page.getByTestId('legend').getByRole('button', { name });
  const dash = async (name: string) => (await legend(name).locator('line').getAttribute('stroke-dasharray')) ?? '';
  const colour = async (name: string) => (await legend(name).locator('line').getAttribute('stroke')) ?? '';
  const [leapDash, ralrDash, leapColour, ralrColour] = [await dash('LEAP'), await dash('RALR'), await colour('LEAP'), await colour('RALR')];
  await legend('LEAP').click();
  await expect(legend('LEAP')).toHaveAttribute('aria-pressed', 'false');
  await page.getByTestId('remove-1').click(); // LRD
  await expect(legend('LRD')).toHaveCount(0);
  for (const round of ['after the removal', 'after training again', 'after moving LEAP down']) {
    await expect(legend('LEAP'), round).toHaveAttribute('aria-pressed', 'false');
    await expect(legend('RALR'), round).toHaveAttribute('aria-pressed', 'true');
    expect([await dash('LEAP'), await dash('RALR'), await colour('LEAP'), await colour('RALR')], round).toEqual([leapDash, ralrDash, leapColour, ralrColour]);
    if (round === 'after the removal') {
      await page.getByTestId('step-once').click();
      await expect(page.getByTestId('step')).toHaveText('1');
    }
    if (round === 'after training again') {
      await page.getByTestId('move-down-1').click(); // LEAP below RALR
      await expect(page.getByTestId('notes')).toContainText('Reordering the runs rebuilds the experiment');
      await expect(page.getByTestId('field-runs.2.label')).toHaveValue('LEAP');
    }
  }
  expect(errors).toEqual([]);
});

test('pause stops soon after the click, and the status and the button agree all along', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await openDefault(page);
  await page.getByTestId('train').click();
  await expect.poll(() => stepOf(page), { timeout: 60_000, intervals: [100] }).toBeGreaterThanOrEqual(100);
  // Measured in the page, from the click to the status saying "paused" (every change of either watched).
  const result = await page.evaluate(
    () =>
      new Promise<{ ms: number; disagreements: string[]; steps: [number, number] }>((resolve) => {
        const status = document.querySelector('[data-testid="status"]')!;
        const button = document.querySelector<HTMLButtonElement>('[data-testid="train"]')!;
        const step = () => Number(document.querySelector('[data-testid="step"]')!.textContent);
        const disagreements: string[] = [];
        const started = performance.now();
        const atClick = step();
        const observer = new MutationObserver(() => {
          if (status.textContent === 'training' && button.textContent === 'Resume') disagreements.push(`${status.textContent}/${button.textContent}`);
          if (status.textContent === 'paused') {
            observer.disconnect();
            resolve({ ms: performance.now() - started, disagreements, steps: [atClick, step()] });
          }
        });
        observer.observe(document.body, { subtree: true, characterData: true, childList: true });
        button.click();
      }),
  );
  console.log(`pause: "paused" ${result.ms.toFixed(0)} ms after the click, step ${result.steps[0]} → ${result.steps[1]}`);
  expect(result.disagreements).toEqual([]);
  expect(result.ms).toBeLessThan(500);
  expect(errors).toEqual([]);
});
