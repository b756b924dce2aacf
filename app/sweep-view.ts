/**
 * The sweep views' state and their one selector over the playground's store: the stacked runs
 * grouped by method and sweep point, each run's outcome (final / best metrics) from its records, and
 * the records themselves for the difference curve. The numbers come from src/stats, as the CLI's.
 * Which runs the main charts show for a sweep (`focus`) lives here too: Charts reads it.
 */
import { useMemo, useState } from 'react';
import { create } from 'zustand';
import { OutcomeTracker, type CurveField, type OutcomeMetric, type RunOutcome } from '../src/stats/run-outcome';
import { type RecordTable } from '../src/experiment/record-table';
import { blankRecord } from '../src/experiment/record-columns';
import { bestGroups, groupRuns, type CompareAt, type CurvePoint, type SweepGroup } from '../src/stats/sweep-analysis';
import { useThrottledStore } from './redraw';
import { recordsVersion, useDivergedAt, useLab } from './store';

export interface SweepViewState {
  metric: OutcomeMetric;
  /** Relative tolerance of the "within the best" range (0.02 = 2 %). */
  tolerance: number;
  /** The swept field on the sensitivity plot's x axis (null: the first). */
  xField: string | null;
  /** The paired table's reference group key (null: the first method's best point). */
  reference: string | null;
  compareAt: CompareAt;
  /** The group clicked on a plot: the main charts show its runs (null: each method at its best point). */
  clicked: string | null;
  /** Stacked runs the main charts show while a sweep is loaded (null: every run). */
  focusRuns: number[] | null;
  set: (patch: Partial<Omit<SweepViewState, 'set'>>) => void;
}

export const useSweepView = create<SweepViewState>()((set) => ({
  metric: 'finalTestAccuracy',
  tolerance: 0.02,
  xField: null,
  reference: null,
  compareAt: 'best',
  clicked: null,
  focusRuns: null,
  set: (patch) => set(patch),
}));

/** What the sweep views read: groups, per-run outcomes and records (throttled), or null without a sweep. */
export interface SweepData {
  groups: SweepGroup[];
  outcomes: RunOutcome[];
  /** One run's values of `field` at a bounded number of its steps (the difference curve reads the runs it compares, never all). */
  curveOf: (run: number, field: CurveField) => CurvePoint[];
  /** The swept fields, in axis order. */
  fields: string[];
  replicates: number;
}

/** Steps per difference curve at most: about one per pixel of its plot (the curve is redrawn while training). */
export const CURVE_POINTS = 250;

/**
 * `run`'s values of `field` at no more than about CURVE_POINTS of its steps: every k-th row that
 * has the field, and the last, read from the table's columns (no record objects). The same steps
 * for every run of a sweep, which train in lockstep, so that the pairs still meet.
 */
export function curveOf(table: RecordTable, run: number, field: CurveField): CurvePoint[] {
  const rows = table.rowsOf(run);
  const having: number[] = [];
  for (const row of rows) if (table.valueAt(row, field) !== undefined) having.push(row);
  const stride = Math.max(1, Math.ceil(having.length / CURVE_POINTS));
  const points: CurvePoint[] = [];
  for (let i = 0; i < having.length; i += stride) points.push({ step: table.stepAt(having[i]), [field]: table.valueAt(having[i], field) as number });
  const last = having[having.length - 1];
  if (last !== undefined && (having.length - 1) % stride !== 0) points.push({ step: table.stepAt(last), [field]: table.valueAt(last, field) as number });
  return points;
}

/** Each run's outcome, folding in only the table's changes since the last look (a new tracker when the table is cleared). */
class TableOutcomes {
  private tracker = new OutcomeTracker(0);
  private version = 0;
  private generation = -1;
  private readonly scratch = blankRecord();

  outcomes(table: RecordTable, runs: number, diverged: ReadonlyArray<number | null> | undefined): RunOutcome[] {
    if (table.generation !== this.generation) {
      this.tracker = new OutcomeTracker(0);
      this.version = 0;
      this.generation = table.generation;
    }
    this.version += table.eachChange(this.version, (row) => this.tracker.take(table.readInto(row, this.scratch))); // about 3,000 a second in a big sweep: no record made
    return Array.from({ length: runs }, (_, run) => this.tracker.outcome(run, diverged?.[run] ?? null));
  }
}

/** The selector of the sweep views: recomputed at most every 500 ms of training, from the records that changed. */
export function useSweepData(): SweepData | null {
  const summary = useLab((state) => state.summary);
  const config = useLab((state) => state.config);
  const table = useLab((state) => state.records);
  const version = useThrottledStore(useLab, recordsVersion, 500);
  const diverged = useDivergedAt(version);
  const [folded] = useState(() => new TableOutcomes());
  const groups = useMemo(() => (summary && config?.sweep ? groupRuns(summary.runs) : null), [summary, config]);
  return useMemo(() => {
    if (!summary || !config?.sweep || !groups) return null;
    const outcomes = folded.outcomes(table, summary.runs.length, diverged);
    return { groups, outcomes, curveOf: (run: number, field: CurveField) => curveOf(table, run, field), fields: config.sweep.axes.map((axis) => axis.field), replicates: config.replicates };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the table is mutated in place; its version says when
  }, [summary, config, groups, table, version, diverged, folded]);
}

/** The runs the main charts show for a sweep: the clicked group's, else each method's best group (by `metric`). */
export function focusRunsOf(data: SweepData, metric: OutcomeMetric, clicked: string | null): number[] {
  const chosen = data.groups.find((group) => group.key === clicked);
  if (chosen) return chosen.runs;
  return [...bestGroups(data.groups, data.outcomes, metric).values()].flatMap((group) => group.runs);
}
