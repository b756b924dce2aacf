// Batched matmul for 4-invocation subgroups (SwiftShader), with matmul_vec4.wgsl's vec4 loads and
// preconditions: each invocation computes an 8×16 block of C, each quad (4 consecutive local
// invocation indices, i.e. one lid.y) a 16×32 block as 2×2 of them, and a workgroup of 4 quads
// 32×64 (src/gpu/tuning.ts matmulTile). Each operand vector is loaded once per quad: an
// invocation loads half of its 8 rows of op(A) (quadSwapX brings the other half from the
// invocation on the same rows) and half of its 16 columns of op(B) (quadSwapY), 12 vec4 loads per
// 512 multiply-adds where matmul_vec4.wgsl needs 16 per 256. SwiftShader loads storage lane by
// lane, while a quad swap is a register shuffle: with the loads taken out of the k loop, the
// MLP-784 step measured 23 ms instead of 34, so loads were most of the matmul time. (An 8×8 block
// per invocation with the same sharing: about 3% slower per MLP step.) Used only where every
// subgroup is one quad (subgroup size 4: tuning.quads, src/gpu/tuning.ts); the module starts with
// `enable subgroups;` (src/nn/kernels.ts). Every invocation runs the k loop (quad operations need
// the whole quad); edge rows and columns are clamped on load and not stored.
// Needs: activations.wgsl, matmul_common.wgsl.

@group(0) @binding(1) var<storage, read> A: array<vec4f>;
@group(0) @binding(2) var<storage, read> B: array<vec4f>;

// Rows r..r+3 of op(A) (r clamped) at k = 4kq..4kq+3: column i = row r+i as vec4 over k.
fn a_group(a_base: u32, r: u32, kq: u32, k4: u32) -> mat4x4f {
  if (TRANS_A) {
    let m4 = dims.M / 4u;
    let base = a_base + (kq * 4u) * m4 + min(r, dims.M - 4u) / 4u;
    return transpose(mat4x4f(A[base], A[base + m4], A[base + 2u * m4], A[base + 3u * m4]));
  }
  let last = dims.M - 1u;
  return mat4x4f(A[a_base + min(r, last) * k4 + kq], A[a_base + min(r + 1u, last) * k4 + kq],
                 A[a_base + min(r + 2u, last) * k4 + kq], A[a_base + min(r + 3u, last) * k4 + kq]);
}

// Columns c..c+3 of op(B) (c clamped) at k = 4kq..4kq+3: column j = k-row 4kq+j as vec4 over columns.
fn b_group(b_base: u32, c: u32, kq: u32, k4: u32) -> mat4x4f {
  if (TRANS_B) {
    let last = dims.N - 1u;
    return transpose(mat4x4f(B[b_base + min(c, last) * k4 + kq], B[b_base + min(c + 1u, last) * k4 + kq],
                             B[b_base + min(c + 2u, last) * k4 + kq], B[b_base + min(c + 3u, last) * k4 + kq]));
  }
  let n4 = dims.N / 4u;
  let base = b_base + (kq * 4u) * n4 + min(c, dims.N - 4u) / 4u;
  return mat4x4f(B[base], B[base + n4], B[base + 2u * n4], B[base + 3u * n4]);
}

