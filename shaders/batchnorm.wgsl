// BatchNorm over channel c with a run dimension: one workgroup per (c = workgroup_id.x, r = workgroup_id.y),
// statistics over the N = B·S values of the channel (S = H·W for conv input [B][C][H][W], 1 for dense [B][C]).
// Element (r, b, c, s) lives at r·x_run + (b·C + c)·S + s. γ = 1, β = 0 when not AFFINE.
//   bn_forward_train: μ = (1/N) Σ x, σ² = (1/N) Σ (x − μ)² (two passes), x̂ = (x − μ)/√(σ² + eps),
//                     y = γ·x̂ + β; saves (μ, 1/√(σ² + eps)) for backward and updates the running stats
//                     rm ← (1 − m)·rm + m·μ,  rv ← (1 − m)·rv + m·σ²·N/(N − 1)   (factor 1 when N = 1)
//   bn_forward_eval:  y = γ·(x − rm)/√(rv + eps) + β
//   bn_backward:      dγ = Σ dy·x̂, dβ = Σ dy (into grads at the γ/β slots, if AFFINE),
//                     dx = (γ/(N·√(σ² + eps)))·(N·dy − Σ dy − x̂·Σ dy·x̂)   (if WRITE_DX; train-mode stats)
// running: [R][C] means then [R][C] variances (src/nn/layers/batchnorm.ts runningStatIndex); saved: [R][C][2] (μ, 1/√(σ² + eps)).
// Bindings per entry point — train: dims, X, params, Y, running, saved; eval: dims, X, params, Y, running;
// backward: dims, X, params, dX, saved, dY, grads. Needs: the BnDims struct (src/nn/layouts.ts).

override AFFINE: bool = true;
override WRITE_DX: bool = true;

@group(0) @binding(0) var<uniform> dims: BnDims;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
// forward: Y = the output; backward: Y = dX.
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;
// forward (train and eval) bindings 4–5:
@group(0) @binding(4) var<storage, read_write> running: array<f32>;
@group(0) @binding(5) var<storage, read_write> saved: array<f32>;
// backward bindings 4–6 (each entry point binds 0..n−1 with no gaps, as makeDispatch does):
@group(0) @binding(4) var<storage, read> bw_saved: array<f32>;
@group(0) @binding(5) var<storage, read> bw_dy: array<f32>;
@group(0) @binding(6) var<storage, read_write> bw_grads: array<f32>;

// Threads per workgroup: a power of two ≤ 256 picked from N by the host (small N: fewer barriers' worth
// of idle invocations, which CPU WebGPU implementations pay for).
override BN_THREADS: u32 = 256u;
var<workgroup> scratch: array<f32, BN_THREADS>;

/** Σ over the workgroup of each invocation's `value` (tree reduction; call from uniform control flow). */
fn block_sum(value: f32, li: u32) -> f32 {
  workgroupBarrier(); // every invocation has read the previous result before scratch is reused
  scratch[li] = value;
  workgroupBarrier();
  for (var stride = BN_THREADS / 2u; stride > 0u; stride >>= 1u) {
    if (li < stride) { scratch[li] += scratch[li + stride]; }
    workgroupBarrier();
  }
  return workgroupUniformLoad(&scratch[0]);
}

/** Index of the i-th value (i < N) of channel c of run r. */
fn element(r: u32, c: u32, i: u32) -> u32 {
  return r * dims.x_run + ((i / dims.spatial) * dims.channels + c) * dims.spatial + i % dims.spatial;
}

fn gamma_of(r: u32, c: u32) -> f32 {
  if (AFFINE) { return params[dims.gamma_off + r * dims.gamma_run + c]; }
  return 1.0;
}

fn beta_of(r: u32, c: u32) -> f32 {
  if (AFFINE) { return params[dims.beta_off + r * dims.beta_run + c]; }
  return 0.0;
}

@compute @workgroup_size(BN_THREADS)
fn bn_forward_train(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let c = wg.x;
  let r = wg.y;
  let n = dims.batch * dims.spatial;
  var total = 0.0;
  for (var i = li; i < n; i += BN_THREADS) { total += X[element(r, c, i)]; }
  let mean = block_sum(total, li) / f32(n);
  var squares = 0.0;
  for (var i = li; i < n; i += BN_THREADS) {
    let d = X[element(r, c, i)] - mean;
    squares += d * d;
  }
  let variance = block_sum(squares, li) / f32(n);
  let invstd = inverseSqrt(variance + dims.eps);
  let scale = gamma_of(r, c) * invstd;
  let shift = beta_of(r, c);
  for (var i = li; i < n; i += BN_THREADS) {
    let at = element(r, c, i);
    Y[at] = (X[at] - mean) * scale + shift;
  }
  if (li == 0u) {
    let stat = r * dims.channels + c;
    saved[2u * stat] = mean;
    saved[2u * stat + 1u] = invstd;
    let unbiased = select(variance, variance * f32(n) / f32(n - 1u), n > 1u);
    let m = dims.momentum;
    running[stat] = (1.0 - m) * running[stat] + m * mean;
    let var_at = dims.runs * dims.channels + stat;
    running[var_at] = (1.0 - m) * running[var_at] + m * unbiased;
  }
}

@compute @workgroup_size(BN_THREADS)
fn bn_forward_eval(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let c = wg.x;
  let r = wg.y;
  let stat = r * dims.channels + c;
  let mean = running[stat];
  let invstd = inverseSqrt(running[dims.runs * dims.channels + stat] + dims.eps);
  let scale = gamma_of(r, c) * invstd;
  let shift = beta_of(r, c);
  let n = dims.batch * dims.spatial;
  for (var i = li; i < n; i += BN_THREADS) {
    let at = element(r, c, i);
    Y[at] = (X[at] - mean) * scale + shift;
  }
}

@compute @workgroup_size(BN_THREADS)
fn bn_backward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let c = wg.x;
  let r = wg.y;
  let stat = r * dims.channels + c;
  let mean = bw_saved[2u * stat];
  let invstd = bw_saved[2u * stat + 1u];
  let n = dims.batch * dims.spatial;
  var sum_dy = 0.0;
  var sum_dy_xhat = 0.0;
  for (var i = li; i < n; i += BN_THREADS) {
    let at = element(r, c, i);
    let g = bw_dy[at];
    sum_dy += g;
    sum_dy_xhat += g * (X[at] - mean) * invstd;
  }
  let total_dy = block_sum(sum_dy, li);
  let total_dy_xhat = block_sum(sum_dy_xhat, li);
  if (AFFINE && li == 0u) {
    bw_grads[dims.gamma_off + r * dims.gamma_run + c] = total_dy_xhat;
    bw_grads[dims.beta_off + r * dims.beta_run + c] = total_dy;
  }
  if (WRITE_DX) {
    let nf = f32(n);
    let scale = gamma_of(r, c) * invstd / nf;
    for (var i = li; i < n; i += BN_THREADS) {
      let at = element(r, c, i);
      let xhat = (X[at] - mean) * invstd;
      Y[at] = scale * (nf * bw_dy[at] - total_dy - xhat * total_dy_xhat);
    }
  }
}
