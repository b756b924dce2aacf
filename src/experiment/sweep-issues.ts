/**
 * The sweep's checks that involve the runs: every axis names a numeric run field that some run has,
 * axes name distinct fields, the stacked runs stay within MAX_STACKED_RUNS, and every run accepts
 * every swept value (its own schema and the cross-field rules, e.g. exp-LR's rate condition).
 * Each issue names the field to change. Reads the document defensively (other fields may be invalid).
 */
import type { z } from 'zod';
import { isRecord } from '../util/json';
import { crossFieldIssues } from './cross-field';
import { applySwept, axisValues, fieldPathIn, MAX_STACKED_RUNS, sweepableFields, sweepPointsOf, sweepSchema, type SweepConfig, type SweptValues } from './sweep';

type Issue = { path: PropertyKey[]; message: string };

/** At most this many refusals of swept values are listed (one per axis value is enough to act on). */
const MAX_VALUE_ISSUES = 12;

/** Issues of `config.sweep` against its runs (none when there is no sweep). `runSchema` validates one run. */
export function sweepIssues(config: Record<string, unknown>, runSchema: z.ZodType): Issue[] {
  const parsed = sweepSchema.safeParse(config.sweep);
  if (config.sweep === undefined || !parsed.success) return []; // its own issues are reported at its fields
  const sweep = parsed.data;
  const runs = (Array.isArray(config.runs) ? config.runs : []).filter(isRecord);
  const issues: Issue[] = [];
  const fields = sweepableFields(runSchema);
  const seen = new Map<string, number>();
  let axesOk = true;
  sweep.axes.forEach((axis, index) => {
    const at = ['sweep', 'axes', index, 'field'];
    const first = seen.get(axis.field);
    if (first !== undefined) {
      issues.push({ path: at, message: `must differ from sweep.axes.${first}.field ("${axis.field}")` });
      axesOk = false;
    } else seen.set(axis.field, index);
    if (!fields.includes(axis.field)) {
      issues.push({ path: at, message: `"${axis.field}" is not a numeric field of a run; one of: ${fields.join(', ')}` });
      axesOk = false;
    } else if (runs.length > 0 && !runs.some((run) => fieldPathIn(runSchema, run, axis.field))) {
      issues.push({ path: at, message: `no run uses ${axis.field}: switch its method on in a run, or choose a rule or schedule that has it` });
      axesOk = false;
    }
  });
  if (!axesOk) return issues;
  const replicates = typeof config.replicates === 'number' ? config.replicates : 1;
  const pointCounts = runs.map((run) => sweepPointsOf(runSchema, sweep, run).length);
  const total = pointCounts.reduce((sum, count) => sum + count, 0) * replicates;
  if (total > MAX_STACKED_RUNS) {
    issues.push({
      path: ['sweep'],
      message: `${runs.length} runs at ${pointCounts.join(' + ')} sweep points × ${replicates} replicates = ${total} stacked runs; at most ${MAX_STACKED_RUNS}: fewer values, runs or replicates`,
    });
    return issues;
  }
  return [...issues, ...valueIssues(runs, sweep, runSchema)];
}

/** Refusals of swept values: each run at each of its sweep points, through the run schema and the cross-field rules. */
function valueIssues(runs: Array<Record<string, unknown>>, sweep: SweepConfig, runSchema: z.ZodType): Issue[] {
  const issues: Issue[] = [];
  const said = new Set<string>();
  runs.forEach((run, method) => {
    if (!runSchema.safeParse(run).success) return; // its own issues are reported at its fields
    for (const swept of sweepPointsOf(runSchema, sweep, run)) {
      const variant = applySwept(runSchema, run, swept);
      const result = runSchema.safeParse(variant);
      const found = result.success ? crossFieldIssues({ runs: [variant] }).map((issue) => ({ ...issue, path: issue.path.slice(2) })) : result.error.issues;
      for (const issue of found) {
        const located = locate(runSchema, run, sweep, swept, issue.path.map(String).join('.'));
        const message = `gives runs.${method}.${issue.path.map(String).join('.')} = ${describeValue(variant, issue.path)}: ${issue.message}`;
        const key = `${located.join('.')}|${message}`;
        if (said.has(key) || issues.length >= MAX_VALUE_ISSUES) continue;
        said.add(key);
        issues.push({ path: located, message });
      }
    }
  });
  return issues;
}

/**
 * The sweep field to blame for an issue at `runPath` of a run at `swept`: the axis value that set
 * that path (or the only axis that varies this run: a cross-field rule), else the sweep. A value
 * inside a range blames the range's end it is nearest in order (from or to).
 */
function locate(runSchema: z.ZodType, run: Record<string, unknown>, sweep: SweepConfig, swept: SweptValues, runPath: string): PropertyKey[] {
  let index = sweep.axes.findIndex((axis) => fieldPathIn(runSchema, run, axis.field) === runPath);
  if (index < 0 && Object.keys(swept).length === 1) index = sweep.axes.findIndex((axis) => axis.field in swept);
  if (index < 0) return ['sweep'];
  const axis = sweep.axes[index];
  const position = axisValues(axis).indexOf(swept[axis.field]);
  if (axis.kind === 'range') return ['sweep', 'axes', index, position < axis.count / 2 ? 'from' : 'to'];
  return ['sweep', 'axes', index, 'values', position];
}

/** The value at `path` of `root`, as JSON text. */
function describeValue(root: unknown, path: readonly PropertyKey[]): string {
  let node = root;
  for (const key of path) node = isRecord(node) || Array.isArray(node) ? (node as Record<PropertyKey, unknown>)[key] : undefined;
  return node === undefined ? 'nothing' : JSON.stringify(node);
}
