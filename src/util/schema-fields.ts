/**
 * What a config field says about itself, for forms and help texts: the zod schema's metadata
 * (`.meta({ title, description, unit, … })` in zod's global registry, kept where the field is
 * defined) plus what its checks imply (range, options, default, optional), read through
 * z.toJSONSchema on the input side. Refinements are not representable there, so a field that
 * refines a number to an integer says `type: 'integer'` in its metadata (see `integer` in
 * ./validate.ts). No DOM here: the page's form (app/form) and any help text read the same specs.
 */
import { z } from 'zod';

declare module 'zod' {
  interface GlobalMeta {
    /** Unit of the value ("steps", "degrees", "× η"). */
    unit?: string;
    /** The value counts in the unit named by this sibling field's value (a schedule's `unit`). */
    unitFrom?: string;
    /** The default is the project's choice: methods.md marks the rule UNCONFIRMED. */
    projectChoice?: boolean;
    /** The field matters only while each named sibling has one of the listed values (absent: its default). */
    when?: Record<string, readonly (string | number | boolean)[]>;
  }
}

/** The kinds of value a form edits; `object`, `union` and `list` hold other fields. */
export type FieldType = 'number' | 'integer' | 'boolean' | 'enum' | 'numbers' | 'text' | 'constant' | 'object' | 'union' | 'list';

/** One config field as a form shows it. */
export interface FieldSpec {
  /** The field's key in its object ('' for the root). */
  key: string;
  type: FieldType;
  /** Short label: the schema's `title`, else the key. */
  label: string;
  /** What the field means: the schema's `description` ('' when it has none). */
  help: string;
  /** Must be given: neither optional nor defaulted. */
  required: boolean;
  /** The value parsing fills in when the field is absent. */
  default?: unknown;
  /** Range text from the schema's bounds: "(0, 1]", "integer in [1, 4096]", "≥ 0". */
  range?: string;
  /** number, integer, numbers (per item): whether `value` lies within the schema's bounds. */
  accepts?: (value: number) => boolean;
  /** Allowed values (enum) or the one allowed value (constant). */
  options?: readonly (string | number | boolean)[];
  unit?: string;
  unitFrom?: string;
  projectChoice: boolean;
  when?: Record<string, readonly unknown[]>;
  /** The schema's first example: what switching an optional object on (or a union to this kind) starts from. */
  example?: unknown;
  /** object: its fields in schema order. */
  fields?: FieldSpec[];
  /** union (discriminated by `kind`): each variant, an object spec, by its kind. */
  variants?: Record<string, FieldSpec>;
  /** list: the spec of every item. */
  item?: FieldSpec;
}

type JsonNode = Record<string, unknown> & {
  type?: string;
  properties?: Record<string, JsonNode>;
  required?: string[];
  oneOf?: JsonNode[];
  anyOf?: JsonNode[];
  items?: JsonNode | false;
  prefixItems?: JsonNode[];
  enum?: (string | number | boolean)[];
};

const LARGEST = Number.MAX_SAFE_INTEGER;

/** Whether `value` satisfies a JSON Schema number node's bounds (and integer type). */
function acceptsOf(node: Record<string, unknown>): (value: number) => boolean {
  const at = (key: string) => (typeof node[key] === 'number' ? (node[key] as number) : undefined);
  const [gt, ge, lt, le] = [at('exclusiveMinimum'), at('minimum'), at('exclusiveMaximum'), at('maximum')];
  return (value) =>
    Number.isFinite(value) &&
    (node.type !== 'integer' || Number.isInteger(value)) &&
    (gt === undefined || value > gt) &&
    (ge === undefined || value >= ge) &&
    (lt === undefined || value < lt) &&
    (le === undefined || value <= le);
}

/** "(0, 1]", "≥ 0", "> 0", "integer in [1, 8]", "integer ≥ 1" from a JSON Schema number node (bounds beyond 2^53 − 1 count as none). */
export function numberRange(node: Record<string, unknown>): string | undefined {
  const bound = (key: string) => (typeof node[key] === 'number' && Math.abs(node[key] as number) < LARGEST ? (node[key] as number) : undefined);
  const low = bound('exclusiveMinimum') ?? bound('minimum');
  const high = bound('exclusiveMaximum') ?? bound('maximum');
  const lowOpen = bound('exclusiveMinimum') !== undefined;
  const highOpen = bound('exclusiveMaximum') !== undefined;
  const integer = node.type === 'integer' ? 'integer' : '';
  let range: string;
  if (low !== undefined && high !== undefined) range = `${lowOpen ? '(' : '['}${low}, ${high}${highOpen ? ')' : ']'}`;
  else if (low !== undefined) range = `${lowOpen ? '>' : '≥'} ${low}`;
  else if (high !== undefined) range = `${highOpen ? '<' : '≤'} ${high}`;
  else return integer || undefined;
  return integer ? `${integer}${low !== undefined && high !== undefined ? ' in ' : ' '}${range}` : range;
}

