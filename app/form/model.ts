/**
 * The form as data: which controls the page shows for a config document, each bound to a dotted
 * path and described by its schema (src/util/schema-fields.ts reads labels, explanations, ranges,
 * options, defaults and units from the zod schemas). Pure functions of the document, so the
 * panels render them and the tests check them; ./layout.ts holds the presentation choices.
 */
import { experimentSchema } from '../../src/experiment/config';
import { isRecord } from '../../src/util/json';
import { childSpec, fieldSpecOf, type FieldSpec } from '../../src/util/schema-fields';
import { getPath } from '../store';
import { EXPERIMENT_PANEL, LEFT_OUT, MORE, OWN_CONTROLS, RUN_HEAD, RUN_ROW } from './layout';

/** The experiment config's field specs, read once from the schema. */
export const EXPERIMENT_SPEC = fieldSpecOf(experimentSchema);

/** One control of the form. */
export interface Entry {
  /** 'field': a value's control; 'variant': a union's kind picker (path ends in `.kind`); 'optional': an optional object's switch. */
  control: 'field' | 'variant' | 'optional';
  /** Dotted config path ("runs.0.lrd.keepProb"). */
  path: string;
  /** The field's spec; for 'variant', the union's. */
  spec: FieldSpec;
  /** 'optional': the object's own entries while the document has it. */
  children?: Entry[];
}

/** A run card's controls: its head, its optimizer and schedule row, and one optional entry per LR method. */
export interface RunForm {
  head: Entry[];
  row: Entry[];
  methods: Entry[];
}

const join = (base: string, key: string) => (base ? `${base}.${key}` : key);

/** A document path as a layout pattern: run indices become `*` ("runs.2.label" → "runs.*.label"). */
export const patternOf = (path: string) => path.replace(/(^|\.)\d+(?=\.|$)/g, '$1*');

/** True for a path the generic form skips: left out, or edited by a control of its own (./layout.ts). */
const skipped = (path: string) => Object.hasOwn(LEFT_OUT, patternOf(path)) || Object.hasOwn(OWN_CONTROLS, patternOf(path));

/** The spec of the field at `path` in `doc` (a union's variant chosen by the document's `kind`); undefined if none. */
export function specAt(path: string, doc: unknown): FieldSpec | undefined {
  const keys = path.split('.');
  let spec: FieldSpec | undefined = EXPERIMENT_SPEC;
  keys.forEach((key, depth) => {
    if (spec) spec = childSpec(spec, key, getPath(doc, [...keys.slice(0, depth), 'kind'].join('.')));
  });
  return spec;
}

/** The value of sibling `key` of the fields at `base`: the document's, else the sibling's default. */
function siblingValue(object: FieldSpec, base: string, key: string, doc: unknown): unknown {
  return getPath(doc, join(base, key)) ?? object.fields?.find((field) => field.key === key)?.default;
}

/** Whether `field` of `object` (at `base`) matters in `doc`: each sibling named in its `when` has one of the listed values. */
function applies(field: FieldSpec, object: FieldSpec, base: string, doc: unknown): boolean {
  return Object.entries(field.when ?? {}).every(([key, values]) => values.includes(siblingValue(object, base, key, doc)));
}

/** An optional object: neither required nor defaulted (switched on and off as a whole). */
export const isOptionalObject = (spec: FieldSpec) => spec.type === 'object' && !spec.required && spec.default === undefined;

/** The entries of the fields of `object` at `base`, without the keys in `skip`. */
function fieldEntries(base: string, object: FieldSpec, doc: unknown, skip: readonly string[] = []): Entry[] {
  return (object.fields ?? [])
    .filter((field) => !skip.includes(field.key) && applies(field, object, base, doc))
    .flatMap((field) => entriesOf(join(base, field.key), field, doc));
}

/** The entries of the field at `path`: a value's control; a union's kind and its variant's fields; an object's fields; an optional object's switch. */
function entriesOf(path: string, spec: FieldSpec, doc: unknown): Entry[] {
  if (skipped(path)) return [];
  switch (spec.type) {
    case 'union': {
      const variant = spec.variants?.[String(getPath(doc, `${path}.kind`))];
      const kind: Entry[] = skipped(`${path}.kind`) ? [] : [{ control: 'variant', path: `${path}.kind`, spec }];
      return [...kind, ...(variant ? fieldEntries(path, variant, doc, ['kind']) : [])];
    }
    case 'object':
      if (!isOptionalObject(spec)) return fieldEntries(path, spec, doc);
      return [{ control: 'optional', path, spec, children: getPath(doc, path) === undefined ? [] : fieldEntries(path, spec, doc) }];
    case 'list':
    case 'constant':
      return []; // lists have panels of their own (the runs); a constant is not edited
    default:
      return [{ control: 'field', path, spec }];
  }
}

