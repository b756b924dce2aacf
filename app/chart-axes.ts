/**
 * What a chart's y axis spans and which of its lines lie on top of each other, display only: a
 * padded domain (so that no line runs along an edge: LRD's expected rate 0.05 was the bottom of
 * the effective-LR chart), [0, 1] for accuracies, and groups of series that coincide (the
 * baseline's constant rate under LEAP's, RALR's and AutoDrop's), which the chart draws as a
 * widening stack and names in a note.
 */
import type { ChartRow, SeriesSpec } from './series';

/** The least and greatest plotted value of the series `ids` in the rows, bands included (positive values only on a log axis); [Infinity, -Infinity] when none. */
function rangeOf(rows: readonly ChartRow[], ids: readonly string[], log: boolean): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  const add = (value: unknown) => {
    if (typeof value === 'number' && Number.isFinite(value) && (!log || value > 0)) {
      if (value < low) low = value;
      if (value > high) high = value;
    }
  };
  const bandKeys = ids.map((id) => `${id}:band`);
  for (const row of rows) {
    for (let k = 0; k < ids.length; k++) {
      add(row[ids[k]]);
      const band = row[bandKeys[k]];
      if (Array.isArray(band)) {
        add(band[0]);
        add(band[1]);
      }
    }
  }
  return [low, high];
}

/** Share of each side added to a linear axis, and (in decades) to a log axis. */
const LINEAR_PAD = 0.06;
const LOG_PAD = 0.08;
const MIN_LOG_PAD = 0.05;

/**
 * The y domain of a chart: [0, 1] for an accuracy; otherwise the data's range padded on each side
 * (linear: 6 % of the range, never below 0 for non-negative data, then out to whole ticks; log: 8 %
 * of the decades, at least 0.05 decade), a single value widened around it. undefined when there is
 * nothing to draw.
 */
export function yDomain(rows: readonly ChartRow[], ids: readonly string[], scale: 'linear' | 'log' | 'unit'): [number, number] | undefined {
  if (scale === 'unit') return [0, 1];
  const [low, high] = rangeOf(rows, ids, scale === 'log');
  if (low > high) return undefined; // nothing to draw
  if (scale === 'log') {
    const decades = Math.log10(high / low);
    const pad = 10 ** Math.max(MIN_LOG_PAD, LOG_PAD * decades);
    return [low / pad, high * pad];
  }
  const span = high - low || Math.abs(high) || 1;
  const bottom = low - LINEAR_PAD * span;
  const padded: [number, number] = [low >= 0 && bottom < 0 ? 0 : bottom, high + LINEAR_PAD * span];
  // Outward to whole ticks, so that the axis reads 20, 40, … rather than 22.7, 57.7, …
  const step = tickStep(padded);
  return [Math.floor(padded[0] / step) * step, Math.ceil(padded[1] / step) * step];
}

/** The tick spacing of a linear axis: 1, 2, 2.5 or 5 times a power of ten, about 4 intervals over the domain. */
function tickStep([low, high]: readonly [number, number]): number {
  const raw = (high - low) / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((step) => step >= raw * (1 - 1e-9)) ?? 10 * magnitude;
}

/** Round ticks inside [low, high] (the x axis, which spans exactly the data): 0, 100, 200 rather than 1, 86, 171. */
export function innerTicks(low: number, high: number): number[] | undefined {
  if (!(high > low)) return undefined;
  return linearTicks([low, high]).filter((tick) => tick >= low && tick <= high);
}

/** The ticks of a linear axis over `domain` (from yDomain): every tick step from end to end. */
export function linearTicks(domain: readonly [number, number]): number[] {
  const step = tickStep(domain);
  const first = Math.ceil(domain[0] / step - 1e-9);
  const last = Math.floor(domain[1] / step + 1e-9);
  return Array.from({ length: last - first + 1 }, (_, k) => Number(((first + k) * step).toPrecision(12)));
}

/** Two plotted values are the same line when they agree to this relative precision. */
const SAME = 1e-9;
/** Lines that coincide on at least this share of their common points count as on top of each other. */
const MOSTLY = 0.5;

export interface Coincidence {
  /** The series of one group, in drawing order; the first is drawn at the bottom. */
  ids: string[];
  /** Per member, the share of common points where it equals the first member (1 for the first). */
  shares: number[];
}

/** The share of the points where both series have a value and the values are equal (NaN when they never meet). */
function sameShare(a: Float64Array, b: Float64Array): number {
  let common = 0;
  let equal = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    common++;
    if (Math.abs(x - y) <= SAME * Math.max(Math.abs(x), Math.abs(y))) equal++;
  }
  return common < 2 ? Number.NaN : equal / common;
}

/** A series' values in the rows as one array (NaN where it has none): read once, compared many times. */
function columnOf(rows: readonly ChartRow[], id: string): Float64Array {
  const column = new Float64Array(rows.length);
  rows.forEach((row, i) => {
    const value = row[id];
    column[i] = typeof value === 'number' ? value : Number.NaN;
  });
  return column;
}

/**
 * Groups of series drawn on top of each other: each group starts with the first series (in the
 * chart's order) that others equal on at least half of their common points. Groups of one are left out.
 */
export function coincidences(rows: readonly ChartRow[], series: readonly SeriesSpec[]): Coincidence[] {
  // (A sweep's chart has 96 lines: 4,560 pairs of 250 points, compared as arrays, not row lookups.)
  const columns = new Map(series.map((spec) => [spec.id, columnOf(rows, spec.id)]));
  const grouped = new Set<string>();
  const groups: Coincidence[] = [];
  for (const anchor of series) {
    if (grouped.has(anchor.id)) continue;
    const group: Coincidence = { ids: [anchor.id], shares: [1] };
    for (const other of series) {
      if (other.id === anchor.id || grouped.has(other.id)) continue;
      const share = sameShare(columns.get(anchor.id)!, columns.get(other.id)!);
      if (share >= MOSTLY) {
        group.ids.push(other.id);
        group.shares.push(share);
      }
    }
    if (group.ids.length > 1) {
      group.ids.forEach((id) => grouped.add(id));
      groups.push(group);
    }
  }
  return groups;
}

/** Extra stroke width per line below the top one in a group, so that each one shows at the edges of those above it; at most MAX_EXTRA in all. */
const WIDTH_STEP = 1.5;
const MAX_EXTRA = 6;

/** The stroke width of each series: `base`, plus a step (WIDTH_STEP, less in big groups) for each group member drawn above it. */
export function strokeWidths(groups: readonly Coincidence[], base: number): Map<string, number> {
  const widths = new Map<string, number>();
  for (const { ids } of groups) {
    const step = Math.min(WIDTH_STEP, MAX_EXTRA / (ids.length - 1));
    ids.forEach((id, rank) => widths.set(id, base + step * (ids.length - 1 - rank)));
  }
  return widths;
}

/** A group in words: "Baseline, LEAP (every point), RALR (96 %), AutoDrop (70 %)". */
export function describeCoincidence(group: Coincidence, labelOf: (id: string) => string): string {
  return group.ids
    .map((id, k) => {
      if (k === 0) return labelOf(id);
      const share = group.shares[k];
      return `${labelOf(id)} (${share === 1 ? 'every point' : `${Math.floor(100 * share)} %`})`;
    })
    .join(', ');
}
