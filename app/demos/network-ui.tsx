/** Pieces of the network demos: the Worker's progress turned into chart series, and the adapter line. */
import { useEffect, useState } from 'react';
import type { DemoRecord, NetworkProgress } from './demo.worker';
import { COLORS, demoWorker, type Series } from './ui';

/** Accumulates the records sent with each progress message. */
export class RecordLog {
  labels: string[] = [];
  records: DemoRecord[] = [];
  step = 0;
  budgetSteps = 1;

  add(progress: NetworkProgress): RecordLog {
    const next = new RecordLog();
    next.labels = progress.labels;
    next.records = [...this.records, ...progress.records];
    next.step = progress.step;
    next.budgetSteps = progress.budgetSteps;
    return next;
  }

  /** One series per run of `field` over steps (test accuracy: evaluation steps only). */
  series(field: 'trainLoss' | 'testAccuracy' | 'lr', smooth = 1): Series[] {
    return this.labels.map((name, run) => {
      const mine = this.records.filter((r) => r.run === run && r[field] !== undefined && Number.isFinite(r[field] as number));
      const points: Array<{ x: number; y: number }> = [];
      for (let i = 0; i + smooth <= mine.length; i += smooth) {
        let sum = 0;
        for (let k = i; k < i + smooth; k++) sum += mine[k][field] as number;
        points.push({ x: mine[i + smooth - 1].step, y: sum / smooth });
      }
      return { name, color: COLORS[run % COLORS.length], points };
    });
  }
}

/** The Worker's WebGPU adapter (or why there is none), fetched once. */
export function useAdapter(): { adapter: string | null; error: string | null } {
  const [adapter, setAdapter] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    demoWorker()
      .init()
      .then(setAdapter, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, []);
  return { adapter, error };
}

export function AdapterLine({ adapter, error }: { adapter: string | null; error: string | null }) {
  if (error) return <p role="alert" className="error">{error}</p>;
  return <p className="note" data-testid="adapter">WebGPU: {adapter ?? 'looking for an adapter…'}</p>;
}

/** Train (or "Training…") and Stop for a network demo, and the failure of the last training, if any. */
export function TrainControls({ label, training, ready, failure, onTrain }: { label: string; training: boolean; ready: boolean; failure: string | null; onTrain: () => void }) {
  return (
    <>
      <p>
        <button type="button" onClick={onTrain} disabled={training || !ready} data-testid="train-network">
          {training ? 'Training…' : label}
        </button>{' '}
        {training && (
          <button type="button" onClick={() => demoWorker().stop()}>
            Stop
          </button>
        )}
      </p>
      {failure && <p role="alert" className="error">{failure}</p>}
    </>
  );
}
