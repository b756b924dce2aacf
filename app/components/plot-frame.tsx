// A small SVG plot frame for the live charts, the sweep and the range-test views: linear or log
// scales, ticks, axes and labels. The curves are drawn by the views themselves (their points carry
// test ids and clicks; the live charts' lines, bands and hover readout are in ./LinePlot.tsx).
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

/**
 * Ticks of a log axis over [10^a, 10^b]: the powers of ten inside (every other one when many); on
 * a span of less than two decades 1, 2 and 5 times them; on less than that (an effective rate
 * between 0.04 and 0.12) round linear ticks inside; the ends when nothing round lies inside.
 */
export function logTicks(a: number, b: number): number[] {
  const inside = (multiples: number[]) => {
    const ticks: number[] = [];
    for (let e = Math.floor(a); e <= Math.ceil(b); e++) {
      for (const m of multiples) {
        const tick = Number((m * 10 ** e).toPrecision(12));
        const at = Math.log10(tick);
        if (at >= a - 1e-9 && at <= b + 1e-9) ticks.push(tick);
      }
    }
    return ticks;
  };
  const decades = inside([1]);
  if (decades.length >= 3) return decades.length > 6 ? decades.filter((_, i) => i % 2 === 0) : decades;
  const round = inside([1, 2, 5]);
  if (round.length >= 2) return round;
  const linear = linearTicks(10 ** a, 10 ** b).filter((tick) => tick > 0);
  return linear.length >= 2 ? linear : [10 ** a, 10 ** b];
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

/** A plot's size and the margins around its plotting area (px). */
export interface PlotBox {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export const PLOT: PlotBox = { width: 560, height: 260, left: 56, right: 12, top: 10, bottom: 36 };

/**
 * The frame: grid lines at the ticks, axes, tick texts and axis labels, with the plot's children
 * inside. Scaled to its container's width (viewBox), or drawn at `box`'s own size when `exact`.
 */
export function PlotFrame({ x, y, xLabel, yLabel = '', children, testId, title, box = PLOT, exact = false }: { x: Scale; y: Scale; xLabel: string; yLabel?: string; children: ReactNode; testId: string; title: string; box?: PlotBox; exact?: boolean }) {
  const { width, height, left, right, top, bottom } = box;
  return (
    <svg viewBox={`0 0 ${width} ${height}`} width={exact ? width : undefined} height={exact ? height : undefined} className={exact ? 'plot exact' : 'plot'} role="img" aria-label={title} data-testid={testId}>
      {x.ticks.map((tick) => (
        <g key={`x${tick}`}>
          <line x1={x(tick)} x2={x(tick)} y1={top} y2={height - bottom} stroke="var(--grid)" strokeDasharray="3 3" />
          <text className="x-tick" x={x(tick)} y={height - bottom + 14} textAnchor="middle" fontSize="10" fill="var(--fg-muted)">
            {tickText(tick)}
          </text>
        </g>
      ))}
      {y.ticks.map((tick) => (
        <g key={`y${tick}`}>
          <line x1={left} x2={width - right} y1={y(tick)} y2={y(tick)} stroke="var(--grid)" strokeDasharray="3 3" />
          <text className="y-tick" x={left - 4} y={y(tick) + 3} textAnchor="end" fontSize="10" fill="var(--fg-muted)">
            {tickText(tick)}
          </text>
        </g>
      ))}
      <line className="y-axis" x1={left} x2={left} y1={top} y2={height - bottom} stroke="var(--fg-muted)" />
      <line className="x-axis" x1={left} x2={width - right} y1={height - bottom} y2={height - bottom} stroke="var(--fg-muted)" />
      <text x={(left + width - right) / 2} y={height - 4} textAnchor="middle" fontSize="11" fill="var(--fg-muted)">
        {xLabel}
      </text>
      {yLabel && <text x={12} y={(top + height - bottom) / 2} textAnchor="middle" fontSize="11" fill="var(--fg-muted)" transform={`rotate(-90 12 ${(top + height - bottom) / 2})`}>
        {yLabel}
      </text>}
      {children}
    </svg>
  );
}

/** An SVG path through the finite points (gaps where a value is missing). */
export function pathOf(points: ReadonlyArray<readonly [number, number]>): string {
  return pathAlong(points.length, (i) => points[i][0], (i) => points[i][1]);
}

/** The path being written, as ASCII bytes (grown as needed), and its decoder. */
let pathBytes = new Uint8Array(1 << 14);
const pathText = new TextDecoder();
const [M, L, COMMA, DOT, MINUS, ZERO] = ['M', 'L', ',', '.', '-', '0'].map((c) => c.charCodeAt(0));

/** Writes `v` with one decimal at `at` in pathBytes, as toFixed(1) does (but for a tenth's rounding where v·10 falls on .5 in floating point); returns the end. */
function writeFixed1(v: number, at: number): number {
  const tenths = Math.round(Math.abs(v) * 10);
  if (tenths >= 1e15) {
    // (Beyond what integers hold exactly, which no point on screen is: as toFixed writes it.)
    for (const c of v.toFixed(1)) pathBytes[at++] = c.charCodeAt(0);
    return at;
  }
  if (v < 0) pathBytes[at++] = MINUS; // (−0.04 as "-0.0", as toFixed writes it)
  let whole = Math.floor(tenths / 10);
  const start = at;
  do {
    pathBytes[at++] = ZERO + (whole % 10);
    whole = Math.floor(whole / 10);
  } while (whole > 0);
  for (let i = start, j = at - 1; i < j; i++, j--) {
    const digit = pathBytes[i];
    pathBytes[i] = pathBytes[j];
    pathBytes[j] = digit;
  }
  pathBytes[at++] = DOT;
  pathBytes[at++] = ZERO + (tenths % 10);
  return at;
}

/**
 * An SVG path through the points (px(i), py(i)), i = 0 … n − 1, lifting the pen where one is not
 * finite; coordinates with one decimal. Read by index and written as bytes, then decoded into one
 * string: a live chart redraws a few dozen lines of ~250 points several times a second, and
 * tuples, iterators and string pieces per point were a third of the page's garbage (a sweep's:
 * scripts/trace-page.mjs --allocations).
 */
export function pathAlong(n: number, px: (i: number) => number, py: (i: number) => number): string {
  let at = 0;
  let pen = false;
  for (let i = 0; i < n; i++) {
    const x = px(i);
    const y = py(i);
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    if (pathBytes.length - at < 64) {
      const grown = new Uint8Array(pathBytes.length * 2);
      grown.set(pathBytes.subarray(0, at));
      pathBytes = grown;
    }
    pathBytes[at++] = pen ? L : M;
    at = writeFixed1(x, at);
    pathBytes[at++] = COMMA;
    at = writeFixed1(y, at);
    pen = true;
  }
  return pathText.decode(pathBytes.subarray(0, at));
}

/** The extent [min, max] of the finite values (NaN, NaN when none). */
export function extent(values: readonly number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  return finite.length ? [Math.min(...finite), Math.max(...finite)] : [Number.NaN, Number.NaN];
}
