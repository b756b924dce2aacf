// The runs table: one card per run (method) of the experiment, with its colour, label, optimizer,
// schedule and a toggle per LR method with that method's parameters. Edits validate the whole
// config; valid parameter edits apply mid-training (no reset); add / duplicate / remove restart.
import { addRun, editField, editRun, removeRun } from '../actions';
import { METHODS, OPTIMIZER_FIELDS, SCHEDULE_FIELDS, scheduleOfKind, tooltipOf, optimizerSchema, type ParamField } from '../params';
import { issuesUnder, useLab } from '../store';
import { CheckField, NumberField, SelectField, TextField } from './fields';
import { MAX_RUNS } from '../../src/experiment/config';

type RunDoc = Record<string, unknown>;

/** One parameter field at `base`.key. */
function Param({ base, field, schema }: { base: string; field: ParamField; schema?: Parameters<typeof tooltipOf>[0] }) {
  const path = `${base}.${field.key}`;
  const tooltip = tooltipOf(schema, field);
  if (field.kind === 'boolean') return <CheckField path={path} label={field.label} tooltip={tooltip} projectChoice={field.projectChoice} />;
  if (field.kind === 'enum') return <SelectField path={path} label={field.label} tooltip={tooltip} options={field.options ?? []} projectChoice={field.projectChoice} />;
  const hint = [field.unit, field.range].filter(Boolean).join(' · ');
  return <NumberField path={path} label={field.label} tooltip={tooltip} unit={hint || undefined} projectChoice={field.projectChoice} list={field.kind === 'list'} />;
}

/** One run's card. */
function RunCard({ index, run, runCount }: { index: number; run: RunDoc; runCount: number }) {
  const budget = useLab((state) => state.summary?.budgetSteps ?? 600);
  const runKey = useLab((state) => state.summary?.runs.find((r) => r.method === index)?.runKey ?? -1);
  const hidden = useLab((state) => state.hidden[runKey] ?? false);
  const toggleHidden = useLab((state) => state.toggleHidden);
  const busy = useLab((state) => state.busy);
  const issues = useLab((state) => state.issues);
  const problems = issuesUnder(issues, `runs.${index}`);
  const schedule = (run.schedule ?? {}) as RunDoc;
  const kind = String(schedule.kind ?? 'constant');
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
          data-testid={`color-${index}`}
        />
        <TextField path={`runs.${index}.label`} label="label" tooltip="Name of the run in legends and exports; unique in the experiment." />
        <span className="run-actions">
          <button type="button" onClick={() => toggleHidden(runKey)} aria-pressed={hidden} data-testid={`hide-${index}`}>
            {hidden ? 'Show' : 'Hide'}
          </button>
          <button type="button" onClick={() => void addRun(index)} disabled={busy || runCount >= MAX_RUNS} title="Duplicate this run (restarts training)" data-testid={`duplicate-${index}`}>
            Duplicate
          </button>
          <button type="button" onClick={() => void removeRun(index)} disabled={busy || runCount <= 1} title="Remove this run (restarts training)" data-testid={`remove-${index}`}>
            Remove
          </button>
        </span>
      </div>
      <div className="run-row">
        {OPTIMIZER_FIELDS.map((field) => (
          <Param key={field.key} base={`runs.${index}.optimizer`} field={field} schema={optimizerSchema} />
        ))}
        <SelectField
          path={`runs.${index}.schedule.kind`}
          label="schedule"
          tooltip={SCHEDULE_FIELDS.common[0].help}
          options={SCHEDULE_FIELDS.common[0].options ?? []}
          onCommit={(value) => void editRun(index, { ...run, schedule: scheduleOfKind(String(value), schedule, budget) })}
        />
        {(SCHEDULE_FIELDS[kind] ?? []).map((field) => (
          <Param key={field.key} base={`runs.${index}.schedule`} field={field} />
        ))}
      </div>
      <div className="methods">
        {METHODS.map((method) => {
          const on = run[method.key] !== undefined;
          return (
            <fieldset key={method.key} className={`method${on ? ' on' : ''}`}>
              <legend>
                <label title={method.summary}>
                  <input
                    type="checkbox"
                    checked={on}
                    data-testid={`toggle-${index}-${method.key}`}
                    onChange={(event) => {
                      const next = { ...run };
                      if (event.target.checked) next[method.key] = { ...method.initial };
                      else delete next[method.key];
                      void editRun(index, next);
                    }}
                  />{' '}
                  {method.name}
                </label>
              </legend>
              {on && method.fields.map((field) => <Param key={field.key} base={`runs.${index}.${method.key}`} field={field} schema={method.schema} />)}
            </fieldset>
          );
        })}
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
