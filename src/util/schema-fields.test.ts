import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { childSpec, fieldSpecOf, leafPaths, numberRange } from './schema-fields';
import { integer } from './validate';

describe('numberRange', () => {
  it('writes open and closed bounds, one-sided bounds and integers', () => {
    expect(numberRange({ type: 'number', exclusiveMinimum: 0, maximum: 1 })).toBe('(0, 1]');
    expect(numberRange({ type: 'number', minimum: 0, exclusiveMaximum: 1 })).toBe('[0, 1)');
    expect(numberRange({ type: 'number', minimum: 0 })).toBe('≥ 0');
    expect(numberRange({ type: 'number', exclusiveMinimum: 1 })).toBe('> 1');
    expect(numberRange({ type: 'integer', minimum: 1, maximum: 4096 })).toBe('integer in [1, 4096]');
    expect(numberRange({ type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER })).toBe('integer ≥ 1');
    expect(numberRange({ type: 'number' })).toBeUndefined();
  });
});

describe('fieldSpecOf', () => {
  const schema = z
    .object({
      rate: z.number().gt(0).max(1).default(0.5).meta({ title: 'rate', description: 'How fast.', unit: '× η', projectChoice: true }),
      count: integer(1, 8, 'must be an integer in [1, 8]').meta({ title: 'count', description: 'How many.' }),
      mode: z.enum(['a', 'b']).optional().meta({ description: 'Which.', when: { flag: [true] } }),
      flag: z.boolean().default(false),
      widths: z.array(integer(1, 64, 'x')).max(3).default([4]),
      extra: z.object({ size: z.number().min(0) }).strict().optional().meta({ title: 'extra', examples: [{ size: 1 }] }),
      shape: z.discriminatedUnion('kind', [z.object({ kind: z.literal('box'), side: z.number() }), z.object({ kind: z.literal('ball'), radius: z.number() })]),
    })
    .transform((value) => ({ ...value, done: true }));
  const spec = fieldSpecOf(schema);
  const field = (key: string) => childSpec(spec, key)!;

  it('reads label, explanation, range, unit, default and the project-choice mark from the schema', () => {
    expect(field('rate')).toMatchObject({ type: 'number', label: 'rate', help: 'How fast.', range: '(0, 1]', unit: '× η', default: 0.5, required: false, projectChoice: true });
    expect(field('count')).toMatchObject({ type: 'integer', range: 'integer in [1, 8]', required: true });
    expect(field('mode')).toMatchObject({ type: 'enum', label: 'mode', options: ['a', 'b'], required: false, when: { flag: [true] } });
    expect(field('flag')).toMatchObject({ type: 'boolean', default: false, projectChoice: false });
    expect(field('widths')).toMatchObject({ type: 'numbers', range: 'integers in [1, 64], at most 3', default: [4] });
  });
  it('reads objects with their example, and unions by kind', () => {
    expect(field('extra')).toMatchObject({ type: 'object', required: false, example: { size: 1 } });
    expect(childSpec(field('extra'), 'size')).toMatchObject({ type: 'number', range: '≥ 0', required: true });
    expect(Object.keys(field('shape').variants!)).toEqual(['box', 'ball']);
    expect(childSpec(field('shape'), 'radius', 'ball')).toMatchObject({ key: 'radius', type: 'number' });
    expect(childSpec(field('shape'), 'radius', 'box')).toBeUndefined();
  });
  it('lists every leaf, through unions', () => {
    expect(leafPaths(spec)).toEqual(['rate', 'count', 'mode', 'flag', 'widths', 'extra.size', 'shape.kind', 'shape.side', 'shape.radius']);
  });
});
