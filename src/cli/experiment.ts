/**
 * `npm run experiment -- <config.json> [--out <file.csv>] [--json <results.json>] [--summary <file.csv>] [--pytorch <train.py>] [--steps N] [--data-dir <dir>] [--range-test]`:
 * runs an experiment headless in Node on Dawn WebGPU, with a progress bar and ETA, and writes the
 * same long-format CSV as the page (same config and seeds, same numbers within f32 tolerance) and
 * the results document (src/experiment/results.ts). The input may also be a results file: its
 * config is run again, to the step the file reached. Exit status: 0 done; 1 usage or I/O error
 * (message on stderr); 2 invalid config or results file (every issue on its own line, naming the field).
 */
import { closeSync, openSync, readFileSync, realpathSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { nodeReader } from '../data/load-node';
import type { ExperimentConfig } from '../experiment/config';
import { loadExperimentDataset } from '../experiment/datasets';
import { isResultsJson, readExperimentFile } from '../experiment/files';
import { TrainingSession } from '../experiment/session';
import type { GpuContext } from '../gpu/device';
import { acquireNodeGpu } from '../gpu/node';
import { ConfigError } from '../util/validate';
import { writePytorchScript } from '../export/pytorch-file';
import { progressBar } from './progress';
import { RANGE_TEST_DEFAULTS, type RangeTestOptions } from '../experiment/range-test';
import { OUTCOME_METRICS, type OutcomeMetric } from '../stats/run-outcome';
import { rangeTestCommand } from './range-test';
import { outcomesOf, REPORT_DEFAULTS, summaryCsv, sweepReport, type ReportOptions } from './sweep-report';

export const USAGE = `usage: npm run experiment -- <config.json> [--out <file.csv>] [--json <results.json>] [--summary <file.csv>] [--pytorch <train.py>] [--steps N] [--data-dir <dir>] [--range-test]
  <config.json>      an experiment config (public/examples/*.json), or a results file to run
                     again (to the step it reached, unless --steps says otherwise)
  --out <file.csv>   write the metrics as long-format CSV (with --range-test: the test's curves)
  --json <file>      write the results document (config, runs, every metric; re-importable)
  --summary <file>   write one row per stacked run: swept values, replicate, final and best test
                     accuracy, final train loss, steps to the target loss, diverged
  --pytorch <file>   write the experiment as a runnable PyTorch script (needs torch and numpy)
  --steps N          train at most N optimizer steps (a quick look at a long budget)
  --data-dir <dir>   where the prepared image datasets are (default public/data)
  --metric M         what the sweep report compares: ${Object.keys(OUTCOME_METRICS).join(', ')} (default finalTestAccuracy)
  --target-loss X    the train loss of "steps to target" (default 0.5)
  --tolerance X      the sensitivity's "within X of the best", relative (default 0.02)
  --compare LABEL    the reference of the paired table (default the first run), at its best sweep point
  --compare-at W     best (each method at its best sweep point, default) or same (at the reference's values)
  --range-test       run the LR range test of every run instead (--range-from 1e-7, --range-to 10, --range-steps 100)
  --help             this text`;

/** A bad command line: the message, then the usage, exit status 1. */
export class UsageError extends Error {}

export interface CliOptions {
  configPath: string;
  out?: string;
  json?: string;
  pytorch?: string;
  steps?: number;
  dataDir?: string;
  summary?: string;
  /** How the sweep report compares (defaults: REPORT_DEFAULTS). */
  report?: ReportOptions;
  /** Set: run the LR range test instead of training. */
  rangeTest?: RangeTestOptions;
}

const VALUE_OPTIONS = {
  '--out': 'out', '--json': 'json', '--pytorch': 'pytorch', '--steps': 'steps', '--data-dir': 'dataDir', '--summary': 'summary', '--metric': 'metric',
  '--target-loss': 'targetLoss', '--tolerance': 'tolerance', '--compare': 'compare', '--compare-at': 'compareAt', '--range-from': 'rangeFrom', '--range-to': 'rangeTo', '--range-steps': 'rangeSteps',
} as const;
const FLAG_OPTIONS = ['--range-test'] as const;
type ValueOption = keyof typeof VALUE_OPTIONS;
const isValueOption = (name: string): name is ValueOption => Object.hasOwn(VALUE_OPTIONS, name);

/** Parses the command line (without node and the script); `null` asks for the help text. Throws UsageError. */
export function parseArgs(args: readonly string[]): CliOptions | null {
  const values: Partial<Record<ValueOption, string>> = {};
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') return null;
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg;
    if ((FLAG_OPTIONS as readonly string[]).includes(name)) {
      flags.add(name);
      continue;
    }
    if (!isValueOption(name)) throw new UsageError(`unknown option ${name} (options: ${[...Object.keys(VALUE_OPTIONS), ...FLAG_OPTIONS, '--help'].join(', ')})`);
    if (values[name] !== undefined) throw new UsageError(`${name} is given twice`);
    const value = eq > 0 && name !== arg ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === '' || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
    values[name] = value;
  }
  if (positional.length === 0) throw new UsageError('no config file given');
  if (positional.length > 1) throw new UsageError(`one config file at a time (got ${positional.map((p) => JSON.stringify(p)).join(', ')})`);
  const rangeTest = flags.has('--range-test') ? rangeTestOptions(values) : undefined;
  if (!rangeTest && values['--out'] === undefined && values['--json'] === undefined && values['--pytorch'] === undefined && values['--summary'] === undefined) {
    throw new UsageError('nothing to write: give --out <file.csv>, --json <results.json>, --summary <file.csv>, --pytorch <train.py> or several');
  }
  if (values['--out'] !== undefined && values['--json'] !== undefined && resolve(values['--out']) === resolve(values['--json'])) {
    throw new UsageError('--out and --json name the same file');
  }
  let steps: number | undefined;
  if (values['--steps'] !== undefined) {
    steps = /^\d+$/.test(values['--steps']) ? Number(values['--steps']) : Number.NaN;
    if (!Number.isSafeInteger(steps) || steps < 1) throw new UsageError(`--steps must be a positive integer (got ${JSON.stringify(values['--steps'])})`);
  }
  const report = reportOptions(values);
  return {
    configPath: positional[0], out: values['--out'], json: values['--json'], pytorch: values['--pytorch'], steps, dataDir: values['--data-dir'],
    ...(values['--summary'] !== undefined ? { summary: values['--summary'] } : {}),
    ...(report ? { report } : {}),
    ...(rangeTest ? { rangeTest } : {}),
  };
}

