// Train / pause, single step, reset, the status line and progress; space toggles training
// (unless a form field or button has the focus, where space means what it always means); S steps once.
import { useEffect } from 'react';
import { resetTraining, setSpeed, stepOnce, toggleTraining } from '../actions';
import { statusOf, useLab } from '../store';

/** Space anywhere but in a form control starts or pauses training; S takes one step. */
function useSpaceToTrain(): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.repeat || event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target as HTMLElement | null;
      if (event.key === ' ' && target?.closest('button, a, summary')) return;
      if (target?.closest('input, select, textarea, [contenteditable="true"]')) return;
      if (event.key === ' ') {
        event.preventDefault();
        toggleTraining();
      } else if (event.key === 's' || event.key === 'S') {
        const state = useLab.getState();
        if (!state.busy && !state.engine?.running && !state.engine?.done) void stepOnce();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

/** The training toolbar: buttons, speed, status and progress. */
export function Controls() {
  useSpaceToTrain();
  const status = useLab(statusOf);
  const engine = useLab((state) => state.engine);
  const summary = useLab((state) => state.summary);
  const busy = useLab((state) => state.busy);
  const phase = useLab((state) => state.phase);
  const speed = useLab((state) => state.view.speed);
  const running = engine?.running ?? false;
  const step = engine?.step ?? 0;
  const done = engine?.done ?? false;
  const budget = summary?.budgetSteps ?? 0;
  const ready = !busy && summary !== null && phase === 'ready' && !engine?.deviceLost;
  return (
    <div className="controls" role="toolbar" aria-label="Training controls">
      <button type="button" className="primary" data-testid="train" disabled={!ready || (done && !running)} onClick={toggleTraining} aria-keyshortcuts="Space">
        {running ? 'Pause' : step > 0 && !done ? 'Resume' : 'Train'}
      </button>
      <button type="button" data-testid="step-once" aria-keyshortcuts="S" disabled={!ready || running || done} onClick={() => void stepOnce()}>
        Step
      </button>
      <button type="button" data-testid="reset" disabled={!ready} onClick={() => void resetTraining()} title="Back to step 0 with the same initial weights and batches">
        Reset
      </button>
      <label title="Limit training speed to watch it unfold (the numbers do not depend on it)">
        speed{' '}
        <select value={speed} onChange={(event) => setSpeed(Number(event.target.value))} data-testid="speed">
          <option value={0}>full</option>
          <option value={200}>200 steps/s</option>
          <option value={50}>50 steps/s</option>
          <option value={10}>10 steps/s</option>
        </select>
      </label>
      <p className="status" aria-live="polite">
        <span data-testid="status">{status}</span> · step <span data-testid="step">{step}</span> of {budget}{' '}
        {summary && summary.stepsPerEpoch > 0 && <span className="muted">(epoch {(step / summary.stepsPerEpoch).toFixed(1)})</span>}{' '}
        <progress data-testid="progress" max={budget || 1} value={step} aria-label="training progress" />
        <span className="muted"> stops at the budget</span>
      </p>
    </div>
  );
}
