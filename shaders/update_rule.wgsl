// The optimizer rules of update.wgsl's header (d, the state update and the increment u), written
// once for both fused update kernels over the element type Elem that each kernel declares:
// `alias Elem = f32;` in update.wgsl (one element), `alias Elem = vec4f;` in update_vec4.wgsl
// (4 elements, every operation lane by lane: each lane computes exactly what update.wgsl computes
// for its element). Functions of values only: the kernel reads the run's words and the state, stores
// the new state (update_vec4.wgsl: in valid lanes only) and applies u to θ itself.
// The order of float operations is that of src/reference/optim.ts: keep the two in step.
// Needs: update_common.wgsl, and the kernel's Elem alias.

// Coupled L2 (PyTorch weight_decay): d = g + λ_c·θ, with l2 = λ_c (0 for tensors without decay).
fn coupled_l2(g: Elem, theta: Elem, l2: f32) -> Elem {
  return g + l2 * theta;
}

// Momentum/Nesterov buffer: b = d on the first step, else γ·b + (1−τ)·d (undamped = 1 − τ).
fn momentum_buffer(d: Elem, b: Elem, gamma: f32, undamped: f32, first: bool) -> Elem {
  if (first) { return d; }
  return gamma * b + undamped * d;
}

// Momentum's increment u = b; Nesterov's u = d + γ·b.
fn momentum_increment(nesterov: bool, d: Elem, b: Elem, gamma: f32) -> Elem {
  if (nesterov) { return d + gamma * b; }
  return b;
}

// Adam's first moment: m = β1·m + (1−β1)·d.
fn adam_first_moment(m: Elem, d: Elem, beta1: f32) -> Elem {
  return beta1 * m + (1.0 - beta1) * d;
}

// Square average, Adam's v (β = β2) and RMSprop's (β = α): v = β·v + (1−β)·d².
fn square_average(v: Elem, d: Elem, beta: f32) -> Elem {
  return beta * v + (1.0 - beta) * d * d;
}

// Adam's c2 for the run's ε placement: its c2 word when 'standard' (c2 = 1/√(1−β2ᵗ)), 1 when
// 'lrd_official' (ε added to √v itself; 1·√v is √v exactly, so no branch on the form is needed).
fn adam_c2(run: u32, flags: u32) -> f32 {
  if ((flags & FLAG_EPS_STANDARD) != 0u) { return run_words[run].c2; }
  return 1.0;
}

// Adam's bias-corrected increment u = c1·m / (c2·√v + ε):
//   'standard'     c1 = 1/(1−β1ᵗ), c2 = 1/√(1−β2ᵗ)   (u = m̂ / (√v̂ + ε))
//   'lrd_official' c1 = √(1−β2ᵗ)/(1−β1ᵗ), c2 = 1     (u = c1·m / (√v + ε))
fn adam_increment(m: Elem, v: Elem, c1: f32, c2: f32, eps: f32) -> Elem {
  return c1 * m / (c2 * sqrt(v) + eps);
}

// RMSprop's increment u = n / (√v + ε), with n = g ('lrd_official': the decay only in v) or
// n = d ('clean').
fn rmsprop_increment(g: Elem, d: Elem, v: Elem, eps: f32, clean: bool) -> Elem {
  var numerator = g;
  if (clean) { numerator = d; }
  return numerator / (sqrt(v) + eps);
}
