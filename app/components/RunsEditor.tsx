// The runs table: one card per run (method) of the experiment, with its colour, label, optimizer,
// schedule and a toggle per LR method with that method's parameters. Edits validate the whole
// config; valid parameter edits apply mid-training (no reset); add / duplicate / remove restart.
import { addRun, editField, moveRun, removeRun } from '../actions';
import { EntryControl, EntryList } from '../form/controls';
import { runForm, specAt, startingValue, type Entry } from '../form/model';
import { getPath, issuesUnder, useLab } from '../store';
import { MAX_RUNS } from '../../src/experiment/config';
import { baseRateOf, scheduleForBudget } from '../../src/optim/schedules';

type RunDoc = Record<string, unknown>;

/** An LR method's section: its switch (data-testid toggle-<run>-<method>) and, while on, its fields. */
function MethodSection({ index, entry }: { index: number; entry: Entry }) {
  const on = useLab((state) => getPath(state.draft, entry.path) !== undefined);
  const key = entry.path.slice(entry.path.lastIndexOf('.') + 1);
  return (
    <fieldset className={`method${on ? ' on' : ''}`}>
      <legend>
        <label title={entry.spec.help}>
          <input
            type="checkbox"
            checked={on}
            data-testid={`toggle-${index}-${key}`}
            onChange={(event) => void editField(entry.path, event.target.checked ? startingValue(entry.spec) : undefined)}
          />{' '}
          {entry.spec.label}
        </label>
      </legend>
      <EntryList entries={entry.children ?? []} />
    </fieldset>
  );
}

/** One run's card: colour and label, optimizer and schedule, and a section per LR method. */
function RunCard({ index, run, runCount }: { index: number; run: RunDoc; runCount: number }) {
  const draft = useLab((state) => state.draft);
  const budget = useLab((state) => state.summary?.budgetSteps ?? 600);
  const runKey = useLab((state) => state.summary?.runs.find((r) => r.method === index)?.runKey ?? -1);
  const hidden = useLab((state) => state.hidden[runKey] ?? false);
  const toggleHidden = useLab((state) => state.toggleHidden);
  const busy = useLab((state) => state.busy);
  const issues = useLab((state) => state.issues);
  const problems = issuesUnder(issues, `runs.${index}`);
  const form = runForm(index, draft);
  const schedulePath = `runs.${index}.schedule`;
  // A new schedule kind keeps the rate; its durations fit the budget.
  const switchSchedule = (kind: unknown) => {
    const old = (getPath(useLab.getState().draft, schedulePath) ?? {}) as RunDoc;
    void editField(schedulePath, scheduleForBudget(String(kind), baseRateOf(old), budget));
  };
  const color = typeof run.color === 'string' ? run.color : '#888888';
  const label = String(run.label ?? `run ${index}`);
  return (
    <section className={`run-card${hidden ? ' hidden-run' : ''}`} data-testid={`method-${index}`} aria-label={`Run ${label}`} style={{ borderLeftColor: color }}>
      <div className="run-head">
        <input
          type="color"
          value={color}
          onChange={(event) => void editField(`runs.${index}.color`, event.target.value)}
          aria-label={`colour of ${label}`}
          title={specAt(`runs.${index}.color`, draft)?.help}
          data-testid={`color-${index}`}
        />
        {form.head.map((entry) => (
          <EntryControl key={entry.path} entry={entry} />
        ))}
        <span className="run-actions">
          <button type="button" onClick={() => toggleHidden(runKey)} aria-pressed={hidden} data-testid={`hide-${index}`}>
            {hidden ? 'Show' : 'Hide'}
          </button>
          <button type="button" onClick={() => void addRun(index)} disabled={busy || runCount >= MAX_RUNS} title="Duplicate this run (restarts training)" data-testid={`duplicate-${index}`}>
            Duplicate
          </button>
          <button type="button" onClick={() => void moveRun(index, -1)} disabled={busy || index === 0} title="Move this run up (restarts training)" aria-label={`move ${label} up`} data-testid={`move-up-${index}`}>
            ↑
          </button>
          <button type="button" onClick={() => void moveRun(index, 1)} disabled={busy || index >= runCount - 1} title="Move this run down (restarts training)" aria-label={`move ${label} down`} data-testid={`move-down-${index}`}>
            ↓
          </button>
          <button type="button" onClick={() => void removeRun(index)} disabled={busy || runCount <= 1} title="Remove this run (restarts training)" data-testid={`remove-${index}`}>
            Remove
          </button>
        </span>
      </div>
      <div className="run-row">
        <EntryList entries={form.row} onCommitOf={(entry) => (entry.path === `${schedulePath}.kind` ? switchSchedule : undefined)} />
      </div>
      <div className="methods">
        {form.methods.map((entry) => (
          <MethodSection key={entry.path} index={index} entry={entry} />
        ))}
      </div>
      {problems.length > 0 && (
        <ul className="issues" data-testid={`issues-${index}`} aria-live="polite">
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Every run of the draft, plus "Add run". */
export function RunsEditor() {
  const draft = useLab((state) => state.draft);
  const runs = (draft?.runs as RunDoc[] | undefined) ?? [];
  const busy = useLab((state) => state.busy);
  return (
    <section className="panel runs-editor" aria-labelledby="runs-title">
      <h2 id="runs-title">Runs</h2>
      <p className="hint">
        Parameter changes apply mid-training from the next block (no reset). Adding, duplicating or removing a run restarts training. Fields marked{' '}
        <abbr title="The default is the project's choice: the spec marks this rule UNCONFIRMED">*</abbr> have a default that is the project&apos;s choice.
      </p>
      {runs.map((run, index) => (
        <RunCard key={index} index={index} run={run} runCount={runs.length} />
      ))}
      <button type="button" onClick={() => void addRun()} disabled={busy || runs.length >= MAX_RUNS} data-testid="add-run">
        Add run (restarts)
      </button>
    </section>
  );
}
