/**
 * SVG plots of the 2-D and 1-D toy landscapes: contour lines by marching squares on a grid, and the
 * trajectories drawn up to the current animation frame.
 */
import { useMemo } from 'react';

type Box = { x: [number, number]; y: [number, number] };

/** Line segments of the level set {f = level} on an n×n grid over `box` (marching squares). */
export function contourSegments(f: (x: number, y: number) => number, box: Box, levels: readonly number[], n = 80): Array<{ level: number; d: string }> {
  const xs = Array.from({ length: n + 1 }, (_, i) => box.x[0] + ((box.x[1] - box.x[0]) * i) / n);
  const ys = Array.from({ length: n + 1 }, (_, j) => box.y[0] + ((box.y[1] - box.y[0]) * j) / n);
  const values = ys.map((y) => xs.map((x) => f(x, y)));
  return levels.map((level) => {
    const parts: string[] = [];
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const corners: Array<[number, number, number]> = [
          [xs[i], ys[j], values[j][i]],
          [xs[i + 1], ys[j], values[j][i + 1]],
          [xs[i + 1], ys[j + 1], values[j + 1][i + 1]],
          [xs[i], ys[j + 1], values[j + 1][i]],
        ];
        const points: Array<[number, number]> = [];
        for (let e = 0; e < 4; e++) {
          const [x0, y0, v0] = corners[e];
          const [x1, y1, v1] = corners[(e + 1) % 4];
          if (v0 < level !== v1 < level) {
            const t = (level - v0) / (v1 - v0);
            points.push([x0 + t * (x1 - x0), y0 + t * (y1 - y0)]);
          }
        }
        for (let k = 0; k + 1 < points.length; k += 2) parts.push(`M${points[k][0]},${points[k][1]}L${points[k + 1][0]},${points[k + 1][1]}`);
      }
    }
    return { level, d: parts.join('') };
  });
}

export interface Trajectory2d {
  key: string;
  color: string;
  /** x₀, y₀, x₁, y₁, … */
  path: Float64Array;
  dashed?: boolean;
}

/** Contours of f with trajectories up to `frame` (each drawn as a polyline with a dot at its head). */
export function ContourPlot({ f, box, levels, trajectories, frame, marks = [], size = 380 }: { f: (x: number, y: number) => number; box: Box; levels: readonly number[]; trajectories: Trajectory2d[]; frame: number; marks?: Array<{ x: number; y: number; label: string }>; size?: number }) {
  const contours = useMemo(() => contourSegments(f, box, levels), [f, box, levels]);
  const width = box.x[1] - box.x[0];
  const height = box.y[1] - box.y[0];
  // y up: flip with a transform so the data coordinates are used as they are.
  const transform = `translate(0 ${size}) scale(${size / width} ${-size / height}) translate(${-box.x[0]} ${-box.y[0]})`;
  const stroke = width / size;
  return (
    <svg width={size} height={size} viewBox={`0 0 ${size} ${size}`} role="img" aria-label="contour plot with trajectories" data-testid="contour-plot" style={{ background: 'var(--plot-bg)', border: '1px solid var(--border)' }}>
      <g transform={transform}>
        {contours.map((c) => (
          <path key={c.level} d={c.d} fill="none" stroke={c.level < 0 ? 'var(--contour-low)' : 'var(--contour)'} strokeWidth={stroke} />
        ))}
        {trajectories.map((t) => {
          const last = Math.min(frame, t.path.length / 2 - 1);
          let d = '';
          for (let k = 0; k <= last; k++) d += `${k ? 'L' : 'M'}${t.path[2 * k]},${t.path[2 * k + 1]}`;
          return (
            <g key={t.key}>
              <path d={d} fill="none" stroke={t.color} strokeWidth={1.5 * stroke} strokeOpacity={0.7} strokeDasharray={t.dashed ? `${4 * stroke} ${3 * stroke}` : undefined} />
              <circle cx={t.path[2 * last]} cy={t.path[2 * last + 1]} r={3.5 * stroke} fill={t.color} />
            </g>
          );
        })}
        {marks.map((m) => (
          // Keys by position: two marks may share a label (the two minima).
          <circle key={`${m.x},${m.y}`} cx={m.x} cy={m.y} r={4 * stroke} fill="none" stroke="var(--fg)" strokeWidth={stroke}>
            <title>{m.label}</title>
          </circle>
        ))}
      </g>
    </svg>
  );
}

export interface Walker1d {
  key: string;
  color: string;
  /** x_t, t = 0..T */
  path: Float64Array;
}

/** f(x) on [from, to] with one dot per walker at x_frame (jittered vertically so they do not hide each other). */
export function LandscapePlot({ f, range, walkers, frame, width = 560, height = 260, marks = [] }: { f: (x: number) => number; range: readonly [number, number]; walkers: Walker1d[]; frame: number; width?: number; height?: number; marks?: Array<{ x: number; label: string }> }) {
  const samples = useMemo(() => Array.from({ length: 300 }, (_, i) => range[0] + ((range[1] - range[0]) * i) / 299).map((x) => ({ x, y: f(x) })), [f, range]);
  const yMin = Math.min(...samples.map((s) => s.y));
  const yMax = Math.max(...samples.map((s) => s.y));
  const sx = (x: number) => ((x - range[0]) / (range[1] - range[0])) * (width - 20) + 10;
  const sy = (y: number) => height - 20 - ((y - yMin) / (yMax - yMin || 1)) * (height - 40);
  const curve = samples.map((s, i) => `${i ? 'L' : 'M'}${sx(s.x)},${sy(s.y)}`).join('');
  return (
    <svg width={width} height={height} role="img" aria-label="loss landscape with the runs" data-testid="landscape-plot" style={{ background: 'var(--plot-bg)', border: '1px solid var(--border)' }}>
      <path d={curve} fill="none" stroke="var(--fg-muted)" strokeWidth={2} />
      {marks.map((m) => (
        <g key={`${m.x}`}>
          <line x1={sx(m.x)} x2={sx(m.x)} y1={10} y2={height - 15} stroke="var(--border)" strokeDasharray="3 3" />
          <text x={sx(m.x) + 3} y={height - 4} fontSize={11} fill="var(--fg-muted)">
            {m.label}
          </text>
        </g>
      ))}
      {walkers.map((w, i) => {
        const x = Math.min(range[1], Math.max(range[0], w.path[Math.min(frame, w.path.length - 1)]));
        return <circle key={w.key} cx={sx(x)} cy={sy(f(x)) - 6 - (i % 8) * 3} r={4} fill={w.color} fillOpacity={0.75} />;
      })}
    </svg>
  );
}
