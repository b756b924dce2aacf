/**
 * `npm run experiment -- <config.json> --out <file.csv> [--json <results.json>]`: runs an experiment
 * headless in Node on Dawn WebGPU, with a progress bar and ETA, and writes the same long-format CSV
 * as the page (same config and seeds, same numbers within f32 tolerance).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { nodeReader } from '../data/load-node';
import { parseExperimentJson } from '../experiment/config';
import { loadExperimentDataset } from '../experiment/datasets';
import { toCsv } from '../experiment/export';
import { createRunner } from '../experiment/setup';
import { acquireNodeGpu } from '../gpu/node';
import { ConfigError } from '../util/validate';
import { progressBar } from './progress';

const USAGE = 'usage: npm run experiment -- <config.json> --out <file.csv> [--json <results.json>] [--data-dir <dir>]';

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value. ${USAGE}`);
  return value;
}

async function main(args: string[]): Promise<void> {
  const configPath = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  const out = option(args, '--out');
  if (!configPath || !out) throw new Error(USAGE);
  const jsonOut = option(args, '--json');
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${configPath}: ${(error as Error).message}`, { cause: error });
  }
  const config = parseExperimentJson(text);
  const dataset = await loadExperimentDataset(config.dataset, config.seed, { read: nodeReader(option(args, '--data-dir')) });
  const gpu = await acquireNodeGpu();
  const runner = createRunner(gpu, config, dataset);
  const total = runner.options.budgetSteps;
  console.error(`${config.name}: ${runner.runs.length} runs × ${total} steps on ${dataset.name} (${gpu.adapter.vendor} ${gpu.adapter.architecture})`);
  const bar = progressBar('training', total);
  runner.subscribe((event) => {
    if (event.kind === 'progress') bar.update(event.step);
    if (event.kind === 'diverged') console.error(`\nrun "${runner.runs[event.run].label}" diverged at step ${event.step}: ${event.reason}`);
  });
  await runner.advance(total);
  bar.finish();
  writeFileSync(out, toCsv(config.name, runner.runs, runner.records));
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ format: 'lr-lab-results', version: 1, config, records: runner.records }, null, 1));
  for (const [index, run] of runner.runs.entries()) {
    const last = runner.records.filter((r) => r.run === index);
    const final = last[last.length - 1];
    const test = last.filter((r) => r.testAccuracy !== undefined).pop();
    const status = runner.diverged[index] !== null ? `diverged at step ${runner.diverged[index]}` : 'ok';
    console.error(`  ${run.label.padEnd(24)} train loss ${final?.trainLoss.toPrecision(4) ?? '-'}  test acc ${test?.testAccuracy?.toFixed(4) ?? '-'}  ${status}`);
  }
  console.error(`wrote ${out}${jsonOut ? ` and ${jsonOut}` : ''}`);
  runner.destroy();
  gpu.device.destroy();
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`invalid experiment config:\n  ${error.issues.join('\n  ')}`);
    process.exit(2);
  }
  console.error((error as Error).message);
  process.exit(1);
});
