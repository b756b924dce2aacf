/**
 * Where an edit's issues show. A rule between two fields (labels must be unique) is reported by the
 * validator on one of them, the later run's; when the user just typed into the other one, the issue
 * belongs on the field typed in, naming the other ("runs.0.label: must be unique: runs.1.label is
 * also "LRD"" rather than on run 1's card, which nobody touched).
 */
import { issueField } from './store';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `issues` after an edit of the field at `path`: an issue at another field whose message names
 * `path` (as a whole field name) moves to `path`, naming that other field instead. Others stay.
 */
export function issuesAfterEdit(issues: readonly string[], path: string): string[] {
  if (issues.some((issue) => issueField(issue) === path)) return [...issues];
  const named = new RegExp(`(?<![\\w.])${escapeRegExp(path)}(?![\\w.])`);
  let moved = false;
  return issues.map((issue) => {
    const field = issueField(issue);
    const message = issue.slice(field.length + 2);
    if (moved || field === '' || !named.test(message)) return issue;
    moved = true;
    return `${path}: ${message.replace(named, field)}`;
  });
}
