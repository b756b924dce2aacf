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
//       partial[chunk] = (sᵀs_prev, ‖s‖², ‖s_prev‖²) over the chunk (sum64 order, below);
//       s_prev = s.  A run's first window (windows done = 0) has no displacement: s_prev = 0, partial = 0.
//   angle_reduce      (window end, per run):
//       dots[r] = (Σ partials of r, windows_done + 1)   — a second pass instead of float atomics.
// Partials are stored run-major (slot = r·chunks_per_run + chunk_base[t] + chunk within the run's
// segment of t), so the reduction of run r reads one contiguous range.
//
// Every sum of 64 terms t_0..t_63 is taken in one fixed order, a radix-8 tree ("sum64"):
// e_j = (((0 + t_8j) + t_8j+1) + … + t_8j+7), total = (((0 + e_0) + e_1) + … + e_7)
// (rounding ≤ ~16 ulp of the terms' magnitude). One invocation takes a whole chunk (window) or a
// whole run (reduce) through it in that order, with no barrier: these passes were a workgroup per
// chunk (per run) summing across its 64 invocations through workgroup memory with two barriers,
// and on a CPU-emulated GPU such as SwiftShader the barriers (a coroutine switch per 4 lanes) cost
// more than the sums. Same additions in the same order: the same bits.
// Needs: the AngleDims, AngleTensor, RunWindow and AngleDots structs, ANGLE_WORKGROUP (invocations
// per workgroup of the three passes: one chunk, one chunk, one run each) and the CHUNK_* constants
// (src/optim/autodrop-gpu.ts, src/gpu/param-layout.ts).

@group(0) @binding(0) var<uniform> dims: AngleDims;
// The chunks the accumulate and window passes visit, dims.chunks of them, each (chunk index, its
// chunk table entry: tensor | run << CHUNK_RUN_SHIFT): the trainable chunks of the runs with
// AutoDrop on (src/optim/autodrop-gpu.ts), not every chunk of every run.
@group(0) @binding(1) var<storage, read> chunk_list: array<vec2u>;
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

// The listed chunk at `position`: its index in the stacked buffer, its run and tensor, and the
// index within the run's tensor of its first element.
struct ListedChunk {
  chunk: u32,
  run: u32,
  info: AngleTensor,
  first: u32,
}

fn listed_chunk(position: u32) -> ListedChunk {
  let chunk = chunk_list[position].x;
  let entry = chunk_list[position].y;
  let run = entry >> CHUNK_RUN_SHIFT;
  let info = tensors[entry & CHUNK_TENSOR_MASK];
  return ListedChunk(chunk, run, info, chunk * CHUNK_FLOATS - info.offset - run * info.run_stride);
}

// sum += x − y_prev for every trainable element of every run with AutoDrop on: one listed chunk per invocation.
@compute @workgroup_size(ANGLE_WORKGROUP)
fn angle_accumulate(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let position = (wg.x + wg.y * groups.x) * ANGLE_WORKGROUP + lid;
  if (position >= dims.chunks) { return; }
  let listed = listed_chunk(position);
  let info = listed.info;
  if (info.trainable == 0u || windows[listed.run].length == 0u) { return; }
  // Elements of the run's tensor in this chunk (the rest is the padding of the run's segment).
  let count = min(CHUNK_FLOATS, info.size - listed.first);
  for (var e = 0u; e < count; e++) {
    let i = listed.chunk * CHUNK_FLOATS + e;
    acc_sum[i] = acc_sum[i] + (acc_params[i] - acc_y_prev[i]);
  }
}

// Closes the window of every run with ends_now set: new mean, displacement, the chunk's partial dots
// (sum64 over its 64 elements, padding and runs not closing adding 0). One listed chunk per invocation.
@compute @workgroup_size(ANGLE_WORKGROUP)
fn angle_window(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let position = (wg.x + wg.y * groups.x) * ANGLE_WORKGROUP + lid;
  if (position >= dims.chunks) { return; }
  let listed = listed_chunk(position);
  let chunk = listed.chunk;
  let run = listed.run;
  let info = listed.info;
  let first = listed.first;
  let win = windows[run];
  let slot = run * dims.chunks_per_run + info.chunk_base + first / CHUNK_FLOATS;
  let closing = win.length != 0u && win.ends_now != 0u && info.trainable != 0u;
  let fresh = win_dots[run].windows == 0.0;
  var total = vec3f(0.0);
  for (var j = 0u; j < 8u; j++) {
    var eighth = vec3f(0.0);
    for (var e = j * 8u; e < j * 8u + 8u; e++) {
      var terms = vec3f(0.0);
      if (closing && first + e < info.size) {
        let i = chunk * CHUNK_FLOATS + e;
        let s = win_sum[i] / f32(win.length);
        let s_old = win_s_prev[i];
        win_y_prev[i] = win_y_prev[i] + s;
        win_sum[i] = 0.0;
        if (fresh) {
          win_s_prev[i] = 0.0;
        } else {
          win_s_prev[i] = s;
          terms = vec3f(s * s_old, s * s, s_old * s_old);
        }
      }
      eighth = eighth + terms;
    }
    total = total + eighth;
  }
  win_partials[slot] = vec4f(total, 0.0);
}

// dots[r] = (Σ_j partial[r][j], windows_done + 1) for every run whose window ends now; other rows are kept.
// One run per invocation: lane l of the sum64 holds partials l, l + 64, … summed in order.
@compute @workgroup_size(ANGLE_WORKGROUP)
fn angle_reduce(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let run = wg.x * ANGLE_WORKGROUP + lid;
  if (run >= dims.runs) { return; }
  let win = red_windows[run];
  if (win.length == 0u || win.ends_now == 0u) { return; }
  let base = run * dims.chunks_per_run;
  var total = vec3f(0.0);
  for (var j = 0u; j < 8u; j++) {
    var eighth = vec3f(0.0);
    for (var l = j * 8u; l < j * 8u + 8u; l++) {
      var part = vec3f(0.0);
      for (var c = l; c < dims.chunks_per_run; c = c + 64u) { part = part + red_partials[base + c].xyz; }
      eighth = eighth + part;
    }
    total = total + eighth;
  }
  red_dots[run].dot = total.x;
  red_dots[run].norm_sq = total.y;
  red_dots[run].prev_norm_sq = total.z;
  red_dots[run].windows += 1.0;
}
