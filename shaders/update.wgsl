// The fused parameter update: ONE dispatch over every element of every tensor of every run.
// Each workgroup covers CHUNKS_PER_GROUP 64-float chunks of the stacked parameter buffer; chunk_table
// maps each to (tensor, run), so the rule and hyperparameters are uniform within a workgroup (no divergence).
// Needs: rng.wgsl, lr_modifiers.wgsl. Twin: src/reference/optim.ts (float64).
//
//   d = g + λ_c·θ                                   coupled L2 (PyTorch weight_decay); λ = 0 for
//                                                   tensors without decay (biases, BN affine)
//   rule → increment u:
//     sgd       u = d
//     momentum  b = d (first step) | γ·b + (1−τ)·d;  u = b
//     nesterov  b as momentum;                        u = d + γ·b
//     adam      m = β1·m + (1−β1)·d;  v = β2·v + (1−β2)·d²
//               'lrd_official' u = c1·m / (√v + ε)      with c1 = √(1−β2ᵗ)/(1−β1ᵗ)
//               'standard'     u = c1·m / (c2·√v + ε)   with c1 = 1/(1−β1ᵗ), c2 = 1/√(1−β2ᵗ)
//     rmsprop   v = α·v + (1−α)·d²;  u = n / (√v + ε), n = g ('lrd_official') or d ('clean')
//   per-element rate:  η_i = LEAP(η) (or η),  k_i = LRD keep factor (or 1)
//   θ ← s_θ · (θ − η_i·k_i·u − η_i·k'_i·λ_d·θ)     k'_i = k_i when LRD masks decoupled decay, else 1
// Optimizer state (b, m, v) always sees the full gradient; only the applied increment is modified.
// s_θ and s_state (state *= s_state) are the exponential-LR renormalization scales (1 = none).

// Needs (besides rng.wgsl, lr_modifiers.wgsl): update_common.wgsl, update_rule.wgsl (the rules
// above, shared with update_vec4.wgsl; here over one f32 element).

// false compiles LEAP and LRD out (the pipeline used while no run has them): a CPU-emulated GPU
// runs both sides of data-dependent branches, so the RNG would cost even when switched off.
override MODIFIERS: bool = true;

@group(0) @binding(4) var<storage, read> grads: array<f32>;
@group(0) @binding(5) var<storage, read_write> params: array<f32>;
@group(0) @binding(6) var<storage, read_write> state1: array<f32>;   // momentum buffer / Adam m
@group(0) @binding(7) var<storage, read_write> state2: array<f32>;   // Adam v / RMSprop square average

alias Elem = f32;   // update_rule.wgsl's element type: one element per invocation

@compute @workgroup_size(CHUNK_FLOATS)
fn update(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let first_chunk = (wg.x + wg.y * groups.x) * CHUNKS_PER_GROUP;
  for (var c = 0u; c < CHUNKS_PER_GROUP; c++) {
    let chunk = first_chunk + c;
    if (chunk >= dims.chunks) { return; }
    update_chunk(chunk, lid);
  }
}

// Updates element lid of chunk `chunk` (one 64-float piece of one run's segment of one tensor).
fn update_chunk(chunk: u32, lid: u32) {
  let entry = chunk_table[chunk];
  let tensor = entry & CHUNK_TENSOR_MASK;
  let run = entry >> CHUNK_RUN_SHIFT;
  let info = tensors[tensor];
  if ((info.flags & TENSOR_TRAINABLE) == 0u) { return; }
  let i = chunk * CHUNK_FLOATS + lid;
  let element = i - info.offset - run * info.run_stride;
  if (element >= info.size) { return; }   // padding of the run's segment

  let rule = run_words[run].rule;
  let flags = run_words[run].flags;
  if ((flags & FLAG_FROZEN) != 0u) { return; }
  let step = run_words[run].step;
  let seed = run_words[run].seed;
  let run_key = run_words[run].run_key;
  let lr = run_words[run].lr;
  let theta = params[i];
  let g = grads[i];
  var decay_on = 0.0;
  if ((info.flags & TENSOR_DECAY) != 0u) { decay_on = 1.0; }
  let d = coupled_l2(g, theta, decay_on * run_words[run].l2);
  let first = (flags & FLAG_FIRST_STEP) != 0u;
  let state_scale = run_words[run].state_scale;

  // The rule (update_rule.wgsl): the state sees the full d, u is modified below.
  var u = d;
  switch rule {
    case RULE_MOMENTUM, RULE_NESTEROV: {
      let gamma = run_words[run].momentum;
      let b = momentum_buffer(d, state1[i], gamma, 1.0 - run_words[run].dampening, first);
      state1[i] = b * state_scale;
      u = momentum_increment(rule == RULE_NESTEROV, d, b, gamma);
    }
    case RULE_ADAM: {
      let m = adam_first_moment(state1[i], d, run_words[run].beta1);
      let v = square_average(state2[i], d, run_words[run].beta2);
      state1[i] = m;
      state2[i] = v;
      u = adam_increment(m, v, run_words[run].c1, adam_c2(run, flags), run_words[run].eps);
    }
    case RULE_RMSPROP: {
      let v = square_average(state2[i], d, run_words[run].beta2);
      state2[i] = v;
      u = rmsprop_increment(g, d, v, run_words[run].eps, (flags & FLAG_RMS_CLEAN) != 0u);
    }
    default: {}
  }

  var rate = lr;
  if (MODIFIERS && (flags & FLAG_LEAP) != 0u) {
    rate = leap_rate(lr, run_words[run].sigma, (flags & FLAG_LEAP_MULTIPLICATIVE) != 0u, (flags & FLAG_LEAP_CLIP) != 0u,
                     run_words[run].leap_scope, seed, run_key, tensor, step, element);
  }
  var keep = 1.0;
  if (MODIFIERS && (flags & FLAG_LRD) != 0u) {
    keep = lrd_factor(run_words[run].keep_prob, run_words[run].keep_scale, seed, run_key, tensor, step, element);
  }
  var decay_keep = 1.0;
  if ((flags & FLAG_LRD_MASK_DECAY) != 0u) { decay_keep = keep; }
  let decayed = theta - rate * keep * u - rate * decay_keep * decay_on * run_words[run].decoupled * theta;
  params[i] = run_words[run].theta_scale * decayed;
}
