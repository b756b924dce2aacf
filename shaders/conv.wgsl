// Conv2d family: stride 1, "same" zero padding P = (KSIZE − 1)/2, KSIZE 3 or 5, run r = workgroup_id.z.
// Activations are [r][b][channel][y][x]; weights W[r][F][C][KSIZE][KSIZE] (filters, channels, ky, kx),
// every operand at an element offset plus a per-run stride. Out-of-image taps read 0.
//
// conv_main — one kernel for both directions (i: channels read, o: channels written):
//   TRANSPOSED = false (forward):    Y[r,b,o,y,x]  = Σ_{i,ky,kx} X[r,b,i,y+ky−P,x+kx−P]·W[r,o,i,ky,kx]
//   TRANSPOSED = true  (input grad): dX[r,b,o,y,x] = Σ_{i,ky,kx} dZ[r,b,i,y−ky+P,x−kx+P]·W[r,i,o,ky,kx]
//                                    (the same sum as the forward with W flipped and transposed)
//   EPILOGUE_NONE:            out = acc
//   EPILOGUE_BIAS_ACTIVATION: Z = acc + bias[o] (if HAS_BIAS), out = act(Z)   (Z written only if ACT ≠ ACT_NONE)
//   EPILOGUE_ACTIVATION_GRAD: out = acc ⊙ act'(Z)                              (fuses the previous layer's act grad)
// conv_weight_grad — one workgroup per (c, 4 filters, r), a reduction over (b, y, x):
//   dW[r,f,c,ky,kx] = Σ_{b,y,x} dZ[r,b,f,y,x]·X[r,b,c,y+ky−P,x+kx−P]
//   dbias[r,f]      = Σ_{b,y,x} dZ[r,b,f,y,x]                    (HAS_BIAS, by the c = 0 workgroups)
// Needs: activations.wgsl, the EPILOGUE_* codes and the ConvDims struct (src/nn/layouts.ts).

override KSIZE: u32 = 3u;
override TRANSPOSED: bool = false;
override EPILOGUE: u32 = EPILOGUE_NONE;
override HAS_BIAS: bool = false;
override ACT: u32 = ACT_NONE;

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

const PX = 4u;               // output pixels per invocation, adjacent along x
const TILE_W = 16u;          // output tile of a workgroup: 4 invocations × PX wide, 16 tall
const TILE_H = 16u;
const OUT_PER_GROUP = 4u;    // output channels per workgroup (one vec4 accumulator per pixel)
const THREADS = 64u;

// Flat index of tap (ky, kx) linking channel i (read) to channel o (written), in conv_main's orientation.
fn weight_index(run: u32, o: u32, i: u32, ky: u32, kx: u32) -> u32 {
  let base = dims.w_off + run * dims.w_run;
  if (TRANSPOSED) {
    // W[i][o][K−1−ky][K−1−kx]: the tensor is [F = in_ch][C = out_ch][K][K].
    return base + ((i * dims.out_ch + o) * KSIZE + (KSIZE - 1u - ky)) * KSIZE + (KSIZE - 1u - kx);
  }
  return base + ((o * dims.in_ch + i) * KSIZE + ky) * KSIZE + kx;
}

// src[row + sx], or 0 outside the row or image (conv_main's input window).
fn row_input(row: u32, row_ok: bool, sx: i32) -> f32 {
  let w_max = i32(dims.width) - 1;
  return select(0.0, src[row + u32(clamp(sx, 0, w_max))], row_ok && sx >= 0 && sx <= w_max);
}

// Tap (ky, kx) of input channel i for the 4 output channels oc, as a vec4 over them.
fn tap_weights(run: u32, oc: vec4u, i: u32, ky: u32, kx: u32) -> vec4f {
  return vec4f(weights[weight_index(run, oc.x, i, ky, kx)], weights[weight_index(run, oc.y, i, ky, kx)],
               weights[weight_index(run, oc.z, i, ky, kx)], weights[weight_index(run, oc.w, i, ky, kx)]);
}

