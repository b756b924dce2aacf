// Minibatch gather from a dataset resident on the GPU, per run:
//   row = order[run·order_run + batch_offset + b]
//   X[run][b][d] = unpack(data[row][d]) · scale + shift,  labels_out[run][b] = labels[row]
// Images are packed u8 (4 per u32 word, little-endian), unpacked here; other data is f32.
// Needs: common.wgsl.

struct GatherDims { batch: u32, features: u32, order_run: u32, _p0: u32, scale: f32, shift: f32, _p1: u32, _p2: u32 }

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
