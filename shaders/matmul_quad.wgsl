// Batched matmul for 4-invocation subgroups (SwiftShader): matmul_vec4.wgsl's 8×8 block per
// invocation and vec4 loads, but each quad of invocations (4 consecutive local invocation indices,
// i.e. one lid.y) computes a 16×16 block as 2×2 blocks of 8×8 and loads each operand vector once:
// an invocation loads half of its 8 rows of op(A) (quadSwapX gives the other half from its
// neighbour on the same rows) and half of its 8 columns of op(B) (quadSwapY), 8 vec4 loads per
// 4 values of k instead of 16. SwiftShader loads storage lane by lane, and a quad swap is a
// register shuffle. Used only where every subgroup is one quad (subgroup size 4, see
// src/gpu/device.ts), with matmul_vec4.wgsl's preconditions; the module starts with
// `enable subgroups;` (src/nn/kernels.ts). Every invocation runs the k loop (quad operations need
// the whole quad); edge rows and columns are clamped on load and not stored.
// Needs: activations.wgsl, matmul_common.wgsl.

@group(0) @binding(1) var<storage, read> A: array<vec4f>;
@group(0) @binding(2) var<storage, read> B: array<vec4f>;

const TILE = 32u;

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
  let row0 = wg.y * TILE + (lid.y >> 1u) * 16u + qy * 8u;
  let col0 = wg.x * TILE + (lid.y & 1u) * 16u + qx * 8u;
  let a_base = (dims.a_off + run * dims.a_run) / 4u;
  let b_base = (dims.b_off + run * dims.b_run) / 4u;
  let k4 = dims.K / 4u;
  let first_x = qx == 0u;
  let first_y = qy == 0u;
  let ra = row0 + 4u * qx;
  let cb = col0 + 4u * qy;
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
    let ao = a_group(a_base, ra, kq, k4);
    let bo = b_group(b_base, cb, kq, k4);
    let as0 = quadSwapX(ao[0]);
    let as1 = quadSwapX(ao[1]);
    let as2 = quadSwapX(ao[2]);
    let as3 = quadSwapX(ao[3]);
    let bs0 = quadSwapY(bo[0]);
    let bs1 = quadSwapY(bo[1]);
    let bs2 = quadSwapY(bo[2]);
    let bs3 = quadSwapY(bo[3]);
    let a0 = mat4x4f(select(as0, ao[0], first_x), select(as1, ao[1], first_x), select(as2, ao[2], first_x), select(as3, ao[3], first_x));
    let a1 = mat4x4f(select(ao[0], as0, first_x), select(ao[1], as1, first_x), select(ao[2], as2, first_x), select(ao[3], as3, first_x));
    let b0 = mat4x4f(select(bs0, bo[0], first_y), select(bs1, bo[1], first_y), select(bs2, bo[2], first_y), select(bs3, bo[3], first_y));
    let b1 = mat4x4f(select(bo[0], bs0, first_y), select(bo[1], bs1, first_y), select(bo[2], bs2, first_y), select(bo[3], bs3, first_y));
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
  if (row0 >= dims.M || col0 >= dims.N) { return; }
  store_block(run, row0, col0, array<vec4f, 4>(l0, l1, l2, l3));
  if (col0 + 4u < dims.N) { store_block(run, row0, col0 + 4u, array<vec4f, 4>(h0, h1, h2, h3)); }
  if (row0 + 4u < dims.M) {
    store_block(run, row0 + 4u, col0, array<vec4f, 4>(l4, l5, l6, l7));
    if (col0 + 4u < dims.N) { store_block(run, row0 + 4u, col0 + 4u, array<vec4f, 4>(h4, h5, h6, h7)); }
  }
}
