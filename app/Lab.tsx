// LR Lab's page: thin components over the store (app/store.ts); the engine trains in a Worker
// (app/engine.worker.ts) reached through app/actions.ts.
import { useEffect } from 'react';
import { restartEngine, startEngine } from './actions';
import { Boundary } from './components/Boundary';
import { Charts } from './components/Charts';
import { Controls } from './components/Controls';
import { ExperimentPanel } from './components/ExperimentPanel';
import { Files } from './components/Files';
import { NoWebGpu } from './components/NoWebGpu';
import { RangeTest } from './components/RangeTest';
import { RunsEditor } from './components/RunsEditor';
import { Summary } from './components/Summary';
import { SweepEditor } from './components/SweepEditor';
import { SweepPanel } from './components/SweepPanel';
import { useLab, type ViewSettings } from './store';
import { applyTheme } from './theme';

/** Applies the theme to <html data-theme> (system: no attribute, prefers-color-scheme decides). */
function useTheme(theme: ViewSettings['theme']): void {
  useEffect(() => applyTheme(theme), [theme]);
}

/** Title, Demos link, theme picker, experiment name and adapter. */
function Header() {
  const adapter = useLab((state) => state.adapter);
  const phase = useLab((state) => state.phase);
  const name = useLab((state) => state.summary?.name);
  const theme = useLab((state) => state.view.theme);
  const setView = useLab((state) => state.setView);
  useTheme(theme);
  return (
    <header className="top">
      <div>
        <h1>LR Lab</h1>
        <p className="muted">Learning-rate methods side by side, trained on your GPU (WebGPU) in a Web Worker.</p>
      </div>
      <nav aria-label="Pages and settings">
        <a href="demos.html">Demos</a>
        <label>
          theme{' '}
          <select value={theme} onChange={(event) => setView({ theme: event.target.value as ViewSettings['theme'] })} data-testid="theme">
            <option value="system">system</option>
            <option value="light">light</option>
            <option value="dark">dark</option>
          </select>
        </label>
      </nav>
      <p className="meta">
        Experiment: <strong data-testid="experiment">{name ?? '–'}</strong> · WebGPU adapter:{' '}
        <span data-testid="adapter">{adapter || (phase === 'starting' ? 'looking for one…' : 'none')}</span>
      </p>
    </header>
  );
}

/** The last error, unless the no-WebGPU panel already quotes it. */
function ErrorLine() {
  const error = useLab((state) => state.error);
  const phase = useLab((state) => state.phase);
  if (!error || phase === 'no-webgpu') return null;
  return (
    <p role="alert" data-testid="error" className="error">
      {error}
    </p>
  );
}

/** Without WebGPU: what to do, quoting the browser's message. */
function NoWebGpuPanel() {
  const error = useLab((state) => state.error);
  const phase = useLab((state) => state.phase);
  return phase === 'no-webgpu' ? <NoWebGpu message={error} /> : null;
}

/** A lost GPU (with the way back) or the error that stopped training. */
function EngineAlert() {
  const engineError = useLab((state) => state.engine?.error);
  const deviceLost = useLab((state) => state.engine?.deviceLost ?? false);
  if (deviceLost) {
    return (
      <div role="alert" data-testid="device-lost" className="error">
        <p>
          The GPU stopped working for this page ({engineError}). Training cannot go on on this device; the curves up to the
          last step read back stay here, and this browser saved them.
        </p>
        <button type="button" className="primary" onClick={restartEngine} data-testid="resume-saved">
          Resume from the last saved state
        </button>
      </div>
    );
  }
  return engineError ? <p data-testid="engine-error" className="error">Training stopped: {engineError}</p> : null;
}

/** The last few notes (a run diverged, an experiment restored, ...). */
function Notes() {
  const notes = useLab((state) => state.notes);
  return (
    <ul data-testid="notes" className="notes" aria-live="polite">
      {notes.map((note, index) => (
        <li key={index}>{note}</li>
      ))}
    </ul>
  );
}

/**
 * The whole page; connects the engine once. It reads almost nothing from the store itself: what
 * changes while training (notes, errors, progress) is read by the small component that shows it,
 * so that a note does not render the whole page again (in a 576-run sweep each divergence note
 * rendered every panel synchronously, 60-70 ms on SwiftShader: scripts/trace-page.mjs).
 */
export function Lab() {
  const sweep = useLab((state) => state.config?.sweep !== undefined);
  useEffect(() => startEngine(), []);
  return (
    <>
      <a className="skip" href="#main">
        Skip to the controls
      </a>
      <Header />
      <main id="main">
        <ErrorLine />
        <NoWebGpuPanel />
        <Controls />
        <EngineAlert />
        <Notes />
        <div className="layout">
          <div className="main-column">
            <Charts />
            <SweepPanel />
            <Summary />
            {/* A sweep's hundreds of runs would each need a boundary read back every second. */}
            {!sweep && <Boundary />}
            <RangeTest />
          </div>
          <div className="side-column">
            <ExperimentPanel />
            <SweepEditor />
            <RunsEditor />
            <Files />
          </div>
        </div>
      </main>
    </>
  );
}
