/**
 * Config validation with zod: one place that turns schema issues into messages naming the field,
 * e.g. `lrd.keepProb: must be > 0 (got 0)`. Every user-facing config goes through `parseConfig`.
 */
import { z } from 'zod';

/** Thrown for invalid configuration; `issues` lists every problem, each naming its field. */
export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(issues.join('; '));
    this.name = 'ConfigError';
  }
}

/** A value as an issue quotes it: its JSON, or for a long list or object just what it is. */
function describe(value: unknown): string {
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  if (text.length <= 120) return text;
  return Array.isArray(value) ? `a list of ${value.length}` : typeof value === 'object' && value !== null ? 'an object' : `${text.slice(0, 117)}…`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Parses `input` with `schema`; on failure throws ConfigError with "prefix.field: message (got x)". */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, prefix: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const field = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
      const got = valueAt(input, issue.path);
      return `${field}: ${issue.message}${got === undefined ? '' : ` (got ${describe(got)})`}`;
    }),
  );
}

/** zod error option: "is required" for a missing value, zod's message for unknown keys, else `text`. */
export const expected = (text: string) => ({
  error: (issue: { code?: string; input?: unknown }) =>
    issue.input === undefined ? 'is required' : issue.code === 'unrecognized_keys' ? undefined : text,
});

/**
 * An integer in [min, max] whose every failure says `text`. Number.isInteger as a refinement, not
 * zod's .int(): a failed .int() aborts the parse before the cross-field checks, which should report
 * in the same pass.
 */
export function integer(min: number, max: number, text: string) {
  // The refinement is not representable in JSON Schema: say the type there (forms read it).
  return z.number(expected(text)).refine(Number.isInteger, text).min(min, text).max(max, text).meta({ type: 'integer' });
}

/** A string from `values`; any other value fails with "must be one of "a", "b"". */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, expected(`must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`));

/** A trimmed text of `min` to `max` characters. */
export function text(min: number, max: number) {
  const message = `must be a text of ${min} to ${max} characters`;
  return z.string(expected(message)).trim().min(min, message).max(max, message);
}

/** A boolean ("must be true or false"). */
export const flag = () => z.boolean(expected('must be true or false'));
