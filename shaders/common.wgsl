// Helpers shared by kernels: float classification. (The per-step StepInfo uniform is declared in
// TypeScript, src/nn/layouts.ts, and composed into the kernels that read it.)

// true for ±inf and NaN (exponent all ones); robust to fast-math folding of x != x.
fn is_nonfinite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u;
}
