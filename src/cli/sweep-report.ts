/**
 * What the experiment CLI reports of a sweep or of replicated runs: the `--summary` CSV (one row per
 * stacked run), each method's sensitivity to the first swept field (best value, values within the
 * tolerance), and the paired table against a reference (the page shows the same numbers: src/stats).
 */
import Papa from 'papaparse';
import type { ExperimentConfig } from '../experiment/config';
import { expandRuns, runLabel, type ExpandedRun } from '../experiment/expand';
import type { MetricRecord } from '../experiment/records';
import { sweepLabel, sweptFieldsOf } from '../experiment/sweep';
import { MIN_PAIRS } from '../stats/paired';
import { OUTCOME_METRICS, recordsByRun, runOutcome, type OutcomeMetric, type RunOutcome } from '../stats/run-outcome';
import { bestGroups, groupRuns, pairedTable, sensitivity, type CompareAt, type SweepGroup } from '../stats/sweep-analysis';

/** How the CLI compares: the outcome metric, the target loss, the tolerance, the reference and where to compare. */
export interface ReportOptions {
  metric: OutcomeMetric;
  targetLoss: number;
  /** Relative tolerance of the "within" range (0.02: within 2 % of the best). */
  tolerance: number;
  /** The reference method's label (default: the first run). */
  compare?: string;
  compareAt: CompareAt;
}

export const REPORT_DEFAULTS: ReportOptions = { metric: 'finalTestAccuracy', targetLoss: 0.5, tolerance: 0.02, compareAt: 'best' };

/** The outcome of every stacked run of `config` from its records. */
export function outcomesOf(config: ExperimentConfig, records: Iterable<MetricRecord>, diverged: ReadonlyArray<number | null>, targetLoss: number): { runs: ExpandedRun[]; outcomes: RunOutcome[] } {
  const runs = expandRuns(config);
  const byRun = recordsByRun(records, runs.length);
  return { runs, outcomes: runs.map((_, index) => runOutcome(byRun[index], targetLoss, diverged[index] ?? null)) };
}

const number = (value: number) => (Number.isNaN(value) ? '' : value);

/** The --summary CSV: per stacked run its swept values, replicate, final and best test accuracy, final train loss, steps to the target, diverged. */
export function summaryCsv(runs: readonly ExpandedRun[], outcomes: readonly RunOutcome[]): string {
  const fields = sweptFieldsOf(runs);
  const header = ['run', 'label', 'method', ...fields.map((field) => `sweep.${field}`), 'replicate', 'final_test_accuracy', 'best_test_accuracy', 'final_train_loss', 'steps_to_target', 'diverged'];
  const rows = runs.map((run, index) => {
    const outcome = outcomes[index];
    return [
      run.index, runLabel(sweepLabel(run.label, run.swept), run.replicate), run.method, ...fields.map((field) => run.swept[field] ?? ''), run.replicate,
      number(outcome.finalTestAccuracy), number(outcome.bestTestAccuracy), number(outcome.finalTrainLoss), number(outcome.stepsToTarget), outcome.diverged ? 1 : 0,
    ];
  });
  return Papa.unparse({ fields: header, data: rows }, { escapeFormulae: true, newline: '\n' });
}

const format = (value: number, digits = 4) => (Number.isFinite(value) ? Number(value.toPrecision(digits)).toString() : String(value));
const pValue = (p: number | null) => (p === null ? '–' : p < 1e-4 ? p.toExponential(1) : p.toFixed(4));

/** Lines of each method's sensitivity to the first swept field: the mean per value, the best value, the values within the tolerance. */
export function sensitivityLines(groups: readonly SweepGroup[], outcomes: readonly RunOutcome[], options: ReportOptions, field: string): string[] {
  const metric = OUTCOME_METRICS[options.metric].label;
  const lines = [`sensitivity of the ${metric} to ${field} (mean over replicates; * best, within ${options.tolerance * 100} % of the best: [ ])`];
  for (const line of sensitivity(groups, outcomes, options.metric, field, options.tolerance)) {
    const cells = line.points.map((point, index) => {
      const mark = index === line.best ? '*' : '';
      const value = `${format(point.x, 3)}: ${format(point.stats.mean)}${mark}${point.diverged ? ` (${point.diverged} diverged)` : ''}`;
      return line.withinTolerance.includes(index) ? `[${value}]` : value;
    });
    const within = line.withinTolerance.map((index) => line.points[index].x);
    const span = within.length ? `${format(Math.min(...within), 3)} … ${format(Math.max(...within), 3)}` : '–';
    lines.push(`  ${line.label.padEnd(28)} best ${line.best >= 0 ? format(line.points[line.best].x, 3) : '–'}, within: ${span}`, `    ${cells.join('  ')}`);
  }
  return lines;
}

