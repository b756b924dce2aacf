// The sweep's plots, in SVG: the sensitivity of each method to a swept field (mean and 95 % band over
// replicates, log x for rates, the best value ringed and the values within the tolerance underlined),
// a heatmap per method for two axes, and the paired difference curve over steps. Clicking a point or
// a cell shows that group's runs in the main charts.
import type { SensitivitySeries, DifferencePoint, SweepGroup } from '../../src/stats/sweep-analysis';
import { meanInterval } from '../../src/stats/paired';
import type { OutcomeMetric, RunOutcome } from '../../src/stats/run-outcome';
import { OUTCOME_METRICS } from '../../src/stats/run-outcome';
import { extent, makeScale, pathOf, PLOT, PlotFrame, tickText } from './plot-frame';

const { width, height, left, right, top, bottom } = PLOT;

/** Whether a swept field is a rate (its axis is logarithmic). */
export const isRateField = (field: string) => field === 'lr' || /(^|\.)(lr|maxLr|minLr|rateLow|rateHigh|sigma|weightDecay|eps|lrMin)$/.test(field);

/** The sensitivity plot: one line per series, its 95 % band, clickable points, the best ringed, the tolerance range underlined. */
export function SensitivityPlot({ series, metric, field, clicked, onPick }: { series: SensitivitySeries[]; metric: OutcomeMetric; field: string; clicked: string | null; onPick: (key: string) => void }) {
  const points = series.flatMap((line) => line.points);
  const [xMin, xMax] = extent(points.map((point) => point.x));
  const [yMin, yMax] = extent(points.flatMap((point) => [point.stats.low, point.stats.high, point.stats.mean]));
  if (!Number.isFinite(xMin) || !Number.isFinite(yMin)) return <p className="empty">No outcomes yet: train the sweep (test metrics come at each evaluation).</p>;
  const x = makeScale(xMin, xMax, left + 8, width - right - 8, isRateField(field) && xMin > 0);
  const y = makeScale(yMin, yMax, height - bottom, top, false);
  const label = OUTCOME_METRICS[metric].label;
  return (
    <PlotFrame x={x} y={y} xLabel={field} yLabel={label} testId="sensitivity-plot" title={`${label} against ${field}, per method, mean and 95 % band over replicates`}>
      {series.map((line, s) => {
        const band = [...line.points.map((p) => [x(p.x), y(Number.isFinite(p.stats.high) ? p.stats.high : p.stats.mean)] as [number, number]), ...[...line.points].reverse().map((p) => [x(p.x), y(Number.isFinite(p.stats.low) ? p.stats.low : p.stats.mean)] as [number, number])];
        const within = line.withinTolerance.map((index) => line.points[index].x);
        const underline = y.ticks.length ? height - bottom - 4 - 3 * s : 0;
        return (
          <g key={`${line.method}|${line.label}`} data-testid={`sensitivity-${line.method}`}>
            <path d={`${pathOf(band)}Z`} fill={line.color} fillOpacity={0.13} stroke="none" />
            <path d={pathOf(line.points.map((p) => [x(p.x), y(p.stats.mean)]))} fill="none" stroke={line.color} strokeWidth={1.8} />
            {within.length > 0 && <line x1={x(Math.min(...within)) - 3} x2={x(Math.max(...within)) + 3} y1={underline} y2={underline} stroke={line.color} strokeWidth={2.5} data-testid={`within-${line.method}`} />}
            {line.points.map((point, index) => (
              <circle
                key={point.group.key}
                cx={x(point.x)}
                cy={y(point.stats.mean)}
                r={index === line.best ? 5.5 : 3.5}
                fill={point.group.key === clicked ? 'var(--fg)' : line.color}
                stroke={index === line.best ? 'var(--fg)' : 'none'}
                strokeWidth={1.5}
                onClick={() => onPick(point.group.key)}
                style={{ cursor: 'pointer' }}
                data-testid={`point-${point.group.key}`}
                data-best={index === line.best ? 'true' : undefined}
              >
                <title>
                  {`${point.group.label}: ${label} ${tickText(point.stats.mean)} (95 % ${tickText(point.stats.low)} – ${tickText(point.stats.high)}, n ${point.stats.n}${point.diverged ? `, ${point.diverged} diverged` : ''})${index === line.best ? ', best' : ''}. Click: show its curves.`}
                </title>
              </circle>
            ))}
          </g>
        );
      })}
    </PlotFrame>
  );
}

