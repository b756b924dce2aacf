// Shared by the fused update kernels: update.wgsl (one element per invocation, every rule and
// modifier) and update_vec4.wgsl (4 elements per invocation, without LEAP/LRD). The rules are in
// update.wgsl's header comment, their math in update_rule.wgsl. Each kernel binds grads/params/state
// (4..7) itself.

const RULE_SGD: u32 = 0u;
const RULE_MOMENTUM: u32 = 1u;
const RULE_NESTEROV: u32 = 2u;
const RULE_ADAM: u32 = 3u;
const RULE_RMSPROP: u32 = 4u;

const FLAG_LRD: u32 = 1u;
const FLAG_LRD_MASK_DECAY: u32 = 2u;
const FLAG_LEAP: u32 = 4u;
const FLAG_LEAP_MULT: u32 = 8u;
const FLAG_LEAP_CLIP: u32 = 16u;
const FLAG_FIRST_STEP: u32 = 32u;
const FLAG_EPS_STANDARD: u32 = 64u;
const FLAG_RMS_CLEAN: u32 = 128u;
const FLAG_FROZEN: u32 = 256u;     // a diverged run: parameters and state stay as they are

// Per-run words (u32; floats bitcast), layout shared with src/optim/update.ts RUN_WORDS.
const W_LR: u32 = 0u;
const W_RULE: u32 = 1u;
const W_FLAGS: u32 = 2u;
const W_STEP: u32 = 3u;
const W_SEED: u32 = 4u;
const W_RUN_KEY: u32 = 5u;
const W_MOMENTUM: u32 = 6u;
const W_DAMPENING: u32 = 7u;
const W_BETA1: u32 = 8u;
const W_BETA2: u32 = 9u;
const W_EPS: u32 = 10u;
const W_L2: u32 = 11u;
const W_DECOUPLED: u32 = 12u;
const W_C1: u32 = 13u;
const W_C2: u32 = 14u;
const W_KEEP_PROB: u32 = 15u;
const W_KEEP_SCALE: u32 = 16u;
const W_SIGMA: u32 = 17u;
const W_LEAP_SCOPE: u32 = 18u;
const W_THETA_SCALE: u32 = 19u;
const W_STATE_SCALE: u32 = 20u;
const RUN_WORDS: u32 = 24u;

struct UpdateDims { chunks: u32, runs: u32, _p0: u32, _p1: u32 }
// Per tensor: offset of its slab, stride between runs, elements, bit 0 trainable, bit 1 weight decay applies.
struct TensorEntry { offset: u32, run_stride: u32, size: u32, flags: u32 }

@group(0) @binding(0) var<uniform> dims: UpdateDims;
@group(0) @binding(1) var<storage, read> chunk_table: array<u32>;
@group(0) @binding(2) var<storage, read> tensors: array<TensorEntry>;
@group(0) @binding(3) var<storage, read> run_words: array<u32>;

fn word_f32(run: u32, w: u32) -> f32 { return bitcast<f32>(run_words[run * RUN_WORDS + w]); }
fn word_u32(run: u32, w: u32) -> u32 { return run_words[run * RUN_WORDS + w]; }

// Chunks per workgroup: each workgroup updates CHUNKS_PER_GROUP consecutive 64-float chunks (fewer,
// longer workgroups: on a CPU-emulated GPU the per-workgroup cost otherwise dominates this kernel).
override CHUNKS_PER_GROUP: u32 = 1u;