/** The reference group: the named method's (or the first method's) best sweep point. */
export function referenceGroup(groups: readonly SweepGroup[], outcomes: readonly RunOutcome[], options: ReportOptions): SweepGroup {
  const method = options.compare === undefined ? groups[0].method : groups.find((group) => group.methodLabel === options.compare)?.method;
  if (method === undefined) throw new Error(`--compare: no run is labelled "${options.compare}" (runs: ${[...new Set(groups.map((g) => g.methodLabel))].join(', ')})`);
  return bestGroups(groups, outcomes, options.metric).get(method) ?? groups.find((group) => group.method === method)!;
}

/** The paired table as text: per method, mean difference with its 95 % interval, t-test and signed-rank p (raw and Holm), effect size. */
export function pairedLines(groups: readonly SweepGroup[], outcomes: readonly RunOutcome[], options: ReportOptions): string[] {
  const reference = referenceGroup(groups, outcomes, options);
  const rows = pairedTable(groups, outcomes, options.metric, reference, options.compareAt);
  const at = options.compareAt === 'best' ? "each method at its best sweep point" : "each method at the reference's swept values";
  const lines = [
    `paired comparison of the ${OUTCOME_METRICS[options.metric].label} with ${reference.label} (method − reference, by replicate; ${at}; Holm across ${rows.length} methods)`,
    `  ${'method'.padEnd(34)} ${'n'.padStart(2)}  ${'mean diff'.padStart(10)}  ${'95 % interval'.padEnd(22)} ${'t-test p'.padStart(8)} ${'(Holm)'.padStart(8)}  ${'Wilcoxon p'.padStart(10)} ${'(Holm)'.padStart(8)}  d_z`,
  ];
  for (const row of rows) {
    const { result } = row;
    const interval = Number.isFinite(result.difference.low) ? `[${format(result.difference.low)}, ${format(result.difference.high)}]` : '–';
    const wilcoxon = result.wilcoxon.p === null ? `needs ≥ ${MIN_PAIRS.wilcoxon}`.padStart(10) : pValue(result.wilcoxon.p).padStart(10);
    lines.push(
      `  ${row.group.label.padEnd(34)} ${String(result.n).padStart(2)}  ${format(result.difference.mean).padStart(10)}  ${interval.padEnd(22)} ${pValue(result.tTest.p).padStart(8)} ${pValue(row.tTestHolm).padStart(8)}  ${wilcoxon} ${pValue(row.wilcoxonHolm).padStart(8)}  ${format(result.effectSize, 3)}`,
    );
  }
  const notes = [...new Set(rows.flatMap((row) => [row.result.tTest.note, row.result.wilcoxon.note]).filter(Boolean))];
  if (notes.length) lines.push(`  (no p-value where: ${notes.join('; ')})`);
  return lines;
}

/** Everything the CLI prints after a sweep or replicated runs: sensitivity (with a sweep) and the paired table (with ≥ 2 methods and ≥ 2 replicates). */
export function sweepReport(config: ExperimentConfig, runs: readonly ExpandedRun[], outcomes: readonly RunOutcome[], options: ReportOptions): string[] {
  const groups = groupRuns(runs);
  const lines: string[] = [];
  const fields = sweptFieldsOf(runs);
  if (fields.length > 0) lines.push(...sensitivityLines(groups, outcomes, options, fields[0]));
  if (config.runs.length >= 2 && config.replicates >= 2) lines.push(...pairedLines(groups, outcomes, options));
  return lines;
}
