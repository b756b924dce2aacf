// Batched matmul with vec4 loads along each operand's contiguous axis: C[r] = op(A[r])·op(B[r])
// with the epilogues of matmul_common.wgsl. Entry `main`: each invocation computes an 8×8 block of
// C, 4 values of k at a time: two 4×4 blocks of op(A) and two of op(B) come in as 16 vec4 loads
// per 256 multiply-adds (matmul.wgsl: 32 scalar loads per 64), no workgroup memory, no barriers.
// On SwiftShader this measured about 1.5x faster than a 4×4 block with vec4 loads. Entry
// `main_block4`: one 4×4 block per invocation (8 vec4 loads per 64 multiply-adds), four times the
// invocations for the same C: on a GPU, the small matrices of this product then still fill the
// multiprocessors. A workgroup is WG_X×WG_Y invocations (src/gpu/tuning.ts): 4×4 with 8×8 blocks
// on SwiftShader (32×32 of C), 8×8 with 4×4 blocks on GPUs (32×32 of C).
// Preconditions (checked by the caller, src/nn/layers/dense.ts matmulVec4Fits): K % 4 = 0; the
// contiguous axis of each operand a multiple of 4 (M if TRANS_A, N unless TRANS_B); offsets and
// run strides of A and B multiples of 4. Not for TRANS_A and TRANS_B together.
// Needs: activations.wgsl, matmul_common.wgsl.

@group(0) @binding(1) var<storage, read> A: array<vec4f>;
@group(0) @binding(2) var<storage, read> B: array<vec4f>;

override WG_X: u32 = 4u;
override WG_Y: u32 = 4u;

// An 8×8 block per invocation as four 4×4 quarters (main) or one 4×4 block (main_block4).
// Accumulators are named variables, never an indexed array (SwiftShader emulates dynamic indexing
// of private arrays lane by lane). Halves past the edge (row0 + 4 ≥ M or col0 + 4 ≥ N) load the
// first half again and are not stored; rows and columns past the edge are clamped on load.
fn a_rows(a_base: u32, r0: u32, kq: u32, k4: u32) -> mat4x4f {
  // columns: rows r0..r0+3 of op(A) as vec4 over k = 4kq..4kq+3
  if (TRANS_A) {
    let m4 = dims.M / 4u;
    let base = a_base + (kq * 4u) * m4 + r0 / 4u;
    return transpose(mat4x4f(A[base], A[base + m4], A[base + 2u * m4], A[base + 3u * m4]));
  }
  let last = dims.M - 1u;
  return mat4x4f(A[a_base + r0 * k4 + kq], A[a_base + min(r0 + 1u, last) * k4 + kq],
                 A[a_base + min(r0 + 2u, last) * k4 + kq], A[a_base + min(r0 + 3u, last) * k4 + kq]);
}

fn b_cols(b_base: u32, c0: u32, kq: u32, k4: u32) -> mat4x4f {
  // columns: k = 4kq..4kq+3 of op(B) as vec4 over columns c0..c0+3
  if (TRANS_B) {
    let last = dims.N - 1u;
    return transpose(mat4x4f(B[b_base + c0 * k4 + kq], B[b_base + min(c0 + 1u, last) * k4 + kq],
                             B[b_base + min(c0 + 2u, last) * k4 + kq], B[b_base + min(c0 + 3u, last) * k4 + kq]));
  }
  let n4 = dims.N / 4u;
  let base = b_base + (kq * 4u) * n4 + c0 / 4u;
  return mat4x4f(B[base], B[base + n4], B[base + 2u * n4], B[base + 3u * n4]);
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let run = wg.z;
  let row0 = (wg.y * WG_Y + lid.y) * 8u;
  let col0 = (wg.x * WG_X + lid.x) * 8u;
  if (row0 >= dims.M || col0 >= dims.N) { return; }
  let a_base = (dims.a_off + run * dims.a_run) / 4u;
  let b_base = (dims.b_off + run * dims.b_run) / 4u;
  let k4 = dims.K / 4u;
  let row4 = select(row0, row0 + 4u, row0 + 4u < dims.M);
  let col4 = select(col0, col0 + 4u, col0 + 4u < dims.N);
  var l0 = vec4f(0.0);
  var h0 = vec4f(0.0);
  var l1 = vec4f(0.0);
  var h1 = vec4f(0.0);
  var l2 = vec4f(0.0);
  var h2 = vec4f(0.0);
  var l3 = vec4f(0.0);
  var h3 = vec4f(0.0);
  var l4 = vec4f(0.0);
  var h4 = vec4f(0.0);
  var l5 = vec4f(0.0);
  var h5 = vec4f(0.0);
  var l6 = vec4f(0.0);
  var h6 = vec4f(0.0);
  var l7 = vec4f(0.0);
  var h7 = vec4f(0.0);
  for (var kq = 0u; kq < k4; kq++) {
    let a0 = a_rows(a_base, row0, kq, k4);
    let a1 = a_rows(a_base, row4, kq, k4);
    let b0 = b_cols(b_base, col0, kq, k4);
    let b1 = b_cols(b_base, col4, kq, k4);
    l0 += b0 * a0[0];
    h0 += b1 * a0[0];
    l4 += b0 * a1[0];
    h4 += b1 * a1[0];
    l1 += b0 * a0[1];
    h1 += b1 * a0[1];
    l5 += b0 * a1[1];
    h5 += b1 * a1[1];
    l2 += b0 * a0[2];
    h2 += b1 * a0[2];
    l6 += b0 * a1[2];
    h6 += b1 * a1[2];
    l3 += b0 * a0[3];
    h3 += b1 * a0[3];
    l7 += b0 * a1[3];
    h7 += b1 * a1[3];
  }
  store_block(run, row0, col0, array<vec4f, 4>(l0, l1, l2, l3));
  if (col0 + 4u < dims.N) { store_block(run, row0, col0 + 4u, array<vec4f, 4>(h0, h1, h2, h3)); }
  if (row0 + 4u < dims.M) {
    store_block(run, row0 + 4u, col0, array<vec4f, 4>(l4, l5, l6, l7));
    if (col0 + 4u < dims.N) { store_block(run, row0 + 4u, col0 + 4u, array<vec4f, 4>(h4, h5, h6, h7)); }
  }
}

@compute @workgroup_size(WG_X, WG_Y)
fn main_block4(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let run = wg.z;
  let row0 = (wg.y * WG_Y + lid.y) * 4u;
  let col0 = (wg.x * WG_X + lid.x) * 4u;
  if (row0 >= dims.M || col0 >= dims.N) { return; }
  let a_base = (dims.a_off + run * dims.a_run) / 4u;
  let b_base = (dims.b_off + run * dims.b_run) / 4u;
  let k4 = dims.K / 4u;
  var l0 = vec4f(0.0);
  var l1 = vec4f(0.0);
  var l2 = vec4f(0.0);
  var l3 = vec4f(0.0);
  for (var kq = 0u; kq < k4; kq++) {
    let a0 = a_rows(a_base, row0, kq, k4);
    let b0 = b_cols(b_base, col0, kq, k4);
    l0 += b0 * a0[0];
    l1 += b0 * a0[1];
    l2 += b0 * a0[2];
    l3 += b0 * a0[3];
  }
  store_block(run, row0, col0, array<vec4f, 4>(l0, l1, l2, l3));
}
