// The fused update without LEAP and LRD, 4 elements per invocation step: the same rules as
// update.wgsl (see its header; the rule math is update_rule.wgsl, shared) in vec4 arithmetic, used
// while no run has a per-element modifier.
// LANES invocations share a 64-float chunk (16 vec4): invocation `lane` of the chunk updates vec4
// lane, lane + LANES, … (src/gpu/tuning.ts updateVec4Elements = 64 / LANES floats each). On
// SwiftShader LANES = 1: each invocation updates a whole chunk, so the chunk table entry, the
// tensor entry and the run's words are read once per 64 elements (on a CPU-emulated GPU every
// storage load is a lane-by-lane gather, and these were as many loads as the data's), and a
// workgroup of 64 covers 64 chunks. On GPUs LANES = 16: consecutive invocations load consecutive
// vec4 (coalesced), and the per-chunk words are the same address across 16 lanes (one cached
// load). Lanes past a tensor's end (its run segment's padding) keep their values.
// Needs: update_common.wgsl, update_rule.wgsl (the rules, shared with update.wgsl; here over vec4f).

@group(0) @binding(4) var<storage, read> grads: array<vec4f>;
@group(0) @binding(5) var<storage, read_write> params: array<vec4f>;
@group(0) @binding(6) var<storage, read_write> state1: array<vec4f>;   // momentum buffer / Adam m
@group(0) @binding(7) var<storage, read_write> state2: array<vec4f>;   // Adam v / RMSprop square average

alias Elem = vec4f;   // update_rule.wgsl's element type: 4 elements per step

// The rule every run uses, when they all use one (the switch then has a constant selector and the
// other rules compile away; SwiftShader would otherwise execute every case), or ONLY_RULE_MIXED: per run.
override ONLY_RULE: u32 = ONLY_RULE_MIXED;

// 4-float lanes of one chunk.
const CHUNK_VEC4S = CHUNK_FLOATS / 4u;
// Invocations per chunk (1, 4 or 16) and per workgroup (a multiple of LANES).
override LANES: u32 = 1u;
override VEC4_WORKGROUP: u32 = 64u;

@compute @workgroup_size(VEC4_WORKGROUP)
fn update_vec4(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let position = (wg.x + wg.y * groups.x) * (VEC4_WORKGROUP / LANES) + lid / LANES;
  let lane = lid % LANES;
  if (position >= dims.chunks) { return; }
  let listed = chunk_list[position];
  let chunk = listed.x;
  let entry = listed.y;
  let tensor = entry & CHUNK_TENSOR_MASK;
  let run = entry >> CHUNK_RUN_SHIFT;
  let info = tensors[tensor];
  if ((info.flags & TENSOR_TRAINABLE) == 0u) { return; }
  let first_element = chunk * CHUNK_FLOATS - info.offset - run * info.run_stride;
  if (first_element >= info.size) { return; }   // wholly in the padding of the run's segment
  let flags = run_words[run].flags;
  if ((flags & FLAG_FROZEN) != 0u) { return; }

  // The run's words, read once for the chunk.
  var rule = ONLY_RULE;
  if (ONLY_RULE == ONLY_RULE_MIXED) { rule = run_words[run].rule; }
  let lr = run_words[run].lr;
  var decay_on = 0.0;
  if ((info.flags & TENSOR_DECAY) != 0u) { decay_on = 1.0; }
  let l2 = decay_on * run_words[run].l2;
  let decoupled = lr * decay_on * run_words[run].decoupled;
  let first = (flags & FLAG_FIRST_STEP) != 0u;
  let state_scale = run_words[run].state_scale;
  let theta_scale = run_words[run].theta_scale;
  let gamma = run_words[run].momentum;
  let undamped = 1.0 - run_words[run].dampening;
  let beta1 = run_words[run].beta1;
  let beta2 = run_words[run].beta2;
  let eps = run_words[run].eps;
  let c1 = run_words[run].c1;
  let c2 = adam_c2(run, flags);
  let rms_clean = (flags & FLAG_RMS_CLEAN) != 0u;

  let count = min(CHUNK_VEC4S, (info.size - first_element + 3u) / 4u);
  for (var q = lane; q < count; q += LANES) {
    let i = chunk * CHUNK_VEC4S + q;
    let valid = vec4u(first_element + q * 4u) + vec4u(0u, 1u, 2u, 3u) < vec4u(info.size);
    let theta = params[i];
    let g = grads[i];
    let d = coupled_l2(g, theta, l2);
    // The rule (update_rule.wgsl); padding lanes keep their state.
    var u = d;
    switch rule {
      case RULE_MOMENTUM, RULE_NESTEROV: {
        let old = state1[i];
        let b = momentum_buffer(d, old, gamma, undamped, first);
        state1[i] = select(old, b * state_scale, valid);
        u = momentum_increment(rule == RULE_NESTEROV, d, b, gamma);
      }
      case RULE_ADAM: {
        let old_m = state1[i];
        let old_v = state2[i];
        let m = adam_first_moment(old_m, d, beta1);
        let v = square_average(old_v, d, beta2);
        state1[i] = select(old_m, m, valid);
        state2[i] = select(old_v, v, valid);
        u = adam_increment(m, v, c1, c2, eps);
      }
      case RULE_RMSPROP: {
        let old_v = state2[i];
        let v = square_average(old_v, d, beta2);
        state2[i] = select(old_v, v, valid);
        u = rmsprop_increment(g, d, v, eps, rms_clean);
      }
      default: {}
    }
    params[i] = select(theta, theta_scale * (theta - lr * u - decoupled * theta), valid);
  }
}