/** The range of a list of numbers: its items' range and its length bounds ("integers in [1, 1024], at most 8"). */
function listRange(node: JsonNode, item: JsonNode): string | undefined {
  const itemRange = numberRange(item)?.replace(/^integer/, 'integers');
  const min = node.minItems as number | undefined;
  const max = node.maxItems as number | undefined;
  const count = min !== undefined && min === max ? `${min} ` : '';
  const length = count ? undefined : max !== undefined ? `at most ${max}` : min ? `at least ${min}` : undefined;
  const parts = [count + (itemRange ?? (count ? 'numbers' : '')), length].filter(Boolean);
  return parts.length ? parts.join(', ') : undefined;
}

/** The spec of one JSON Schema node (from z.toJSONSchema) at `key`, `required` in its parent. */
function specOf(node: JsonNode, key: string, required: boolean): FieldSpec {
  const spec: FieldSpec = {
    key,
    type: 'text',
    label: typeof node.title === 'string' ? node.title : key,
    help: typeof node.description === 'string' ? node.description : '',
    required: required && node.default === undefined,
    projectChoice: node.projectChoice === true,
  };
  if (node.default !== undefined) spec.default = node.default;
  for (const meta of ['unit', 'unitFrom', 'when'] as const) if (node[meta] !== undefined) Object.assign(spec, { [meta]: node[meta] });
  if (Array.isArray(node.examples) && node.examples.length > 0) spec.example = node.examples[0];
  const variants = node.oneOf ?? node.anyOf;
  if (variants) {
    spec.type = 'union';
    spec.variants = Object.fromEntries(
      variants.map((variant) => {
        const kind = String(variant.properties?.kind?.const);
        return [kind, specOf(variant, kind, true)];
      }),
    );
  } else if (node.const !== undefined) {
    spec.type = 'constant';
    spec.options = [node.const as string | number | boolean];
  } else if (node.enum) {
    spec.type = 'enum';
    spec.options = node.enum;
  } else if (node.type === 'object') {
    spec.type = 'object';
    const needed = new Set(node.required ?? []);
    spec.fields = Object.entries(node.properties ?? {}).map(([name, child]) => specOf(child, name, needed.has(name)));
  } else if (node.type === 'array') {
    const item = node.prefixItems?.[0] ?? (node.items || {});
    if (item.type === 'number' || item.type === 'integer') {
      spec.type = 'numbers';
      spec.range = listRange(node, item);
      spec.accepts = acceptsOf(item);
    } else {
      spec.type = 'list';
      spec.item = specOf(item, '*', true);
    }
  } else if (node.type === 'number' || node.type === 'integer') {
    spec.type = node.type;
    spec.range = numberRange(node);
    spec.accepts = acceptsOf(node);
  } else if (node.type === 'boolean') {
    spec.type = 'boolean';
  } else if (typeof node.minLength === 'number' || typeof node.maxLength === 'number') {
    spec.range = `${node.minLength ?? 0} to ${node.maxLength ?? '∞'} characters`;
  }
  return spec;
}

/** The field spec of a zod schema (its input side: what a user writes), with every field below it. */
export function fieldSpecOf(schema: z.ZodType): FieldSpec {
  return specOf(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonNode, '', true);
}

/** The child `key` of an object spec, of a list's item ('*' or an index), or of a union's variant `kind`. */
export function childSpec(spec: FieldSpec, key: string, kind?: unknown): FieldSpec | undefined {
  if (spec.type === 'list') return spec.item;
  if (spec.type === 'union') {
    const variant = spec.variants?.[String(kind)];
    return variant ? childSpec(variant, key) : undefined;
  }
  return spec.fields?.find((field) => field.key === key);
}

/**
 * Every leaf below `spec` as a dotted path: list items are `*`, a union's variants contribute
 * the union of their fields (its `kind` too). Objects and unions themselves are not leaves.
 */
export function leafPaths(spec: FieldSpec, prefix = ''): string[] {
  const at = (key: string) => (prefix ? `${prefix}.${key}` : key);
  switch (spec.type) {
    case 'object':
      return (spec.fields ?? []).flatMap((field) => leafPaths(field, at(field.key)));
    case 'list':
      return leafPaths(spec.item as FieldSpec, at('*'));
    case 'union':
      return [...new Set(Object.values(spec.variants ?? {}).flatMap((variant) => leafPaths(variant, prefix)))];
    default:
      return [prefix];
  }
}
