// The fused parameter update: one dispatch over every element of every tensor of every run.
// Each workgroup covers one 64-float chunk of the stacked parameter buffer; chunk_table maps it
// to (tensor, run) so per-tensor flags and per-run scalars are one lookup away.
//   SGD:  θ ← θ − η_run · g        (tensors with trainable = 0 are left alone)
// Needs: common.wgsl.

struct UpdateDims { chunks: u32, runs: u32, scalars_per_run: u32, _p0: u32 }

@group(0) @binding(0) var<uniform> dims: UpdateDims;
@group(0) @binding(1) var<storage, read> chunk_table: array<u32>;
@group(0) @binding(2) var<storage, read> tensor_flags: array<u32>;   // bit 0: trainable
@group(0) @binding(3) var<storage, read> run_scalars: array<f32>;    // [run][scalars_per_run], [0] = η
@group(0) @binding(4) var<storage, read> grads: array<f32>;
@group(0) @binding(5) var<storage, read_write> params: array<f32>;

@compute @workgroup_size(64)
fn sgd(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let chunk = wg.x + wg.y * groups.x;
  if (chunk >= dims.chunks) { return; }
  let entry = chunk_table[chunk];
  let tensor = entry & 0xffffu;
  let run = entry >> 16u;
  if ((tensor_flags[tensor] & 1u) == 0u) { return; }
  let i = chunk * 64u + lid;
  let lr = run_scalars[run * dims.scalars_per_run];
  params[i] = params[i] - lr * grads[i];
}
