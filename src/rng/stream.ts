import { philox4x32, uniformFromBits, normalFromBits } from './philox';

/** Purposes of random streams; part of the Philox key so streams never collide. */
export const StreamPurpose = {
  general: 0,
  init: 1,
  dataOrder: 2,
  toyData: 3,
  lrd: 4,
  leap: 5,
  ralr: 6,
} as const;

/**
 * A reproducible sequential stream of random numbers from Philox-4x32-10 keyed by
 * (seed, streamId): the i-th block is philox(counter = (i, 0, 0, 0), key = (seed, streamId)).
 */
export class RandomStream {
  private readonly key0: number;
  private readonly key1: number;
  private block = 0;
  private readonly buffer = new Uint32Array(4);
  private used = 4;

  constructor(seed: number, streamId = 0) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new Error(`seed must be an integer in [0, 2^32), got ${seed}`);
    }
    this.key0 = seed >>> 0;
    this.key1 = streamId >>> 0;
  }

  /** Next raw u32. */
  uint32(): number {
    if (this.used === 4) {
      philox4x32(this.block, 0, 0, 0, this.key0, this.key1, this.buffer);
      this.block = (this.block + 1) >>> 0;
      this.used = 0;
    }
    return this.buffer[this.used++];
  }

  /** u ~ U[0, 1) with 24-bit resolution. */
  uniform(): number {
    return uniformFromBits(this.uint32());
  }

  /** z ~ N(0, 1) by Box–Muller from two consecutive draws. */
  normal(): number {
    const a = this.uint32();
    const b = this.uint32();
    return normalFromBits(a, b);
  }

  /** Integer uniform in [0, n) (n <= 2^24; multiply-shift of a 24-bit uniform). */
  below(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}

/** Mixes several small integers into one u32 stream id (FNV-1a over their bytes). */
export function streamId(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    let v = part >>> 0;
    for (let i = 0; i < 4; i++) {
      h ^= v & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
      v >>>= 8;
    }
  }
  return h >>> 0;
}