// Each invocation computes PX adjacent pixels × OUT_PER_GROUP channels straight from storage: per
// input channel and kernel row it reads a window of PX + KSIZE − 1 inputs once and reuses it for
// every kx and pixel. No workgroup memory and no barriers (on a CPU-emulated GPU such as
// SwiftShader a barrier switches coroutines and workgroup memory is plain memory: both only cost).
// Grid: x = tile (tiles_x per row of tiles), y = b·out_groups + channel group, z = run.
@compute @workgroup_size(4, 16)
fn conv_main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let run = wg.z;
  let b = wg.y / dims.out_groups;
  let o0 = (wg.y % dims.out_groups) * OUT_PER_GROUP;
  let y = (wg.x / dims.tiles_x) * TILE_H + lid.y;
  let x0 = (wg.x % dims.tiles_x) * TILE_W + lid.x * PX;
  if (y >= dims.height || x0 >= dims.width) { return; }
  let pad = i32((KSIZE - 1u) / 2u);
  let hw = dims.height * dims.width;
  let src_base = run * dims.src_run + b * dims.in_ch * hw;
  let last_o = dims.out_ch - 1u;
  let oc = vec4u(o0, min(o0 + 1u, last_o), min(o0 + 2u, last_o), min(o0 + 3u, last_o));
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var i = 0u; i < dims.in_ch; i++) {
    let plane = src_base + i * hw;
    for (var ky = 0u; ky < KSIZE; ky++) {
      let sy = i32(y + ky) - pad;
      let row_ok = sy >= 0 && sy < i32(dims.height);
      let row = plane + u32(clamp(sy, 0, i32(dims.height) - 1)) * dims.width;
      // Inputs x0 − P .. x0 + PX − 1 + P of this row (zero outside the image), as named values:
      // SwiftShader emulates a dynamically indexed private array lane by lane.
      let w0 = row_input(row, row_ok, i32(x0) - pad);
      let w1 = row_input(row, row_ok, i32(x0) - pad + 1);
      let w2 = row_input(row, row_ok, i32(x0) - pad + 2);
      let w3 = row_input(row, row_ok, i32(x0) - pad + 3);
      let w4 = row_input(row, row_ok, i32(x0) - pad + 4);
      let w5 = row_input(row, row_ok, i32(x0) - pad + 5);
      var t = tap_weights(run, oc, i, ky, 0u);
      acc0 += w0 * t; acc1 += w1 * t; acc2 += w2 * t; acc3 += w3 * t;
      t = tap_weights(run, oc, i, ky, 1u);
      acc0 += w1 * t; acc1 += w2 * t; acc2 += w3 * t; acc3 += w4 * t;
      t = tap_weights(run, oc, i, ky, 2u);
      acc0 += w2 * t; acc1 += w3 * t; acc2 += w4 * t; acc3 += w5 * t;
      if (KSIZE == 5u) {
        let w6 = row_input(row, row_ok, i32(x0) - pad + 6);
        let w7 = row_input(row, row_ok, i32(x0) - pad + 7);
        t = tap_weights(run, oc, i, ky, 3u);
        acc0 += w3 * t; acc1 += w4 * t; acc2 += w5 * t; acc3 += w6 * t;
        t = tap_weights(run, oc, i, ky, 4u);
        acc0 += w4 * t; acc1 += w5 * t; acc2 += w6 * t; acc3 += w7 * t;
      }
    }
  }
  let acc = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  for (var px = 0u; px < PX; px++) {
    let x = x0 + px;
    if (x >= dims.width) { break; }
    for (var oo = 0u; oo < OUT_PER_GROUP; oo++) {
      let o = o0 + oo;
      if (o >= dims.out_ch) { break; }
      let out_index = run * dims.dst_run + (b * dims.out_ch + o) * hw + y * dims.width + x;
      var value = acc[px][oo];
      if (EPILOGUE == EPILOGUE_BIAS_ACTIVATION) {
        if (HAS_BIAS) { value += bias[dims.bias_off + run * dims.bias_run + o]; }
        if (ACT != ACT_NONE) {
          Z[out_index] = value;
          value = act_forward(ACT, value, dims.act_slope);
        }
      } else if (EPILOGUE == EPILOGUE_ACTIVATION_GRAD) {
        value *= act_grad(ACT, Z[out_index], dims.act_slope);
      }
      dst[out_index] = value;
    }
  }
}

