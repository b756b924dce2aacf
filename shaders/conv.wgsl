// Conv2d family: stride 1, "same" zero padding P = (KSIZE − 1)/2, KSIZE 3 or 5, run r = workgroup_id.z.
// Activations are [r][b][channel][y][x]; weights W[r][F][C][KSIZE][KSIZE] (filters, channels, ky, kx),
// every operand at an element offset plus a per-run stride. Out-of-image taps read 0.
//
// conv_main — one tiled kernel for both directions (i: channels read, o: channels written):
//   TRANSPOSED = false (forward):    Y[r,b,o,y,x]  = Σ_{i,ky,kx} X[r,b,i,y+ky−P,x+kx−P]·W[r,o,i,ky,kx]
//   TRANSPOSED = true  (input grad): dX[r,b,o,y,x] = Σ_{i,ky,kx} dZ[r,b,i,y−ky+P,x−kx+P]·W[r,i,o,ky,kx]
//                                    (the same sum as the forward with W flipped and transposed)
//   EPILOGUE 0: out = acc
//   EPILOGUE 1: Z = acc + bias[o] (if HAS_BIAS), out = act(Z)   (Z written only if ACT ≠ 0)
//   EPILOGUE 2: out = acc ⊙ act'(Z)                              (fuses the previous layer's act grad)
// conv_weight_grad — one workgroup per (c, f, r), a tree reduction over (b, y, x):
//   dW[r,f,c,ky,kx] = Σ_{b,y,x} dZ[r,b,f,y,x]·X[r,b,c,y+ky−P,x+kx−P]
//   dbias[r,f]      = Σ_{b,y,x} dZ[r,b,f,y,x]                    (HAS_BIAS, by the c = 0 workgroups)
// Needs: activations.wgsl.

struct ConvDims {
  batch: u32, in_ch: u32, out_ch: u32, act_slope: f32,
  height: u32, width: u32, tiles_x: u32, out_groups: u32,
  src_run: u32, dst_run: u32, w_off: u32, w_run: u32,
  bias_off: u32, bias_run: u32, _pad0: u32, _pad1: u32,
}

override KSIZE: u32 = 3u;
override TRANSPOSED: bool = false;
override EPILOGUE: u32 = 0u;
override HAS_BIAS: bool = false;
override ACT: u32 = 0u;

@group(0) @binding(0) var<uniform> dims: ConvDims;

// conv_main bindings: src = X (or dZ), weights = params, bias = params, dst = Y (or dX), Z = preact.
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> weights: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> dst: array<f32>;
@group(0) @binding(5) var<storage, read_write> Z: array<f32>;

// conv_weight_grad bindings: the layer input X, the pre-activation gradient dZ, and the grads buffer
// (dims.w_off/w_run and bias_off/bias_run locate dW and dbias in it; src_run is X's, dst_run dZ's run stride).
@group(0) @binding(1) var<storage, read> wg_input: array<f32>;
@group(0) @binding(2) var<storage, read> wg_dz: array<f32>;
@group(0) @binding(3) var<storage, read_write> wg_grads: array<f32>;

const TILE = 8u;            // output tile TILE×TILE, one pixel per invocation
const OUT_PER_GROUP = 4u;   // output channels per workgroup (one vec4 accumulator)
const THREADS = 64u;

var<workgroup> window_tile: array<f32, 144>;       // [TILE + KSIZE − 1]² input window of one channel (≤ 12²)
var<workgroup> kernel_tile: array<f32, 100>; // [OUT_PER_GROUP][KSIZE²] taps of one input channel (≤ 4·25)

// Flat index of tap (ky, kx) linking channel i (read) to channel o (written), in conv_main's orientation.
fn weight_index(run: u32, o: u32, i: u32, ky: u32, kx: u32) -> u32 {
  let base = dims.w_off + run * dims.w_run;
  if (TRANSPOSED) {
    // W[i][o][K−1−ky][K−1−kx]: the tensor is [F = in_ch][C = out_ch][K][K].
    return base + ((i * dims.out_ch + o) * KSIZE + (KSIZE - 1u - ky)) * KSIZE + (KSIZE - 1u - kx);
  }
  return base + ((o * dims.in_ch + i) * KSIZE + ky) * KSIZE + kx;
}

