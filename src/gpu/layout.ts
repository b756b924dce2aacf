/**
 * Binary layouts that both TypeScript and WGSL read, each defined once in TypeScript beside the code
 * that owns it: a struct (an ordered list of named u32/f32 fields) or a table of u32 codes and bit
 * flags. The WGSL declarations are generated from the definition (`.wgsl`, composed into kernels
 * with composeWgsl) and TypeScript writes and reads records by field name, never by offset.
 * src/gpu/layout.test.ts checks the generated WGSL against the TypeScript offsets on the GPU, and
 * that no shader declares one of these by hand.
 */

/** A 32-bit scalar field: WGSL `u32` or `f32`. */
export type Scalar = 'u32' | 'f32';

/** WGSL spelling of a TypeScript name: camelCase → snake_case (`runStride` → `run_stride`); names without a lower-case letter stay (`M`). */
export function snakeCase(name: string): string {
  return /[a-z]/.test(name) ? name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase() : name;
}

/** WGSL constant name of a table entry: PREFIX_ENTRY (`FLAG`, `leapClip` → `FLAG_LEAP_CLIP`). */
export function constantName(prefix: string, entry: string): string {
  return `${prefix}_${snakeCase(entry).toUpperCase()}`;
}

/** Every struct and constant table defined so far (the layout tests walk them). */
const defined: Array<WgslStruct<string> | WgslConstants<string>> = [];

/** The layouts defined by the modules loaded so far. */
export function definedLayouts(): ReadonlyArray<WgslStruct<string> | WgslConstants<string>> {
  return defined;
}

/** Throws unless `value` is an integer in [0, 2^32): what a u32 field or constant can hold. */
function checkU32(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new Error(`${what} must be a u32, got ${value}`);
}

/**
 * A WGSL struct of 32-bit scalars: field i at byte 4·i, then u32 padding up to a multiple of 16 bytes
 * (every member is 4-aligned, so the struct is valid as a uniform, as a storage array element
 * and inside a uniform array, whose stride must be a multiple of 16).
 */
export class WgslStruct<F extends string> {
  /** Field names in declaration order. */
  readonly fields: readonly F[];
  /** 32-bit words of one record, padding included. */
  readonly words: number;
  /** Bytes of one record (the WGSL SizeOf and array stride). */
  readonly byteSize: number;
  /** `struct Name { field: type, … }`, one member per line, padding members `_pad0`, `_pad1`, … */
  readonly wgsl: string;
  private readonly indexOf: Record<F, number>;

  constructor(
    readonly name: string,
    readonly types: Readonly<Record<F, Scalar>>,
  ) {
    this.fields = Object.keys(types) as F[];
    this.indexOf = Object.fromEntries(this.fields.map((field, index) => [field, index])) as Record<F, number>;
    this.words = Math.ceil(this.fields.length / 4) * 4;
    this.byteSize = this.words * 4;
    const members = this.fields.map((field) => `  ${snakeCase(field)}: ${types[field]},`);
    for (let pad = this.fields.length; pad < this.words; pad++) members.push(`  _pad${pad - this.fields.length}: u32,`);
    this.wgsl = `struct ${name} {\n${members.join('\n')}\n}`;
    defined.push(this as WgslStruct<string>);
  }

  /** Word index of `field` within a record. */
  index(field: F): number {
    return this.indexOf[field];
  }

  /** Byte offset of `field` within a record. */
  offset(field: F): number {
    return this.indexOf[field] * 4;
  }

  /** A zeroed array of `count` records. */
  array(count: number): StructArray<F> {
    return new StructArray(this, count);
  }

  /** One record holding `values` (for a uniform buffer or a one-off upload). */
  pack(values: Readonly<Record<F, number>>): Uint32Array {
    const one = this.array(1);
    one.set(0, values);
    return one.u32;
  }

  /** Record `record` of `source` (an array of these records), by field name. */
  read(source: ArrayBufferView | ArrayBufferLike, record = 0): Record<F, number> {
    const view = ArrayBuffer.isView(source)
      ? new DataView(source.buffer, source.byteOffset + record * this.byteSize, this.byteSize)
      : new DataView(source, record * this.byteSize, this.byteSize);
    return Object.fromEntries(
      this.fields.map((field) => {
        const at = this.offset(field);
        return [field, this.types[field] === 'u32' ? view.getUint32(at, true) : view.getFloat32(at, true)];
      }),
    ) as Record<F, number>;
  }
}

/** `count` records of one struct in one ArrayBuffer, written by field name. */
export class StructArray<F extends string> {
  /** The records' words as u32 (upload this). */
  readonly u32: Uint32Array;
  private readonly f32: Float32Array;

  constructor(
    readonly struct: WgslStruct<F>,
    readonly count: number,
  ) {
    this.u32 = new Uint32Array(Math.max(count, 1) * struct.words);
    this.f32 = new Float32Array(this.u32.buffer);
  }

  /** Writes one field of record `record`; a u32 field must hold an integer in [0, 2^32). */
  setField(record: number, field: F, value: number): void {
    const at = record * this.struct.words + this.struct.index(field);
    if (this.struct.types[field] === 'u32') {
      checkU32(value, `${this.struct.name}.${field}`);
      this.u32[at] = value;
    } else {
      if (typeof value !== 'number') throw new Error(`${this.struct.name}.${field} must be a number, got ${value}`);
      this.f32[at] = value;
    }
  }

  /** Writes every field of record `record`. */
  set(record: number, values: Readonly<Record<F, number>>): void {
    for (const field of this.struct.fields) this.setField(record, field, values[field]);
  }

  /** Record `record`, by field name. */
  get(record: number): Record<F, number> {
    return this.struct.read(this.u32, record);
  }
}

/** The field names of struct S. */
export type FieldOf<S> = S extends WgslStruct<infer F> ? F : never;

/** The field values of one record of struct S, by name. */
export type StructValues<S> = Record<FieldOf<S>, number>;

/** A table of named u32 codes or bit flags, declared in WGSL as `const PREFIX_ENTRY: u32 = Nu;`. */
export class WgslConstants<K extends string> {
  /** The declarations, one per line. */
  readonly wgsl: string;
  /** WGSL name of each entry. */
  readonly names: Readonly<Record<K, string>>;

  constructor(
    readonly prefix: string,
    readonly values: Readonly<Record<K, number>>,
  ) {
    const entries = Object.entries(values) as Array<[K, number]>;
    for (const [entry, value] of entries) checkU32(value, constantName(prefix, entry));
    this.names = Object.fromEntries(entries.map(([entry]) => [entry, constantName(prefix, entry)])) as Record<K, string>;
    this.wgsl = entries.map(([entry, value]) => `const ${this.names[entry]}: u32 = ${value}u;`).join('\n');
    defined.push(this as WgslConstants<string>);
  }
}
