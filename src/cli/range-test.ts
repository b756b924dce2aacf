/**
 * `npm run experiment -- <config.json> --range-test [--range-from A --range-to B --range-steps N] [--out FILE.csv]`:
 * the LR range test of every run of the config, stacked (src/experiment/range-test.ts), printed as
 * each run's suggestions, and written as CSV (run, label, step, lr, loss, smoothed_loss).
 */
import { writeFileSync } from 'node:fs';
import Papa from 'papaparse';
import type { ExperimentConfig } from '../experiment/config';
import type { Dataset } from '../data/types';
import type { GpuContext } from '../gpu/device';
import { SUGGESTION_HELP, type RangeTestOptions, type SuggestionKind } from '../experiment/range-test';
import { runRangeTest, type RangeTestResult } from '../experiment/range-test-run';
import { progressBar } from './progress';

/** The curves as long-format CSV: one row per run per step before its stop. */
export function rangeTestCsv(result: RangeTestResult): string {
  const rows = result.curves.flatMap((curve) => curve.rates.map((lr, i) => [curve.method, curve.label, i + 1, lr, curve.losses[i], curve.smoothed[i]]));
  return Papa.unparse({ fields: ['method', 'label', 'step', 'lr', 'loss', 'smoothed_loss'], data: rows }, { escapeFormulae: true, newline: '\n' });
}

const rate = (value: number | undefined) => (value === undefined ? '–' : value.toPrecision(3));

/** One line per run: where it stopped and its three suggestions; then what each suggestion means. */
export function rangeTestLines(result: RangeTestResult): string[] {
  const { startLr, endLr, steps, stopFactor } = result.options;
  const lines = [`LR range test: ${startLr} → ${endLr} over ${steps} steps, stopped at ${stopFactor} × the smallest smoothed loss (${result.steps} steps trained)`];
  for (const curve of result.curves) {
    const stop = curve.stoppedAt === null ? 'did not blow up' : `stopped at step ${curve.stoppedAt} (η ${rate(curve.rates[curve.rates.length - 1])})`;
    const suggestions = (Object.keys(SUGGESTION_HELP) as SuggestionKind[]).map((kind) => `${kind} ${rate(curve.suggestions[kind]?.lr)}`).join(', ');
    lines.push(`  ${curve.label.padEnd(24)} ${suggestions}; ${stop}`);
  }
  for (const [kind, help] of Object.entries(SUGGESTION_HELP)) lines.push(`  ${kind}: ${help.replace(/^[^:]*: /, '')}`);
  return lines;
}

/** Runs the range test of `config` with a progress bar, prints the suggestions, writes the CSV to `out` if given. */
export async function rangeTestCommand(gpu: GpuContext, config: ExperimentConfig, dataset: Dataset, options: RangeTestOptions, out: string | undefined, log: (line: string) => void): Promise<void> {
  log(`${config.name}: LR range test of ${config.runs.length} runs, stacked, on ${dataset.name}`);
  const bar = progressBar('range test', options.steps);
  const result = await runRangeTest(gpu, config, dataset, options, (step) => bar.update(step));
  bar.finish();
  for (const line of rangeTestLines(result)) log(line);
  if (out) {
    writeFileSync(out, rangeTestCsv(result));
    log(`wrote ${out}`);
  }
}
