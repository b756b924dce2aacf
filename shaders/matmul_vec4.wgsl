// Batched matmul with vec4 loads along each operand's contiguous axis: C[r] = op(A[r])·op(B[r])
// with the epilogues of matmul_common.wgsl. Each invocation computes a 4×4 block of C, 4 values
// of k at a time: a 4×4 block of op(A) and one of op(B) come in as 4 vec4 loads each (8 loads per
// 64 multiply-adds, against 32 scalar loads in matmul.wgsl), no workgroup memory, no barriers.
// Preconditions (checked by the caller, src/nn/layers/dense.ts matmulVec4Fits): K % 4 = 0; the
// contiguous axis of each operand a multiple of 4 (M if TRANS_A, N unless TRANS_B); offsets and
// run strides of A and B multiples of 4. Not for TRANS_A and TRANS_B together.
// Needs: activations.wgsl, matmul_common.wgsl.

@group(0) @binding(1) var<storage, read> A: array<vec4f>;
@group(0) @binding(2) var<storage, read> B: array<vec4f>;

const TILE = 32u;

@compute @workgroup_size(8, 8)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let run = wg.z;
  let row0 = wg.y * TILE + lid.y * 4u;
  let col0 = wg.x * TILE + lid.x * 4u;
  if (row0 >= dims.M || col0 >= dims.N) { return; }
  let a_base = (dims.a_off + run * dims.a_run) / 4u;
  let b_base = (dims.b_off + run * dims.b_run) / 4u;
  let k4 = dims.K / 4u;
  let last_m = dims.M - 1u;
  let last_n = dims.N - 1u;
  // Rows (A not transposed) or columns (B transposed) read as vec4 over k: clamped at the edge.
  let m = vec4u(row0, min(row0 + 1u, last_m), min(row0 + 2u, last_m), min(row0 + 3u, last_m));
  let n = vec4u(col0, min(col0 + 1u, last_n), min(col0 + 2u, last_n), min(col0 + 3u, last_n));
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var kq = 0u; kq < k4; kq++) {
    // a[i] = op(A)[row0 + i][4kq .. 4kq+3]
    var a: mat4x4f;
    if (TRANS_A) {
      // stored K×M: row k holds op(A)'s column k; vec4 over 4 rows (M % 4 = 0, row0 % 4 = 0).
      let base = a_base + (kq * 4u) * (dims.M / 4u) + row0 / 4u;
      a = transpose(mat4x4f(A[base], A[base + dims.M / 4u], A[base + 2u * (dims.M / 4u)], A[base + 3u * (dims.M / 4u)]));
    } else {
      a = mat4x4f(A[a_base + m.x * k4 + kq], A[a_base + m.y * k4 + kq], A[a_base + m.z * k4 + kq], A[a_base + m.w * k4 + kq]);
    }
    // bk: column k of the product's B block as vec4 over 4 columns.
    var bk: mat4x4f;
    if (TRANS_B) {
      // stored N×K: vec4 over k for each column, then transposed.
      bk = transpose(mat4x4f(B[b_base + n.x * k4 + kq], B[b_base + n.y * k4 + kq], B[b_base + n.z * k4 + kq], B[b_base + n.w * k4 + kq]));
    } else {
      let n4 = dims.N / 4u;
      let base = b_base + (kq * 4u) * n4 + col0 / 4u;
      bk = mat4x4f(B[base], B[base + n4], B[base + 2u * n4], B[base + 3u * n4]);
    }
    acc0 += bk * a[0];
    acc1 += bk * a[1];
    acc2 += bk * a[2];
    acc3 += bk * a[3];
  }
  store_block(run, row0, col0, array<vec4f, 4>(acc0, acc1, acc2, acc3));
}
