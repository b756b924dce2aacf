// The thin playground page: the experiment runs in a Worker (app/engine.worker.ts); the page sends
// commands and renders the batched events it gets back. (The full UI — charts, forms, store — comes next.)
import * as Comlink from 'comlink';
import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import { defaultExperimentInput } from '../src/experiment/defaults';
import type { EngineApi, EngineState, EventBatch, ExperimentSummary } from './engine.worker';

/** The latest logged values of one stacked run. */
interface RunRow {
  step: number;
  trainLoss: number;
  testAccuracy?: number;
  lr: number;
}

declare global {
  interface Window {
    /** The Worker's API, for the console and the e2e tests. */
    lrlab?: { engine: Comlink.Remote<EngineApi> };
  }
}

const fmt = (value: number | undefined, digits = 4) => (value === undefined ? '–' : Number.isFinite(value) ? value.toPrecision(digits) : String(value));

/** Folds a batch of events into the rows (upsert by (run, step): evaluations re-send a step's records). */
function applyBatch(rows: RunRow[], batch: EventBatch): { rows: RunRow[]; summary?: ExperimentSummary; notes: string[] } {
  let next = rows;
  let summary: ExperimentSummary | undefined;
  const notes: string[] = [];
  for (const event of batch.events) {
    switch (event.kind) {
      case 'loaded':
        summary = event.summary;
        next = [];
        break;
      case 'reset':
        next = [];
        break;
      case 'run-updated':
        summary = event.summary;
        notes.push(`run ${event.summary.runs.find((r) => r.method === event.method)?.label ?? event.method} changed from step ${event.fromStep}`);
        break;
      case 'replaying':
        notes.push(`replaying the file's training to step ${event.toStep}…`);
        break;
      case 'imported': {
        const { difference } = event;
        notes.push(
          difference.differing === 0 && difference.missing === 0
            ? `restored at step ${event.step}: the replay matches the file exactly (${difference.compared} numbers)`
            : `restored at step ${event.step}; the replay differs from the file (${difference.differing} of ${difference.compared} numbers, max relative ${difference.maxRelative.toExponential(1)}; first: ${difference.first}); the file's metrics are kept`,
        );
        next = [];
        for (const record of event.records) {
          const old = next[record.run];
          if (old && old.step > record.step) continue;
          next[record.run] = { step: record.step, trainLoss: Number.isNaN(record.trainLoss) && old ? old.trainLoss : record.trainLoss, testAccuracy: record.testAccuracy ?? old?.testAccuracy, lr: record.lr };
        }
        break;
      }
      case 'metrics':
        next = next === rows ? [...rows] : next;
        for (const record of event.records) {
          const old = next[record.run];
          if (old && old.step > record.step) continue;
          next[record.run] = {
            step: record.step,
            trainLoss: Number.isNaN(record.trainLoss) && old ? old.trainLoss : record.trainLoss,
            testAccuracy: record.testAccuracy ?? old?.testAccuracy, // the latest evaluation
            lr: record.lr,
          };
        }
        break;
      case 'diverged':
        notes.push(`run ${event.run} diverged at step ${event.step}: ${event.reason}`);
        break;
      case 'error':
        notes.push(`error: ${event.message}`);
        break;
    }
  }
  return { rows: next, summary, notes };
}

