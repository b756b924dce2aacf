// Batched tiled matmul with a run dimension: for each run r (workgroup_id.z),
//   C[r] = op(A[r]) · op(B[r])     op(X) = X or Xᵀ (TRANS_A / TRANS_B)
// with fused epilogues:
//   EPILOGUE 0: C = A·B
//   EPILOGUE 1: Z = A·B + bias (if HAS_BIAS), C = act(Z)        (dense forward; Z kept only if ACT ≠ 0)
//   EPILOGUE 2: C = (A·B) ⊙ act'(Z)                             (dense backward dX, fused act grad)
// Logical shapes: op(A) is M×K, op(B) is K×N, C is M×N, all row-major; every operand has an
// element offset and a per-run stride (stride 0 shares one operand across runs).
// Needs: activations.wgsl.

struct MatmulDims {
  M: u32, N: u32, K: u32, act_slope: f32,
  a_off: u32, a_run: u32, b_off: u32, b_run: u32,
  c_off: u32, c_run: u32, bias_off: u32, bias_run: u32,
  z_off: u32, z_run: u32, _pad0: u32, _pad1: u32,
}

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override EPILOGUE: u32 = 0u;
override HAS_BIAS: bool = false;
override ACT: u32 = 0u;

@group(0) @binding(0) var<uniform> dims: MatmulDims;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> C: array<f32>;
@group(0) @binding(5) var<storage, read_write> Z: array<f32>;

const TILE_M = 32u;
const TILE_N = 32u;
const TILE_K = 16u;
const THREADS = 64u;

var<workgroup> tile_a: array<f32, 512>; // [TILE_K][TILE_M]
var<workgroup> tile_b: array<f32, 512>; // [TILE_K][TILE_N]

fn load_a(run: u32, m: u32, k: u32) -> f32 {
  if (m >= dims.M || k >= dims.K) { return 0.0; }
  let base = dims.a_off + run * dims.a_run;
  if (TRANS_A) { return A[base + k * dims.M + m]; }
  return A[base + m * dims.K + k];
}

fn load_b(run: u32, k: u32, n: u32) -> f32 {
  if (k >= dims.K || n >= dims.N) { return 0.0; }
  let base = dims.b_off + run * dims.b_run;
  if (TRANS_B) { return B[base + n * dims.K + k]; }
  return B[base + k * dims.N + n];
}

@compute @workgroup_size(8, 8)
fn main(
  @builtin(workgroup_id) wg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
  @builtin(local_invocation_index) li: u32,
) {
  let run = wg.z;
  let row0 = wg.y * TILE_M;
  let col0 = wg.x * TILE_N;
  var acc: array<vec4f, 4>;
  for (var k0 = 0u; k0 < dims.K; k0 += TILE_K) {
    for (var i = 0u; i < 8u; i++) {
      let idx = li + i * THREADS;
      let kk = idx / TILE_M;
      let mm = idx % TILE_M;
      tile_a[idx] = load_a(run, row0 + mm, k0 + kk);
      let nn = idx % TILE_N;
      tile_b[idx] = load_b(run, k0 + kk, col0 + nn);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TILE_K; kk++) {
      let a = vec4f(
        tile_a[kk * TILE_M + lid.y * 4u],
        tile_a[kk * TILE_M + lid.y * 4u + 1u],
        tile_a[kk * TILE_M + lid.y * 4u + 2u],
        tile_a[kk * TILE_M + lid.y * 4u + 3u],
      );
      let b = vec4f(
        tile_b[kk * TILE_N + lid.x * 4u],
        tile_b[kk * TILE_N + lid.x * 4u + 1u],
        tile_b[kk * TILE_N + lid.x * 4u + 2u],
        tile_b[kk * TILE_N + lid.x * 4u + 3u],
      );
      acc[0] += a.x * b;
      acc[1] += a.y * b;
      acc[2] += a.z * b;
      acc[3] += a.w * b;
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let m = row0 + lid.y * 4u + i;
    if (m >= dims.M) { continue; }
    for (var j = 0u; j < 4u; j++) {
      let n = col0 + lid.x * 4u + j;
      if (n >= dims.N) { continue; }
      var value = acc[i][j];
      let out_index = m * dims.N + n;
      if (EPILOGUE == 1u) {
        if (HAS_BIAS) { value += bias[dims.bias_off + run * dims.bias_run + n]; }
        if (ACT != 0u) {
          Z[dims.z_off + run * dims.z_run + out_index] = value;
          value = act_forward(ACT, value, dims.act_slope);
        }
      } else if (EPILOGUE == 2u) {
        value *= act_grad(ACT, Z[dims.z_off + run * dims.z_run + out_index], dims.act_slope);
      }
      C[dims.c_off + run * dims.c_run + out_index] = value;
    }
  }
}
