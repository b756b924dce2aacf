import { COPY_DST, MAP_READ } from './buffers';

/**
 * Asynchronous readback: copies a GPU range into a staging buffer inside the caller's encoder and
 * maps it after the submit, resolving later. Nothing waits: the next step can be encoded and
 * submitted while the map is pending. Staging buffers are recycled once read.
 */
export class AsyncReadback {
  private readonly idle: GPUBuffer[] = [];
  private pendingCount = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly byteLength: number,
    private readonly label = 'readback',
  ) {}

  /** Readbacks in flight (for back-pressure: callers may skip a log when too many are pending). */
  get pending(): number {
    return this.pendingCount;
  }

  /**
   * Records a copy of `source[offset, offset + byteLength)` into a staging buffer in `encoder`.
   * Call the returned function right after `queue.submit`: it starts the map and returns a
   * promise of the bytes.
   */
  record(encoder: GPUCommandEncoder, source: GPUBuffer, offset = 0): () => Promise<ArrayBuffer> {
    const staging =
      this.idle.pop() ??
      this.device.createBuffer({ label: this.label, size: this.byteLength, usage: MAP_READ | COPY_DST });
    encoder.copyBufferToBuffer(source, offset, staging, 0, this.byteLength);
    this.pendingCount++;
    return async () => {
      try {
        await staging.mapAsync(0x0001 /* GPUMapMode.READ */);
        const bytes = staging.getMappedRange().slice(0);
        staging.unmap();
        this.idle.push(staging);
        return bytes;
      } finally {
        this.pendingCount--;
      }
    };
  }

  /** Destroys the idle staging buffers. */
  destroy(): void {
    for (const buffer of this.idle) buffer.destroy();
    this.idle.length = 0;
  }
}

/**
 * `pending`, marked as handled: a readback still in flight when an earlier one failed (a lost
 * device fails them all) is awaited later or never, and must not surface as an unhandled rejection.
 * Awaiting it still throws.
 */
export function handled<T>(pending: Promise<T>): Promise<T> {
  pending.catch(() => undefined);
  return pending;
}

/** Reads a whole buffer range once (tests, eval, checkpoints). Resolves after the GPU is done. */
export async function readBuffer(device: GPUDevice, source: GPUBuffer, byteLength = source.size, offset = 0): Promise<ArrayBuffer> {
  const readback = new AsyncReadback(device, byteLength, `read ${source.label}`);
  const encoder = device.createCommandEncoder();
  const start = readback.record(encoder, source, offset);
  device.queue.submit([encoder.finish()]);
  const bytes = await start();
  readback.destroy();
  return bytes;
}

/** readBuffer as Float32Array. */
export async function readF32(device: GPUDevice, source: GPUBuffer, count?: number, offsetElements = 0): Promise<Float32Array> {
  const bytes = await readBuffer(device, source, (count ?? source.size / 4) * 4, offsetElements * 4);
  return new Float32Array(bytes);
}