export function Lab() {
  const [adapter, setAdapter] = useState('');
  const [summary, setSummary] = useState<ExperimentSummary | null>(null);
  const [state, setState] = useState<EngineState | null>(null);
  const [rows, setRows] = useState<RunRow[]>([]);
  const [error, setError] = useState('');
  const [notes, setNotes] = useState<string[]>([]);
  const [busy, setBusy] = useState(true);
  const engine = useRef<Comlink.Remote<EngineApi> | null>(null);
  const rowsRef = useRef<RunRow[]>([]);

  useEffect(() => {
    const worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module' });
    const remote = Comlink.wrap<EngineApi>(worker);
    engine.current = remote;
    window.lrlab = { engine: remote };
    const onBatch = (batch: EventBatch) => {
      const result = applyBatch(rowsRef.current, batch);
      rowsRef.current = result.rows;
      setRows(result.rows);
      if (result.summary) setSummary(result.summary);
      if (result.notes.length) setNotes((old) => [...old, ...result.notes].slice(-5));
      setState(batch.state);
    };
    (async () => {
      const info = await remote.init();
      setAdapter(info);
      console.info(`WebGPU adapter: ${info}`);
      await remote.subscribe(Comlink.proxy(onBatch));
      await remote.load(defaultExperimentInput());
    })()
      .catch((e: unknown) => setError((e as Error).message))
      .finally(() => setBusy(false));
    return () => {
      worker.terminate();
      engine.current = null;
    };
  }, []);

  /** Runs a command; its failure is shown, never thrown (metrics stay where they are). */
  const act = async (command: (remote: Comlink.Remote<EngineApi>) => Promise<unknown>) => {
    if (!engine.current) return;
    setError('');
    try {
      await command(engine.current);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const exportCsv = () => act(async (remote) => download(await remote.exportCsv(), 'text/csv', 'csv'));

  const download = (text: string, type: string, extension: string) => {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([text], { type }));
    link.download = `${(summary?.name ?? 'experiment').replace(/[^\w-]+/g, '-').toLowerCase()}.${extension}`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  };

  const exportJson = () => act(async (remote) => download(await remote.exportJson(), 'application/json', 'results.json'));

  /** A config file loads a fresh experiment; a results file (format "lr-lab-results") restores one. */
  const loadFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    void act(async (remote) => {
      const text = await file.text();
      const isResults = /^\s*\{\s*"format"\s*:\s*"lr-lab-results"/.test(text);
      if (isResults) {
        setBusy(true);
        try {
          await remote.importResults(text);
        } finally {
          setBusy(false);
        }
      } else await remote.load(text);
    });
  };

  const running = state?.running ?? false;
  const step = state?.step ?? 0;
  const budget = summary?.budgetSteps ?? 0;
  const done = state?.done ?? false;
  const status = busy ? 'starting' : running ? 'training' : done ? 'done' : step > 0 ? 'paused' : summary ? 'ready' : 'no experiment';
  const ready = !busy && summary !== null;

  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 820, margin: '2rem auto', padding: '0 1rem' }}>
      <h1>LR Lab</h1>
      <p>Learning-rate methods side by side, trained on your GPU (WebGPU) in a Web Worker.</p>
      <p>
        WebGPU adapter: <span data-testid="adapter">{adapter || (busy ? 'looking for one…' : 'none')}</span>
      </p>
      {error && (
        <p role="alert" data-testid="error" style={{ color: '#b00020', whiteSpace: 'pre-wrap' }}>
          {error}
        </p>
      )}
      <p>
        Experiment: <strong data-testid="experiment">{summary?.name ?? '–'}</strong>{' '}
        <label>
          load a config or a results file (JSON): <input type="file" accept=".json,application/json" onChange={loadFile} data-testid="config-file" disabled={busy} />
        </label>
      </p>
      <p style={{ display: 'flex', gap: '0.5rem' }}>
        <button
          type="button"
          data-testid="train"
          disabled={!ready || (done && !running)}
          onClick={() => act((remote) => (running ? remote.pause() : remote.start()))}
        >
          {running ? 'Pause' : step > 0 && !done ? 'Resume' : 'Train'}
        </button>
        <button type="button" data-testid="step-once" disabled={!ready || running || done} onClick={() => act((remote) => remote.step())}>
          Step
        </button>
        <button type="button" data-testid="reset" disabled={!ready} onClick={() => act((remote) => remote.reset())}>
          Reset
        </button>
        <button type="button" data-testid="export" disabled={!ready} onClick={exportCsv}>
          Export CSV
        </button>
        <button type="button" data-testid="export-json" disabled={!ready} onClick={exportJson}>
          Export JSON
        </button>
      </p>
      <p aria-live="polite">
        <span data-testid="status">{status}</span> · step <span data-testid="step">{step}</span> of {budget}{' '}
        <progress data-testid="progress" max={budget || 1} value={step} aria-label="training progress" />
      </p>
      {state?.error && <p data-testid="engine-error">Training stopped: {state.error}</p>}
      <table data-testid="runs" style={{ borderCollapse: 'collapse', width: '100%' }}>
        <thead>
          <tr style={{ textAlign: 'left' }}>
            <th>Run</th>
            <th>Step</th>
            <th>Train loss</th>
            <th>Test accuracy</th>
            <th>Learning rate</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {summary?.runs.map((run, index) => {
            const row = rows[index];
            const diverged = state?.diverged[index];
            return (
              <tr key={`${run.method}-${run.replicate}`} data-testid={`run-${index}`}>
                <td>
                  <span style={{ display: 'inline-block', width: 10, height: 10, background: run.color, marginRight: 6 }} />
                  {run.replicate > 0 ? `${run.label} #${run.replicate + 1}` : run.label}
                </td>
                <td>{row?.step ?? '–'}</td>
                <td data-testid={`loss-${index}`}>{fmt(row?.trainLoss)}</td>
                <td>{fmt(row?.testAccuracy, 3)}</td>
                <td>{fmt(row?.lr, 3)}</td>
                <td>{diverged == null ? 'ok' : `diverged at ${diverged}`}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <ul data-testid="notes">
        {notes.map((note, index) => (
          <li key={index}>{note}</li>
        ))}
      </ul>
    </main>
  );
}
