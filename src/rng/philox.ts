/**
 * Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11):
 * a counter-based generator, out = bijection_key(counter). This is the bit-exact TypeScript twin
 * of `shaders/rng.wgsl`; both are keyed the same way, so a GPU kernel and the float64 reference
 * draw the very same numbers for the same (key, counter).
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product a*b of two u32 (WGSL has no u64: same 16-bit split there). */
export function mulhi32(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const loLo = aLo * bLo;
  const hiLo = aHi * bLo;
  const loHi = aLo * bHi;
  const hiHi = aHi * bHi;
  const cross = (loLo >>> 16) + (hiLo & 0xffff) + (loHi & 0xffff);
  return (hiHi + (hiLo >>> 16) + (loHi >>> 16) + Math.floor(cross / 65536)) >>> 0;
}

/**
 * One Philox-4x32-10 block: 4 u32 outputs for counter (c0..c3) and key (k0, k1).
 * Writes into `out` (length >= 4) to avoid allocation in hot loops.
 */
export function philox4x32(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array = new Uint32Array(4),
): Uint32Array {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = c2 >>> 0;
  let x3 = c3 >>> 0;
  let key0 = k0 >>> 0;
  let key1 = k1 >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi32(M0, x0);
    const lo0 = Math.imul(M0, x0) >>> 0;
    const hi1 = mulhi32(M1, x2);
    const lo1 = Math.imul(M1, x2) >>> 0;
    x0 = (hi1 ^ x1 ^ key0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ key1) >>> 0;
    x3 = lo0;
    key0 = (key0 + W0) >>> 0;
    key1 = (key1 + W1) >>> 0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
  return out;
}

/** u ∈ [0, 1) from the top 24 bits of a u32: u = (h >> 8) · 2⁻²⁴ (exact in f32 and f64). */
export function uniformFromBits(bits: number): number {
  return (bits >>> 8) * 5.960464477539063e-8;
}

/** u ∈ (0, 1] from the top 24 bits: ((h >> 8) + 1) · 2⁻²⁴, safe for log(u). */
export function uniformOpenFromBits(bits: number): number {
  return ((bits >>> 8) + 1) * 5.960464477539063e-8;
}

/** Box–Muller: z = sqrt(−2 ln u1) · cos(2π u2) with u1 ∈ (0,1], u2 ∈ [0,1). */
export function normalFromBits(bits1: number, bits2: number): number {
  const u1 = uniformOpenFromBits(bits1);
  const u2 = uniformFromBits(bits2);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
