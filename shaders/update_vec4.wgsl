// The fused update without LEAP and LRD, 4 elements per invocation: the same rules as update.wgsl
// (see its header) in vec4 arithmetic, used while no run has a per-element modifier. Reading the
// chunk table, the tensor entry and the run's words once per 4 elements, with vec4 loads and
// stores, is what makes it cheaper on a CPU-emulated GPU. A workgroup covers CHUNKS_PER_GROUP
// chunks (a multiple of 4), 4 chunks of 16 vec4 at a time. Lanes past a tensor's end (its run
// segment's padding) keep their values. Needs: update_common.wgsl.

@group(0) @binding(4) var<storage, read> grads: array<vec4f>;
@group(0) @binding(5) var<storage, read_write> params: array<vec4f>;
@group(0) @binding(6) var<storage, read_write> state1: array<vec4f>;   // momentum buffer / Adam m
@group(0) @binding(7) var<storage, read_write> state2: array<vec4f>;   // Adam v / RMSprop square average

// The rule every run uses, when they all use one (the switch then has a constant selector and the
// other rules compile away; SwiftShader would otherwise execute every case), or 255: per run.
override ONLY_RULE: u32 = 255u;

@compute @workgroup_size(64)
fn update_vec4(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let first_chunk = (wg.x + wg.y * groups.x) * CHUNKS_PER_GROUP;
  for (var c = 0u; c < CHUNKS_PER_GROUP; c += 4u) {
    let chunk = first_chunk + c + lid / 16u;
    if (chunk >= dims.chunks) { return; }
    update_quad(chunk, lid % 16u);
  }
}

// Updates elements 4q .. 4q+3 of chunk `chunk`.
fn update_quad(chunk: u32, q: u32) {
  let entry = chunk_table[chunk];
  let tensor = entry & 0xffffu;
  let run = entry >> 16u;
  let info = tensors[tensor];
  if ((info.flags & 1u) == 0u) { return; }
  let i = chunk * 16u + q;
  let element = chunk * 64u + q * 4u - info.offset - run * info.run_stride;
  if (element >= info.size) { return; }   // wholly in the padding of the run's segment
  let valid = vec4u(element) + vec4u(0u, 1u, 2u, 3u) < vec4u(info.size);

  var rule = ONLY_RULE;
  if (ONLY_RULE == 255u) { rule = word_u32(run, W_RULE); }
  let flags = word_u32(run, W_FLAGS);
  if ((flags & FLAG_FROZEN) != 0u) { return; }
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
      let old = state1[i];
      var b = d;
      if (!first) { b = gamma * old + (1.0 - word_f32(run, W_DAMPENING)) * d; }
      state1[i] = select(old, b * state_scale, valid);
      u = b;
      if (rule == RULE_NESTEROV) { u = d + gamma * b; }
    }
    case RULE_ADAM: {
      let beta1 = word_f32(run, W_BETA1);
      let beta2 = word_f32(run, W_BETA2);
      let old_m = state1[i];
      let old_v = state2[i];
      let m = beta1 * old_m + (1.0 - beta1) * d;
      let v = beta2 * old_v + (1.0 - beta2) * d * d;
      state1[i] = select(old_m, m, valid);
      state2[i] = select(old_v, v, valid);
      var root_v = sqrt(v);
      if ((flags & FLAG_EPS_STANDARD) != 0u) { root_v = word_f32(run, W_C2) * root_v; }
      u = word_f32(run, W_C1) * m / (root_v + word_f32(run, W_EPS));
    }
    case RULE_RMSPROP: {
      let alpha = word_f32(run, W_BETA2);
      let old_v = state2[i];
      let v = alpha * old_v + (1.0 - alpha) * d * d;
      state2[i] = select(old_v, v, valid);
      var numerator = g;
      if ((flags & FLAG_RMS_CLEAN) != 0u) { numerator = d; }
      u = numerator / (sqrt(v) + word_f32(run, W_EPS));
    }
    default: {}
  }

  let decayed = theta - lr * u - lr * decay_on * word_f32(run, W_DECOUPLED) * theta;
  params[i] = select(theta, word_f32(run, W_THETA_SCALE) * decayed, valid);
}
