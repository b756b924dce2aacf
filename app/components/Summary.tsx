// The summary table: per stacked run (row test ids run-N, loss-N) and, with replicates, per method
// mean ± std: final / best test accuracy, final losses, steps to a target loss, divergence, ms/step.
import { useMemo, useState } from 'react';
import { dashOf } from '../series';
import { recordsVersion, useDivergedAt, useLab } from '../store';
import { aggregateStats, StatsTracker, type RunStats } from '../summary';
import { useThrottledStore } from '../redraw';
import { runLabel } from '../../src/experiment/expand';
import { sweepLabel } from '../../src/experiment/sweep';

/** A run's group: its method and sweep point (replicates of one group are summarized together). */
const groupOf = (run: { method: number; point?: number }) => `${run.method}:${run.point ?? 0}`;

const fmt = (value: number, digits = 4) => (Number.isFinite(value) ? value.toPrecision(digits) : Number.isNaN(value) ? '–' : String(value));
const pct = (value: number) => (Number.isFinite(value) ? `${(100 * value).toFixed(1)} %` : '–');

/** A colour swatch with the run's dash pattern. */
export function Swatch({ color, runKey }: { color: string; runKey: number }) {
  return (
    <svg width="22" height="10" aria-hidden="true" className="swatch">
      <line x1="0" y1="5" x2="22" y2="5" stroke={color} strokeWidth="3" strokeDasharray={dashOf(runKey)} />
    </svg>
  );
}

/** A sweep's table lists its groups (method × value, mean ± std); its runs one by one only on request past this many. */
const MAX_RUN_ROWS = 48;

/** The summary table of every run (and method), from throttled records. */
export function Summary() {
  const summary = useLab((state) => state.summary);
  const table = useLab((state) => state.records);
  const version = useThrottledStore(useLab, recordsVersion, 300);
  const divergedAt = useDivergedAt(version);
  const targetLoss = useLab((state) => state.view.targetLoss);
  const setView = useLab((state) => state.setView);
  const [everyRun, setEveryRun] = useState(false);
  // A new tracker for a new experiment (a cleared table) or target; each redraw folds in only what changed.
  const generation = table.generation;
  const tracker = useMemo(() => new StatsTracker(table, targetLoss, generation), [table, targetLoss, generation]);
  const stats = useMemo(() => tracker.statsOf(summary?.runs.length ?? 0, divergedAt, version), [tracker, summary, divergedAt, version]);
  const runs = useMemo(() => summary?.runs ?? [], [summary]);
  // Each group's runs and each run's label, once per experiment (a sweep has 576 runs in 96 groups).
  const groups = useMemo(() => {
    const members = new Map<string, number[]>();
    runs.forEach((run, index) => {
      const key = groupOf(run);
      if (!members.has(key)) members.set(key, []);
      members.get(key)!.push(index);
    });
    return members;
  }, [runs]);
  const labels = useMemo(() => runs.map((run) => runLabel(sweepLabel(run.label, run.swept ?? {}), run.replicate)), [runs]);
  const replicated = runs.length > groups.size;
  const collapsed = replicated && runs.length > MAX_RUN_ROWS && !everyRun;
  return (
    <section className="panel summary" aria-labelledby="summary-title">
      <h2 id="summary-title">Summary</h2>
      <label className="target">
        steps to train loss ≤{' '}
        <input type="number" step="any" min={0} value={targetLoss} onChange={(event) => setView({ targetLoss: Number(event.target.value) })} data-testid="target-loss" aria-label="target loss" />
      </label>
      {replicated && runs.length > MAX_RUN_ROWS && (
        <label className="target">
          <input type="checkbox" checked={everyRun} onChange={(event) => setEveryRun(event.target.checked)} data-testid="summary-every-run" /> every run on its own ({runs.length} rows; otherwise the {groups.size} groups&apos; mean ± std)
        </label>
      )}
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Summary table (scrolls sideways)">
        <table data-testid="runs">
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Step</th>
              <th scope="col">Train loss</th>
              <th scope="col">Test loss</th>
              <th scope="col">Test acc. final</th>
              <th scope="col">Test acc. best</th>
              <th scope="col" title="Steps until the train loss first reached the target above">Steps to target</th>
              <th scope="col">Status</th>
              <th scope="col">ms / step</th>
            </tr>
          </thead>
          <tbody>
            {!collapsed && runs.map((run, index) => {
              const s: RunStats = stats[index];
              const diverged = divergedAt[index];
              return (
                <tr key={`${groupOf(run)}-${run.replicate}`} data-testid={`run-${index}`}>
                  <th scope="row">
                    <Swatch color={run.color} runKey={run.runKey} />
                    {labels[index]}
                  </th>
                  <td>{s.step || '–'}</td>
                  <td data-testid={`loss-${index}`}>{fmt(s.trainLoss)}</td>
                  <td>{fmt(s.finalTestLoss)}</td>
                  <td>{pct(s.finalTestAccuracy)}</td>
                  <td>{pct(s.bestTestAccuracy)}</td>
                  <td>{Number.isFinite(s.stepsToTarget) ? s.stepsToTarget : '–'}</td>
                  <td className="status">{diverged == null ? 'ok' : `diverged at ${diverged}`}</td>
                  <td>{fmt(s.msPerStep, 3)}</td>
                </tr>
              );
            })}
          </tbody>
          {replicated && (
            <tbody className="aggregate">
              {[...groups].map(([method, indices]) => {
                const members = indices.map((index) => stats[index]);
                const { mean, std, diverged } = aggregateStats(members);
                const run = runs[indices[0]];
                // Mean over ± std on two lines, so that the table keeps to its panel's width.
                const pm = (key: keyof typeof mean, as: (v: number) => string = fmt) => (
                  <>
                    {as(mean[key])}
                    <span className="pm">± {as(std[key])}</span>
                  </>
                );
                return (
                  <tr key={`m${method}`} data-testid={`method-summary-${run.point ? method : run.method}`}>
                    <th scope="row">
                      <Swatch color={run.color} runKey={run.runKey} />
                      {sweepLabel(run.label, run.swept ?? {})} (mean ± std of {members.length})
                    </th>
                    <td>{fmt(mean.step, 4)}</td>
                    <td>{pm('trainLoss')}</td>
                    <td>{pm('finalTestLoss')}</td>
                    <td>{pm('finalTestAccuracy', pct)}</td>
                    <td>{pm('bestTestAccuracy', pct)}</td>
                    <td>{pm('stepsToTarget', (v) => fmt(v, 3))}</td>
                    <td className="status">{diverged === 0 ? 'ok' : `${diverged} diverged`}</td>
                    <td>{pm('msPerStep', (v) => fmt(v, 3))}</td>
                  </tr>
                );
              })}
            </tbody>
          )}
        </table>
      </div>
    </section>
  );
}