/** A positive number option, or its default; UsageError naming the option otherwise. */
function positiveOption(values: Partial<Record<ValueOption, string>>, name: ValueOption, fallback: number, integer = false): number {
  const text = values[name];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!(Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value)))) throw new UsageError(`${name} must be a positive ${integer ? 'integer' : 'number'} (got ${JSON.stringify(text)})`);
  return value;
}

/** The sweep report's options (undefined when none is given). */
function reportOptions(values: Partial<Record<ValueOption, string>>): ReportOptions | undefined {
  const given = (['--metric', '--target-loss', '--tolerance', '--compare', '--compare-at'] as const).some((name) => values[name] !== undefined);
  if (!given) return undefined;
  const metric = values['--metric'] ?? REPORT_DEFAULTS.metric;
  if (!Object.hasOwn(OUTCOME_METRICS, metric)) throw new UsageError(`--metric must be one of ${Object.keys(OUTCOME_METRICS).join(', ')} (got ${JSON.stringify(metric)})`);
  const compareAt = values['--compare-at'] ?? REPORT_DEFAULTS.compareAt;
  if (compareAt !== 'best' && compareAt !== 'same') throw new UsageError(`--compare-at must be best or same (got ${JSON.stringify(compareAt)})`);
  return {
    metric: metric as OutcomeMetric,
    targetLoss: positiveOption(values, '--target-loss', REPORT_DEFAULTS.targetLoss),
    tolerance: positiveOption(values, '--tolerance', REPORT_DEFAULTS.tolerance),
    compare: values['--compare'],
    compareAt,
  };
}

