/**
 * Validation issues in words for the form: "keep prob: enter a number in (0, 1]" rather than the
 * validator's own phrasing. A number field whose value is not a number, or lies outside the
 * schema's range, asks for what it takes (from the schema's range); any other issue (a rule between
 * fields, a text's length) keeps the validator's message, which is written in words already.
 */
import { getPath } from '../store';
import { specAt } from './model';

/** The label and the words of the issue `message` of the field at `path` in `doc`. */
export function issueInWords(path: string, message: string, doc: unknown): { label: string; words: string } {
  const keys = path.split('.');
  const last = keys[keys.length - 1];
  const item = /^\d+$/.test(last) && keys.length > 1;
  const spec = specAt(item ? keys.slice(0, -1).join('.') : path, doc);
  const label = spec?.label ?? last;
  const numeric = spec && (spec.type === 'number' || spec.type === 'integer' || spec.type === 'numbers');
  if (!numeric || !spec.accepts) return { label, words: message };
  const value = getPath(doc, path);
  if (typeof value === 'object' && value !== null) return { label, words: message }; // about the list itself (its length)
  const what = spec.type === 'integer' || spec.range?.startsWith('integer') ? 'an integer' : 'a number';
  const range = spec.range?.replace(/^integers? ?(in )?/, '') ?? '';
  const ask = `enter ${what}${range ? ` ${/^[[(]/.test(range) ? 'in ' : ''}${range}` : ''}`;
  if (typeof value !== 'number') return { label, words: ask };
  if (!spec.accepts(value)) return { label, words: `${ask} (got ${value})` };
  return { label, words: message.replace(/ \(got [^)]*\)$/, '') };
}

/** "label: words" for an issue of the field at `path`. */
export function describeIssue(path: string, message: string, doc: unknown): string {
  const { label, words } = issueInWords(path, message, doc);
  return `${label}: ${words}`;
}

/**
 * Why training cannot start: the first issue of the draft, with the run it belongs to
 * ("LRD · keep prob: enter a number in (0, 1]"); null when the draft is valid.
 */
export function blockingIssue(issues: readonly string[], doc: unknown): string | null {
  const first = issues[0];
  if (first === undefined) return null;
  const colon = first.indexOf(': ');
  const path = colon < 0 ? '' : first.slice(0, colon);
  const message = colon < 0 ? first : first.slice(colon + 2);
  if (!path) return message;
  const run = /^runs\.(\d+)\./.exec(path);
  const label = run ? getPath(doc, `runs.${run[1]}.label`) : undefined;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `${typeof label === 'string' && label ? `${label} · ` : ''}${describeIssue(path, message, doc)}${more}`;
}
