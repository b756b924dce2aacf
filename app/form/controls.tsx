// Form controls bound to a dotted path of the config draft: they show the draft's value (the
// schema default as placeholder), send edits to editField, and show the ConfigError message for
// their path inline (never clamping a value). EntryControl renders one entry of ./model.ts.
import { useEffect, useId, useRef, useState } from 'react';
import { editField } from '../actions';
import { getPath, issueAt, useLab } from '../store';
import { flatEntries, showValue, splitMore, startingValue, switchVariant, tooltipOf, unitOf, type Entry } from './model';
import { describeIssue } from './words';

interface FieldProps {
  path: string;
  label: string;
  tooltip?: string;
  /** Shown after the input (unit, range). */
  hint?: string;
  /** Marks a default that is the project's choice. */
  projectChoice?: boolean;
  /** Shown while the value is absent: the default. */
  fallback?: unknown;
  /** Custom commit (default: editField(path, value)). */
  onCommit?: (value: unknown) => void;
}

const commitTo = (path: string, onCommit?: (value: unknown) => void) => onCommit ?? ((value: unknown) => void editField(path, value));

/** The inline issue of `path`, in words ("keep prob: enter a number in (0, 1]"; ./words.ts). */
function useIssue(path: string): string | undefined {
  return useLab((state) => {
    const message = issueAt(state.issues, path);
    return message === undefined ? undefined : describeIssue(path, message, state.draft);
  });
}

/** The draft's value at `path`. */
function useDraftValue(path: string): unknown {
  return useLab((state) => getPath(state.draft, path));
}

/** Label text with the tooltip and the "project's choice" mark. */
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

/** The issue under a field, if any. */
function Issue({ path, id, issue }: { path: string; id?: string; issue?: string }) {
  return issue ? (
    <span id={id} className="issue" data-testid={`issue-${path}`}>
      {issue}
    </span>
  ) : null;
}

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
export function NumberField({ path, label, tooltip, hint, projectChoice, fallback, list = false, optional = false, onCommit }: FieldProps & { list?: boolean; optional?: boolean }) {
  const value = useDraftValue(path);
  const issue = useIssue(path);
  const [text, setText] = useState(showValue(value));
  const [echo, setEcho] = useState(value);
  const id = useId();
  // A change from elsewhere (engine reload, another control) replaces the text.
  if (JSON.stringify(echo) !== JSON.stringify(value)) {
    setEcho(value);
    setText(showValue(value));
  }
  const commit = (next: string) => {
    setText(next);
    // An empty list is a list (hidden widths: a linear model), not an absent field.
    const parsed = list ? parseListText(next) : parseNumberText(next, optional);
    setEcho(parsed);
    commitTo(path, onCommit)(parsed);
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
          placeholder={fallback === undefined ? undefined : `default ${showValue(fallback)}`}
          size={list ? 10 : 8}
        />
        {hint && <span className="unit">{hint}</span>}
      </span>
      <Issue path={path} id={`${id}-issue`} issue={issue} />
    </label>
  );
}

/** A select over fixed options; with `optional`, a first option stands for "absent" (the default applies). */
export function SelectField({ path, label, tooltip, options, projectChoice, fallback, optional = false, onCommit }: FieldProps & { options: readonly (string | number | boolean)[]; optional?: boolean }) {
  const value = useDraftValue(path);
  const issue = useIssue(path);
  const commit = (text: string) => {
    const option = options.find((o) => String(o) === text);
    commitTo(path, onCommit)(text === '' && optional ? undefined : (option ?? text));
  };
  return (
    <label className={`field${issue ? ' invalid' : ''}`}>
      <LabelText label={label} tooltip={tooltip} projectChoice={projectChoice} />
      <select value={showValue(value)} onChange={(event) => commit(event.target.value)} data-testid={`field-${path}`} title={tooltip} aria-invalid={issue ? true : undefined}>
        {(optional || value === undefined) && <option value="">{fallback === undefined ? '(default)' : `${showValue(fallback)} (default)`}</option>}
        {options.map((option) => (
          <option key={String(option)} value={String(option)}>
            {String(option)}
          </option>
        ))}
      </select>
      <Issue path={path} issue={issue} />
    </label>
  );
}

/** A checkbox; `fallback` is the value shown while the field is absent. */
export function CheckField({ path, label, tooltip, projectChoice, fallback, onCommit }: FieldProps) {
  const value = useDraftValue(path);
  const issue = useIssue(path);
  return (
    <label className={`field check${issue ? ' invalid' : ''}`}>
      <input
        type="checkbox"
        checked={typeof value === 'boolean' ? value : fallback === true}
        onChange={(event) => commitTo(path, onCommit)(event.target.checked)}
        data-testid={`field-${path}`}
        title={tooltip}
      />
      <LabelText label={label} tooltip={tooltip} projectChoice={projectChoice} />
      <Issue path={path} issue={issue} />
    </label>
  );
}

