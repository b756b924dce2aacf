// The sweep's axes in the form: per axis the swept run field, a list of values or a range (from, to,
// count, log or linear), and the stacked runs they make; add or remove an axis. A sweep change
// restarts training, so it waits for the experiment panel's Apply. Labels and explanations come from
// the schema (src/experiment/sweep.ts), like every field.
import { runSchema } from '../../src/experiment/config';
import { AXIS_SPACINGS, MAX_AXES, MAX_STACKED_RUNS, sweepableFields } from '../../src/experiment/sweep';
import { editField } from '../actions';
import { specAt } from '../form/model';
import { getPath, issuesUnder, useLab } from '../store';

const FIELDS = sweepableFields(runSchema);
type Axis = Record<string, unknown>;

/** The schema's explanation of a sweep field (axis fields from the range variant, which has them all). */
const help = (key: string) => specAt(`sweep.axes.0.${key}`, { sweep: { axes: [{ kind: 'range' }] } })?.help ?? '';

/** One axis: field, kind, and its values or range. */
function AxisRow({ axis, index, axes }: { axis: Axis; index: number; axes: Axis[] }) {
  const set = (next: Axis | null) => {
    const list = next ? axes.map((a, i) => (i === index ? next : a)) : axes.filter((_, i) => i !== index);
    void editField('sweep', list.length ? { ...((useLab.getState().draft?.sweep as object) ?? {}), axes: list } : undefined);
  };
  const number = (key: string, integer = false) => (
    <label className="field" title={help(key)}>
      <span className="field-label">{key}</span>
      <input type="number" step={integer ? 1 : 'any'} value={String(axis[key] ?? '')} onChange={(event) => set({ ...axis, [key]: event.target.value === '' ? undefined : Number(event.target.value) })} data-testid={`sweep-${key}-${index}`} />
    </label>
  );
  return (
    <fieldset className="sweep-axis">
      <legend>axis {index + 1}</legend>
      <label className="field" title={help('field')}>
        <span className="field-label">field</span>
        <select value={String(axis.field)} onChange={(event) => set({ ...axis, field: event.target.value })} data-testid={`sweep-field-${index}`}>
          {FIELDS.map((field) => (
            <option key={field}>{field}</option>
          ))}
        </select>
      </label>
      <label className="field" title="A list of values, or a range from, to, count (log-spaced for rates).">
        <span className="field-label">kind</span>
        <select
          value={String(axis.kind)}
          onChange={(event) => set(event.target.value === 'values' ? { kind: 'values', field: axis.field, values: [0.01, 0.1] } : { kind: 'range', field: axis.field, from: 0.001, to: 1, count: 8 })}
          data-testid={`sweep-kind-${index}`}
        >
          <option value="range">range</option>
          <option value="values">values</option>
        </select>
      </label>
      {axis.kind === 'values' ? (
        <label className="field" title={help('values')}>
          <span className="field-label">values</span>
          <input
            type="text"
            defaultValue={Array.isArray(axis.values) ? axis.values.join(', ') : ''}
            onBlur={(event) => set({ ...axis, values: event.target.value.split(',').map((part) => part.trim()).filter(Boolean).map(Number) })}
            data-testid={`sweep-values-${index}`}
          />
        </label>
      ) : (
        <>
          {number('from')}
          {number('to')}
          {number('count', true)}
          <label className="field" title={help('spacing')}>
            <span className="field-label">spacing</span>
            <select value={String(axis.spacing ?? 'log')} onChange={(event) => set({ ...axis, spacing: event.target.value })} data-testid={`sweep-spacing-${index}`}>
              {AXIS_SPACINGS.map((spacing) => (
                <option key={spacing}>{spacing}</option>
              ))}
            </select>
          </label>
        </>
      )}
      <button type="button" onClick={() => set(null)} data-testid={`sweep-remove-${index}`}>
        Remove axis
      </button>
    </fieldset>
  );
}

/** The sweep panel of the form: the axes, the stacked runs they make, the issues. */
export function SweepEditor() {
  const draft = useLab((state) => state.draft);
  const config = useLab((state) => state.config);
  const issues = useLab((state) => state.issues);
  if (!draft) return null;
  const axes = ((getPath(draft, 'sweep.axes') as Axis[] | undefined) ?? []).filter(Boolean);
  const add = () => void editField('sweep', { ...((draft.sweep as object) ?? {}), axes: [...axes, { kind: 'range', field: axes.length ? 'lrd.keepProb' : 'lr', from: axes.length ? 0.3 : 0.001, to: 1, count: axes.length ? 3 : 8 }] });
  const sweepIssues = issuesUnder(issues, 'sweep');
  return (
    <section className="panel sweep-editor" aria-labelledby="sweep-editor-title">
      <h2 id="sweep-editor-title">Sweep</h2>
      <p className="muted">
        Train every run at every value of up to {MAX_AXES} run fields, stacked (at most {MAX_STACKED_RUNS} runs). {config?.sweep ? `Now: ${useLab.getState().summary?.runs.length ?? 0} stacked runs.` : ''}
      </p>
      {axes.map((axis, index) => (
        <AxisRow key={index} axis={axis} index={index} axes={axes} />
      ))}
      {axes.length < MAX_AXES && (
        <button type="button" onClick={add} data-testid="sweep-add">
          Add sweep axis
        </button>
      )}
      {sweepIssues.map((issue) => (
        <p key={issue} role="alert" className="issue" data-testid="sweep-issue">
          {issue}
        </p>
      ))}
    </section>
  );
}
