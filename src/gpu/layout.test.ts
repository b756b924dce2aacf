/**
 * The layout helper on the CPU: WGSL names, field offsets and padding by WGSL's layout rules, the
 * generated declarations, writing and reading records by name, and the u32 checks. (Every layout
 * the engine defines is checked against WGSL on the GPU in src/train/layouts.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { constantName, snakeCase, WgslConstants, WgslStruct } from './layout';

describe('WGSL names', () => {
  it('snake_case fields, capital-only names kept, PREFIX_ENTRY constants', () => {
    expect(['runStride', 'chunksPerRun', 'tilesX', 'beta1', 'M', 'xRun', 'count'].map(snakeCase)).toEqual([
      'run_stride', 'chunks_per_run', 'tiles_x', 'beta1', 'M', 'x_run', 'count',
    ]);
    expect(constantName('FLAG', 'leapMultiplicative')).toBe('FLAG_LEAP_MULTIPLICATIVE');
    expect(constantName('ACT', 'leaky_relu')).toBe('ACT_LEAKY_RELU');
  });
});

describe('WgslStruct', () => {
  const dims = new WgslStruct('TestDims', { batch: 'u32', actSlope: 'f32', zRun: 'u32', scale: 'f32', shift: 'f32' });

  it('4-byte fields in order, padded to a multiple of 16 bytes (the size WGSL gives it, valid as a uniform and an array stride)', () => {
    expect(dims.fields).toEqual(['batch', 'actSlope', 'zRun', 'scale', 'shift']);
    expect(dims.fields.map((field) => dims.offset(field))).toEqual([0, 4, 8, 12, 16]);
    expect(dims.words).toBe(8);
    expect(dims.byteSize).toBe(32);
    expect(new WgslStruct('Four', { a: 'u32', b: 'u32', c: 'u32', d: 'f32' }).byteSize).toBe(16);
    expect(new WgslStruct('One', { a: 'f32' }).byteSize).toBe(16);
  });

  it('declares the struct in WGSL with snake_case members and named padding', () => {
    expect(dims.wgsl).toBe(
      'struct TestDims {\n  batch: u32,\n  act_slope: f32,\n  z_run: u32,\n  scale: f32,\n  shift: f32,\n  _pad0: u32,\n  _pad1: u32,\n  _pad2: u32,\n}',
    );
  });

  it('writes and reads records by field name: u32 as integers, f32 rounded to float32, padding zero', () => {
    const records = dims.array(2);
    records.set(1, { batch: 7, actSlope: 0.01, zRun: 0xffffffff, scale: 1 / 255, shift: -0.5 });
    expect(Array.from(records.u32.subarray(0, 8))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(records.u32[8]).toBe(7);
    expect(records.u32[10]).toBe(0xffffffff);
    expect(Array.from(records.u32.subarray(13, 16))).toEqual([0, 0, 0]);
    expect(records.get(1)).toEqual({ batch: 7, actSlope: Math.fround(0.01), zRun: 0xffffffff, scale: Math.fround(1 / 255), shift: -0.5 });
    expect(dims.read(records.u32.buffer, 1)).toEqual(records.get(1));
    expect(dims.read(records.u32.subarray(8), 0)).toEqual(records.get(1));
    const one = dims.pack({ batch: 3, actSlope: 2, zRun: 4, scale: 5, shift: 6 });
    expect(one.length).toBe(8);
    expect(new Float32Array(one.buffer)[dims.index('scale')]).toBe(5);
  });

  it('names the field when a value does not fit', () => {
    expect(() => dims.pack({ batch: -1, actSlope: 0, zRun: 0, scale: 0, shift: 0 })).toThrow('TestDims.batch must be a u32, got -1');
    expect(() => dims.pack({ batch: 1.5, actSlope: 0, zRun: 0, scale: 0, shift: 0 })).toThrow('TestDims.batch must be a u32, got 1.5');
    expect(() => dims.pack({ batch: 2 ** 32, actSlope: 0, zRun: 0, scale: 0, shift: 0 })).toThrow(/TestDims\.batch must be a u32/);
    expect(() => dims.pack({ batch: 0, zRun: 0, scale: 0, shift: 0 } as never)).toThrow('TestDims.actSlope must be a number, got undefined');
  });
});

describe('WgslConstants', () => {
  it('declares one u32 constant per entry and rejects values that are not u32', () => {
    const flags = new WgslConstants('TEST_FLAG', { firstStep: 1, leapClip: 16 });
    expect(flags.wgsl).toBe('const TEST_FLAG_FIRST_STEP: u32 = 1u;\nconst TEST_FLAG_LEAP_CLIP: u32 = 16u;');
    expect(flags.names).toEqual({ firstStep: 'TEST_FLAG_FIRST_STEP', leapClip: 'TEST_FLAG_LEAP_CLIP' });
    expect(() => new WgslConstants('BAD', { negative: -1 })).toThrow('BAD_NEGATIVE must be a u32, got -1');
  });
});
