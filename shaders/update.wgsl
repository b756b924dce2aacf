// The fused parameter update with LEAP and LRD: one dispatch over every element of every tensor of
// the runs it lists (the runs with those modifiers; update_vec4.wgsl takes the others). Each
// workgroup covers CHUNKS_PER_GROUP listed 64-float chunks of the stacked parameter buffer; each
// chunk is one (tensor, run), so the rule and hyperparameters are uniform within a chunk.
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

// false compiles LEAP or LRD out (the pipelines of runs without them): a CPU-emulated GPU runs
// both sides of data-dependent branches, so the RNG would cost even when switched off.
override LEAP: bool = true;
override LRD: bool = true;
// The rule every listed run uses, when they all use one (the switch then has a constant selector and
// the other rules compile away: SwiftShader would otherwise execute every case, loads included), or
// ONLY_RULE_MIXED: per run. As in update_vec4.wgsl.
override ONLY_RULE: u32 = ONLY_RULE_MIXED;

@group(0) @binding(4) var<storage, read> grads: array<f32>;
@group(0) @binding(5) var<storage, read_write> params: array<f32>;
@group(0) @binding(6) var<storage, read_write> state1: array<f32>;   // momentum buffer / Adam m
@group(0) @binding(7) var<storage, read_write> state2: array<f32>;   // Adam v / RMSprop square average

alias Elem = f32;   // update_rule.wgsl's element type: one element per invocation

@compute @workgroup_size(CHUNK_FLOATS)
fn update(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let first = (wg.x + wg.y * groups.x) * CHUNKS_PER_GROUP;
  for (var c = 0u; c < CHUNKS_PER_GROUP; c++) {
    let position = first + c;
    if (position >= dims.chunks) { return; }
    update_chunk(chunk_list[position], lid);
  }
}

// Updates element lid of the listed chunk (chunk index, table entry): one 64-float piece of one
// run's segment of one tensor.
fn update_chunk(listed: vec2u, lid: u32) {
  let chunk = listed.x;
  let entry = listed.y;
  let tensor = entry & CHUNK_TENSOR_MASK;
  let run = entry >> CHUNK_RUN_SHIFT;
  let info = tensors[tensor];
  if ((info.flags & TENSOR_TRAINABLE) == 0u) { return; }
  let i = chunk * CHUNK_FLOATS + lid;
  let element = i - info.offset - run * info.run_stride;
  if (element >= info.size) { return; }   // padding of the run's segment
  let words = run_words[run];
  if ((words.flags & FLAG_FROZEN) != 0u) { return; }
  update_element(i, element, tensor, run, info, words);
}

// The same update with a whole listed chunk per invocation, its 64 elements in turn (the tuning's
// updateScalarWholeChunk, on SwiftShader): the chunk's table entry, tensor entry and run words are
// read once per chunk instead of once per element. On a CPU-emulated GPU every storage load is a
// lane-by-lane gather, and those ~25 loads of per-chunk words cost as much as an element's update.
@compute @workgroup_size(CHUNK_FLOATS)
fn update_whole(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let position = (wg.x + wg.y * groups.x) * CHUNK_FLOATS + lid;
  if (position >= dims.chunks) { return; }
  let listed = chunk_list[position];
  let chunk = listed.x;
  let tensor = listed.y & CHUNK_TENSOR_MASK;
  let run = listed.y >> CHUNK_RUN_SHIFT;
  let info = tensors[tensor];
  if ((info.flags & TENSOR_TRAINABLE) == 0u) { return; }
  let words = run_words[run];
  if ((words.flags & FLAG_FROZEN) != 0u) { return; }
  // Elements of the run's tensor in this chunk (the rest is the padding of the run's segment).
  let first = chunk * CHUNK_FLOATS - info.offset - run * info.run_stride;
  let count = min(CHUNK_FLOATS, info.size - first);
  for (var e = 0u; e < count; e++) {
    update_element(chunk * CHUNK_FLOATS + e, first + e, tensor, run, info, words);
  }
}

// Updates element `element` of tensor `tensor` of run `run` (index i in the stacked buffers), with
// the tensor's entry and the run's words.
fn update_element(i: u32, element: u32, tensor: u32, run: u32, info: TensorEntry, words: RunWords) {
  var rule = ONLY_RULE;
  if (ONLY_RULE == ONLY_RULE_MIXED) { rule = words.rule; }
  let flags = words.flags;
  let step = words.step;
  let seed = words.seed;
  let run_key = words.run_key;
  let lr = words.lr;
  let theta = params[i];
  let g = grads[i];
  var decay_on = 0.0;
  if ((info.flags & TENSOR_DECAY) != 0u) { decay_on = 1.0; }
  let d = coupled_l2(g, theta, decay_on * words.l2);
  let first = (flags & FLAG_FIRST_STEP) != 0u;
  let state_scale = words.state_scale;

  // The rule (update_rule.wgsl): the state sees the full d, u is modified below.
  var u = d;
  switch rule {
    case RULE_MOMENTUM, RULE_NESTEROV: {
      let gamma = words.momentum;
      let b = momentum_buffer(d, state1[i], gamma, 1.0 - words.dampening, first);
      state1[i] = b * state_scale;
      u = momentum_increment(rule == RULE_NESTEROV, d, b, gamma);
    }
    case RULE_ADAM: {
      let m = adam_first_moment(state1[i], d, words.beta1);
      let v = square_average(state2[i], d, words.beta2);
      state1[i] = m;
      state2[i] = v;
      u = adam_increment(m, v, words.c1, adam_c2(run, flags), words.eps);
    }
    case RULE_RMSPROP: {
      let v = square_average(state2[i], d, words.beta2);
      state2[i] = v;
      u = rmsprop_increment(g, d, v, words.eps, (flags & FLAG_RMS_CLEAN) != 0u);
    }
    default: {}
  }

  var rate = lr;
  if (LEAP && (flags & FLAG_LEAP) != 0u) {
    rate = leap_rate(lr, words.sigma, (flags & FLAG_LEAP_MULTIPLICATIVE) != 0u, (flags & FLAG_LEAP_CLIP) != 0u,
                     words.leap_scope, seed, run_key, tensor, step, element);
  }
  var keep = 1.0;
  if (LRD && (flags & FLAG_LRD) != 0u) {
    keep = lrd_factor(words.keep_prob, words.keep_scale, seed, run_key, tensor, step, element);
  }
  var decay_keep = 1.0;
  if ((flags & FLAG_LRD_MASK_DECAY) != 0u) { decay_keep = keep; }
  let decayed = theta - rate * keep * u - rate * decay_keep * decay_on * words.decoupled * theta;
  params[i] = words.theta_scale * decayed;
}