/** A heatmap of one method over two swept fields: cell shade = mean outcome (darker is better); click a cell to show its runs. */
export function Heatmap({ groups, outcomes, metric, fields, onPick }: { groups: SweepGroup[]; outcomes: RunOutcome[]; metric: OutcomeMetric; fields: [string, string]; onPick: (key: string) => void }) {
  const [fx, fy] = fields;
  const xs = [...new Set(groups.map((group) => group.swept[fx]))].sort((a, b) => a - b);
  const ys = [...new Set(groups.map((group) => group.swept[fy]))].sort((a, b) => a - b);
  const means = groups.map((group) => meanInterval(group.runs.map((run) => outcomes[run]?.[metric] ?? Number.NaN)).mean);
  const [low, high] = extent(means);
  const better = OUTCOME_METRICS[metric].higherIsBetter;
  const cell = 26;
  return (
    <figure className="heatmap" data-testid={`heatmap-${groups[0]?.method}`}>
      <figcaption>{groups[0]?.methodLabel}</figcaption>
      <svg width={60 + xs.length * cell} height={30 + ys.length * cell} role="img" aria-label={`${groups[0]?.methodLabel}: ${OUTCOME_METRICS[metric].label} over ${fx} and ${fy}`}>
        {groups.map((group, index) => {
          const shade = Number.isFinite(means[index]) && high > low ? (better ? (means[index] - low) / (high - low) : (high - means[index]) / (high - low)) : 0;
          return (
            <rect key={group.key} x={56 + xs.indexOf(group.swept[fx]) * cell} y={ys.indexOf(group.swept[fy]) * cell} width={cell - 2} height={cell - 2} fill={group.color} fillOpacity={0.1 + 0.85 * shade} onClick={() => onPick(group.key)} style={{ cursor: 'pointer' }} data-testid={`cell-${group.key}`}>
              <title>{`${group.label}: ${tickText(means[index])}`}</title>
            </rect>
          );
        })}
        {ys.map((value, row) => (
          <text key={value} x={52} y={row * cell + cell / 2 + 3} textAnchor="end" fontSize="10" fill="var(--fg-muted)">
            {tickText(value)}
          </text>
        ))}
        {xs.map((value, column) => (
          <text key={value} x={56 + column * cell + cell / 2} y={ys.length * cell + 12} textAnchor="middle" fontSize="9" fill="var(--fg-muted)">
            {tickText(value)}
          </text>
        ))}
      </svg>
      <p className="muted">x: {fx}, y: {fy}; darker is better</p>
    </figure>
  );
}

/** The paired difference curve (method − reference) over steps with its 95 % band; a dashed line at 0. */
export function DifferencePlot({ curve, color, label }: { curve: DifferencePoint[]; color: string; label: string }) {
  const [xMin, xMax] = extent(curve.map((point) => point.step));
  const [yMin, yMax] = extent(curve.flatMap((point) => [point.low, point.high, point.mean, 0]));
  if (!Number.isFinite(xMin)) return null;
  const x = makeScale(xMin, xMax, left, width - right, false);
  const y = makeScale(yMin, yMax, height - bottom, top, false);
  const band = [...curve.map((p) => [x(p.step), y(Number.isFinite(p.high) ? p.high : p.mean)] as [number, number]), ...[...curve].reverse().map((p) => [x(p.step), y(Number.isFinite(p.low) ? p.low : p.mean)] as [number, number])];
  return (
    <PlotFrame x={x} y={y} xLabel="step" yLabel={label} testId="difference-plot" title={`${label} over steps, mean and 95 % band over replicates`}>
      <line x1={left} x2={width - right} y1={y(0)} y2={y(0)} stroke="var(--fg-muted)" strokeDasharray="5 4" />
      <path d={`${pathOf(band)}Z`} fill={color} fillOpacity={0.15} stroke="none" />
      <path d={pathOf(curve.map((p) => [x(p.step), y(p.mean)]))} fill="none" stroke={color} strokeWidth={1.8} />
    </PlotFrame>
  );
}
