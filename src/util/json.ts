/**
 * Reading JSON that a user wrote or a file holds: JSON.parse, and on a syntax error a message with
 * the line and column (JSON.parse's own messages differ between engines and often lack them).
 */
import { ConfigError } from './validate';

/** A plain object (not null, not an array). */
export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Offset and reason of the first syntax error in `text` (a small JSON scanner; JSON.parse's messages differ between Node versions and often lack the position). */
function syntaxErrorAt(text: string): { offset: number; reason: string } | null {
  let at = 0;
  const fail = (reason?: string): never => {
    const end = at >= text.length;
    throw { offset: at, reason: end ? 'unexpected end of text (is the file cut short?)' : (reason ?? `unexpected ${JSON.stringify(text[at])}`) };
  };
  const space = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at])) at++;
  };
  const literal = (word: string) => {
    for (const char of word) {
      if (text[at] !== char) fail();
      at++;
    }
  };
  const string = () => {
    at++; // opening quote
    for (;;) {
      if (at >= text.length) fail('unterminated string');
      const char = text[at];
      if (char === '"') return void at++;
      if (char < ' ') fail('control character in a string');
      if (char === '\\') {
        at++;
        if (text[at] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) fail('bad \\u escape');
          at += 5;
        } else if ('"\\/bfnrt'.includes(text[at] ?? 'x')) at++;
        else fail('bad escape');
      } else at++;
    }
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at, at + 400));
    if (!match) fail();
    at += match![0].length;
  };
  const value = (): void => {
    space();
    const char = text[at];
    if (char === '{') {
      at++;
      space();
      if (text[at] === '}') return void at++;
      for (;;) {
        space();
        if (text[at] !== '"') fail('expected a property name in double quotes');
        string();
        space();
        if (text[at] !== ':') fail('expected ":"');
        at++;
        value();
        space();
        if (text[at] === ',') at++;
        else if (text[at] === '}') return void at++;
        else fail('expected "," or "}"');
      }
    }
    if (char === '[') {
      at++;
      space();
      if (text[at] === ']') return void at++;
      for (;;) {
        value();
        space();
        if (text[at] === ',') at++;
        else if (text[at] === ']') return void at++;
        else fail('expected "," or "]"');
      }
    }
    if (char === '"') return string();
    if (char === 't') return literal('true');
    if (char === 'f') return literal('false');
    if (char === 'n') return literal('null');
    return number();
  };
  try {
    value();
    space();
    if (at < text.length) fail('unexpected text after the JSON value');
    return null;
  } catch (error) {
    if (error instanceof RangeError) return null; // nested too deeply to scan
    return error as { offset: number; reason: string };
  }
}

/**
 * JSON.parse of `text`; a syntax error is a ConfigError naming `what` and the place:
 * "results: not valid JSON at line 3, column 7: expected "," or "}"".
 */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const found = syntaxErrorAt(text);
    if (!found) throw new ConfigError([`${what}: not valid JSON (${(error as Error).message})`]);
    const before = text.slice(0, found.offset).split('\n');
    const line = before.length;
    const column = before[before.length - 1].length + 1;
    throw new ConfigError([`${what}: not valid JSON at line ${line}, column ${column}: ${found.reason}`]);
  }
}


/**
 * A config document given as an object or as its JSON text, as a deep copy in plain JSON; bad JSON
 * is a ConfigError naming `what` (with line and column for text).
 */
export function jsonDocument(value: unknown, what: string): unknown {
  if (typeof value === 'string') return parseJsonText(value, what);
  try {
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  } catch (error) {
    throw new ConfigError([`${what}: not valid JSON (${(error as Error).message})`]);
  }
}

/** `value` with every −0 replaced by 0 (JSON writes −0 as 0, so a parsed config survives a JSON round trip unchanged). */
export function withoutNegativeZero<T>(value: T): T {
  if (Object.is(value, -0)) return 0 as T;
  if (Array.isArray(value)) return value.map(withoutNegativeZero) as T;
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withoutNegativeZero(item)])) as T;
  return value;
}
