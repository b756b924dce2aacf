// Shared by the fused update kernels: update.wgsl (one element per invocation, every rule and
// modifier) and update_vec4.wgsl (4 elements per invocation, without LEAP/LRD). The rules are in
// update.wgsl's header comment, their math in update_rule.wgsl. Each kernel binds grads/params/state
// (4..7) itself. Needs: the update's layouts (src/optim/update-layout.ts: the RunWords, UpdateDims
// and TensorEntry structs, the RULE_*, FLAG_*, TENSOR_*, DRAW_SCOPE_*, ONLY_RULE_* and CHUNK_* constants).

// chunk_list: the chunks this dispatch updates, dims.chunks of them, each (chunk index, its chunk
// table entry: tensor | run << CHUNK_RUN_SHIFT). The update is split by the runs' modifiers into
// one dispatch per kind (src/optim/update.ts), each over the chunks of its runs.
@group(0) @binding(0) var<uniform> dims: UpdateDims;
@group(0) @binding(1) var<storage, read> chunk_list: array<vec2u>;
@group(0) @binding(2) var<storage, read> tensors: array<TensorEntry>;
@group(0) @binding(3) var<storage, read> run_words: array<RunWords>;

// Chunks per workgroup: each workgroup updates CHUNKS_PER_GROUP consecutive 64-float chunks (fewer,
// longer workgroups: on a CPU-emulated GPU the per-workgroup cost otherwise dominates this kernel).
override CHUNKS_PER_GROUP: u32 = 1u;