const MAX_TAPS = 26u;      // 25 weight taps + the bias sum
const DW_THREADS = 32u;
var<workgroup> partial: array<vec4f, 832>; // [MAX_TAPS][DW_THREADS], vec4 over 4 filters

// Each invocation walks segments of PX adjacent pixels (b, y, x0..x0+3), loads dZ of the group's 4
// filters there once, and for each kernel row a window of PX + KSIZE − 1 inputs, accumulating every
// tap for the 4 filters; one barrier, then one invocation per tap sums the DW_THREADS partials.
// Grid: x = input channel c (dims.in_ch), y = group of 4 filters (dims.out_groups), z = run.
@compute @workgroup_size(32)
fn conv_weight_grad(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let c = wg.x;
  let f0 = wg.y * OUT_PER_GROUP;
  let run = wg.z;
  let pad = i32((KSIZE - 1u) / 2u);
  let taps = KSIZE * KSIZE;
  let hw = dims.height * dims.width;
  let segments_x = (dims.width + PX - 1u) / PX;
  let count = dims.batch * dims.height * segments_x;
  let w_max = i32(dims.width) - 1;
  // Filters past out_ch read filter f0 with weight 0 (their sums are never stored).
  var f_ok = vec4f(0.0);
  for (var k = 0u; k < 4u; k++) { f_ok[k] = select(0.0, 1.0, f0 + k < dims.out_ch); }
  var acc: array<vec4f, MAX_TAPS>;
  for (var p = li; p < count; p += DW_THREADS) {
    let b = p / (dims.height * segments_x);
    let rest = p % (dims.height * segments_x);
    let y = rest / segments_x;
    let x0 = (rest % segments_x) * PX;
    var dz: array<vec4f, 4>; // [px] over the 4 filters
    let dz_base = run * dims.dst_run + (b * dims.out_ch) * hw + y * dims.width;
    for (var px = 0u; px < PX; px++) {
      let x = x0 + px;
      let xc = min(x, dims.width - 1u);
      var v = vec4f(0.0);
      for (var k = 0u; k < 4u; k++) {
        let f = min(f0 + k, dims.out_ch - 1u);
        v[k] = wg_dz[dz_base + f * hw + xc];
      }
      dz[px] = select(vec4f(0.0), v * f_ok, x < dims.width);
      acc[taps] += dz[px];
    }
    let x_plane = run * dims.src_run + (b * dims.in_ch + c) * hw;
    for (var ky = 0u; ky < KSIZE; ky++) {
      let sy = i32(y + ky) - pad;
      let row_ok = sy >= 0 && sy < i32(dims.height);
      let row = x_plane + u32(clamp(sy, 0, i32(dims.height) - 1)) * dims.width;
      var win: array<f32, 8>;
      for (var j = 0u; j < PX + KSIZE - 1u; j++) {
        let sx = i32(x0 + j) - pad;
        win[j] = select(0.0, wg_input[row + u32(clamp(sx, 0, w_max))], row_ok && sx >= 0 && sx <= w_max);
      }
      for (var kx = 0u; kx < KSIZE; kx++) {
        let t = ky * KSIZE + kx;
        acc[t] += win[kx] * dz[0] + win[kx + 1u] * dz[1] + win[kx + 2u] * dz[2] + win[kx + 3u] * dz[3];
      }
    }
  }
  let slots = taps + 1u; // the weight taps, then the bias sum
  for (var t = 0u; t < slots; t++) { partial[t * DW_THREADS + li] = acc[t]; }
  workgroupBarrier();
  if (li >= slots) { return; }
  var total = vec4f(0.0);
  for (var k = 0u; k < DW_THREADS; k++) { total += partial[li * DW_THREADS + k]; }
  for (var k = 0u; k < 4u; k++) {
    let f = f0 + k;
    if (f >= dims.out_ch) { break; }
    if (li < taps) {
      wg_grads[dims.w_off + run * dims.w_run + (f * dims.in_ch + c) * taps + li] = total[k];
    } else if (HAS_BIAS && c == 0u) {
      wg_grads[dims.bias_off + run * dims.bias_run + f] = total[k];
    }
  }
}
