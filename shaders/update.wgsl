// The fused parameter update: ONE dispatch over every element of every tensor of every run.
// Each workgroup covers one 64-float chunk of the stacked parameter buffer; chunk_table maps it to
// (tensor, run), so the rule and hyperparameters are uniform within a workgroup (no divergence).
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

const RULE_SGD: u32 = 0u;
const RULE_MOMENTUM: u32 = 1u;
const RULE_NESTEROV: u32 = 2u;
const RULE_ADAM: u32 = 3u;
const RULE_RMSPROP: u32 = 4u;

const FLAG_LRD: u32 = 1u;
const FLAG_LRD_MASK_DECAY: u32 = 2u;
const FLAG_LEAP: u32 = 4u;
const FLAG_LEAP_MULT: u32 = 8u;
const FLAG_LEAP_CLIP: u32 = 16u;
const FLAG_FIRST_STEP: u32 = 32u;
const FLAG_EPS_STANDARD: u32 = 64u;
const FLAG_RMS_CLEAN: u32 = 128u;
const FLAG_FROZEN: u32 = 256u;     // a diverged run: parameters and state stay as they are

// Per-run words (u32; floats bitcast), layout shared with src/optim/update.ts RUN_WORDS.
const W_LR: u32 = 0u;
const W_RULE: u32 = 1u;
const W_FLAGS: u32 = 2u;
const W_STEP: u32 = 3u;
const W_SEED: u32 = 4u;
const W_RUN_KEY: u32 = 5u;
const W_MOMENTUM: u32 = 6u;
const W_DAMPENING: u32 = 7u;
const W_BETA1: u32 = 8u;
const W_BETA2: u32 = 9u;
const W_EPS: u32 = 10u;
const W_L2: u32 = 11u;
const W_DECOUPLED: u32 = 12u;
const W_C1: u32 = 13u;
const W_C2: u32 = 14u;
const W_KEEP_PROB: u32 = 15u;
const W_KEEP_SCALE: u32 = 16u;
const W_SIGMA: u32 = 17u;
const W_LEAP_SCOPE: u32 = 18u;
const W_THETA_SCALE: u32 = 19u;
const W_STATE_SCALE: u32 = 20u;
const RUN_WORDS: u32 = 24u;

struct UpdateDims { chunks: u32, runs: u32, _p0: u32, _p1: u32 }
// Per tensor: offset of its slab, stride between runs, elements, bit 0 trainable, bit 1 weight decay applies.
struct TensorEntry { offset: u32, run_stride: u32, size: u32, flags: u32 }

@group(0) @binding(0) var<uniform> dims: UpdateDims;
@group(0) @binding(1) var<storage, read> chunk_table: array<u32>;
@group(0) @binding(2) var<storage, read> tensors: array<TensorEntry>;
@group(0) @binding(3) var<storage, read> run_words: array<u32>;
@group(0) @binding(4) var<storage, read> grads: array<f32>;
@group(0) @binding(5) var<storage, read_write> params: array<f32>;
@group(0) @binding(6) var<storage, read_write> state1: array<f32>;   // momentum buffer / Adam m
@group(0) @binding(7) var<storage, read_write> state2: array<f32>;   // Adam v / RMSprop square average

fn word_f32(run: u32, w: u32) -> f32 { return bitcast<f32>(run_words[run * RUN_WORDS + w]); }
fn word_u32(run: u32, w: u32) -> u32 { return run_words[run * RUN_WORDS + w]; }

// Chunks per workgroup: each workgroup updates CHUNKS_PER_GROUP consecutive 64-float chunks (fewer,
// longer workgroups: on a CPU-emulated GPU the per-workgroup cost otherwise dominates this kernel).
override CHUNKS_PER_GROUP: u32 = 1u;
// false compiles LEAP and LRD out (the pipeline used while no run has them): a CPU-emulated GPU
// runs both sides of data-dependent branches, so the RNG would cost even when switched off.
override MODIFIERS: bool = true;

@compute @workgroup_size(64)
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
  let tensor = entry & 0xffffu;
  let run = entry >> 16u;
  let info = tensors[tensor];
  if ((info.flags & 1u) == 0u) { return; }
  let i = chunk * 64u + lid;
  let element = i - info.offset - run * info.run_stride;
  if (element >= info.size) { return; }   // padding of the run's segment

  let rule = word_u32(run, W_RULE);
  let flags = word_u32(run, W_FLAGS);
  if ((flags & FLAG_FROZEN) != 0u) { return; }
  let step = word_u32(run, W_STEP);
  let seed = word_u32(run, W_SEED);
  let run_key = word_u32(run, W_RUN_KEY);
  let lr = word_f32(run, W_LR);
  let theta = params[i];
  let g = grads[i];
  var decay_on = 0.0;
  if ((info.flags & 2u) != 0u) { decay_on = 1.0; }
  let d = g + decay_on * word_f32(run, W_L2) * theta;
  let first = (flags & FLAG_FIRST_STEP) != 0u;
  let state_scale = word_f32(run, W_STATE_SCALE);

  var u = d;
  switch rule {
    case RULE_MOMENTUM, RULE_NESTEROV: {
      let gamma = word_f32(run, W_MOMENTUM);
      var b = d;
      if (!first) { b = gamma * state1[i] + (1.0 - word_f32(run, W_DAMPENING)) * d; }
      state1[i] = b * state_scale;
      u = b;
      if (rule == RULE_NESTEROV) { u = d + gamma * b; }
    }
    case RULE_ADAM: {
      let beta1 = word_f32(run, W_BETA1);
      let beta2 = word_f32(run, W_BETA2);
      let m = beta1 * state1[i] + (1.0 - beta1) * d;
      let v = beta2 * state2[i] + (1.0 - beta2) * d * d;
      state1[i] = m;
      state2[i] = v;
      var root_v = sqrt(v);
      if ((flags & FLAG_EPS_STANDARD) != 0u) { root_v = word_f32(run, W_C2) * root_v; }
      u = word_f32(run, W_C1) * m / (root_v + word_f32(run, W_EPS));
    }
    case RULE_RMSPROP: {
      let alpha = word_f32(run, W_BETA2);
      let v = alpha * state2[i] + (1.0 - alpha) * d * d;
      state2[i] = v;
      var numerator = g;
      if ((flags & FLAG_RMS_CLEAN) != 0u) { numerator = d; }
      u = numerator / (sqrt(v) + word_f32(run, W_EPS));
    }
    default: {}
  }

  var rate = lr;
  if (MODIFIERS && (flags & FLAG_LEAP) != 0u) {
    rate = leap_rate(lr, word_f32(run, W_SIGMA), (flags & FLAG_LEAP_MULT) != 0u, (flags & FLAG_LEAP_CLIP) != 0u,
                     word_u32(run, W_LEAP_SCOPE), seed, run_key, tensor, step, element);
  }
  var keep = 1.0;
  if (MODIFIERS && (flags & FLAG_LRD) != 0u) {
    keep = lrd_factor(word_f32(run, W_KEEP_PROB), word_f32(run, W_KEEP_SCALE), seed, run_key, tensor, step, element);
  }
  var decay_keep = 1.0;
  if ((flags & FLAG_LRD_MASK_DECAY) != 0u) { decay_keep = keep; }
  let decayed = theta - rate * keep * u - rate * decay_keep * decay_on * word_f32(run, W_DECOUPLED) * theta;
  params[i] = word_f32(run, W_THETA_SCALE) * decayed;
}
