// Per-element learning-rate modifiers of the fused update (twins: src/optim/lrd.ts, src/optim/leap.ts,
// and the float64 reference src/reference/optim.ts). Needs: rng.wgsl, the DRAW_SCOPE_* codes
// (src/optim/update-layout.ts, from src/rng/draws.ts DrawScope). Nothing is materialized: every
// draw comes from update_bits(seed, run_key, tensor, step, element, scope) when the element is updated.

// LEAP (learning-rate perturbation): the perturbed rate η_i of one element.
//   additive:       η_i = η + σ·z        multiplicative: η_i = η·(1 + σ·z)        z ~ N(0,1)
//   clip_negative:  η_i = max(η_i, 0)
// scope picks the draw: DRAW_SCOPE_ELEMENT a z per element, DRAW_SCOPE_TENSOR one per tensor,
// DRAW_SCOPE_GLOBAL one per run.
fn leap_rate(lr: f32, sigma: f32, multiplicative: bool, clip_negative: bool, scope: u32,
             seed: u32, run_key: u32, tensor: u32, step: u32, element: u32) -> f32 {
  var t = tensor;
  var e = element;
  if (scope != DRAW_SCOPE_ELEMENT) { e = 0u; }
  if (scope == DRAW_SCOPE_GLOBAL) { t = 0u; }
  let bits = update_bits(seed, run_key, t, step, e, scope);
  let z = rng_normal(bits.y, bits.z);
  var rate = lr + sigma * z;
  if (multiplicative) { rate = lr * (1.0 + sigma * z); }
  if (clip_negative) { rate = max(rate, 0.0); }
  return rate;
}

// LRD (learning-rate dropout): 1 when the element's rate is kept this step (u < keep_prob), else 0;
// times 1/keep_prob when rescaling is on (keep_scale), as the CPU passes it.
fn lrd_factor(keep_prob: f32, keep_scale: f32, seed: u32, run_key: u32, tensor: u32, step: u32, element: u32) -> f32 {
  let bits = update_bits(seed, run_key, tensor, step, element, DRAW_SCOPE_ELEMENT);
  return select(0.0, keep_scale, rng_uniform(bits.x) < keep_prob);
}