/** The range test's options from --range-from, --range-to, --range-steps (fastai's defaults otherwise). */
function rangeTestOptions(values: Partial<Record<ValueOption, string>>): RangeTestOptions {
  const options = {
    ...RANGE_TEST_DEFAULTS,
    startLr: positiveOption(values, '--range-from', RANGE_TEST_DEFAULTS.startLr),
    endLr: positiveOption(values, '--range-to', RANGE_TEST_DEFAULTS.endLr),
    steps: positiveOption(values, '--range-steps', RANGE_TEST_DEFAULTS.steps, true),
  };
  if (!(options.endLr > options.startLr)) throw new UsageError(`--range-to must be above --range-from (${options.startLr})`);
  return options;
}

/** Why a file cannot be read, in words. */
function readError(path: string, error: NodeJS.ErrnoException): Error {
  const why =
    error.code === 'ENOENT' ? 'no such file' : error.code === 'EISDIR' ? 'it is a directory' : error.code === 'EACCES' ? 'permission denied' : error.message;
  return new Error(`cannot read ${path}: ${why}`, { cause: error });
}

/** A ConfigError with a heading for the terminal ("invalid experiment config x.json"). */
export class InputError extends ConfigError {
  constructor(
    readonly heading: string,
    issues: string[],
  ) {
    super(issues);
  }
}

/** What the CLI runs: a config, and the step to stop at when it came from a results file. */
export interface LoadedConfig {
  config: ExperimentConfig;
  fromResults: boolean;
  resultsStep?: number;
}

/**
 * The config in `path`: an experiment config, or the config of a results document (then also the
 * step that document reached, so that a rerun reproduces it). Told apart as the page does
 * (readExperimentFile). InputError when invalid.
 */
export function loadConfig(path: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw readError(path, error as NodeJS.ErrnoException);
  }
  try {
    const file = readExperimentFile(text);
    return file.kind === 'results' ? { config: file.results.config, fromResults: true, resultsStep: file.results.step } : { config: file.config, fromResults: false };
  } catch (error) {
    if (error instanceof ConfigError) throw new InputError(`invalid ${looksLikeResults(text) ? 'results file' : 'experiment config'} ${path}`, error.issues);
    throw error;
  }
}

/** Whether a file's text is a results document by its `format` (false when it is not JSON). */
function looksLikeResults(text: string): boolean {
  try {
    return isResultsJson(JSON.parse(text));
  } catch {
    return false;
  }
}

/** Where the runs table goes beside the metrics CSV `path`: x.csv → x.runs.csv. */
export function runsCsvPath(path: string): string {
  return /\.csv$/i.test(path) ? path.replace(/\.csv$/i, '.runs.csv') : `${path}.runs.csv`;
}

/** Writes `chunks` to `path` one after another (no single string of the whole file). */
function writeChunks(path: string, chunks: Iterable<string>): void {
  const file = openSync(path, 'w');
  try {
    for (const chunk of chunks) writeSync(file, chunk);
  } finally {
    closeSync(file);
  }
}

