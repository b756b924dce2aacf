/**
 * Sweeps: an experiment's optional `sweep` crosses its runs with up to MAX_AXES axes, each a list
 * or a range of values of one run field (the base rate `lr`, or a dotted path such as
 * `lrd.keepProb`, `leap.sigma`, `optimizer.momentum`), and with the replicates. An axis varies
 * every run that has its field (an axis over `lrd.keepProb` leaves a run without LRD alone); each
 * combination of values is a sweep point, and every point of every method trains as stacked runs
 * of one experiment (see expandRuns in ./expand.ts). Validated like every field: an unknown field,
 * an empty range, a value a run refuses or more stacked runs than MAX_STACKED_RUNS name the field.
 */
import { z } from 'zod';
import { childSpec, fieldSpecOf, leafPaths, type FieldSpec } from '../util/schema-fields';
import { isRecord } from '../util/json';
import { expected, integer, oneOf, text } from '../util/validate';

/** Most axes of one sweep (two give the heatmap). */
export const MAX_AXES = 2;
/** Most values on one axis. */
export const MAX_AXIS_VALUES = 64;
/** Most stacked runs of one experiment (methods × sweep points × replicates), sweep or not. */
export const MAX_STACKED_RUNS = 1024;
/** The axis field that stands for every schedule's base rate (schedule.lr, or schedule.maxLr of one-cycle). */
export const RATE_FIELD = 'lr';
export const AXIS_SPACINGS = ['log', 'linear'] as const;

/** The swept values of one stacked run: axis field → value (fields of axes that do not apply to it are absent). */
export type SweptValues = Readonly<Record<string, number>>;

const finiteNumber = (message: string) => z.number(expected(message)).refine(Number.isFinite, message);
const field = text(1, 80).meta({
  title: 'field',
  description: 'The run field to vary: "lr" (the base rate of every schedule), or a dotted path in a run, e.g. "lrd.keepProb", "leap.sigma", "ralr.amplifyProb", "autodrop.rho", "optimizer.momentum".',
});

const valuesAxis = z.strictObject({
  kind: z.literal('values'),
  field,
  values: z
    .array(finiteNumber('must be a number'), expected('must be a list of numbers'))
    .min(1, 'must list at least one value')
    .max(MAX_AXIS_VALUES, `must list at most ${MAX_AXIS_VALUES} values`)
    .refine((values) => new Set(values).size === values.length, 'must not repeat a value')
    .meta({ title: 'values', description: 'The values the field takes, one sweep point each (comma separated).' }),
});

const rangeAxis = z.strictObject({
  kind: z.literal('range'),
  field,
  from: finiteNumber('must be a number').meta({ title: 'from', description: 'First value of the range.' }),
  to: finiteNumber('must be a number').meta({ title: 'to', description: 'Last value of the range (included).' }),
  count: integer(1, MAX_AXIS_VALUES, `must be an integer in [1, ${MAX_AXIS_VALUES}]`).meta({ title: 'count', description: 'How many values, from and to included.' }),
  spacing: oneOf(AXIS_SPACINGS).default('log').meta({ title: 'spacing', description: 'log: equal ratios between values (rates); linear: equal differences.' }),
});

