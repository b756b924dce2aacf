/**
 * Every layout the engine shares between TypeScript and WGSL (src/gpu/layout.ts: structs, codes,
 * flags) against WGSL itself: on the GPU, a kernel reads each struct field by name, as a uniform and
 * as a storage array element, and each constant, and the values must be what TypeScript wrote at
 * the offsets it computed. No shader declares one of these by hand: not shaders/*.wgsl, and not the
 * source of any kernel the engine compiles (which carries each generated declaration at most once).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToy } from '../data/toys';
import type { Dataset } from '../data/types';
import { COPY_DST, createStorage, UNIFORM } from '../gpu/buffers';
import { makeDispatch, runDispatches } from '../gpu/commands';
import type { GpuContext } from '../gpu/device';
import { definedLayouts, snakeCase, WgslConstants, WgslStruct } from '../gpu/layout';
import type { KernelSpec } from '../gpu/pipelines';
import { readBuffer } from '../gpu/readback';
import { resolveModel, type ModelSpec } from '../nn/spec';
import { AutoDropGpu } from '../optim/autodrop-gpu';
import { parseLeap } from '../optim/leap';
import { parseOptimizer } from '../optim/optimizer';
import { testGpu } from '../test/gpu';
import { Trainer } from './trainer';

const SHADERS = join(dirname(fileURLToPath(import.meta.url)), '../../shaders');
type Layout = WgslStruct<string> | WgslConstants<string>;

/** The WGSL names a layout declares: its struct, or its constants. */
function declaredNames(layout: Layout): string[] {
  return layout instanceof WgslStruct ? [layout.name] : Object.values(layout.names);
}

/**
 * Problems of one WGSL source with the layouts: a struct or constant of a layout declared by hand
 * (not by its generated text), or declared more than once.
 */
function handDeclarations(source: string, layouts: readonly Layout[]): string[] {
  return layouts.flatMap((layout) =>
    declaredNames(layout).flatMap((name) => {
      const pattern = layout instanceof WgslStruct ? `struct\\s+${name}\\b` : `(?:const|override|let|var)\\s+${name}\\b`;
      const declarations = source.match(new RegExp(pattern, 'g'))?.length ?? 0;
      const generated = source.split(layout.wgsl).length - 1;
      if (declarations > 1) return [`${name} declared ${declarations} times`];
      if (declarations === 1 && generated !== 1) return [`${name} declared by hand`];
      return [];
    }),
  );
}

/** Sentinel bits of field `index` of record `record`: distinct per field and record, exact as f32. */
function sentinel(struct: WgslStruct<string>, field: string, record: number): number {
  const index = struct.index(field);
  return struct.types[field] === 'u32' ? 0x10000 * (record + 1) + index : (record + 1) * 100 + index + 0.25;
}

/** The u32 bits of a sentinel as the kernel reads it back (f32 fields bitcast). */
function sentinelBits(struct: WgslStruct<string>, field: string, record: number): number {
  const value = sentinel(struct, field, record);
  return struct.types[field] === 'u32' ? value : new Uint32Array(Float32Array.of(value).buffer)[0];
}

