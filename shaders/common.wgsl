// Helpers shared by kernels: per-step info and float classification.

// Per-step scalars written by the CPU once per step (one small writeBuffer).
struct StepInfo {
  step: u32,          // 1-based optimizer step about to be taken
  batch_offset: u32,  // first row of this minibatch in the epoch order
  slot: u32,          // metrics slot of this step (step mod slots)
  valid: u32,         // rows of this batch that count in metrics (0 = all; eval's last batch)
}

// true for ±inf and NaN (exponent all ones); robust to fast-math folding of x != x.
fn is_nonfinite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u;
}
