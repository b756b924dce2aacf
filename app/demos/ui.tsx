/**
 * Shared pieces of the demo pages: the page frame (plain words, the rule, the citation, the link to
 * the playground), a progress bar, the demo Worker, main-thread chunked work, and small charts.
 */
import * as Comlink from 'comlink';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { shareHash } from '../../src/experiment/share';
import type { DemoApi } from './demo.worker';

export const COLORS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#d55e00', '#56b4e9'];

export interface DemoFrameProps {
  title: string;
  /** What the demo shows, in plain words. */
  intro: ReactNode;
  /** The rule in one formula. */
  rule: string;
  citation: ReactNode;
  children: ReactNode;
}

export function DemoFrame({ title, intro, rule, citation, children }: DemoFrameProps) {
  return (
    <article>
      <p>
        <a href="#/">← All demos</a>
      </p>
      <h1>{title}</h1>
      <div className="intro">{intro}</div>
      <p className="rule" aria-label="the rule">
        <code>{rule}</code>
      </p>
      {children}
      <footer className="citation">
        <strong>Source:</strong> {citation}
      </footer>
    </article>
  );
}

/** "Open in the playground": index.html with the config in the URL fragment (share link). */
/** A link opening `config` in the playground (a share link); `example` names a file of public/examples/ to fetch instead. */
export function PlaygroundLink({ config, example, note }: { config?: unknown; example?: string; note?: ReactNode }) {
  const [fetched, setFetched] = useState<{ config?: unknown; error?: string }>({});
  useEffect(() => {
    if (!example) return;
    let live = true;
    fetch(`${import.meta.env.BASE_URL}examples/${example}`)
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(`${example}: HTTP ${response.status}`))))
      .then((json: unknown) => live && setFetched({ config: json }))
      .catch((error: Error) => live && setFetched({ error: `The example ${example} could not be loaded (${error.message}).` }));
    return () => {
      live = false;
    };
  }, [example]);
  const target = example ? fetched.config : config;
  if (fetched.error) return <p className="playground error">{fetched.error}</p>;
  return (
    <p className="playground">
      {target === undefined ? (
        <span aria-busy="true">Open in the playground (loading the example…)</span>
      ) : (
        <a href={`index.html${shareHash(target)}`} data-testid="open-playground" target="_blank" rel="noreferrer">
          Open in the playground
        </a>
      )}{' '}
      {note}
    </p>
  );
}

export function ProgressBar({ value, label, testId = 'progress' }: { value: number; label: string; testId?: string }) {
  return (
    <div className="progress">
      <progress max={1} value={Math.min(1, Math.max(0, value))} aria-label={label} />
      <span data-testid={testId}>{label}</span>
    </div>
  );
}

let worker: Comlink.Remote<DemoApi> | null = null;

/** The demo Worker (created on first use, shared by the pages). */
export function demoWorker(): Comlink.Remote<DemoApi> {
  worker ??= Comlink.wrap<DemoApi>(new Worker(new URL('./demo.worker.ts', import.meta.url), { type: 'module' }));
  return worker;
}

/**
 * Runs `tasks` on the main thread a few at a time per animation frame (each task is small), so the
 * page stays responsive; `done` counts finished tasks. `start` (re)starts from the first task.
 */
export function useChunkedTasks<T>(makeTasks: () => Array<() => T>, perFrame = 2) {
  const [results, setResults] = useState<T[]>([]);
  const [total, setTotal] = useState(0);
  const [running, setRunning] = useState(false);
  const generation = useRef(0);
  const start = useCallback(() => {
    const tasks = makeTasks();
    const mine = ++generation.current;
    const out: T[] = [];
    setResults([]);
    setTotal(tasks.length);
    setRunning(true);
    const frame = () => {
      if (mine !== generation.current) return;
      for (let k = 0; k < perFrame && out.length < tasks.length; k++) out.push(tasks[out.length]());
      setResults([...out]);
      if (out.length < tasks.length) requestAnimationFrame(frame);
      else setRunning(false);
    };
    requestAnimationFrame(frame);
  }, [makeTasks, perFrame]);
  useEffect(() => () => void generation.current++, []);
  return { results, total, running, start };
}

/** A frame counter 0..last that advances while `playing` (one step per animation frame × speed). */
export function useAnimation(last: number, speed = 2) {
  const [frame, setFrame] = useState(0);
  const [playing, setPlaying] = useState(false);
  useEffect(() => {
    if (!playing) return;
    let id = 0;
    const tick = () => {
      setFrame((f) => {
        const next = Math.min(last, f + speed);
        if (next >= last) setPlaying(false);
        return next;
      });
      id = requestAnimationFrame(tick);
    };
    id = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(id);
  }, [playing, last, speed]);
  const replay = useCallback(() => {
    setFrame(0);
    setPlaying(true);
  }, []);
  return { frame, playing, replay, setFrame };
}

export interface Series {
  name: string;
  color: string;
  points: Array<{ x: number; y: number }>;
  dashed?: boolean;
}

/** A line chart of several series over a shared numeric x axis. */
export function Chart({ series, xLabel, yLabel, log = false, height = 240, testId, yDomain }: { series: Series[]; xLabel: string; yLabel: string; log?: boolean; height?: number; testId?: string; yDomain?: [number | 'auto', number | 'auto'] }) {
  return (
    <figure className="chart" data-testid={testId}>
      <ResponsiveContainer width="100%" height={height}>
        <LineChart margin={{ top: 8, right: 16, bottom: 20, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis type="number" dataKey="x" domain={['dataMin', 'dataMax']} stroke="var(--fg-muted)" label={{ value: xLabel, position: 'insideBottom', offset: -10, fill: 'var(--fg-muted)' }} allowDuplicatedCategory={false} />
          <YAxis type="number" scale={log ? 'log' : 'auto'} domain={yDomain ?? (log ? ['dataMin', 'dataMax'] : ['auto', 'auto'])} allowDataOverflow={log} stroke="var(--fg-muted)" label={{ value: yLabel, angle: -90, position: 'insideLeft', fill: 'var(--fg-muted)' }} tickFormatter={(v: number) => (v !== 0 && (Math.abs(v) < 0.01 || Math.abs(v) >= 1000) ? v.toExponential(0) : String(Math.round(v * 1000) / 1000))} />
          <Tooltip contentStyle={{ background: 'var(--bg-raised)', border: '1px solid var(--border)' }} formatter={(v) => (typeof v === 'number' ? v.toPrecision(4) : String(v))} labelFormatter={(v) => `${xLabel} ${v}`} />
          <Legend verticalAlign="top" />
          {series.map((s) => (
            <Line key={s.name} name={s.name} data={s.points} dataKey="y" stroke={s.color} dot={false} isAnimationActive={false} strokeDasharray={s.dashed ? '5 4' : undefined} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** Formats a number or shows a dash. */
export const fmt = (value: number | null | undefined, digits = 3) => (value === null || value === undefined || !Number.isFinite(value) ? '—' : Number(value.toPrecision(digits)).toString());
