/**
 * Exports of an experiment's metrics. CSV in long format: one row per run per logged step, with
 * the run's identity and method parameters repeated on every row so a spreadsheet or pandas can
 * pivot freely. Cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) are
 * neutralized (papaparse `escapeFormulae`: a leading apostrophe), so a label can never execute.
 */
import Papa from 'papaparse';
import type { RunnerRun } from './runner';
import type { MetricRecord } from './records';
import { sweptFieldsOf } from './sweep';

/** The CSV columns, in order, with what each holds (README documents the same list). */
export const CSV_COLUMNS = {
  experiment: 'experiment name',
  run: 'index of the stacked run (method × replicate)',
  label: 'run label (the method as the user named it)',
  method: 'index of the method in config.runs',
  replicate: 'replicate index (init and data order differ between replicates)',
  seed: 'seed of the run’s LRD / LEAP / RALR draws',
  run_key: 'run key of those draws',
  optimizer: 'optimizer rule',
  schedule: 'base schedule kind',
  methods: 'LR methods on this run (lrd, leap, ralr, autodrop, explr), "+"-joined; "none" for the baseline',
  params: 'all method parameters of the run, as JSON',
  step: 'optimizer step (1-based)',
  epoch: 'step / steps per epoch',
  train_loss: 'minibatch training loss at this step',
  train_accuracy: 'minibatch training accuracy at this step',
  test_loss: 'test loss (evaluation steps only)',
  test_accuracy: 'test accuracy (evaluation steps only)',
  lr: 'global learning rate η_t (exp-LR: the true η̃_t)',
  lr_expected: 'expected per-element rate (LRD: keepProb·η)',
  lr_band_low: 'LEAP: η − σ band (empty otherwise)',
  lr_band_high: 'LEAP: η + σ band (empty otherwise)',
  angle: 'AutoDrop angular velocity in degrees (window ends only)',
  diverged: '1 once the run has diverged (frozen), else 0',
  wall_ms: 'training wall time in ms (pauses excluded)',
} as const;

export type CsvColumn = keyof typeof CSV_COLUMNS;

/** Which LR methods a run uses, e.g. "lrd+ralr" (or "none"). */
export function methodsOf(run: RunnerRun): string {
  const on = [
    run.lrd && 'lrd',
    run.leap && 'leap',
    run.lr.ralr && 'ralr',
    run.autodrop && 'autodrop',
    run.lr.expLr && 'explr',
  ].filter(Boolean);
  return on.length ? on.join('+') : 'none';
}

/** The `params` cell of a run: all its method parameters as JSON. */
export function runParamsJson(run: RunnerRun): string {
  return JSON.stringify({ optimizer: run.optimizer, schedule: run.lr.schedule, lrd: run.lrd, leap: run.leap, ralr: run.lr.ralr, autodrop: run.autodrop, expLr: run.lr.expLr });
}

const cell = (value: number | undefined): string | number => (value === undefined || Number.isNaN(value) ? '' : value);

/** A sweep's columns after CSV_COLUMNS: "sweep.<field>" per swept field, and a run's cells (empty where its axis does not apply). */
export function sweptColumns(runs: readonly RunnerRun[]): { names: string[]; cells: (run: RunnerRun) => Array<string | number> } {
  const fields = sweptFieldsOf(runs);
  return { names: fields.map((field) => `sweep.${field}`), cells: (run) => fields.map((field) => cell(run.swept?.[field])) };
}

/** The long-format CSV of `records` (sorted by step, then run). */
export function toCsv(experiment: string, runs: readonly RunnerRun[], records: readonly MetricRecord[]): string {
  const sorted = [...records].sort((a, b) => a.step - b.step || a.run - b.run);
  const params = runs.map(runParamsJson);
  const rows = sorted.map((r) => {
    const run = runs[r.run];
    const row: Record<CsvColumn, string | number> = {
      experiment,
      run: r.run,
      label: run.label,
      method: run.method,
      replicate: run.replicate,
      seed: run.seed,
      run_key: run.runKey,
      optimizer: run.optimizer.rule,
      schedule: run.lr.schedule.kind,
      methods: methodsOf(run),
      params: params[r.run],
      step: r.step,
      epoch: r.epoch,
      train_loss: cell(r.trainLoss),
      train_accuracy: cell(r.trainAccuracy),
      test_loss: cell(r.testLoss),
      test_accuracy: cell(r.testAccuracy),
      lr: cell(r.lr),
      lr_expected: cell(r.lrExpected),
      lr_band_low: cell(r.lrBandLow),
      lr_band_high: cell(r.lrBandHigh),
      angle: cell(r.angle),
      diverged: r.diverged ? 1 : 0,
      wall_ms: Math.round(r.wallMs),
    };
    return row;
  });
  const swept = sweptColumns(runs);
  const data = rows.map((row, i) => [...Object.keys(CSV_COLUMNS).map((k) => row[k as CsvColumn]), ...swept.cells(runs[sorted[i].run])]);
  return Papa.unparse({ fields: [...Object.keys(CSV_COLUMNS), ...swept.names], data }, {
    escapeFormulae: true,
    newline: '\n',
  });
}

/** Parses a CSV written by toCsv back into rows of column → string (tests, re-import for plots). */
export function parseCsv(text: string): Array<Record<CsvColumn, string>> {
  const parsed = Papa.parse<Record<CsvColumn, string>>(text, { header: true, skipEmptyLines: true });
  if (parsed.errors.length) throw new Error(`CSV row ${parsed.errors[0].row}: ${parsed.errors[0].message}`);
  const missing = Object.keys(CSV_COLUMNS).filter((c) => !parsed.meta.fields?.includes(c));
  if (missing.length) throw new Error(`CSV lacks the columns ${missing.join(', ')}`);
  return parsed.data;
}
