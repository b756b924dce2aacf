// AutoDrop's batch angular velocity over the stacked parameters (methods.md §3.1 Def. 3.3, §3.3 item 7).
// Twin: src/reference/autodrop.ts (float64). Host: src/optim/autodrop-gpu.ts.
// Per run r with window length k_r (0 = off); only TRAINABLE tensors take part (BN statistics are
// layer state, not parameters). Three buffers stacked like the parameters: sum, y_prev, s_prev.
//
//   angle_accumulate  (after every optimizer step, per element):   sum += x_t − y_prev
//       Deviations from the last window mean, not x itself: the f32 rounding of the sum is then
//       relative to the displacement s (small), not to |x| (large).
//   angle_window      (window end, per 64-float chunk):
//       s = sum / k   (= ȳ_i − y_{i−1});   y_prev = y_prev + s   (= ȳ_i, the window mean);   sum = 0
//       partial[chunk] = (sᵀs_prev, ‖s‖², ‖s_prev‖²) over the chunk (workgroup_sum64);
//       s_prev = s.  A run's first window (windows done = 0) has no displacement: s_prev = 0, partial = 0.
//   angle_reduce      (window end, one workgroup per run):
//       dots[r] = (Σ partials of r, windows_done + 1)   — a second pass instead of float atomics.
// Partials are stored run-major (slot = r·chunks_per_run + chunk_base[t] + chunk within the run's
// segment of t), so the reduction of run r reads one contiguous range.
// Needs: the AngleDims, AngleTensor, RunWindow and AngleDots structs and the CHUNK_* constants
// (src/optim/autodrop-gpu.ts, src/gpu/param-layout.ts).

const NO_SLOT: u32 = 0xffffffffu;

@group(0) @binding(0) var<uniform> dims: AngleDims;
@group(0) @binding(1) var<storage, read> chunk_table: array<u32>;
@group(0) @binding(2) var<storage, read> tensors: array<AngleTensor>;
@group(0) @binding(3) var<storage, read> windows: array<RunWindow>;
// angle_accumulate bindings 4–6 (each entry point binds 0..n−1 with no gaps, as makeDispatch does):
@group(0) @binding(4) var<storage, read> acc_params: array<f32>;
@group(0) @binding(5) var<storage, read> acc_y_prev: array<f32>;
@group(0) @binding(6) var<storage, read_write> acc_sum: array<f32>;
// angle_window bindings 4–8:
@group(0) @binding(4) var<storage, read_write> win_sum: array<f32>;
@group(0) @binding(5) var<storage, read_write> win_y_prev: array<f32>;
@group(0) @binding(6) var<storage, read_write> win_s_prev: array<f32>;
@group(0) @binding(7) var<storage, read_write> win_partials: array<vec4f>;
@group(0) @binding(8) var<storage, read> win_dots: array<AngleDots>;
// angle_reduce bindings 1–3:
@group(0) @binding(1) var<storage, read> red_windows: array<RunWindow>;
@group(0) @binding(2) var<storage, read> red_partials: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> red_dots: array<AngleDots>;

var<workgroup> scratch: array<vec3f, 64>;
var<workgroup> eighths: array<vec3f, 8>;

// Σ of `value` over the 64 invocations of a workgroup (the same result in every invocation):
// a radix-8 tree, 8 sums of 8 then one sum of 8 (rounding ≤ ~16 ulp of the terms' magnitude, and
// only 2 barriers: barriers are what costs on CPU WebGPU such as SwiftShader).
fn workgroup_sum64(lid: u32, value: vec3f) -> vec3f {
  scratch[lid] = value;
  workgroupBarrier();
  if (lid < 8u) {
    var part = vec3f(0.0);
    for (var j = 0u; j < 8u; j = j + 1u) { part = part + scratch[lid * 8u + j]; }
    eighths[lid] = part;
  }
  workgroupBarrier();
  var total = vec3f(0.0);
  for (var j = 0u; j < 8u; j = j + 1u) { total = total + eighths[j]; }
  return total;
}

// sum += x − y_prev for every trainable element of every run with AutoDrop on.
@compute @workgroup_size(64)
fn angle_accumulate(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let chunk = wg.x + wg.y * groups.x;
  if (chunk >= dims.chunks) { return; }
  let entry = chunk_table[chunk];
  let run = entry >> CHUNK_RUN_SHIFT;
  let info = tensors[entry & CHUNK_TENSOR_MASK];
  if (info.trainable == 0u || windows[run].length == 0u) { return; }
  let i = chunk * CHUNK_FLOATS + lid;
  if (i - info.offset - run * info.run_stride >= info.size) { return; }   // padding of the run's segment
  acc_sum[i] = acc_sum[i] + (acc_params[i] - acc_y_prev[i]);
}

// Closes the window of every run with ends_now set: new mean, displacement, per-chunk partial dots.
@compute @workgroup_size(64)
fn angle_window(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let chunk = wg.x + wg.y * groups.x;
  var terms = vec3f(0.0);
  var slot = NO_SLOT;
  if (chunk < dims.chunks) {
    let entry = chunk_table[chunk];
    let run = entry >> CHUNK_RUN_SHIFT;
    let info = tensors[entry & CHUNK_TENSOR_MASK];
    let win = windows[run];
    let i = chunk * CHUNK_FLOATS + lid;
    let local = i - info.offset - run * info.run_stride;
    slot = run * dims.chunks_per_run + info.chunk_base + local / CHUNK_FLOATS;   // the same for the whole chunk
    if (win.length != 0u && win.ends_now != 0u && info.trainable != 0u && local < info.size) {
      let s = win_sum[i] / f32(win.length);
      let s_old = win_s_prev[i];
      win_y_prev[i] = win_y_prev[i] + s;
      win_sum[i] = 0.0;
      if (win_dots[run].windows == 0.0) {
        win_s_prev[i] = 0.0;
      } else {
        win_s_prev[i] = s;
        terms = vec3f(s * s_old, s * s, s_old * s_old);
      }
    }
  }
  let total = workgroup_sum64(lid, terms);
  if (lid == 0u && slot != NO_SLOT) { win_partials[slot] = vec4f(total, 0.0); }
}

// dots[r] = (Σ_j partial[r][j], windows_done + 1) for every run whose window ends now; other rows are kept.
// One workgroup per run: invocation l sums partials l, l + 64, … then the radix-8 tree.
@compute @workgroup_size(64)
fn angle_reduce(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let run = wg.x;
  let win = red_windows[run];
  let closing = win.length != 0u && win.ends_now != 0u;
  var part = vec3f(0.0);
  if (closing) {
    let base = run * dims.chunks_per_run;
    for (var j = lid; j < dims.chunks_per_run; j = j + 64u) { part = part + red_partials[base + j].xyz; }
  }
  let total = workgroup_sum64(lid, part);
  if (lid == 0u && closing) {
    red_dots[run].dot = total.x;
    red_dots[run].norm_sq = total.y;
    red_dots[run].prev_norm_sq = total.z;
    red_dots[run].windows += 1.0;
  }
}
