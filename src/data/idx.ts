/**
 * IDX files (the format of the original MNIST distribution, http://yann.lecun.com/exdb/mnist/):
 * bytes 0–1 are zero, byte 2 the element type, byte 3 the number of dimensions d, then d
 * big-endian u32 sizes, then the ∏ sizes elements, big-endian, row-major.
 */
import type { Dataset } from './types';

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  dims: number[];
  data: IdxData;
}

interface IdxType {
  code: number;
  name: string;
  bytes: number;
  make: (length: number) => IdxData;
  read: (view: DataView, offset: number) => number;
  write: (view: DataView, offset: number, value: number) => void;
}

const IDX_TYPES: IdxType[] = [
  { code: 0x08, name: 'u8', bytes: 1, make: (n) => new Uint8Array(n), read: (v, o) => v.getUint8(o), write: (v, o, x) => v.setUint8(o, x) },
  { code: 0x09, name: 'i8', bytes: 1, make: (n) => new Int8Array(n), read: (v, o) => v.getInt8(o), write: (v, o, x) => v.setInt8(o, x) },
  { code: 0x0b, name: 'i16', bytes: 2, make: (n) => new Int16Array(n), read: (v, o) => v.getInt16(o), write: (v, o, x) => v.setInt16(o, x) },
  { code: 0x0c, name: 'i32', bytes: 4, make: (n) => new Int32Array(n), read: (v, o) => v.getInt32(o), write: (v, o, x) => v.setInt32(o, x) },
  { code: 0x0d, name: 'f32', bytes: 4, make: (n) => new Float32Array(n), read: (v, o) => v.getFloat32(o), write: (v, o, x) => v.setFloat32(o, x) },
  { code: 0x0e, name: 'f64', bytes: 8, make: (n) => new Float64Array(n), read: (v, o) => v.getFloat64(o), write: (v, o, x) => v.setFloat64(o, x) },
];

const hex = (value: number) => `0x${value.toString(16).padStart(2, '0')}`;

/**
 * Parses an IDX file into its dims and a native-endian typed array (a copy, not a view of
 * `bytes`). `label` names the file in error messages (bad magic, unknown type, truncated header
 * or payload, trailing bytes).
 */
export function parseIdx(bytes: Uint8Array, label = 'IDX file'): IdxArray {
  if (bytes.length < 4) throw new Error(`${label}: truncated header: ${bytes.length} bytes, need at least 4`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`${label}: bad magic: first two bytes are ${hex(bytes[0])} ${hex(bytes[1])}, expected 0x00 0x00`);
  }
  const type = IDX_TYPES.find((t) => t.code === bytes[2]);
  if (!type) {
    throw new Error(
      `${label}: unknown element type ${hex(bytes[2])} (known: ${IDX_TYPES.map((t) => `${hex(t.code)} ${t.name}`).join(', ')})`,
    );
  }
  const rank = bytes[3];
  if (rank === 0) throw new Error(`${label}: number of dimensions is 0`);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new Error(`${label}: truncated header: ${bytes.length} bytes, need ${headerBytes} for ${rank} dimensions`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let axis = 0; axis < rank; axis++) dims.push(view.getUint32(4 + 4 * axis));
  const length = dims.reduce((product, size) => product * size, 1);
  const payloadBytes = length * type.bytes;
  const actualBytes = bytes.length - headerBytes;
  if (actualBytes < payloadBytes) {
    throw new Error(
      `${label}: truncated payload: dims [${dims.join(', ')}] of ${type.name} need ${payloadBytes} bytes, got ${actualBytes}`,
    );
  }
  if (actualBytes > payloadBytes) {
    throw new Error(
      `${label}: size mismatch: dims [${dims.join(', ')}] of ${type.name} need ${payloadBytes} bytes, ` +
        `got ${actualBytes} (${actualBytes - payloadBytes} trailing)`,
    );
  }
  if (type.bytes === 1) {
    const raw = bytes.slice(headerBytes);
    return { dims, data: type.code === 0x08 ? raw : new Int8Array(raw.buffer) };
  }
  const data = type.make(length);
  for (let i = 0; i < length; i++) data[i] = type.read(view, headerBytes + i * type.bytes);
  return { dims, data };
}

/**
 * Encodes `data` as an IDX file with the given dims; the element type follows the array type
 * (Uint8Array → u8, …, Float64Array → f64). Throws if ∏ dims ≠ data.length.
 */
