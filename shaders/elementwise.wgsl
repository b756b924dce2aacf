// Elementwise kernels over a flat range of `count` elements (runs are just more elements).
// Needs: activations.wgsl, the EltDims struct (src/nn/layouts.ts).
//   act_forward: Z kept, Y = act(Z)
//   act_backward: dZ = dY ⊙ act'(Z)   (in place allowed: dZ may alias dY through the same binding)

override ACT: u32 = ACT_NONE;

@group(0) @binding(0) var<uniform> dims: EltDims;
@group(0) @binding(1) var<storage, read> Z: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;

fn flat_index(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.y * groups.x * 256u;
}

// Y = act(Z)
@compute @workgroup_size(256)
fn act_forward_main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = flat_index(gid, groups);
  if (i >= dims.count) { return; }
  Y[i] = act_forward(ACT, Z[i], dims.act_slope);
}

// Y (holding dA) ← dA ⊙ act'(Z)
@compute @workgroup_size(256)
fn act_backward_main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = flat_index(gid, groups);
  if (i >= dims.count) { return; }
  Y[i] = Y[i] * act_grad(ACT, Z[i], dims.act_slope);
}
