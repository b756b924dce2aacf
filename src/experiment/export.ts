/**
 * CSV exports of an experiment, in two tables that join on `run`:
 *  - the metrics, in long format (one row per run per logged step, in step order), each row holding
 *    only the run's identity (run, label, method, replicate) and that step's numbers, so that a
 *    row's size never depends on how many parameters a run has;
 *  - the runs, one row each: identity, seed, run key, optimizer, schedule, methods, and every
 *    parameter as JSON.
 * Both are written in chunks (no single string of the whole history), for a download (zipped
 * together in the page) or files (the CLI). Cells a spreadsheet would run as a formula (=, +, -, @,
 * tab, CR) get a leading apostrophe, so a label can never execute. Files of the earlier one-table
 * format (the run columns repeated on every row) are still read (parseExport).
 */
import Papa from 'papaparse';
import type { RecordTable } from './record-table';
import type { MetricRecord } from './records';
import type { RunnerRun } from './runner';
import { sweptFieldsOf } from './sweep';

/** The metrics table's columns, in order, with what each holds (README documents the same list). */
export const METRIC_COLUMNS = {
  run: 'index of the stacked run (method × replicate); the runs table says what it is',
  label: 'run label (the method as the user named it)',
  method: 'index of the method in config.runs',
  replicate: 'replicate index (init and data order differ between replicates)',
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

/** The runs table's columns, in order. */
export const RUN_COLUMNS = {
  experiment: 'experiment name',
  run: 'index of the stacked run (method × replicate)',
  label: 'run label',
  method: 'index of the method in config.runs',
  replicate: 'replicate index',
  seed: 'seed of the run’s LRD / LEAP / RALR draws',
  run_key: 'run key of those draws',
  optimizer: 'optimizer rule',
  schedule: 'base schedule kind',
  methods: 'LR methods on this run (lrd, leap, ralr, autodrop, explr), "+"-joined; "none" for the baseline',
  params: 'all method parameters of the run, as JSON',
} as const;

/** A metrics row joined with its run's row (and the columns of the earlier one-table format). */
export const CSV_COLUMNS = {
  experiment: RUN_COLUMNS.experiment,
  run: METRIC_COLUMNS.run,
  label: METRIC_COLUMNS.label,
  method: METRIC_COLUMNS.method,
  replicate: METRIC_COLUMNS.replicate,
  seed: RUN_COLUMNS.seed,
  run_key: RUN_COLUMNS.run_key,
  optimizer: RUN_COLUMNS.optimizer,
  schedule: RUN_COLUMNS.schedule,
  methods: RUN_COLUMNS.methods,
  params: RUN_COLUMNS.params,
  ...(({ run: _r, label: _l, method: _m, replicate: _p, ...numbers }) => numbers)(METRIC_COLUMNS),
} as const;

export type MetricColumn = keyof typeof METRIC_COLUMNS;
export type RunColumn = keyof typeof RUN_COLUMNS;
export type CsvColumn = keyof typeof CSV_COLUMNS;

/** Which LR methods a run uses, e.g. "lrd+ralr" (or "none"). */
export function methodsOf(run: RunnerRun): string {
  const on = [run.lrd && 'lrd', run.leap && 'leap', run.lr.ralr && 'ralr', run.autodrop && 'autodrop', run.lr.expLr && 'explr'].filter(Boolean);
  return on.length ? on.join('+') : 'none';
}

/** The `params` cell of a run: all its method parameters as JSON. */
export function runParamsJson(run: RunnerRun): string {
  return JSON.stringify({ optimizer: run.optimizer, schedule: run.lr.schedule, lrd: run.lrd, leap: run.leap, ralr: run.lr.ralr, autodrop: run.autodrop, expLr: run.lr.expLr });
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell: formula-escaped, quoted when it holds a comma, a quote, a line break or edge spaces (as papaparse writes). */
export function csvText(value: string): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\n\r]|^ | $/.test(text) || text !== value ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A sweep's columns: "sweep.<field>" per swept field, and a run's cells (empty where its axis does not apply). */
export function sweptColumns(runs: readonly Pick<RunnerRun, 'swept'>[]): { names: string[]; cells: (run: Pick<RunnerRun, 'swept'>) => string[] } {
  const fields = sweptFieldsOf(runs);
  return { names: fields.map((field) => `sweep.${field}`), cells: (run) => fields.map((field) => numberCell(run.swept?.[field])) };
}

/** A number cell: '' for absent or NaN, else as JavaScript prints it. */
const numberCell = (value: number | undefined): string => (value === undefined || Number.isNaN(value) ? '' : String(value));

/** Who a row's run is (the identity fields of a RunnerRun, and its swept values in a sweep). */
type RunIdentityFields = Pick<RunnerRun, 'label' | 'method' | 'replicate' | 'swept'>;

/** One metrics row (`swept`: the run's cells of the sweep's columns, already joined). */
function metricsRow(record: MetricRecord, run: RunIdentityFields, label: string, swept: string): string {
  return `${[
    record.run, label, run.method, run.replicate, record.step, numberCell(record.epoch),
    numberCell(record.trainLoss), numberCell(record.trainAccuracy), numberCell(record.testLoss), numberCell(record.testAccuracy),
    numberCell(record.lr), numberCell(record.lrExpected), numberCell(record.lrBandLow), numberCell(record.lrBandHigh),
    numberCell(record.angle), record.diverged ? 1 : 0, Math.round(record.wallMs),
  ].join(',')}${swept}`;
}

/**
 * The metrics table as CSV text in chunks of about `rowsPerChunk` rows (the header first): every
 * record of `table`, in step order, then run order (a merge of the runs' rows, which the table
 * keeps in step order: no sort of the whole history).
 */
export function* metricsCsvChunks(runs: readonly RunIdentityFields[], table: RecordTable, rowsPerChunk = 10_000): Generator<string> {
  const labels = runs.map((run) => csvText(run.label));
  const sweep = sweptColumns(runs);
  const swept = runs.map((run) => sweep.cells(run).map((cell) => `,${cell}`).join(''));
  const rowsOfRun = Array.from({ length: table.runCount }, (_, run) => table.rowsOf(run));
  const cursor = rowsOfRun.map(() => 0);
  // A binary heap of runs by (step of their next row, run).
  const heap: number[] = [];
  const key = (run: number) => table.stepAt(rowsOfRun[run][cursor[run]]) * 1e6 + run;
  const up = (i: number) => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (key(heap[parent]) <= key(heap[i])) break;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const [l, r] = [2 * i + 1, 2 * i + 2];
      let least = i;
      if (l < heap.length && key(heap[l]) < key(heap[least])) least = l;
      if (r < heap.length && key(heap[r]) < key(heap[least])) least = r;
      if (least === i) return;
      [heap[least], heap[i]] = [heap[i], heap[least]];
      i = least;
    }
  };
  rowsOfRun.forEach((rows, run) => {
    if (rows.length > 0) {
      heap.push(run);
      up(heap.length - 1);
    }
  });
  let lines = [[...Object.keys(METRIC_COLUMNS), ...sweep.names].join(',')];
  while (heap.length > 0) {
    const run = heap[0];
    const record = table.get(rowsOfRun[run][cursor[run]]);
    lines.push(metricsRow(record, runs[run], labels[run], swept[run]));
    cursor[run]++;
    if (cursor[run] < rowsOfRun[run].length) down(0);
    else {
      heap[0] = heap[heap.length - 1];
      heap.pop();
      down(0);
    }
    if (lines.length >= rowsPerChunk) {
      yield `${lines.join('\n')}\n`;
      lines = [];
    }
  }
  if (lines.length > 0) yield `${lines.join('\n')}\n`;
}

