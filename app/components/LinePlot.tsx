// The live charts' plot: the chart rows (app/chart-model.ts) drawn as SVG paths in a PlotFrame,
// at the width of its container; a band per series where the rows carry one (LEAP's η ± σ, the
// replicates' ± std), a dot per series when there is a single row, and a readout of every series
// at the x under the pointer. A redraw is one React render of a few dozen elements, each line one
// path string built from at most ~250 rows: a few milliseconds whatever the length of the run.
// (recharts, which drew these charts before, puts each redraw's data into its own store from an
// effect and renders the chart again synchronously, 30–50 ms a chart on SwiftShader: the page
// soak's long tasks, scripts/trace-page.mjs. The teaching demos' static charts still use it.)
import { useId, useLayoutEffect, useMemo, useRef, useState, type PointerEvent, type RefObject } from 'react';
import type { ChartRow } from '../series';
import { makeScale, pathAlong, PlotFrame, tickText, type PlotBox } from './plot-frame';

/** One line as drawn: its series id (the row key), name, colour, dash, width and opacity. */
export interface PlotLine {
  id: string;
  label: string;
  color: string;
  dash: string;
  width: number;
  opacity: number;
}

const HEIGHT = 220;
const MARGIN = { left: 56, right: 12, top: 6, bottom: 34 };

/** The width of an element's content box, followed as it resizes (0 until measured). */
function useWidth(element: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const node = element.current;
    if (!node) return;
    // The observer reports the first size at once, then every change.
    const observer = new ResizeObserver((entries) => setWidth(Math.floor(entries[0].contentRect.width)));
    observer.observe(node);
    return () => observer.disconnect();
  }, [element]);
  return width;
}

/** The index of the row whose x is nearest `x` (rows sorted by x; -1 when none). */
export function nearestRow(rows: readonly ChartRow[], x: number): number {
  if (rows.length === 0 || !Number.isFinite(x)) return -1;
  let [low, high] = [0, rows.length - 1];
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    if (rows[middle].x <= x) low = middle;
    else high = middle;
  }
  return Math.abs(rows[high].x - x) < Math.abs(rows[low].x - x) ? high : low;
}

/** A value of a row as a number (NaN when the series has none at this row). */
const valueAt = (row: ChartRow, id: string) => {
  const value = row[id];
  return typeof value === 'number' ? value : Number.NaN;
};

/**
 * Draws `lines` (in order: the last in front) over `rows`, on a y axis spanning `yDomain` with
 * `yTicks` (log10 when `logY`; the log axis finds its own ticks), an x axis spanning the rows with
 * `xTicks`. Values outside the domain are clipped to the plotting area.
 */
