// Philox-4x32-10 counter-based RNG (Salmon et al. SC'11). Bit-exact twin: src/rng/philox.ts.
// Composed into kernels that need randomness (update: LRD masks, LEAP noise).

// High 32 bits of the 64-bit product a*b (WGSL has no u64): 16-bit limb split.
fn rng_mulhi(a: u32, b: u32) -> u32 {
  let a_lo = a & 0xffffu;
  let a_hi = a >> 16u;
  let b_lo = b & 0xffffu;
  let b_hi = b >> 16u;
  let lo_lo = a_lo * b_lo;
  let hi_lo = a_hi * b_lo;
  let lo_hi = a_lo * b_hi;
  let hi_hi = a_hi * b_hi;
  let cross = (lo_lo >> 16u) + (hi_lo & 0xffffu) + (lo_hi & 0xffffu);
  return hi_hi + (hi_lo >> 16u) + (lo_hi >> 16u) + (cross >> 16u);
}

// out = Philox4x32-10(counter, key)
fn philox4x32(counter: vec4u, key: vec2u) -> vec4u {
  var x = counter;
  var k = key;
  for (var round = 0u; round < 10u; round++) {
    let hi0 = rng_mulhi(0xd2511f53u, x.x);
    let lo0 = 0xd2511f53u * x.x;
    let hi1 = rng_mulhi(0xcd9e8d57u, x.z);
    let lo1 = 0xcd9e8d57u * x.z;
    x = vec4u(hi1 ^ x.y ^ k.x, lo1, hi0 ^ x.w ^ k.y, lo0);
    k = k + vec2u(0x9e3779b9u, 0xbb67ae85u);
  }
  return x;
}

// u in [0,1): (h >> 8) * 2^-24
fn rng_uniform(bits: u32) -> f32 {
  return f32(bits >> 8u) * 5.960464477539063e-8;
}

// u in (0,1]: ((h >> 8) + 1) * 2^-24
fn rng_uniform_open(bits: u32) -> f32 {
  return f32((bits >> 8u) + 1u) * 5.960464477539063e-8;
}

// cos(2π·u) for u in [0, 1) to about 1 ulp. WGSL's builtin cos may be off by 2^-11 absolute, too
// coarse to match the float64 twin, so: fold to a in [0, 1/8] by symmetry, then Taylor series.
fn rng_cos2pi(u: f32) -> f32 {
  var y = abs(u - 0.5);            // cos(2πu) = −cos(2π(u − 1/2)); y in [0, 1/2]
  var sign = -1.0;
  if (y > 0.25) { y = 0.5 - y; sign = -sign; }     // cos(2πy) = −cos(2π(1/2 − y))
  if (y > 0.125) {                                 // cos(2πy) = sin(2π(1/4 − y))
    let a = 6.283185307179586 * (0.25 - y);
    let a2 = a * a;
    return sign * a * (1.0 - a2 / 6.0 * (1.0 - a2 / 20.0 * (1.0 - a2 / 42.0 * (1.0 - a2 / 72.0))));
  }
  let a = 6.283185307179586 * y;
  let a2 = a * a;
  return sign * (1.0 - a2 / 2.0 * (1.0 - a2 / 12.0 * (1.0 - a2 / 30.0 * (1.0 - a2 / 56.0 * (1.0 - a2 / 90.0)))));
}

// Box–Muller: sqrt(-2 ln u1) cos(2 pi u2)
fn rng_normal(bits1: u32, bits2: u32) -> f32 {
  let u1 = rng_uniform_open(bits1);
  let u2 = rng_uniform(bits2);
  return sqrt(-2.0 * log(u1)) * rng_cos2pi(u2);
}

// The fused update's draws (twin: src/rng/draws.ts): bits = philox((element, tensor, step, scope), (seed, run_key)).
// LRD uses rng_uniform(bits.x); LEAP uses rng_normal(bits.y, bits.z). scope: a DRAW_SCOPE_* code (element, tensor, global).
fn update_bits(seed: u32, run_key: u32, tensor: u32, step: u32, element: u32, scope: u32) -> vec4u {
  return philox4x32(vec4u(element, tensor, step, scope), vec2u(seed, run_key));
}
