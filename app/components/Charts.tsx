// Live charts (SVG, ./LinePlot.tsx) over the store's raw records: train loss, test loss, test accuracy,
// effective learning rate (log; LEAP's band as an area) and AutoDrop's angular velocity. Smoothing,
// decimation and replicate means are display-only (app/series.ts); redraws are throttled to
// animation frames a few times a second so the page stays smooth while training. Axes are padded
// (accuracy spans [0, 1]); lines on top of each other are drawn as a widening stack and named under
// the chart, and hovering a run in the legend brings its line to the front (app/chart-axes.ts).
import { memo, startTransition, useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { create } from 'zustand';
import { coincidences, describeCoincidence, innerTicks, linearTicks, strokeWidths, yDomain } from '../chart-axes';
import type { RecordTable } from '../../src/experiment/record-table';
import type { ExperimentSummary } from '../engine-protocol';
import { download } from '../actions';
import { ChartModel } from '../chart-model';
import { dashOf, type ChartOptions, type MetricKey, type SeriesSpec } from '../series';
import { recordsVersion, useLab } from '../store';
import { runLabel } from '../../src/experiment/expand';
import { sweepLabel } from '../../src/experiment/sweep';
import { useSweepView, type SweepViewState } from '../sweep-view';
import { useOnScreen, useThrottledStore } from '../redraw';
import { LinePlot, type PlotLine } from './LinePlot';

/**
 * The chart lines: per stacked run, or per method and sweep point (mean ± std) when replicates are
 * aggregated; only the runs in `shown` when given (a sweep's focus, app/sweep-view.ts).
 */
export function seriesOf(summary: ExperimentSummary | null, aggregate: boolean, hidden: Record<number, boolean>, shown: readonly number[] | null = null): SeriesSpec[] {
  if (!summary) return [];
  const only = shown ? new Set(shown) : null;
  const methods = new Map<string, SeriesSpec>();
  const specs: SeriesSpec[] = [];
  summary.runs.forEach((run, index) => {
    if (hidden[run.runKey] || (only && !only.has(index))) return;
    const dash = dashOf(run.runKey);
    const label = sweepLabel(run.label, run.swept ?? {});
    if (aggregate) {
      const key = `${run.method}:${run.point ?? 0}`;
      const existing = methods.get(key);
      if (existing) existing.runs.push(index);
      else {
        const spec = { id: run.point ? `m${run.method}p${run.point}` : `m${run.method}`, label, color: run.color, runs: [index], dash, runKey: run.runKey };
        methods.set(key, spec);
        specs.push(spec);
      }
    } else {
      specs.push({ id: `r${index}`, label: runLabel(label, run.replicate), color: run.color, runs: [index], dash, runKey: run.runKey });
    }
  });
  return specs;
}

interface ChartSpec {
  metric: MetricKey;
  title: string;
  log: 'view' | 'always' | 'never';
  band?: boolean;
  /** A share in [0, 1] (accuracy): the axis spans exactly that. */
  unit?: boolean;
}

const focusRuns = (state: SweepViewState) => state.focusRuns;

/** The run whose legend button the pointer or focus is on: its lines come to the front, the others fade. */
const useHighlight = create<{ runKey: number | null }>()(() => ({ runKey: null }));
const LINE_WIDTH = 1.8;
/**
 * Rows per chart at most (app/chart-model.ts keeps the ends and every spike): about one per pixel
 * of a chart's width.
 */
const MAX_POINTS = 250;
/**
 * Table rows a chart folds in one redraw at most (about 10 ms here). A new model (another view,
 * a sweep's new focus) reads its runs' whole history: a long one goes on over several redraws,
 * the curve growing from the left, instead of one long task.
 */
const FOLD_ROWS = 20_000;

export const CHARTS: ChartSpec[] = [
  { metric: 'trainLoss', title: 'Train loss', log: 'view' },
  { metric: 'testLoss', title: 'Test loss', log: 'view' },
  { metric: 'testAccuracy', title: 'Test accuracy', log: 'never', unit: true },
  { metric: 'lrExpected', title: 'Effective learning rate (LRD: expected rate; LEAP: η ± σ band)', log: 'always', band: true },
  { metric: 'angle', title: 'AutoDrop angular velocity (degrees)', log: 'never' },
];

/** Serializes a chart's SVG (computed colours inlined) for export. */
function chartSvg(container: HTMLElement | null): string | null {
  const svg = container?.querySelector('svg.plot');
  if (!svg) return null;
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const style = getComputedStyle(container!);
  copy.style.background = style.getPropertyValue('--bg') || '#fff';
  copy.querySelectorAll('text').forEach((text) => text.setAttribute('fill', style.color));
  return new XMLSerializer().serializeToString(copy);
}

/** Downloads a chart as SVG, or as PNG drawn through a canvas. */
async function exportChart(container: HTMLElement | null, format: 'svg' | 'png', metric: string): Promise<void> {
  const svg = chartSvg(container);
  if (!svg) return;
  if (format === 'svg') return download(svg, 'image/svg+xml', `${metric}.svg`);
  const image = new Image();
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  await new Promise<void>((resolve, reject) => {
    image.onload = () => resolve();
    image.onerror = () => reject(new Error('the chart could not be drawn'));
    image.src = url;
  });
  const canvas = document.createElement('canvas');
  const scale = 2;
  canvas.width = image.width * scale;
  canvas.height = image.height * scale;
  const context = canvas.getContext('2d')!;
  context.fillStyle = getComputedStyle(container!).getPropertyValue('--bg') || '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  URL.revokeObjectURL(url);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (blob) download(blob, 'image/png', `${metric}.png`);
}

/**
 * One chart (memoized: it redraws only when its throttled records, series or view change). Its
 * rows come from a ChartModel that folds in only what changed since the last redraw; a new model
 * is built when the view, the series or the experiment (a cleared table) change.
 */
function Chart(props: { spec: ChartSpec; records: RecordTable; series: SeriesSpec[] }) {
  // Each chart follows the records on its own clock (app/redraw.ts): one chart at a time, none out of sight.
  const figure = useRef<HTMLElement>(null);
  const version = useThrottledStore(useLab, recordsVersion, 400, useOnScreen(figure));
  return <ChartView {...props} version={version} figure={figure} />;
}

const ChartView = memo(function ChartView({ spec, records, version, series, figure }: { spec: ChartSpec; records: RecordTable; version: number; series: SeriesSpec[]; figure: RefObject<HTMLElement | null> }) {
  const view = useLab((state) => state.view);
  const phase = useLab((state) => state.phase);
  const highlight = useHighlight((state) => state.runKey);
  const box = useRef<HTMLDivElement>(null);
  const logY = spec.log === 'always' || (spec.log === 'view' && view.logY);
  const options = useMemo<ChartOptions>(
    () => ({ metric: spec.metric, axis: view.axis, smoothing: spec.metric === 'angle' || spec.metric === 'lrExpected' ? 0 : view.smoothing, logY, maxPoints: MAX_POINTS, band: spec.band }),
    [spec, view.axis, view.smoothing, logY],
  );
  // A new model when the view, the series or the experiment (a cleared table: a new generation) change;
  // each redraw folds in only the records that changed since the last one.
  const generation = records.generation;
  const model = useMemo(() => new ChartModel(series, options, generation), [series, options, generation]);
  const [more, setMore] = useState(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the table changes in place: its version, and the fold's next part (more), say when
  const rows = useMemo(() => model.rows(records, version, FOLD_ROWS), [model, records, version, more]);
  const behind = !model.caughtUp(records);
  // Not caught up (a long first fold): the next part in the next redraw.
  useEffect(() => {
    if (!behind) return;
    const timer = setTimeout(() => startTransition(() => setMore((n) => n + 1)), 0);
    return () => clearTimeout(timer);
  }, [behind, rows]);
  const xLabel = view.axis === 'step' ? 'step' : view.axis === 'epoch' ? 'epoch' : 'wall time (s)';
  // Only runs that have this metric (the angle exists for AutoDrop runs only).
  const shown = series.filter((s) => rows.some((row) => row[s.id] !== undefined));
  const computed = useMemo(() => yDomain(rows, shown.map((s) => s.id), spec.unit ? 'unit' : logY ? 'log' : 'linear'), [rows, shown, spec.unit, logY]);
  const groups = useMemo(() => coincidences(rows, shown), [rows, shown]);
  const firstX = rows[0]?.x ?? 0;
  const lastX = rows[rows.length - 1]?.x ?? 0;
  const xTicks = useMemo(() => innerTicks(firstX, lastX), [firstX, lastX]);
  const yTicks = useMemo(() => (computed && !logY ? linearTicks(computed) : undefined), [computed, logY]);
  const widths = strokeWidths(groups, LINE_WIDTH);
  // The highlighted run's lines last: in front of the others.
  const lines: PlotLine[] = shown
    .map((s) => ({
      id: s.id,
      label: s.label,
      color: s.color,
      dash: s.dash,
      width: (widths.get(s.id) ?? LINE_WIDTH) + (s.runKey === highlight ? 1.2 : 0),
      opacity: highlight === null || s.runKey === highlight ? 1 : 0.3,
      front: s.runKey === highlight,
    }))
    .sort((a, b) => Number(a.front) - Number(b.front));
  const labelOf = (id: string) => shown.find((s) => s.id === id)?.label ?? id;
  const empty = phase === 'no-webgpu' ? 'Nothing trains in this browser: it has no WebGPU (see above).' : phase === 'starting' ? 'Starting…' : 'No data yet: press Train (or space).';
  return (
    <figure ref={figure} className="chart" data-testid={`chart-${spec.metric}`} data-points={rows.length}>
      <figcaption>
        <span>{spec.title}</span>
        <span className="chart-actions">
          <button type="button" onClick={() => void exportChart(box.current, 'svg', spec.metric)} data-testid={`svg-${spec.metric}`} aria-label={`${spec.title}: download SVG`}>
            SVG
          </button>
          <button type="button" onClick={() => void exportChart(box.current, 'png', spec.metric)} aria-label={`${spec.title}: download PNG`}>
            PNG
          </button>
        </span>
      </figcaption>
      <div ref={box} className="chart-box">
        {rows.length === 0 || !computed ? (
          <p className="empty">{empty}</p>
        ) : (
          <LinePlot rows={rows} lines={lines} logY={logY} yDomain={computed} xTicks={xTicks} yTicks={yTicks} xLabel={xLabel} title={spec.title} testId={`plot-${spec.metric}`} />
        )}
      </div>
      {groups.length > 0 && (
        <p className="overlap" data-testid={`overlap-${spec.metric}`}>
          On one line: {groups.map((group) => describeCoincidence(group, labelOf)).join('; ')}. The lower lines are drawn wider; hover a run in the legend to bring it to the front.
        </p>
      )}
    </figure>
  );
});

/** The legend: one button per run (method), toggling it on the charts; dash samples besides colour. */
function Legend() {
  const summary = useLab((state) => state.summary);
  const hidden = useLab((state) => state.hidden);
  const toggleHidden = useLab((state) => state.toggleHidden);
  const highlight = (runKey: number | null) => useHighlight.setState({ runKey });
  const methods = summary ? summary.runs.filter((run) => run.replicate === 0 && !run.point) : [];
  return (
    <div className="legend" role="group" aria-label="Runs shown on the charts" data-testid="legend">
      {methods.map((run) => (
        <button
          key={run.runKey}
          type="button"
          aria-pressed={!hidden[run.runKey]}
          onClick={() => toggleHidden(run.runKey)}
          onMouseEnter={() => highlight(run.runKey)}
          onMouseLeave={() => highlight(null)}
          onFocus={() => highlight(run.runKey)}
          onBlur={() => highlight(null)}
          className={hidden[run.runKey] ? 'off' : ''}
          data-testid={`legend-${run.method}`}
        >
          <svg width="28" height="10" aria-hidden="true">
            <line x1="0" y1="5" x2="28" y2="5" stroke={run.color} strokeWidth="2.5" strokeDasharray={dashOf(run.runKey)} />
          </svg>
          {run.label}
        </button>
      ))}
    </div>
  );
}

/** Chart settings: smoothing, log/linear, x axis, replicate aggregation. */
function ChartSettings() {
  const view = useLab((state) => state.view);
  const setView = useLab((state) => state.setView);
  const replicates = useLab((state) => (state.summary ? state.summary.runs.length / Math.max(1, new Set(state.summary.runs.map((r) => r.method)).size) : 1));
  return (
    <div className="chart-settings">
      <label>
        Smoothing {view.smoothing.toFixed(2)}
        <input type="range" min={0} max={0.99} step={0.01} value={view.smoothing} onChange={(event) => setView({ smoothing: Number(event.target.value) })} data-testid="smoothing" />
      </label>
      <label>
        <input type="checkbox" checked={view.logY} onChange={(event) => setView({ logY: event.target.checked })} data-testid="log-y" /> log-scale loss
      </label>
      <label>
        x axis{' '}
        <select value={view.axis} onChange={(event) => setView({ axis: event.target.value as typeof view.axis })} data-testid="x-axis">
          <option value="step">step</option>
          <option value="epoch">epoch</option>
          <option value="wall">wall time</option>
        </select>
      </label>
      {replicates > 1 && (
        <label>
          <input type="checkbox" checked={view.aggregate} onChange={(event) => setView({ aggregate: event.target.checked })} data-testid="aggregate" /> mean ± std of replicates
        </label>
      )}
    </div>
  );
}

/** Every chart, redrawn a few times a second at most. */
export function Charts() {
  const records = useLab((state) => state.records);
  const summary = useLab((state) => state.summary);
  const hidden = useLab((state) => state.hidden);
  const aggregate = useLab((state) => state.view.aggregate);
  // A new focus rebuilds every chart's model over the history of its runs: a redraw in its turn (a
  // transition, chart by chart), not a synchronous render of all five with the store's update.
  const focus = useThrottledStore(useSweepView, focusRuns, 0);
  const series = useMemo(() => seriesOf(summary, aggregate, hidden, focus), [summary, aggregate, hidden, focus]);
  const hasAngles = useLab((state) => state.config?.runs.some((run) => run.autodrop) ?? false);
  return (
    <section className="panel charts" aria-labelledby="charts-title">
      <h2 id="charts-title">Curves</h2>
      <ChartSettings />
      <Legend />
      <div className="chart-grid">
        {CHARTS.filter((spec) => spec.metric !== 'angle' || hasAngles).map((spec) => (
          <Chart key={spec.metric} spec={spec} records={records} series={series} />
        ))}
      </div>
    </section>
  );
}