describe('layouts on the GPU (no engine built: a wrong offset fails here, not by hanging a kernel)', () => {
  const layouts = definedLayouts();

  it('GPU: every struct field read by name in WGSL is the value TypeScript wrote at its offset (uniform, and storage array stride)', async () => {
    const gpu = await testGpu();
    const structs = layouts.filter((layout): layout is WgslStruct<string> => layout instanceof WgslStruct);
    for (const struct of structs) {
      const fields = struct.fields;
      const read = (variable: string, base: number) =>
        fields.map((field, i) => `  out[${base + i}u] = bitcast<u32>(${variable}[1].${snakeCase(field)});`);
      const source = [
        struct.wgsl,
        `@group(0) @binding(0) var<uniform> uniform_records: array<${struct.name}, 2>;`,
        `@group(0) @binding(1) var<storage, read> storage_records: array<${struct.name}>;`,
        '@group(0) @binding(2) var<storage, read_write> out: array<u32>;',
        '@compute @workgroup_size(1)',
        'fn main() {',
        ...read('uniform_records', 0),
        ...read('storage_records', fields.length),
        '}',
      ].join('\n');
      const records = (offset: number) => {
        const array = struct.array(2);
        for (const record of [0, 1]) for (const field of fields) array.setField(record, field, sentinel(struct, field, record + offset));
        return array.u32;
      };
      const uniform = gpu.device.createBuffer({ size: 2 * struct.byteSize, usage: UNIFORM | COPY_DST, mappedAtCreation: true });
      new Uint32Array(uniform.getMappedRange()).set(records(0));
      uniform.unmap();
      const storage = createStorage(gpu.device, 'records', records(2));
      const out = createStorage(gpu.device, 'out', 2 * fields.length * 4);
      runDispatches(gpu, [makeDispatch(gpu, { name: `layout_${struct.name}`, source }, [uniform, storage, out], [1])]);
      const got = Array.from(new Uint32Array(await readBuffer(gpu.device, out, 2 * fields.length * 4)));
      const expected = [...fields.map((field) => sentinelBits(struct, field, 1)), ...fields.map((field) => sentinelBits(struct, field, 3))];
      expect(got, struct.name).toEqual(expected);
      for (const buffer of [uniform, storage, out]) buffer.destroy();
    }
    expect(gpu.errors).toEqual([]);
  });

  it('GPU: every code and flag table compiles together, each constant with its TypeScript value', async () => {
    const gpu = await testGpu();
    const tables = layouts.filter((layout): layout is WgslConstants<string> => layout instanceof WgslConstants);
    const entries = tables.flatMap((table) => Object.keys(table.values).map((entry) => ({ name: table.names[entry], value: table.values[entry] })));
    const source = [
      ...tables.map((table) => table.wgsl),
      '@group(0) @binding(0) var<storage, read_write> out: array<u32>;',
      '@compute @workgroup_size(1)',
      'fn main() {',
      ...entries.map((entry, i) => `  out[${i}u] = ${entry.name};`),
      '}',
    ].join('\n');
    const out = createStorage(gpu.device, 'out', entries.length * 4);
    runDispatches(gpu, [makeDispatch(gpu, { name: 'layout_constants', source }, [out], [1])]);
    const got = Array.from(new Uint32Array(await readBuffer(gpu.device, out, entries.length * 4)));
    expect(got).toEqual(entries.map((entry) => entry.value));
    out.destroy();
    expect(gpu.errors).toEqual([]);
  });
});

