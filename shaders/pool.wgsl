// Max-pool 2×2, stride 2, floor: over the planes of all runs at once (R·B·C planes of H×W in, OH×OW out,
// OH = ⌊H/2⌋, OW = ⌊W/2⌋; runs are just more planes).
//   pool_forward:  Y[p,oy,ox] = max_{dy,dx∈{0,1}} X[p,2oy+dy,2ox+dx],
//                  argmax[p,oy,ox] = window index 2·dy + dx of the FIRST maximum in row-major window
//                  order (ties keep the earlier element: strict >).
//   pool_backward: dX[p,y,x] = dY[p,⌊y/2⌋,⌊x/2⌋] if (y, x) is its window's argmax, else 0
//                  (rows/columns outside every window — the last one of an odd H or W — get 0).
// One invocation per output element (forward) or input element (backward): no atomics, every dX written.
// Needs: the PoolDims struct (src/nn/layouts.ts).

@group(0) @binding(0) var<uniform> dims: PoolDims;
// forward: src = X, dst = Y; backward: src = dY, dst = dX.
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read_write> argmax: array<u32>;

fn pool_flat_index(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.y * groups.x * 256u;
}

@compute @workgroup_size(256)
fn pool_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = pool_flat_index(gid, groups);
  let out_plane = dims.out_height * dims.out_width;
  if (index >= dims.planes * out_plane) { return; }
  let plane = index / out_plane;
  let oy = (index % out_plane) / dims.out_width;
  let ox = index % dims.out_width;
  let base = plane * dims.height * dims.width + 2u * oy * dims.width + 2u * ox;
  var best = src[base];
  var best_at = 0u;
  for (var k = 1u; k < 4u; k++) {
    let value = src[base + (k / 2u) * dims.width + k % 2u];
    if (value > best) {
      best = value;
      best_at = k;
    }
  }
  dst[index] = best;
  argmax[index] = best_at;
}

@compute @workgroup_size(256)
fn pool_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = pool_flat_index(gid, groups);
  let in_plane = dims.height * dims.width;
  if (index >= dims.planes * in_plane) { return; }
  let plane = index / in_plane;
  let y = (index % in_plane) / dims.width;
  let x = index % dims.width;
  let oy = y / 2u;
  let ox = x / 2u;
  var grad = 0.0;
  if (oy < dims.out_height && ox < dims.out_width) {
    let out_index = plane * dims.out_height * dims.out_width + oy * dims.out_width + ox;
    if (argmax[out_index] == 2u * (y % 2u) + x % 2u) { grad = src[out_index]; }
  }
  dst[index] = grad;
}