// Grid: x = tile (tiles_x per row of tiles), y = b·out_groups + channel group, z = run.
@compute @workgroup_size(8, 8)
fn conv_main(
  @builtin(workgroup_id) wg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
  @builtin(local_invocation_index) li: u32,
) {
  let run = wg.z;
  let b = wg.y / dims.out_groups;
  let o0 = (wg.y % dims.out_groups) * OUT_PER_GROUP;
  let tile_y0 = (wg.x / dims.tiles_x) * TILE;
  let tile_x0 = (wg.x % dims.tiles_x) * TILE;
  let pad = i32((KSIZE - 1u) / 2u);
  let span = TILE + KSIZE - 1u;
  let taps = KSIZE * KSIZE;
  let hw = dims.height * dims.width;
  let src_base = run * dims.src_run + b * dims.in_ch * hw;
  var acc = vec4f(0.0);
  for (var i = 0u; i < dims.in_ch; i++) {
    for (var p = li; p < span * span; p += THREADS) {
      let gy = i32(tile_y0 + p / span) - pad;
      let gx = i32(tile_x0 + p % span) - pad;
      var value = 0.0;
      if (gy >= 0 && gy < i32(dims.height) && gx >= 0 && gx < i32(dims.width)) {
        value = src[src_base + i * hw + u32(gy) * dims.width + u32(gx)];
      }
      window_tile[p] = value;
    }
    for (var p = li; p < OUT_PER_GROUP * taps; p += THREADS) {
      let o = o0 + p / taps;
      let k = p % taps;
      var value = 0.0;
      if (o < dims.out_ch) { value = weights[weight_index(run, o, i, k / KSIZE, k % KSIZE)]; }
      kernel_tile[p] = value;
    }
    workgroupBarrier();
    for (var ky = 0u; ky < KSIZE; ky++) {
      for (var kx = 0u; kx < KSIZE; kx++) {
        let v = window_tile[(lid.y + ky) * span + lid.x + kx];
        let k = ky * KSIZE + kx;
        acc += v * vec4f(kernel_tile[k], kernel_tile[taps + k], kernel_tile[2u * taps + k], kernel_tile[3u * taps + k]);
      }
    }
    workgroupBarrier();
  }
  let y = tile_y0 + lid.y;
  let x = tile_x0 + lid.x;
  if (y >= dims.height || x >= dims.width) { return; }
  for (var oo = 0u; oo < OUT_PER_GROUP; oo++) {
    let o = o0 + oo;
    if (o >= dims.out_ch) { break; }
    let out_index = run * dims.dst_run + (b * dims.out_ch + o) * hw + y * dims.width + x;
    var value = acc[oo];
    if (EPILOGUE == 1u) {
      if (HAS_BIAS) { value += bias[dims.bias_off + run * dims.bias_run + o]; }
      if (ACT != 0u) {
        Z[out_index] = value;
        value = act_forward(ACT, value, dims.act_slope);
      }
    } else if (EPILOGUE == 2u) {
      value *= act_grad(ACT, Z[out_index], dims.act_slope);
    }
    dst[out_index] = value;
  }
}

const MAX_TAPS = 26u; // 25 weight taps + the bias sum
var<workgroup> partial: array<f32, 1664>; // [MAX_TAPS][THREADS]

// Grid: x = input channel c (dims.in_ch), y = filter f (dims.out_ch), z = run.
@compute @workgroup_size(64)
fn conv_weight_grad(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let c = wg.x;
  let f = wg.y;
  let run = wg.z;
  let pad = i32((KSIZE - 1u) / 2u);
  let taps = KSIZE * KSIZE;
  let hw = dims.height * dims.width;
  let count = dims.batch * hw;
  var acc: array<f32, MAX_TAPS>;
  for (var p = li; p < count; p += THREADS) {
    let b = p / hw;
    let s = p % hw;
    let y = i32(s / dims.width);
    let x = i32(s % dims.width);
    let dz = wg_dz[run * dims.dst_run + (b * dims.out_ch + f) * hw + s];
    let x_base = run * dims.src_run + (b * dims.in_ch + c) * hw;
    for (var ky = 0u; ky < KSIZE; ky++) {
      let sy = y + i32(ky) - pad;
      if (sy < 0 || sy >= i32(dims.height)) { continue; }
      for (var kx = 0u; kx < KSIZE; kx++) {
        let sx = x + i32(kx) - pad;
        if (sx < 0 || sx >= i32(dims.width)) { continue; }
        acc[ky * KSIZE + kx] += dz * wg_input[x_base + u32(sy) * dims.width + u32(sx)];
      }
    }
    acc[taps] += dz;
  }
  let slots = taps + 1u; // the weight taps, then the bias sum
  for (var t = 0u; t < slots; t++) { partial[t * THREADS + li] = acc[t]; }
  workgroupBarrier();
  for (var stride = THREADS / 2u; stride > 0u; stride >>= 1u) {
    if (li < stride) {
      for (var t = 0u; t < slots; t++) { partial[t * THREADS + li] += partial[t * THREADS + li + stride]; }
    }
    workgroupBarrier();
  }
  if (li < taps) {
    wg_grads[dims.w_off + run * dims.w_run + (f * dims.in_ch + c) * taps + li] = partial[li * THREADS];
  }
  if (HAS_BIAS && c == 0u && li == 0u) {
    wg_grads[dims.bias_off + run * dims.bias_run + f] = partial[taps * THREADS];
  }
}
