// Form fields bound to a dotted path of the config draft: they show the draft's value, send edits
// to editField, and show the ConfigError message for their path inline (never clamping a value).
import { useEffect, useId, useState } from 'react';
import { editField } from '../actions';
import { getPath, issueAt, useLab } from '../store';

interface FieldProps {
  path: string;
  label: string;
  tooltip?: string;
  /** Shown after the input (unit). */
  unit?: string;
  /** Marks a default that is the project's choice. */
  projectChoice?: boolean;
  /** Custom commit (default: editField(path, value)). */
  onCommit?: (value: unknown) => void;
}

/** The inline issue of `path` (or of any path listed in `also`). */
function useIssue(path: string): string | undefined {
  return useLab((state) => issueAt(state.issues, path));
}

/** Label text with the tooltip marker and the "project's choice" tag. */
function LabelText({ label, tooltip, projectChoice }: Pick<FieldProps, 'label' | 'tooltip' | 'projectChoice'>) {
  return (
    <span className="field-label" title={tooltip}>
      {label}
      {projectChoice && (
        <abbr className="choice" title="The default is the project's choice: the spec marks this rule UNCONFIRMED">
          *
        </abbr>
      )}
    </span>
  );
}

/** The text a number (or list of numbers) shows as. */
const show = (value: unknown) => (value === undefined ? '' : Array.isArray(value) ? value.join(', ') : String(value));

/** Parses typed text: a number when it is one, else the text itself (so validation names the field); empty: absent if optional. */
export function parseNumberText(text: string, optional = false): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return optional ? undefined : '';
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : trimmed;
}

/** Parses "1, 2, 3" into numbers (non-numbers kept as text, for the validator to refuse). */
export function parseListText(text: string): unknown[] {
  return text
    .split(/[,\s]+/)
    .filter(Boolean)
    .map((part) => (Number.isFinite(Number(part)) ? Number(part) : part));
}

/** A number (or number list) field; keeps what the user typed until the draft changes elsewhere. */
export function NumberField({ path, label, tooltip, unit, projectChoice, list = false, optional = false, onCommit }: FieldProps & { list?: boolean; optional?: boolean }) {
  const value = useLab((state) => getPath(state.draft, path));
  const fallback = useLab((state) => getPath(state.resolved, path));
  const issue = useIssue(path);
  const [text, setText] = useState(show(value));
  const [echo, setEcho] = useState(value);
  const id = useId();
  // A change from elsewhere (engine reload, another control) replaces the text.
  if (JSON.stringify(echo) !== JSON.stringify(value)) {
    setEcho(value);
    setText(show(value));
  }
  const commit = (next: string) => {
    setText(next);
    const parsed = list ? parseListText(next) : parseNumberText(next, optional);
    setEcho(parsed);
    (onCommit ?? ((v: unknown) => void editField(path, v)))(parsed);
  };
  return (
    <label className={`field${issue ? ' invalid' : ''}`}>
      <LabelText label={label} tooltip={tooltip} projectChoice={projectChoice} />
      <span className="field-input">
        <input
          type="text"
          inputMode="decimal"
          value={text}
          onChange={(event) => commit(event.target.value)}
          aria-invalid={issue ? true : undefined}
          aria-describedby={issue ? `${id}-issue` : undefined}
          data-testid={`field-${path}`}
          title={tooltip}
          placeholder={fallback === undefined ? undefined : show(fallback)}
          size={list ? 10 : 6}
        />
        {unit && <span className="unit">{unit}</span>}
      </span>
      {issue && (
        <span id={`${id}-issue`} className="issue" data-testid={`issue-${path}`}>
          {issue}
        </span>
      )}
    </label>
  );
}

/** A select over fixed options. */
export function SelectField({ path, label, tooltip, options, projectChoice, onCommit }: FieldProps & { options: readonly string[] }) {
  const value = useLab((state) => getPath(state.draft, path));
  const fallback = useLab((state) => getPath(state.resolved, path));
  const issue = useIssue(path);
  return (
    <label className={`field${issue ? ' invalid' : ''}`}>
      <LabelText label={label} tooltip={tooltip} projectChoice={projectChoice} />
      <select
        value={String(value ?? '')}
        onChange={(event) => (onCommit ?? ((v: unknown) => void editField(path, v)))(event.target.value)}
        data-testid={`field-${path}`}
        title={tooltip}
        aria-invalid={issue ? true : undefined}
      >
        {value === undefined && <option value="">{fallback === undefined ? '(default)' : `${String(fallback)} (default)`}</option>}
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
      {issue && (
        <span className="issue" data-testid={`issue-${path}`}>
          {issue}
        </span>
      )}
    </label>
  );
}

/** A checkbox. */
export function CheckField({ path, label, tooltip, projectChoice }: FieldProps) {
  const value = useLab((state) => getPath(state.draft, path));
  const fallback = useLab((state) => getPath(state.resolved, path)) === true;
  const issue = useIssue(path);
  return (
    <label className={`field check${issue ? ' invalid' : ''}`}>
      <input
        type="checkbox"
        checked={typeof value === 'boolean' ? value : fallback}
        onChange={(event) => void editField(path, event.target.checked)}
        data-testid={`field-${path}`}
        title={tooltip}
      />
      <LabelText label={label} tooltip={tooltip} projectChoice={projectChoice} />
      {issue && (
        <span className="issue" data-testid={`issue-${path}`}>
          {issue}
        </span>
      )}
    </label>
  );
}

/** Calls `callback` after `value` settles for `ms` (used by the boundary refresh). */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** A text field (run labels). */
export function TextField({ path, label, tooltip }: FieldProps) {
  const value = useLab((state) => getPath(state.draft, path));
  const issue = useIssue(path);
  return (
    <label className={`field${issue ? ' invalid' : ''}`}>
      <LabelText label={label} tooltip={tooltip} />
      <input
        type="text"
        value={typeof value === 'string' ? value : ''}
        onChange={(event) => void editField(path, event.target.value)}
        data-testid={`field-${path}`}
        aria-invalid={issue ? true : undefined}
        size={12}
      />
      {issue && (
        <span className="issue" data-testid={`issue-${path}`}>
          {issue}
        </span>
      )}
    </label>
  );
}