@compute @workgroup_size(4, 4)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let run = wg.z;
  let qx = lid.x & 1u;
  let qy = lid.x >> 1u;
  let row0 = wg.y * 32u + (lid.y >> 1u) * 16u + qy * 8u;
  let col0 = wg.x * 64u + (lid.y & 1u) * 32u + qx * 16u;
  let a_base = (dims.a_off + run * dims.a_run) / 4u;
  let b_base = (dims.b_off + run * dims.b_run) / 4u;
  let k4 = dims.K / 4u;
  let first_x = qx == 0u;
  let first_y = qy == 0u;
  let ra = row0 + 4u * qx;
  let cb = col0 + 8u * qy;
  var acc0_0 = vec4f(0.0);
  var acc0_1 = vec4f(0.0);
  var acc0_2 = vec4f(0.0);
  var acc0_3 = vec4f(0.0);
  var acc1_0 = vec4f(0.0);
  var acc1_1 = vec4f(0.0);
  var acc1_2 = vec4f(0.0);
  var acc1_3 = vec4f(0.0);
  var acc2_0 = vec4f(0.0);
  var acc2_1 = vec4f(0.0);
  var acc2_2 = vec4f(0.0);
  var acc2_3 = vec4f(0.0);
  var acc3_0 = vec4f(0.0);
  var acc3_1 = vec4f(0.0);
  var acc3_2 = vec4f(0.0);
  var acc3_3 = vec4f(0.0);
  var acc4_0 = vec4f(0.0);
  var acc4_1 = vec4f(0.0);
  var acc4_2 = vec4f(0.0);
  var acc4_3 = vec4f(0.0);
  var acc5_0 = vec4f(0.0);
  var acc5_1 = vec4f(0.0);
  var acc5_2 = vec4f(0.0);
  var acc5_3 = vec4f(0.0);
  var acc6_0 = vec4f(0.0);
  var acc6_1 = vec4f(0.0);
  var acc6_2 = vec4f(0.0);
  var acc6_3 = vec4f(0.0);
  var acc7_0 = vec4f(0.0);
  var acc7_1 = vec4f(0.0);
  var acc7_2 = vec4f(0.0);
  var acc7_3 = vec4f(0.0);
  for (var kq = 0u; kq < k4; kq++) {
    let ao = a_group(a_base, ra, kq, k4);
    let bo = b_group(b_base, cb, kq, k4);
    let bp = b_group(b_base, cb + 4u, kq, k4);
    let as0 = quadSwapX(ao[0]);
    let as1 = quadSwapX(ao[1]);
    let as2 = quadSwapX(ao[2]);
    let as3 = quadSwapX(ao[3]);
    let bs0 = quadSwapY(bo[0]);
    let bt0 = quadSwapY(bp[0]);
    let bs1 = quadSwapY(bo[1]);
    let bt1 = quadSwapY(bp[1]);
    let bs2 = quadSwapY(bo[2]);
    let bt2 = quadSwapY(bp[2]);
    let bs3 = quadSwapY(bo[3]);
    let bt3 = quadSwapY(bp[3]);
    let a0 = mat4x4f(select(as0, ao[0], first_x), select(as1, ao[1], first_x), select(as2, ao[2], first_x), select(as3, ao[3], first_x));
    let a1 = mat4x4f(select(ao[0], as0, first_x), select(ao[1], as1, first_x), select(ao[2], as2, first_x), select(ao[3], as3, first_x));
    let b0 = mat4x4f(select(bs0, bo[0], first_y), select(bs1, bo[1], first_y), select(bs2, bo[2], first_y), select(bs3, bo[3], first_y));
    let b1 = mat4x4f(select(bt0, bp[0], first_y), select(bt1, bp[1], first_y), select(bt2, bp[2], first_y), select(bt3, bp[3], first_y));
    let b2 = mat4x4f(select(bo[0], bs0, first_y), select(bo[1], bs1, first_y), select(bo[2], bs2, first_y), select(bo[3], bs3, first_y));
    let b3 = mat4x4f(select(bp[0], bt0, first_y), select(bp[1], bt1, first_y), select(bp[2], bt2, first_y), select(bp[3], bt3, first_y));
    acc0_0 += b0 * a0[0];
    acc0_1 += b1 * a0[0];
    acc0_2 += b2 * a0[0];
    acc0_3 += b3 * a0[0];
    acc1_0 += b0 * a0[1];
    acc1_1 += b1 * a0[1];
    acc1_2 += b2 * a0[1];
    acc1_3 += b3 * a0[1];
    acc2_0 += b0 * a0[2];
    acc2_1 += b1 * a0[2];
    acc2_2 += b2 * a0[2];
    acc2_3 += b3 * a0[2];
    acc3_0 += b0 * a0[3];
    acc3_1 += b1 * a0[3];
    acc3_2 += b2 * a0[3];
    acc3_3 += b3 * a0[3];
    acc4_0 += b0 * a1[0];
    acc4_1 += b1 * a1[0];
    acc4_2 += b2 * a1[0];
    acc4_3 += b3 * a1[0];
    acc5_0 += b0 * a1[1];
    acc5_1 += b1 * a1[1];
    acc5_2 += b2 * a1[1];
    acc5_3 += b3 * a1[1];
    acc6_0 += b0 * a1[2];
    acc6_1 += b1 * a1[2];
    acc6_2 += b2 * a1[2];
    acc6_3 += b3 * a1[2];
    acc7_0 += b0 * a1[3];
    acc7_1 += b1 * a1[3];
    acc7_2 += b2 * a1[3];
    acc7_3 += b3 * a1[3];
  }
  if (row0 >= dims.M || col0 >= dims.N) { return; }
  store_block(run, row0 + 0u, col0 + 0u, array<vec4f, 4>(acc0_0, acc1_0, acc2_0, acc3_0));
  if (row0 + 4u < dims.M) { store_block(run, row0 + 4u, col0 + 0u, array<vec4f, 4>(acc4_0, acc5_0, acc6_0, acc7_0)); }
  if (col0 + 4u < dims.N) { store_block(run, row0 + 0u, col0 + 4u, array<vec4f, 4>(acc0_1, acc1_1, acc2_1, acc3_1)); }
  if (col0 + 4u < dims.N && row0 + 4u < dims.M) { store_block(run, row0 + 4u, col0 + 4u, array<vec4f, 4>(acc4_1, acc5_1, acc6_1, acc7_1)); }
  if (col0 + 8u < dims.N) { store_block(run, row0 + 0u, col0 + 8u, array<vec4f, 4>(acc0_2, acc1_2, acc2_2, acc3_2)); }
  if (col0 + 8u < dims.N && row0 + 4u < dims.M) { store_block(run, row0 + 4u, col0 + 8u, array<vec4f, 4>(acc4_2, acc5_2, acc6_2, acc7_2)); }
  if (col0 + 12u < dims.N) { store_block(run, row0 + 0u, col0 + 12u, array<vec4f, 4>(acc0_3, acc1_3, acc2_3, acc3_3)); }
  if (col0 + 12u < dims.N && row0 + 4u < dims.M) { store_block(run, row0 + 4u, col0 + 12u, array<vec4f, 4>(acc4_3, acc5_3, acc6_3, acc7_3)); }
}
