import * as Comlink from 'comlink';
import { useEffect, useRef, useState } from 'react';
import type { DemoPoint, DemoProgress, EngineApi } from './engine.worker';

const STEPS = 300;

type Status = 'starting' | 'ready' | 'training' | 'done' | 'error';

/** A tiny inline SVG loss curve (log-free; the playground proper uses recharts). */
function LossCurve({ points }: { points: DemoPoint[] }) {
  if (points.length < 2) return null;
  const max = Math.max(...points.map((p) => p.loss));
  const path = points
    .map((p, i) => `${i ? 'L' : 'M'}${((p.step / STEPS) * 400).toFixed(1)},${(150 - (p.loss / max) * 140).toFixed(1)}`)
    .join(' ');
  return (
    <svg width={400} height={150} role="img" aria-label="training loss curve" style={{ border: '1px solid #ccc' }}>
      <path d={path} fill="none" stroke="#0072B2" strokeWidth={2} />
    </svg>
  );
}

export function Demo() {
  const [status, setStatus] = useState<Status>('starting');
  const [adapter, setAdapter] = useState('');
  const [error, setError] = useState('');
  const [points, setPoints] = useState<DemoPoint[]>([]);
  const engine = useRef<Comlink.Remote<EngineApi> | null>(null);

  useEffect(() => {
    const worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module' });
    const remote = Comlink.wrap<EngineApi>(worker);
    engine.current = remote;
    remote
      .init()
      .then((info) => {
        setAdapter(info);
        setStatus('ready');
      })
      .catch((e: unknown) => {
        setError((e as Error).message);
        setStatus('error');
      });
    return () => worker.terminate();
  }, []);

  const train = async () => {
    if (!engine.current) return;
    setPoints([]);
    setStatus('training');
    try {
      await engine.current.trainToy(
        STEPS,
        10,
        Comlink.proxy((progress: DemoProgress) => setPoints((old) => [...old, ...progress.points])),
      );
      setStatus('done');
    } catch (e) {
      setError((e as Error).message);
      setStatus('error');
    }
  };

  const last = points[points.length - 1];
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 720, margin: '2rem auto', padding: '0 1rem' }}>
      <h1>LR Lab</h1>
      <p>A WebGPU playground for learning-rate methods. This page is the engine's first demo: a small MLP learns the two-moons toy with SGD, on your GPU, in a Web Worker.</p>
      <p>
        WebGPU adapter: <span data-testid="adapter">{adapter || (status === 'starting' ? 'looking for one…' : 'none')}</span>
      </p>
      {status === 'error' && (
        <p role="alert" data-testid="error" style={{ color: '#b00020' }}>
          {error}
        </p>
      )}
      <button type="button" onClick={train} disabled={status !== 'ready' && status !== 'done'} data-testid="train">
        Train {STEPS} steps
      </button>
      <p data-testid="status" aria-live="polite">
        {status === 'training' ? `training… step ${last?.step ?? 0} of ${STEPS}` : status}
      </p>
      <progress max={STEPS} value={last?.step ?? 0} aria-label="training progress" />
      {last && (
        <p>
          step <span data-testid="step">{last.step}</span>, loss <span data-testid="loss">{last.loss.toFixed(4)}</span>, minibatch accuracy{' '}
          {(last.accuracy * 100).toFixed(0)}%
        </p>
      )}
      <LossCurve points={points} />
      <pre data-testid="losses" hidden>
        {JSON.stringify(points.map((p) => p.loss))}
      </pre>
    </main>
  );
}
