// Batched tiled matmul with a run dimension: for each run r (workgroup_id.z),
//   C[r] = op(A[r]) · op(B[r])     op(X) = X or Xᵀ (TRANS_A / TRANS_B)
// with fused epilogues:
//   EPILOGUE_NONE:            C = A·B
//   EPILOGUE_BIAS_ACTIVATION: Z = A·B + bias (if HAS_BIAS), C = act(Z)   (dense forward; Z kept only if ACT ≠ ACT_NONE)
//   EPILOGUE_ACTIVATION_GRAD: C = (A·B) ⊙ act'(Z)                        (dense backward dX, fused act grad)
// Logical shapes: op(A) is M×K, op(B) is K×N, C is M×N, all row-major; every operand has an
// element offset and a per-run stride (stride 0 shares one operand across runs).
// Shared by the scalar kernel (matmul.wgsl) and the vec4 kernel (matmul_vec4.wgsl), which bind A
// and B themselves. Needs: activations.wgsl, the EPILOGUE_* codes and the MatmulDims struct (src/nn/layouts.ts).

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override EPILOGUE: u32 = EPILOGUE_NONE;
override HAS_BIAS: bool = false;
override ACT: u32 = ACT_NONE;

@group(0) @binding(0) var<uniform> dims: MatmulDims;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> C: array<f32>;
@group(0) @binding(5) var<storage, read_write> Z: array<f32>;

// Writes C[run][row][col] from the accumulated A·B value through the epilogue.
fn store_c(run: u32, row: u32, col: u32, acc: f32) {
  var value = acc;
  let out_index = row * dims.N + col;
  if (EPILOGUE == EPILOGUE_BIAS_ACTIVATION) {
    if (HAS_BIAS) { value += bias[dims.bias_off + run * dims.bias_run + col]; }
    if (ACT != ACT_NONE) {
      Z[dims.z_off + run * dims.z_run + out_index] = value;
      value = act_forward(ACT, value, dims.act_slope);
    }
  } else if (EPILOGUE == EPILOGUE_ACTIVATION_GRAD) {
    value *= act_grad(ACT, Z[dims.z_off + run * dims.z_run + out_index], dims.act_slope);
  }
  C[dims.c_off + run * dims.c_run + out_index] = value;
}

// Stores the 4×4 block acc[i][j] at rows row0 + i, columns col0 + j (within M×N).
fn store_block(run: u32, row0: u32, col0: u32, acc: array<vec4f, 4>) {
  for (var i = 0u; i < 4u; i++) {
    let row = row0 + i;
    if (row >= dims.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + j;
      if (col >= dims.N) { break; }
      store_c(run, row, col, acc[i][j]);
    }
  }
}
