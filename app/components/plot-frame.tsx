// A small SVG plot frame for the sweep and range-test views: linear or log scales, ticks, axes and
// labels. The curves are drawn by the views themselves (their points carry test ids and clicks).
import type { ReactNode } from 'react';

/** A scale from data to pixels: linear, or log10 (values ≤ 0 map to NaN). */
export interface Scale {
  (value: number): number;
  ticks: number[];
  log: boolean;
}

/** A scale mapping [min, max] onto [from, to] pixels, log10 when `log`. */
export function makeScale(min: number, max: number, from: number, to: number, log: boolean): Scale {
  const f = (v: number) => (log ? (v > 0 ? Math.log10(v) : Number.NaN) : v);
  let [a, b] = [f(min), f(max)];
  if (!(b > a)) [a, b] = [a - (log ? 0.5 : Math.abs(a) * 0.1 || 1), b + (log ? 0.5 : Math.abs(b) * 0.1 || 1)];
  const scale = ((value: number) => from + ((f(value) - a) / (b - a)) * (to - from)) as Scale;
  scale.log = log;
  scale.ticks = log ? logTicks(a, b) : linearTicks(a, b);
  return scale;
}

/** Powers of ten within [10^a, 10^b] (every other one when many). */
function logTicks(a: number, b: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.ceil(a); e <= Math.floor(b); e++) ticks.push(10 ** e);
  if (ticks.length < 2) return [10 ** a, 10 ** b];
  return ticks.length > 6 ? ticks.filter((_, i) => i % 2 === 0) : ticks;
}

/** About five round ticks in [a, b]. */
function linearTicks(a: number, b: number): number[] {
  const step = 10 ** Math.floor(Math.log10((b - a) / 4));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => (b - a) / s <= 6) ?? step * 10;
  const ticks: number[] = [];
  for (let t = Math.ceil(a / nice) * nice; t <= b + nice * 1e-9; t += nice) ticks.push(Number(t.toPrecision(10)));
  return ticks;
}

/** A tick's text: 1e-3 style for powers of ten, short decimals otherwise. */
export const tickText = (value: number) =>
  Math.abs(value) >= 1e4 || (Math.abs(value) < 1e-2 && value !== 0) ? value.toExponential(0) : String(Number(value.toPrecision(3)));

export const PLOT = { width: 560, height: 260, left: 56, right: 12, top: 10, bottom: 36 };

/** The frame: grid lines at the ticks, axes, tick texts and axis labels, with the plot's children inside. */
export function PlotFrame({ x, y, xLabel, yLabel, children, testId, title }: { x: Scale; y: Scale; xLabel: string; yLabel: string; children: ReactNode; testId: string; title: string }) {
  const { width, height, left, right, top, bottom } = PLOT;
  return (
    <svg viewBox={`0 0 ${width} ${height}`} className="plot" role="img" aria-label={title} data-testid={testId}>
      {x.ticks.map((tick) => (
        <g key={`x${tick}`}>
          <line x1={x(tick)} x2={x(tick)} y1={top} y2={height - bottom} stroke="var(--grid)" strokeDasharray="3 3" />
          <text x={x(tick)} y={height - bottom + 14} textAnchor="middle" fontSize="10" fill="var(--fg-muted)">
            {tickText(tick)}
          </text>
        </g>
      ))}
      {y.ticks.map((tick) => (
        <g key={`y${tick}`}>
          <line x1={left} x2={width - right} y1={y(tick)} y2={y(tick)} stroke="var(--grid)" strokeDasharray="3 3" />
          <text x={left - 4} y={y(tick) + 3} textAnchor="end" fontSize="10" fill="var(--fg-muted)">
            {tickText(tick)}
          </text>
        </g>
      ))}
      <line x1={left} x2={left} y1={top} y2={height - bottom} stroke="var(--fg-muted)" />
      <line x1={left} x2={width - right} y1={height - bottom} y2={height - bottom} stroke="var(--fg-muted)" />
      <text x={(left + width - right) / 2} y={height - 4} textAnchor="middle" fontSize="11" fill="var(--fg-muted)">
        {xLabel}
      </text>
      <text x={12} y={(top + height - bottom) / 2} textAnchor="middle" fontSize="11" fill="var(--fg-muted)" transform={`rotate(-90 12 ${(top + height - bottom) / 2})`}>
        {yLabel}
      </text>
      {children}
    </svg>
  );
}

/** An SVG path through the finite points (gaps where a value is missing). */
export function pathOf(points: ReadonlyArray<[number, number]>): string {
  let d = '';
  let pen = false;
  for (const [px, py] of points) {
    if (!Number.isFinite(px) || !Number.isFinite(py)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${px.toFixed(1)},${py.toFixed(1)}`;
    pen = true;
  }
  return d;
}

/** The extent [min, max] of the finite values (NaN, NaN when none). */
export function extent(values: readonly number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  return finite.length ? [Math.min(...finite), Math.max(...finite)] : [Number.NaN, Number.NaN];
}