const axisKinds = ['values', 'range'] as const;
export const sweepAxisSchema = z
  .discriminatedUnion('kind', [valuesAxis, rangeAxis], {
    error: (issue: { code?: string; input?: unknown }) =>
      issue.input === undefined
        ? 'is required'
        : `${issue.code === 'invalid_union' ? 'must be one of' : 'must be an object with "kind":'} ${axisKinds.map((k) => JSON.stringify(k)).join(', ')}`,
  })
  .superRefine((axis, ctx) => {
    if (axis.kind !== 'range') return;
    if (axis.spacing === 'log' && !(axis.from > 0)) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be > 0 for a log range' });
    if (axis.spacing === 'log' && !(axis.to > 0)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be > 0 for a log range' });
    if (axis.count > 1 && axis.from === axis.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must differ from "from" when count > 1 (the range would be empty of distinct values)' });
  })
  .meta({ title: 'axis', description: 'One swept field: a list of values, or a range (log-spaced for rates).' });

export const sweepSchema = z
  .strictObject(
    {
      axes: z
        .array(sweepAxisSchema, expected('must be a list of axes'))
        .min(1, 'must list at least one axis')
        .max(MAX_AXES, `must list at most ${MAX_AXES} axes`)
        .meta({ title: 'axes', description: 'The swept fields, crossed with each other, with the runs and with the replicates.' }),
      chunkRuns: integer(1, MAX_STACKED_RUNS, `must be an integer in [1, ${MAX_STACKED_RUNS}]`)
        .optional()
        .meta({
          title: 'runs per chunk',
          description: 'Most stacked runs trained in one chunk (empty: as many as the GPU limits allow). Chunks train one after another, block by block; the numbers do not depend on it.',
        }),
    },
    expected('must be an object { axes, … }'),
  )
  .meta({ title: 'sweep', description: 'Sweep axes: train every run at every value (or combination of values) of up to two fields.' });

export type SweepAxis = z.output<typeof sweepAxisSchema>;
export type SweepConfig = z.output<typeof sweepSchema>;

/** The values of an axis: its list, or `count` values from `from` to `to` (log: x_k = from·(to/from)^(k/(count−1))). */
export function axisValues(axis: SweepAxis): number[] {
  if (axis.kind === 'values') return [...axis.values];
  const { from, to, count, spacing } = axis;
  if (count === 1) return [from];
  return Array.from({ length: count }, (_, k) => {
    if (k === count - 1) return to;
    const fraction = k / (count - 1);
    return spacing === 'log' ? from * (to / from) ** fraction : from + (to - from) * fraction;
  });
}

// ------------------------------------------------------------------------- fields of a run

/** A run (parsed or as written) as plain data. */
type RunDocument = Readonly<Record<string, unknown>>;

const runSpecs = new WeakMap<z.ZodType, FieldSpec>();
/** The field spec of a run schema (computed once per schema). */
function runSpecOf(runSchema: z.ZodType): FieldSpec {
  let spec = runSpecs.get(runSchema);
  if (!spec) runSpecs.set(runSchema, (spec = fieldSpecOf(runSchema)));
  return spec;
}

/** The numeric run fields an axis may name (dotted paths; `lr` first): every number below a run except its run key. */
export function sweepableFields(runSchema: z.ZodType): string[] {
  const spec = runSpecOf(runSchema);
  const numeric = leafPaths(spec).filter((path) => path !== 'runKey' && isNumeric(specAtPath(spec, path.split('.'))));
  return [RATE_FIELD, ...numeric];
}

/** Whether some variant of a (union) field is a number. */
function isNumeric(spec: FieldSpec | undefined): boolean {
  if (!spec) return false;
  if (spec.type === 'number' || spec.type === 'integer') return true;
  return spec.type === 'union' && Object.values(spec.variants ?? {}).some((variant) => isNumeric(variant));
}

/** The spec at `keys` below `spec`, any union variant that has it. */
function specAtPath(spec: FieldSpec, keys: readonly string[]): FieldSpec | undefined {
  if (keys.length === 0) return spec;
  if (spec.type === 'union') {
    for (const variant of Object.values(spec.variants ?? {})) {
      const found = specAtPath(variant, keys);
      if (found) return found;
    }
    return undefined;
  }
  const child = childSpec(spec, keys[0]);
  return child ? specAtPath(child, keys.slice(1)) : undefined;
}

/**
 * The dotted path in `run` that axis field `field` sets, or null when it does not apply to the run:
 * `lr` is schedule.lr (schedule.maxLr for one-cycle); another field applies when its parent object
 * is present in the run, the field exists for the run's kind (a schedule's), and its `when`
 * conditions hold (optimizer.momentum only with rule momentum or nesterov).
 */
export function fieldPathIn(runSchema: z.ZodType, run: RunDocument, field: string): string | null {
  if (field === RATE_FIELD) return isRecord(run.schedule) && run.schedule.kind === 'onecycle' ? 'schedule.maxLr' : 'schedule.lr';
  const keys = field.split('.');
  let spec: FieldSpec | undefined = runSpecOf(runSchema);
  let node: unknown = run;
  for (const [depth, key] of keys.entries()) {
    if (!spec || !isRecord(node)) return null;
    const parent: Record<string, unknown> = node;
    const child: FieldSpec | undefined = childSpec(spec, key, parent.kind);
    if (!child) return null;
    if (child.when && !Object.entries(child.when).every(([sibling, allowed]) => allowed.includes(parent[sibling] ?? siblingDefault(spec!, sibling, parent.kind)))) return null;
    if (depth === keys.length - 1) return isNumeric(child) ? field : null;
    spec = child;
    node = parent[key];
  }
  return null;
}

/** The default of sibling `key` (of union variant `kind`) of an object spec. */
function siblingDefault(spec: FieldSpec, key: string, kind: unknown): unknown {
  return childSpec(spec, key, kind)?.default;
}

/** A copy of `run` with each swept value set at its path (see fieldPathIn). */
export function applySwept<R extends object>(runSchema: z.ZodType, run: R, swept: SweptValues): R {
  const copy = structuredClone(run) as Record<string, unknown>;
  for (const [field, value] of Object.entries(swept)) {
    const path = fieldPathIn(runSchema, copy, field);
    if (!path) continue;
    const keys = path.split('.');
    let node = copy;
    for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
    node[keys[keys.length - 1]] = value;
  }
  return copy as R;
}

/**
 * The sweep points of `run`: the cross product of the values of the axes that apply to it (the
 * first axis outermost), each as its swept values; one empty point without a sweep or when no
 * axis applies.
 */
export function sweepPointsOf(runSchema: z.ZodType, sweep: SweepConfig | undefined, run: RunDocument): SweptValues[] {
  let points: Array<Record<string, number>> = [{}];
  for (const axis of sweep?.axes ?? []) {
    if (!fieldPathIn(runSchema, run, axis.field)) continue;
    const values = axisValues(axis);
    points = points.flatMap((point) => values.map((value) => ({ ...point, [axis.field]: value })));
  }
  return points;
}

/** "LRD lr=0.1 keepProb=0.5": a run label with its swept values (the label alone without). */
export function sweepLabel(label: string, swept: SweptValues): string {
  const parts = Object.entries(swept).map(([field, value]) => `${field.split('.').pop()}=${Number(value.toPrecision(4))}`);
  return parts.length ? `${label} ${parts.join(' ')}` : label;
}

/** The fields swept in any of `runs`, in axis order of first appearance. */
export function sweptFieldsOf(runs: ReadonlyArray<{ swept?: SweptValues }>): string[] {
  const fields = new Set<string>();
  for (const run of runs) for (const key of Object.keys(run.swept ?? {})) fields.add(key);
  return [...fields];
}
