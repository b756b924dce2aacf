// Minibatch gather from a dataset resident on the GPU, per run:
//   row = order[run·order_run + batch_offset + b]
//   X[run][b][d] = unpack(data[row][d]) · scale + shift,  labels_out[run][b] = labels[row]
// Images are packed u8 (4 per u32 word, little-endian), unpacked here; other data is f32.
// Needs: the StepInfo and GatherDims structs (src/nn/layouts.ts).

override IS_U8: bool = false;

@group(0) @binding(0) var<uniform> dims: GatherDims;
@group(0) @binding(1) var<uniform> step_info: StepInfo;
@group(0) @binding(2) var<storage, read> data: array<u32>;
@group(0) @binding(3) var<storage, read> labels: array<u32>;
@group(0) @binding(4) var<storage, read> order: array<u32>;
@group(0) @binding(5) var<storage, read_write> X: array<f32>;
@group(0) @binding(6) var<storage, read_write> labels_out: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * 256u;
  let run = gid.z;
  let D = dims.features;
  if (i >= dims.batch * D) { return; }
  let b = i / D;
  let d = i % D;
  let row = order[run * dims.order_run + step_info.batch_offset + b];
  let flat = row * D + d;
  var value: f32;
  if (IS_U8) {
    let word = data[flat >> 2u];
    value = f32((word >> ((flat & 3u) * 8u)) & 0xffu) * dims.scale + dims.shift;
  } else {
    value = bitcast<f32>(data[flat]);
  }
  X[(run * dims.batch + b) * D + d] = value;
  if (d == 0u) { labels_out[run * dims.batch + b] = labels[row]; }
}

// The same for features % 4 = 0: four consecutive features per invocation (one packed u8 word, or
// four f32 words), dispatched as [⌈features/256⌉, batch, runs] so that b and d need no integer
// division (SwiftShader divides lane by lane); about 4x fewer invocations.
@compute @workgroup_size(64)
fn main4(@builtin(global_invocation_id) gid: vec3u) {
  let D = dims.features;
  let d = gid.x * 4u;
  if (d >= D) { return; }
  let b = gid.y;
  let run = gid.z;
  let row = order[run * dims.order_run + step_info.batch_offset + b];
  let flat = row * D + d;
  var value: vec4f;
  if (IS_U8) {
    let word = data[flat >> 2u];
    value = vec4f((vec4u(word) >> vec4u(0u, 8u, 16u, 24u)) & vec4u(0xffu)) * dims.scale + dims.shift;
  } else {
    value = bitcast<vec4f>(vec4u(data[flat], data[flat + 1u], data[flat + 2u], data[flat + 3u]));
  }
  let out = (run * dims.batch + b) * D + d;
  X[out] = value.x;
  X[out + 1u] = value.y;
  X[out + 2u] = value.z;
  X[out + 3u] = value.w;
  if (d == 0u) { labels_out[run * dims.batch + b] = labels[row]; }
}
