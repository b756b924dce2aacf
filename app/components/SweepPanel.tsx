// The sweep's conclusions in the page: the sensitivity plot (or heatmaps for two axes) and the paired
// comparison against a reference the user picks (difference curve and table with Holm-corrected
// p-values), from the store's records through one selector (app/sweep-view.ts). The main charts show
// each method at its best point, or the group last clicked here.
import { useEffect, useMemo } from 'react';
import { MIN_PAIRS } from '../../src/stats/paired';
import { OUTCOME_METRICS, type OutcomeMetric } from '../../src/stats/run-outcome';
import { bestGroups, differenceCurve, pairedTable, sensitivity, type CurvePoint, type SweepGroup } from '../../src/stats/sweep-analysis';
import { focusRunsOf, useSweepData, useSweepView, type SweepData } from '../sweep-view';
import { DifferencePlot, Heatmap, SensitivityPlot } from './SweepPlots';
import { tickText } from './plot-frame';

const pText = (p: number | null) => (p === null ? '–' : p < 1e-4 ? p.toExponential(1) : p.toFixed(4));

/** Metric, tolerance and x-axis pickers. */
function SweepSettings({ data }: { data: SweepData }) {
  const view = useSweepView();
  return (
    <div className="chart-settings">
      <label>
        metric{' '}
        <select value={view.metric} onChange={(event) => view.set({ metric: event.target.value as OutcomeMetric })} data-testid="sweep-metric">
          {Object.entries(OUTCOME_METRICS).map(([key, { label }]) => (
            <option key={key} value={key}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label title="The values whose mean is within this share of the best mean are marked (underlined) as the robust range.">
        within{' '}
        <input type="number" min={0} max={100} step={0.5} value={view.tolerance * 100} onChange={(event) => view.set({ tolerance: Math.max(0, Number(event.target.value)) / 100 })} data-testid="sweep-tolerance" aria-label="tolerance in percent of the best" />
        % of the best
      </label>
      {data.fields.length > 1 && (
        <label>
          x axis{' '}
          <select value={view.xField ?? data.fields[0]} onChange={(event) => view.set({ xField: event.target.value })} data-testid="sweep-x">
            {data.fields.map((field) => (
              <option key={field}>{field}</option>
            ))}
          </select>
        </label>
      )}
    </div>
  );
}

/** The paired table: per method the mean difference, its interval, t-test and signed-rank p (raw and Holm), effect size. */
function PairedTable({ data, reference }: { data: SweepData; reference: SweepGroup }) {
  const view = useSweepView();
  const rows = useMemo(() => pairedTable(data.groups, data.outcomes, view.metric, reference, view.compareAt), [data, view.metric, reference, view.compareAt]);
  const first = rows[0];
  const curve = useMemo(() => {
    if (!first) return [];
    const field = OUTCOME_METRICS[view.metric].curve;
    const records: CurvePoint[][] = []; // only the compared runs' (a sweep has hundreds), at most CURVE_POINTS steps each
    for (const run of [...first.group.runs, ...reference.runs]) records[run] = data.curveOf(run, field);
    return differenceCurve(records, first.group, reference, field);
  }, [data, first, reference, view.metric]);
  return (
    <>
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Paired comparison (scrolls sideways)">
        <table data-testid="paired-table">
          <thead>
            <tr>
              <th scope="col">Method</th>
              <th scope="col">Pairs</th>
              <th scope="col">Mean difference</th>
              <th scope="col">95 % interval</th>
              <th scope="col" title="Paired t-test of method − reference, two-sided; Holm-adjusted across the methods in this table">t-test p (Holm)</th>
              <th scope="col" title="Wilcoxon signed-rank test, two-sided (exact below 50 pairs without ties); Holm-adjusted across the methods">Wilcoxon p (Holm)</th>
              <th scope="col" title="Effect size d_z = mean difference / standard deviation of the differences">d_z</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const { result } = row;
              return (
                <tr key={row.group.key} data-testid={`paired-${row.group.method}`}>
                  <th scope="row">{row.group.label}</th>
                  <td>{result.n}</td>
                  <td>{tickText(result.difference.mean)}</td>
                  <td>{Number.isFinite(result.difference.low) ? `${tickText(result.difference.low)} – ${tickText(result.difference.high)}` : '–'}</td>
                  <td data-testid={`ttest-${row.group.method}`}>{result.tTest.p === null ? result.tTest.note : `${pText(result.tTest.p)} (${pText(row.tTestHolm)})`}</td>
                  <td data-testid={`wilcoxon-${row.group.method}`}>{result.wilcoxon.p === null ? result.wilcoxon.note : `${pText(result.wilcoxon.p)} (${pText(row.wilcoxonHolm)})`}</td>
                  <td>{tickText(result.effectSize)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {data.replicates < MIN_PAIRS.wilcoxon && (
        <p className="muted" data-testid="paired-note">
          With {data.replicates} replicate{data.replicates === 1 ? '' : 's'} the signed-rank test cannot reach p &lt; 0.05 (it needs ≥ {MIN_PAIRS.wilcoxon}); the t-test needs ≥ {MIN_PAIRS.tTest}.
        </p>
      )}
      {first && curve.length > 0 && (
        <figure className="chart">
          <figcaption>
            {first.group.label} − {reference.label}: {OUTCOME_METRICS[view.metric].curve} over steps (paired by replicate, 95 % band)
          </figcaption>
          <DifferencePlot curve={curve} color={first.group.color} label={`${OUTCOME_METRICS[view.metric].curve} difference`} />
        </figure>
      )}
    </>
  );
}

/** The sweep panel: settings, sensitivity plot or heatmaps, and the paired comparison. Hidden without a sweep. */
export function SweepPanel() {
  const data = useSweepData();
  const view = useSweepView();
  const xField = data ? (view.xField && data.fields.includes(view.xField) ? view.xField : data.fields[0]) : '';
  const series = useMemo(() => (data ? sensitivity(data.groups, data.outcomes, view.metric, xField, view.tolerance) : []), [data, view.metric, xField, view.tolerance]);
  const best = useMemo(() => (data ? bestGroups(data.groups, data.outcomes, view.metric) : new Map<number, SweepGroup>()), [data, view.metric]);
  const focus = useMemo(() => (data ? focusRunsOf(data, view.metric, view.clicked) : null), [data, view.metric, view.clicked]);
  const setView = view.set;
  // Only a different set of runs is news: the charts rebuild their models (over the whole history) when it changes.
  useEffect(() => {
    const current = useSweepView.getState().focusRuns;
    const same = current !== null && focus !== null && current.length === focus.length && current.every((run, i) => run === focus[i]);
    if (!same) setView({ focusRuns: focus });
  }, [focus, setView]);
  useEffect(() => () => setView({ focusRuns: null }), [setView]);
  if (!data) return null;
  const reference = data.groups.find((group) => group.key === view.reference) ?? best.get(data.groups[0].method) ?? data.groups[0];
  const twoAxes = data.fields.length === 2;
  const methods = [...new Set(data.groups.map((group) => group.method))];
  const heatmaps = twoAxes ? methods.map((method) => data.groups.filter((group) => group.method === method)).filter((own) => data.fields.every((field) => field in own[0].swept)) : [];
  const pick = (key: string) => setView({ clicked: view.clicked === key ? null : key });
  const clickedGroup = data.groups.find((group) => group.key === view.clicked);
  return (
    <section className="panel sweep" aria-labelledby="sweep-title" data-testid="sweep-panel">
      <h2 id="sweep-title">Sweep: {data.groups.length} method × value groups, {data.replicates} replicates each</h2>
      <SweepSettings data={data} />
      <figure className="chart">
        <figcaption>
          Sensitivity: {OUTCOME_METRICS[view.metric].label} against {xField} (mean, 95 % band over replicates; ringed: best; underlined: within {(view.tolerance * 100).toFixed(1)} % of the best)
        </figcaption>
        <SensitivityPlot series={series.filter((line) => !twoAxes || !heatmaps.some((own) => own[0].method === line.method))} metric={view.metric} field={xField} clicked={view.clicked} onPick={pick} />
      </figure>
      {heatmaps.length > 0 && (
        <div className="heatmaps">
          {heatmaps.map((own) => (
            <Heatmap key={own[0].method} groups={own} outcomes={data.outcomes} metric={view.metric} fields={data.fields as [string, string]} onPick={pick} />
          ))}
        </div>
      )}
      <p className="muted" data-testid="sweep-focus">
        Curves above: {clickedGroup ? `${clickedGroup.label} (click it again for each method at its best)` : `each method at its best ${xField}: ${[...best.values()].map((group) => group.label).join(', ')}`}
      </p>
      <h3>Paired comparison</h3>
      <div className="chart-settings">
        <label>
          reference{' '}
          <select value={reference.key} onChange={(event) => setView({ reference: event.target.value })} data-testid="paired-reference">
            {data.groups.map((group) => (
              <option key={group.key} value={group.key}>
                {group.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          compare{' '}
          <select value={view.compareAt} onChange={(event) => setView({ compareAt: event.target.value as 'best' | 'same' })} data-testid="paired-at">
            <option value="best">each method at its best value</option>
            <option value="same">each method at the reference&apos;s value</option>
          </select>
        </label>
      </div>
      <PairedTable data={data} reference={reference} />
    </section>
  );
}