describe('layouts shared by TypeScript and WGSL: definitions and declarations', () => {
  let gpu: GpuContext;
  /** Source of every kernel compiled while the engine below was built, by kernel name and entry point. */
  const sources = new Map<string, string>();
  const cleanup: Array<() => void> = [];
  let layouts: readonly Layout[];

  beforeAll(async () => {
    gpu = await testGpu();
    const get = gpu.pipelines.get.bind(gpu.pipelines);
    gpu.pipelines.get = (spec: KernelSpec) => {
      sources.set(`${spec.name}:${spec.entryPoint ?? 'main'}`, spec.source);
      return get(spec);
    };
    const toy = generateToy('spiral', { count: 64, noise: 0.1, seed: 1, testFraction: 0.25 });
    const image: Dataset = {
      ...toy, inputShape: [1, 5, 6],
      train: { ...toy.train, x: Float32Array.from({ length: toy.train.count * 30 }, (_, i) => toy.train.x[Math.floor(i / 30) * 2 + (i % 2)]) },
      test: { ...toy.test, x: Float32Array.from({ length: toy.test.count * 30 }, (_, i) => toy.test.x[Math.floor(i / 30) * 2 + (i % 2)]) },
    };
    const cnn: ModelSpec = {
      inputShape: [1, 5, 6],
      loss: 'softmax_xent',
      layers: [
        { kind: 'conv2d', filters: 4, kernelSize: 3, activation: 'relu' },
        { kind: 'batchnorm' },
        { kind: 'activation', activation: 'tanh' },
        { kind: 'maxpool2' },
        { kind: 'flatten' },
        { kind: 'dense', units: 8, activation: 'gelu' },
        { kind: 'dense', units: 2 },
      ],
    };
    const mlp: ModelSpec = { inputShape: [2], loss: 'mse', layers: [{ kind: 'dense', units: 4, activation: 'relu' }, { kind: 'dense', units: 2 }] };
    const updates = [0, 1].map((run) => ({ optimizer: parseOptimizer({ rule: run ? 'adam' : 'momentum' }), leap: run ? parseLeap({}) : null, seed: 1, runKey: run }));
    for (const [spec, dataset] of [[cnn, image], [mlp, toy]] as const) {
      const trainer = new Trainer(gpu, resolveModel(spec), dataset, { batch: 4, seed: 1, replicates: [0, 1], updates });
      trainer.update.kernelDispatch('scalar');
      trainer.update.kernelDispatch('vec4');
      const angles = AutoDropGpu.forNetwork(trainer.network, [2, 0]);
      trainer.trainStep([0.1, 0.1]);
      await trainer.flush();
      await trainer.evaluate();
      cleanup.push(() => (angles.destroy(), trainer.destroy()));
    }
    layouts = definedLayouts();
  });
  afterAll(() => cleanup.forEach((destroy) => destroy()));

  it('the engine defines every layout once, under distinct WGSL names', () => {
    const names = layouts.flatMap(declaredNames);
    for (const name of ['StepInfo', 'MetricRecord', 'MatmulDims', 'ConvDims', 'BnDims', 'LossDims', 'GatherDims', 'RunWords', 'TensorEntry', 'UpdateDims', 'AngleDims', 'AngleTensor', 'RunWindow', 'AngleDots', 'ACT_RELU', 'EPILOGUE_BIAS_ACTIVATION', 'RULE_ADAM', 'FLAG_FROZEN', 'DRAW_SCOPE_GLOBAL', 'TENSOR_DECAY', 'CHUNK_RUN_SHIFT', 'ONLY_RULE_MIXED']) {
      expect(names).toContain(name);
    }
    expect(names.length).toBe(new Set(names).size);
  });

  it('the kernels compiled include every family (the scan below is not vacuous)', () => {
    const names = [...sources.keys()].map((key) => key.split(':')[0]);
    for (const kernel of ['gather', 'conv', 'conv_dw', 'bn_forward_train', 'bn_forward_eval', 'bn_backward', 'act_forward', 'act_backward', 'pool_forward', 'pool_backward', 'colsum', 'softmax_xent', 'mse', 'small_mlp_step', 'update', 'update_vec4', 'angle_accumulate', 'angle_window', 'angle_reduce']) {
      expect(names).toContain(kernel);
    }
    expect(names.some((name) => name.startsWith('matmul'))).toBe(true);
  });

  it('the scan finds hand-written and repeated declarations', () => {
    const step = layouts.find((layout) => layout instanceof WgslStruct && layout.name === 'StepInfo')!;
    const flags = layouts.find((layout) => layout instanceof WgslConstants && layout.prefix === 'FLAG')!;
    expect(handDeclarations(`${step.wgsl}\n${flags.wgsl}`, layouts)).toEqual([]);
    expect(handDeclarations('struct StepInfo { step: u32 }\nconst FLAG_FROZEN: u32 = 256u;', layouts)).toEqual([
      'StepInfo declared by hand', 'FLAG_FROZEN declared by hand',
    ]);
    expect(handDeclarations(`${step.wgsl}\n${step.wgsl}`, layouts)).toEqual(['StepInfo declared 2 times']);
  });

  it('no file in shaders/ declares a layout of the table by hand', () => {
    const files = readdirSync(SHADERS).filter((file) => file.endsWith('.wgsl'));
    expect(files.length).toBeGreaterThan(10);
    const found = files.flatMap((file) => handDeclarations(readFileSync(join(SHADERS, file), 'utf8'), layouts).map((problem) => `${file}: ${problem}`));
    expect(found).toEqual([]);
  });

  it('every compiled kernel declares each layout it uses once, by its generated text', () => {
    const found = [...sources].flatMap(([kernel, source]) => handDeclarations(source, layouts).map((problem) => `${kernel}: ${problem}`));
    expect(found).toEqual([]);
  });
});