/** A text field (run labels). */
export function TextField({ path, label, tooltip }: FieldProps) {
  const value = useDraftValue(path);
  const issue = useIssue(path);
  return (
    <label className={`field${issue ? ' invalid' : ''}`}>
      <LabelText label={label} tooltip={tooltip} />
      <input
        type="text"
        value={typeof value === 'string' ? value : ''}
        onChange={(event) => void editField(path, event.target.value)}
        data-testid={`field-${path}`}
        title={tooltip}
        aria-invalid={issue ? true : undefined}
        size={12}
      />
      <Issue path={path} issue={issue} />
    </label>
  );
}

/** The path of the union whose kind `kindPath` is ("runs.0.schedule.kind" → "runs.0.schedule"). */
const unionPath = (kindPath: string) => kindPath.slice(0, -'.kind'.length);

/**
 * The control of one form entry (./model.ts): a number, list, checkbox, select or text field; a
 * union's kind picker (switching keeps the fields the new kind shares, unless `onCommit` says
 * otherwise); an optional object's switch, followed by its fields while on. Numbers show their
 * unit and (with `showRange`) their range after the input; the tooltip says both.
 */
export function EntryControl({ entry, onCommit, showRange = true }: { entry: Entry; onCommit?: (value: unknown) => void; showRange?: boolean }) {
  const { path, spec } = entry;
  const unit = useLab((state) => unitOf(entry, state.draft));
  const variantHelp = useLab((state) => (entry.control === 'variant' ? spec.variants?.[String(getPath(state.draft, path))]?.help : undefined));
  const tooltip = [tooltipOf(spec, unit), variantHelp].filter(Boolean).join(' ');
  const common = { path, label: spec.label, tooltip, projectChoice: spec.projectChoice, fallback: spec.default, onCommit };
  if (entry.control === 'variant') {
    const switchTo = (kind: unknown) => {
      const old = getPath(useLab.getState().draft, unionPath(path));
      void editField(unionPath(path), switchVariant(spec, old, String(kind)));
    };
    return <SelectField {...common} options={Object.keys(spec.variants ?? {})} onCommit={onCommit ?? switchTo} />;
  }
  if (entry.control === 'optional') {
    const toggle = (on: unknown) => void editField(path, on === true ? startingValue(spec) : undefined);
    return (
      <>
        <OptionalSwitch {...common} onCommit={onCommit ?? toggle} />
        {entry.children?.map((child) => <EntryControl key={child.path} entry={child} showRange={showRange} />)}
      </>
    );
  }
  const hint = [unit, showRange ? spec.range : undefined].filter(Boolean).join(' · ') || undefined;
  const optional = !spec.required;
  switch (spec.type) {
    case 'boolean':
      return <CheckField {...common} />;
    case 'enum':
      return <SelectField {...common} options={spec.options ?? []} optional={optional} />;
    case 'text':
      return <TextField {...common} />;
    case 'numbers':
      return <NumberField {...common} hint={hint} list />;
    default:
      return <NumberField {...common} hint={hint} optional={optional} />;
  }
}

/** Entries up front, then the others under a "more" disclosure (opened when one of them has an issue); `onCommitOf` overrides an entry's commit. */
export function EntryList({ entries, showRange = true, onCommitOf }: { entries: readonly Entry[]; showRange?: boolean; onCommitOf?: (entry: Entry) => ((value: unknown) => void) | undefined }) {
  const [upFront, more] = splitMore(entries);
  const flagged = useLab((state) => flatEntries(more).some((entry) => issueAt(state.issues, entry.path) !== undefined));
  const disclosure = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    if (flagged && disclosure.current) disclosure.current.open = true;
  }, [flagged]);
  const control = (entry: Entry) => <EntryControl key={entry.path} entry={entry} showRange={showRange} onCommit={onCommitOf?.(entry)} />;
  return (
    <>
      {upFront.map(control)}
      {more.length > 0 && (
        <details className="more" ref={disclosure}>
          <summary>more</summary>
          <div className="more-fields">{more.map(control)}</div>
        </details>
      )}
    </>
  );
}

/** The switch of an optional object (a warm-up, restarts): checked while the draft has it. */
function OptionalSwitch({ path, label, tooltip, onCommit }: FieldProps) {
  const on = useLab((state) => getPath(state.draft, path) !== undefined);
  return (
    <label className="field check">
      <input type="checkbox" checked={on} onChange={(event) => commitTo(path, onCommit)(event.target.checked)} data-testid={`field-${path}`} title={tooltip} />
      <LabelText label={label} tooltip={tooltip} />
    </label>
  );
}