export function LinePlot({ rows, lines, logY, yDomain, xTicks, yTicks, xLabel, title, testId }: { rows: readonly ChartRow[]; lines: readonly PlotLine[]; logY: boolean; yDomain: readonly [number, number]; xTicks?: readonly number[]; yTicks?: readonly number[]; xLabel: string; title: string; testId: string }) {
  const container = useRef<HTMLDivElement>(null);
  const width = useWidth(container);
  const clip = useId();
  const [pointer, setPointer] = useState<number | null>(null); // the data x under the pointer
  const box: PlotBox = useMemo(() => ({ width: Math.max(width, 120), height: HEIGHT, ...MARGIN }), [width]);
  const first = rows[0]?.x ?? 0;
  const last = rows[rows.length - 1]?.x ?? 0;
  const x = useMemo(() => {
    const scale = makeScale(first, last, box.left, box.width - box.right, false);
    if (xTicks) scale.ticks = [...xTicks];
    return scale;
  }, [first, last, box, xTicks]);
  const y = useMemo(() => {
    const scale = makeScale(yDomain[0], yDomain[1], box.height - box.bottom, box.top, logY);
    if (yTicks && !logY) scale.ticks = [...yTicks];
    return scale;
  }, [yDomain, box, logY, yTicks]);
  const hovered = pointer === null ? -1 : nearestRow(rows, pointer);
  const move = (event: PointerEvent<HTMLDivElement>) => {
    const bounds = event.currentTarget.getBoundingClientRect();
    const px = event.clientX - bounds.left;
    // The inverse of the linear x scale.
    const [a, b] = [x(first), x(last)];
    setPointer(b === a ? first : first + ((px - a) / (b - a)) * (last - first));
  };
  const [plotLeft, plotRight, plotTop, plotBottom] = [box.left, box.width - box.right, box.top, box.height - box.bottom];
  return (
    <div ref={container} className="line-plot" onPointerMove={move} onPointerLeave={() => setPointer(null)}>
      {width > 0 && (
        <PlotFrame x={x} y={y} xLabel={xLabel} testId={testId} title={title} box={box} exact>
          <defs>
            <clipPath id={clip}>
              <rect x={plotLeft} y={plotTop} width={plotRight - plotLeft} height={plotBottom - plotTop} />
            </clipPath>
          </defs>
          <g clipPath={`url(#${clip})`}>
            {/* Each line's band, where its rows carry one (LEAP's η ± σ, the replicates' ± std). */}
            {lines.map((line) => {
              const key = `${line.id}:band`;
              const kept: number[] = []; // the rows with a band
              for (let i = 0; i < rows.length; i++) {
                const band = rows[i][key];
                if (Array.isArray(band) && Number.isFinite(band[0]) && Number.isFinite(band[1])) kept.push(i);
              }
              if (kept.length < 2) return null;
              const bandAt = (i: number, side: 0 | 1) => (rows[i][key] as readonly [number, number])[side];
              const n = kept.length;
              const lower = pathAlong(n, (i) => x(rows[kept[i]].x), (i) => y(bandAt(kept[i], 0)));
              const upper = pathAlong(n, (i) => x(rows[kept[n - 1 - i]].x), (i) => y(bandAt(kept[n - 1 - i], 1)));
              return <path key={key} className={`band band-${line.id}`} d={`${lower}${upper.replace(/^M/, 'L')}Z`} fill={line.color} fillOpacity={0.15} stroke="none" />;
            })}
            {lines.map((line) => {
              // Missing values are stepped over (a line joins the points on either side of a gap).
              const kept: number[] = [];
              for (let i = 0; i < rows.length; i++) if (Number.isFinite(y(valueAt(rows[i], line.id)))) kept.push(i);
              const px = (i: number) => x(rows[kept[i]].x);
              const py = (i: number) => y(valueAt(rows[kept[i]], line.id));
              if (kept.length === 1) return <circle key={line.id} className={`dot series-${line.id}`} cx={px(0)} cy={py(0)} r={3} fill={line.color} />;
              return (
                <path key={line.id} className={`line series-${line.id}`} d={pathAlong(kept.length, px, py)} fill="none" stroke={line.color} strokeWidth={line.width} strokeOpacity={line.opacity} strokeDasharray={line.dash || undefined} strokeLinejoin="round" />
              );
            })}
          </g>
          {hovered >= 0 && <line className="cursor" x1={x(rows[hovered].x)} x2={x(rows[hovered].x)} y1={plotTop} y2={plotBottom} stroke="var(--fg-muted)" strokeWidth={1} />}
        </PlotFrame>
      )}
      {hovered >= 0 && (
        <Readout row={rows[hovered]} lines={lines} xLabel={xLabel} left={x(rows[hovered].x) > box.width / 2 ? undefined : x(rows[hovered].x) + 12} right={x(rows[hovered].x) > box.width / 2 ? box.width - x(rows[hovered].x) + 12 : undefined} />
      )}
    </div>
  );
}

/** The hover readout: the x, then every line's value (and band) at that row, in the lines' order. */
function Readout({ row, lines, xLabel, left, right }: { row: ChartRow; lines: readonly PlotLine[]; xLabel: string; left?: number; right?: number }) {
  return (
    <div className="chart-tooltip" style={{ left, right }} data-testid="chart-tooltip">
      <div>
        {xLabel} {tickText(row.x)}
      </div>
      {lines.map((line) => {
        const value = valueAt(row, line.id);
        const band = row[`${line.id}:band`];
        if (!Number.isFinite(value)) return null;
        return (
          <div key={line.id} style={{ color: line.color }}>
            {line.label}: {tickText(value)}
            {Array.isArray(band) && ` (${tickText(band[0])} – ${tickText(band[1])})`}
          </div>
        );
      })}
    </div>
  );
}
