// Train / pause, single step, reset, the status line with speed and progress; space toggles training
// (unless a form field or button has the focus, where space means what it always means); S steps once.
// Training never starts while a field of the draft is invalid (the toolbar says which and why); at the
// end of the budget the status says so and "Go on" trains a second budget's worth.
import { useEffect } from 'react';
import { discardDraft, goOn, resetTraining, setSpeed, stepOnce, stretchSchedules, toggleTraining } from '../actions';
import { offerText } from '../budget';
import { blockingIssue } from '../form/words';
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

/** "112 steps/s · 8.9 ms/step" while training. */
function SpeedReadout() {
  const speed = useLab((state) => (state.engine?.running ? state.engine.speed : null));
  if (!speed) return null;
  const rate = speed.stepsPerSecond >= 100 ? speed.stepsPerSecond.toFixed(0) : speed.stepsPerSecond.toPrecision(2);
  return (
    <span className="muted" data-testid="speed-readout">
      {' '}
      · {rate} steps/s · {speed.msPerStep.toPrecision(2)} ms/step
    </span>
  );
}

/** Below the buttons: why training cannot start, the end of the budget, a schedule tied to the old budget. */
function ControlNotes({ blocked, done, budget }: { blocked: string | null; done: boolean; budget: number }) {
  const offer = useLab((state) => state.budgetOffer);
  const busy = useLab((state) => state.busy);
  const more = useLab((state) => state.config?.budget);
  if (blocked) {
    return (
      <p className="control-note blocked" role="status" data-testid="blocked">
        Training waits for a valid setting: {blocked}.{' '}
        <button type="button" onClick={discardDraft} data-testid="revert">
          Revert
        </button>
      </p>
    );
  }
  if (done) {
    return (
      <p className="control-note" role="status" data-testid="budget-reached">
        The budget of {budget} steps is reached. Raise the budget in the Experiment panel, or{' '}
        <button type="button" className="primary" onClick={() => void goOn()} disabled={busy} data-testid="go-on">
          Go on: {more ? `${more.amount} more ${more.unit}` : 'another budget'}
        </button>{' '}
        (training continues from step {budget}).
      </p>
    );
  }
  if (offer) {
    return (
      <p className="control-note" role="status" data-testid="budget-offer">
        {offerText(offer)}{' '}
        <button type="button" onClick={() => void stretchSchedules(offer)} disabled={busy} data-testid="stretch">
          Stretch and restart
        </button>
      </p>
    );
  }
  return null;
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
  const pausing = useLab((state) => state.pausing);
  const blocked = useLab((state) => blockingIssue(state.issues, state.draft));
  const running = engine?.running ?? false;
  const step = engine?.step ?? 0;
  const done = engine?.done ?? false;
  const budget = summary?.budgetSteps ?? 0;
  const ready = !busy && summary !== null && phase === 'ready' && !engine?.deviceLost;
  const why = blocked ? `Fix or revert first: ${blocked}` : undefined;
  return (
    <div className="controls" role="toolbar" aria-label="Training controls">
      <button
        type="button"
        className="primary"
        data-testid="train"
        disabled={!ready || (done && !running) || (!running && blocked !== null) || pausing}
        onClick={toggleTraining}
        aria-keyshortcuts="Space"
        title={running ? undefined : why}
      >
        {running ? (pausing ? 'Pausing…' : 'Pause') : step > 0 && !done ? 'Resume' : 'Train'}
      </button>
      <button type="button" data-testid="step-once" aria-keyshortcuts="S" disabled={!ready || running || done || blocked !== null} onClick={() => void stepOnce()} title={why}>
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
        {summary && summary.stepsPerEpoch > 0 && <span className="muted">(epoch {(step / summary.stepsPerEpoch).toFixed(1)})</span>}
        <SpeedReadout />{' '}
        <progress data-testid="progress" max={budget || 1} value={step} aria-label="training progress" />
      </p>
      <ControlNotes blocked={blocked} done={done && !running} budget={budget} />
    </div>
  );
}
