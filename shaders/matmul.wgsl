// Batched matmul, scalar loads (any shape and alignment): C[r] = op(A[r])·op(B[r]) with the
// epilogues of matmul_common.wgsl. Needs: activations.wgsl, matmul_common.wgsl.

@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;

// Each invocation computes a 4×4 block of C straight from storage: no workgroup memory and no
// barriers (on a CPU-emulated GPU such as SwiftShader, barriers switch coroutines and workgroup
// memory is plain memory, so both only cost). Rows and columns past the edge are clamped on load
// (no branch in the k loop) and skipped on store. A workgroup of WG_X×WG_Y invocations covers
// 4·WG_Y rows × 4·WG_X columns (src/gpu/tuning.ts: 8×8, i.e. 32×32, on SwiftShader and GPUs).
override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;

fn a_index(base: u32, m: u32, k: u32) -> u32 {
  if (TRANS_A) { return base + k * dims.M + m; }
  return base + m * dims.K + k;
}

fn b_index(base: u32, k: u32, n: u32) -> u32 {
  if (TRANS_B) { return base + n * dims.K + k; }
  return base + k * dims.N + n;
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let run = wg.z;
  let row0 = (wg.y * WG_Y + lid.y) * 4u;
  let col0 = (wg.x * WG_X + lid.x) * 4u;
  if (row0 >= dims.M || col0 >= dims.N) { return; }
  let a_base = dims.a_off + run * dims.a_run;
  let b_base = dims.b_off + run * dims.b_run;
  let last_m = dims.M - 1u;
  let last_n = dims.N - 1u;
  let m = vec4u(row0, min(row0 + 1u, last_m), min(row0 + 2u, last_m), min(row0 + 3u, last_m));
  let n = vec4u(col0, min(col0 + 1u, last_n), min(col0 + 2u, last_n), min(col0 + 3u, last_n));
  // Index of element (row, k = 0) and its step per k, for each of the 4 rows / columns.
  var ia = vec4u(a_index(a_base, m.x, 0u), a_index(a_base, m.y, 0u), a_index(a_base, m.z, 0u), a_index(a_base, m.w, 0u));
  var ib = vec4u(b_index(b_base, 0u, n.x), b_index(b_base, 0u, n.y), b_index(b_base, 0u, n.z), b_index(b_base, 0u, n.w));
  var a_step = 1u;
  if (TRANS_A) { a_step = dims.M; }
  var b_step = dims.N;
  if (TRANS_B) { b_step = 1u; }
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var k = 0u; k < dims.K; k++) {
    let b = vec4f(B[ib.x], B[ib.y], B[ib.z], B[ib.w]);
    acc0 += A[ia.x] * b;
    acc1 += A[ia.y] * b;
    acc2 += A[ia.z] * b;
    acc3 += A[ia.w] * b;
    ia += vec4u(a_step);
    ib += vec4u(b_step);
  }
  store_block(run, row0, col0, array<vec4f, 4>(acc0, acc1, acc2, acc3));
}
