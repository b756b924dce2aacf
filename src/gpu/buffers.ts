/** Buffer helpers: creation with data, uniforms from a struct layout, and uploads. */
import type { WgslStruct } from './layout';

export const STORAGE = 0x80; // GPUBufferUsage.STORAGE (constants inlined: Node defines the globals late)
export const COPY_SRC = 0x04;
export const COPY_DST = 0x08;
export const UNIFORM = 0x40;
export const MAP_READ = 0x01;

/** Rounds `bytes` up to a multiple of 16 (WebGPU wants 4; 16 keeps vec4 views and uniforms safe). */
export function alignBytes(bytes: number, alignment = 16): number {
  return Math.ceil(Math.max(bytes, alignment) / alignment) * alignment;
}

/** A storage buffer (copy src/dst too) holding `data`, or zeros of `byteLength`. */
export function createStorage(
  device: GPUDevice,
  label: string,
  dataOrBytes: ArrayBufferView | number,
  extraUsage = 0,
): GPUBuffer {
  const byteLength = typeof dataOrBytes === 'number' ? dataOrBytes : dataOrBytes.byteLength;
  const buffer = device.createBuffer({
    label,
    size: alignBytes(byteLength),
    usage: STORAGE | COPY_SRC | COPY_DST | extraUsage,
    mappedAtCreation: typeof dataOrBytes !== 'number',
  });
  if (typeof dataOrBytes !== 'number') {
    const view = dataOrBytes;
    new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
    buffer.unmap();
  }
  return buffer;
}

/** A uniform buffer holding one `struct` record with the given field values (see ./layout.ts). */
export function createUniform<F extends string>(device: GPUDevice, label: string, struct: WgslStruct<F>, values: Readonly<Record<F, number>>): GPUBuffer {
  const words = struct.pack(values);
  const buffer = device.createBuffer({ label, size: alignBytes(words.byteLength), usage: UNIFORM | COPY_DST, mappedAtCreation: true });
  new Uint32Array(buffer.getMappedRange()).set(words);
  buffer.unmap();
  return buffer;
}

/** queue.writeBuffer for any typed array (TypeScript's ArrayBufferLike vs ArrayBuffer split). */
export function upload(device: GPUDevice, buffer: GPUBuffer, data: ArrayBufferView, byteOffset = 0): void {
  device.queue.writeBuffer(buffer, byteOffset, data as ArrayBufferView<ArrayBuffer>);
}