/** The runs table as CSV text: one row per stacked run. */
export function runsCsv(experiment: string, runs: readonly RunnerRun[]): string {
  const sweep = sweptColumns(runs);
  const rows = runs.map((run, index) =>
    [csvText(experiment), index, csvText(run.label), run.method, run.replicate, run.seed, run.runKey, run.optimizer.rule, run.lr.schedule.kind, methodsOf(run), csvText(runParamsJson(run)), ...sweep.cells(run)].join(','),
  );
  return `${[[...Object.keys(RUN_COLUMNS), ...sweep.names].join(','), ...rows].join('\n')}\n`;
}

/** Parses CSV text into rows of column → string; `required` columns must be there (named when missing). */
function parseTable<C extends string>(text: string, required: readonly C[], what: string): Array<Record<C, string>> {
  const parsed = Papa.parse<Record<C, string>>(text, { header: true, skipEmptyLines: true });
  if (parsed.errors.length) throw new Error(`${what} row ${parsed.errors[0].row}: ${parsed.errors[0].message}`);
  const missing = required.filter((c) => !parsed.meta.fields?.includes(c));
  if (missing.length) throw new Error(`${what} lacks the columns ${missing.join(', ')}`);
  return parsed.data;
}

/**
 * Reads an export back into rows with every CSV_COLUMNS column: the metrics CSV joined with the
 * runs CSV on `run`, or a CSV of the earlier one-table format as it is (tests, re-import for plots).
 */
export function parseExport(metrics: string, runs?: string): Array<Record<CsvColumn, string>> {
  const header = metrics.slice(0, metrics.indexOf('\n') >>> 0);
  if (runs === undefined && header.split(',').includes('params')) return parseTable(metrics, Object.keys(CSV_COLUMNS) as CsvColumn[], 'CSV');
  const rows = parseTable(metrics, Object.keys(METRIC_COLUMNS) as MetricColumn[], 'metrics CSV');
  if (runs === undefined) return rows as Array<Record<CsvColumn, string>>;
  const byRun = new Map(parseTable(runs, Object.keys(RUN_COLUMNS) as RunColumn[], 'runs CSV').map((row) => [row.run, row]));
  return rows.map((row) => {
    const run = byRun.get(row.run);
    if (!run) throw new Error(`metrics CSV: run ${row.run} is not in the runs CSV`);
    return Object.fromEntries(Object.keys(CSV_COLUMNS).map((column) => [column, column in row ? row[column as MetricColumn] : run[column as RunColumn]])) as Record<CsvColumn, string>;
  });
}

/** The metrics CSV of `records` as one text (tests and small tables; exports stream metricsCsvChunks). */
export function toMetricsCsv(runs: readonly RunIdentityFields[], table: RecordTable): string {
  return [...metricsCsvChunks(runs, table)].join('');
}

/** The rows of a metrics CSV, or of a CSV of the earlier one-table format (see parseExport). */
export function parseCsv(text: string): Array<Record<CsvColumn, string>> {
  return parseExport(text);
}
