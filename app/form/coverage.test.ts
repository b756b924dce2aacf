// Every field of the experiment config is editable in the form, or is on the form's explicit list
// of fields it leaves out (or edits with a control of its own), each with a reason. The fields are
// read from the schema (every leaf below experimentSchema, through the dataset, model and schedule
// unions); the form's controls from the same model the panels render.
import { describe, expect, it } from 'vitest';
import { leafPaths, type FieldSpec } from '../../src/util/schema-fields';
import { LEFT_OUT, OWN_CONTROLS } from './layout';
import { EXPERIMENT_SPEC, experimentEntries, flatEntries, patternOf, runForm, type Entry } from './model';

/** The most choices any union or enum below `spec` offers. */
function mostChoices(spec: FieldSpec): number {
  const own = spec.type === 'union' ? Object.keys(spec.variants ?? {}).length : (spec.options?.length ?? 1);
  const below = [...(spec.fields ?? []), ...Object.values(spec.variants ?? {}), ...(spec.item ? [spec.item] : [])];
  return Math.max(own, 2, ...below.map(mostChoices));
}

/**
 * A document to lay the form out for (not a valid config): variant k of every union, option k of
 * every enum, every boolean k odd, every optional object present. Over k = 0 … mostChoices − 1 each
 * variant and each option shows up, and with it every field that applies only to it.
 */
function sampleDocument(spec: FieldSpec, k: number): unknown {
  switch (spec.type) {
    case 'object':
      return Object.fromEntries((spec.fields ?? []).map((field) => [field.key, sampleDocument(field, k)]));
    case 'union': {
      const variants = Object.values(spec.variants ?? {});
      return sampleDocument(variants[k % variants.length], k);
    }
    case 'list':
      return [sampleDocument(spec.item as FieldSpec, k)];
    case 'enum':
    case 'constant':
      return spec.options?.[k % spec.options.length];
    case 'boolean':
      return k % 2 === 1;
    case 'numbers':
      return [1];
    case 'text':
      return 'text';
    default:
      return spec.default ?? 1;
  }
}

/** Every control of the form for `doc`: the experiment panel and run 0's card. */
function formEntries(doc: unknown): Entry[] {
  const run = runForm(0, doc);
  return flatEntries([...experimentEntries(doc), ...run.head, ...run.row, ...run.methods]);
}

const choices = mostChoices(EXPERIMENT_SPEC);
const entries = Array.from({ length: choices }, (_, k) => formEntries(sampleDocument(EXPERIMENT_SPEC, k))).flat();
/** Paths (runs as `*`) the form edits with a generic control. */
const edited = new Set(entries.filter((entry) => entry.control !== 'optional').map((entry) => patternOf(entry.path)));
const leaves = leafPaths(EXPERIMENT_SPEC);

describe('the form covers the config schema', () => {
  it('walks the whole schema: the unions of dataset, model and schedule, the runs and their methods', () => {
    expect(leaves).toEqual(expect.arrayContaining(['dataset.count', 'dataset.trainSubset', 'model.channels', 'runs.*.schedule.milestones', 'runs.*.schedule.warmup.length', 'runs.*.schedule.restarts.cycleMult', 'runs.*.ralr.rateHigh', 'runs.*.autodrop.thetaMax']));
    expect(leaves.length).toBeGreaterThan(80);
  });

  it('edits every field, or lists it as left out or as edited by a control of its own', () => {
    const missing = leaves.filter((path) => !edited.has(path) && !Object.hasOwn(LEFT_OUT, path) && !Object.hasOwn(OWN_CONTROLS, path));
    expect(missing, 'config fields with no control and no reason to leave them out').toEqual([]);
  });

  it('lists only fields of the schema, each once and with a reason', () => {
    for (const [path, reason] of Object.entries({ ...LEFT_OUT, ...OWN_CONTROLS })) {
      expect(leaves, path).toContain(path);
      expect(edited.has(path), `${path} is listed but also edited by a generic control`).toBe(false);
      expect(reason.length, path).toBeGreaterThan(10);
    }
    expect(Object.keys(LEFT_OUT).filter((path) => Object.hasOwn(OWN_CONTROLS, path))).toEqual([]);
  });

  it('explains every field it shows (the schema has its description)', () => {
    const unexplained = [...new Set(entries.filter((entry) => entry.spec.help === '').map((entry) => patternOf(entry.path)))];
    expect(unexplained).toEqual([]);
  });
});