/** The entries of the field at `path` of `doc` (none when the document has no such field). */
export function entriesAt(path: string, doc: unknown): Entry[] {
  const spec = specAt(path, doc);
  return spec ? entriesOf(path, spec, doc) : [];
}

/** The experiment panel's entries for `doc`, in the order of EXPERIMENT_PANEL. */
export function experimentEntries(doc: unknown): Entry[] {
  return EXPERIMENT_PANEL.flatMap((key) => entriesAt(key, doc));
}

/** Run `index`'s card: head, row, and the run's other optional objects (the LR methods) in schema order. */
export function runForm(index: number, doc: unknown): RunForm {
  const base = `runs.${index}`;
  const run = specAt(base, doc);
  const placed: readonly string[] = [...RUN_HEAD, ...RUN_ROW];
  const methods = (run?.fields ?? []).filter((field) => isOptionalObject(field) && !placed.includes(field.key));
  return {
    head: RUN_HEAD.flatMap((key) => entriesAt(join(base, key), doc)),
    row: RUN_ROW.flatMap((key) => entriesAt(join(base, key), doc)),
    methods: methods.flatMap((field) => entriesOf(join(base, field.key), field, doc)),
  };
}

/** `entries` split into those shown up front and those under a "more" disclosure (MORE in ./layout.ts). */
export function splitMore(entries: readonly Entry[]): [upFront: Entry[], more: Entry[]] {
  const tucked = (entry: Entry) => MORE.includes(patternOf(entry.path));
  return [entries.filter((entry) => !tucked(entry)), entries.filter(tucked)];
}

/** Every entry of `entries` and of their children, depth first. */
export function flatEntries(entries: readonly Entry[]): Entry[] {
  return entries.flatMap((entry) => [entry, ...flatEntries(entry.children ?? [])]);
}

/** A value as a field shows it ("16, 16" for a list). */
export const showValue = (value: unknown) => (value === undefined ? '' : Array.isArray(value) ? value.join(', ') : String(value));

/**
 * The unit a field shows in `doc`: the value of its `unitFrom` field ("steps", "epochs"), looked up
 * beside it and then further up (a warm-up without its own unit counts in its schedule's), else
 * its own `unit`.
 */
export function unitOf(entry: Entry, doc: unknown): string | undefined {
  const { path, spec } = entry;
  const keys = path.split('.').slice(0, -1);
  for (let depth = keys.length; spec.unitFrom && depth >= 0; depth--) {
    const named = join(keys.slice(0, depth).join('.'), spec.unitFrom);
    const value = getPath(doc, named) ?? specAt(named, doc)?.default;
    if (typeof value === 'string') return value.endsWith('s') ? value : `${value}s`;
  }
  return spec.unit;
}

/** A field's tooltip: its explanation, then its range, unit and default, and whether the default is the project's choice. */
export function tooltipOf(spec: FieldSpec, unit = spec.unit): string {
  const parts = [spec.help];
  if (spec.range) parts.push(`Range: ${spec.range}.`);
  if (unit) parts.push(`Unit: ${unit}.`);
  const fallback = spec.default === undefined || isRecord(spec.default) ? '' : `Default: ${showValue(spec.default)}`;
  if (spec.projectChoice) parts.push(`${fallback || 'Default'} (the project's choice: the spec marks this rule UNCONFIRMED).`);
  else if (fallback) parts.push(`${fallback}.`);
  return parts.filter(Boolean).join(' ');
}

/** What switching an optional object on starts from: its schema's example, else an empty object (defaults fill it). */
export const startingValue = (spec: FieldSpec): Record<string, unknown> => (isRecord(spec.example) ? { ...spec.example } : {});

/** A union's value switched to `kind`: the variant's example, then the fields of `old` the variant also has, then the kind. */
export function switchVariant(spec: FieldSpec, old: unknown, kind: string): Record<string, unknown> {
  const variant = spec.variants?.[kind];
  const keys = new Set((variant?.fields ?? []).map((field) => field.key));
  const kept = isRecord(old) ? Object.fromEntries(Object.entries(old).filter(([key]) => key !== 'kind' && keys.has(key))) : {};
  return { ...(variant ? startingValue(variant) : {}), ...kept, kind };
}
