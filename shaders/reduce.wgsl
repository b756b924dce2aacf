// Reductions with a run dimension.
// colsum: out[r][n] = Σ_m X[r][m][n] for an M×N matrix per run (bias gradient = column sums of dY).
// Needs: the ColsumDims struct (src/nn/layouts.ts).

@group(0) @binding(0) var<uniform> dims: ColsumDims;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn colsum(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  let run = gid.y;
  if (n >= dims.N) { return; }
  var total = 0.0;
  for (var m = 0u; m < dims.M; m++) {
    total += X[run * dims.x_run + m * dims.N + n];
  }
  out[dims.out_off + run * dims.out_run + n] = total;
}