/** Fails before training when an output cannot be written (a missing folder, a directory in the way). */
function checkWritable(option: string, path: string): void {
  const folder = dirname(resolve(path));
  let folderStat;
  try {
    folderStat = statSync(folder);
  } catch {
    throw new Error(`${option} ${path}: the folder ${folder} does not exist`);
  }
  if (!folderStat.isDirectory()) throw new Error(`${option} ${path}: ${folder} is not a folder`);
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${option} ${path}: is a directory`);
}

async function main(args: string[]): Promise<void> {
  const options = parseArgs(args);
  if (!options) {
    console.log(USAGE);
    return;
  }
  const loaded = loadConfig(options.configPath); // a bad config or output path fails before the GPU starts
  if (options.out) checkWritable('--out', options.out);
  if (options.json) checkWritable('--json', options.json);
  if (options.summary) checkWritable('--summary', options.summary);
  if (options.pytorch && writePytorchScript(loaded.config, options.pytorch) && !options.out && !options.json) return;
  const gpu = await acquireNodeGpu();
  try {
    await runExperiment(options, loaded, gpu);
  } finally {
    gpu.device.destroy();
  }
}

/**
 * Trains a loaded config on `gpu` in a TrainingSession, with a progress bar on stderr, and writes
 * the outputs `options` name. When training fails (a lost device), the outputs still get every metric
 * collected before the failure, and the error (with its reason) is rethrown: exit status 1.
 */
export async function runExperiment(
  options: CliOptions,
  { config, fromResults, resultsStep }: LoadedConfig,
  gpu: GpuContext,
  log: (line: string) => void = (line) => console.error(line),
): Promise<void> {
  const dataset = await loadExperimentDataset(config.dataset, config.seed, { read: nodeReader(options.dataDir) });
  if (options.rangeTest) return rangeTestCommand(gpu, config, dataset, options.rangeTest, options.out, log);
  const session = new TrainingSession(gpu, { loadDataset: async () => dataset });
  await session.load(config);
  const { runner } = session;
  const budget = runner.options.budgetSteps;
  const total = Math.min(budget, options.steps ?? resultsStep ?? budget);
  const capBy = options.steps !== undefined ? '--steps' : 'the step the results file reached';
  const cap = total < budget ? ` (of a budget of ${budget}: ${capBy})` : '';
  const source = fromResults ? ' (rerun of a results file)' : '';
  log(`${config.name}${source}: ${runner.runs.length} runs × ${total} steps${cap} on ${dataset.name} (${gpu.adapter.vendor} ${gpu.adapter.architecture})`);
  const bar = progressBar('training', total);
  session.subscribe((event) => {
    if (event.kind === 'progress' && event.step < total) bar.update(event.step); // the last line is bar.finish()
    if (event.kind === 'diverged') log(`\nrun "${runner.runs[event.run].label}" diverged at step ${event.step}: ${event.reason}`);
  });
  let failure: unknown = null;
  try {
    await session.start({ until: total });
    bar.finish();
  } catch (error) {
    failure = error;
    log(`\ntraining stopped at step ${runner.step}: ${(error as Error).message}`);
  }
  const written: string[] = [];
  if (options.out) {
    const { metrics, runs } = session.exportCsv();
    const runsPath = runsCsvPath(options.out);
    writeChunks(options.out, metrics);
    writeChunks(runsPath, [runs]);
    written.push(options.out, runsPath);
  }
  if (options.json) {
    writeChunks(options.json, await session.exportJson());
    written.push(options.json);
  }
  const report = options.report ?? REPORT_DEFAULTS;
  const { runs, outcomes } = outcomesOf(config, runner.records, runner.diverged, report.targetLoss);
  if (options.summary) {
    writeFileSync(options.summary, summaryCsv(runs, outcomes));
    written.push(options.summary);
  }
  if (!config.sweep) {
    for (const [index, run] of runner.runs.entries()) {
      const outcome = outcomes[index];
      const status = runner.diverged[index] !== null ? `diverged at step ${runner.diverged[index]}` : 'ok';
      log(`  ${run.label.padEnd(24)} train loss ${outcome.finalTrainLoss.toPrecision(4)}  test acc ${Number.isNaN(outcome.finalTestAccuracy) ? '-' : outcome.finalTestAccuracy.toFixed(4)}  ${status}`);
    }
  }
  for (const line of sweepReport(config, runs, outcomes, report)) log(line);
  log(`wrote ${written.join(' and ')}${failure ? ' (what was collected before the failure)' : ''}`);
  await session.close();
  if (failure) throw failure;
}

/** Whether this module is the program (not imported by a test). */
function isEntryPoint(): boolean {
  if (!process.argv[1]) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    if (error instanceof ConfigError) {
      const heading = error instanceof InputError ? error.heading : 'invalid experiment config';
      console.error(`${heading}:\n  ${error.issues.join('\n  ')}`);
      process.exit(2);
    }
    console.error(`error: ${(error as Error).message}`);
    if (error instanceof UsageError) console.error(USAGE);
    process.exit(1);
  });
}