export function encodeIdx(dims: number[], data: IdxData): Uint8Array {
  const type = IDX_TYPES.find((t) => data instanceof t.make(0).constructor);
  if (!type) throw new Error('encodeIdx: data must be a Uint8Array, Int8Array, Int16Array, Int32Array, Float32Array or Float64Array');
  if (dims.length === 0 || dims.length > 255) throw new Error(`encodeIdx: need 1 to 255 dims, got ${dims.length}`);
  dims.forEach((size, axis) => {
    if (!Number.isInteger(size) || size < 0 || size > 0xffffffff) {
      throw new Error(`encodeIdx: dims[${axis}] must be an integer in [0, 2^32), got ${size}`);
    }
  });
  const length = dims.reduce((product, size) => product * size, 1);
  if (length !== data.length) {
    throw new Error(`encodeIdx: dims [${dims.join(', ')}] hold ${length} elements, data has ${data.length}`);
  }
  const headerBytes = 4 + 4 * dims.length;
  const out = new Uint8Array(headerBytes + length * type.bytes);
  const view = new DataView(out.buffer);
  out[2] = type.code;
  out[3] = dims.length;
  dims.forEach((size, axis) => view.setUint32(4 + 4 * axis, size));
  if (type.bytes === 1) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.length), headerBytes);
  } else {
    for (let i = 0; i < length; i++) type.write(view, headerBytes + i * type.bytes, data[i]);
  }
  return out;
}

export interface IdxDatasetFiles {
  name: string;
  trainImages: Uint8Array;
  trainLabels: Uint8Array;
  testImages: Uint8Array;
  testLabels: Uint8Array;
  /** if given, labels must be < numClasses; default max label + 1 over both splits */
  numClasses?: number;
  classNames?: string[];
}

/** Input shape of one row from image dims [N, D] → [D], [N, H, W] → [1, H, W], [N, C, H, W] → [C, H, W]. */
function rowShape(dims: number[], label: string): number[] {
  if (dims.length === 2) return [dims[1]];
  if (dims.length === 3) return [1, dims[1], dims[2]];
  if (dims.length === 4) return dims.slice(1);
  throw new Error(`${label}: expected 2 to 4 dims ([N, D], [N, H, W] or [N, C, H, W]), got [${dims.join(', ')}]`);
}

/** Parses a label file (1-D, integer type) into class indices, checking that each is >= 0. */
function parseLabels(bytes: Uint8Array, label: string): Uint32Array {
  const { dims, data } = parseIdx(bytes, label);
  if (dims.length !== 1) throw new Error(`${label}: expected 1 dimension [N], got [${dims.join(', ')}]`);
  if (data instanceof Float32Array || data instanceof Float64Array) {
    throw new Error(`${label}: labels must have an integer element type, got floats`);
  }
  const bad = data.findIndex((value) => value < 0);
  if (bad >= 0) throw new Error(`${label}: label [${bad}] = ${data[bad]} is negative`);
  return Uint32Array.from(data);
}

/**
 * Builds an image classification Dataset from the four IDX files' bytes: u8 images (scale 1/255,
 * shift 0), integer labels, numClasses = max label + 1 unless given. Errors name the file and,
 * for count mismatches, both counts.
 */
export function datasetFromIdx(files: IdxDatasetFiles): Dataset {
  const { name } = files;
  const splits = (['train', 'test'] as const).map((split) => {
    const imagesLabel = `${name} ${split} images`;
    const labelsLabel = `${name} ${split} labels`;
    const images = parseIdx(split === 'train' ? files.trainImages : files.testImages, imagesLabel);
    if (!(images.data instanceof Uint8Array)) throw new Error(`${imagesLabel}: images must be u8 (type 0x08)`);
    const shape = rowShape(images.dims, imagesLabel);
    const labels = parseLabels(split === 'train' ? files.trainLabels : files.testLabels, labelsLabel);
    const count = images.dims[0];
    if (labels.length !== count) {
      throw new Error(`${name} ${split}: ${labels.length} labels but ${count} images; the counts must match`);
    }
    return { shape, split: { count, x: images.data, y: labels }, labelsLabel };
  });
  const [train, test] = splits;
  if (train.shape.join('×') !== test.shape.join('×')) {
    throw new Error(`${name}: train images are ${train.shape.join('×')} but test images are ${test.shape.join('×')}`);
  }
  let maxLabel = 0;
  for (const { split } of splits) for (const value of split.y) maxLabel = Math.max(maxLabel, value);
  const numClasses = files.numClasses ?? maxLabel + 1;
  for (const { split, labelsLabel } of splits) {
    const bad = split.y.findIndex((value) => value >= numClasses);
    if (bad >= 0) throw new Error(`${labelsLabel}: label [${bad}] = ${split.y[bad]} is not < numClasses = ${numClasses}`);
  }
  if (files.classNames && files.classNames.length !== numClasses) {
    throw new Error(`${name}: ${files.classNames.length} class names for ${numClasses} classes`);
  }
  return {
    name,
    inputShape: train.shape,
    numClasses,
    scale: 1 / 255,
    shift: 0,
    ...(files.classNames ? { classNames: files.classNames } : {}),
    train: train.split,
    test: test.split,
  };
}
