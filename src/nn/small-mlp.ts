/**
 * Small dense networks in one fused dispatch: one workgroup per run computes the forward pass, the
 * loss with its metrics and the backward pass of every layer. A row of the batch needs only
 * itself until the sums over the batch, so each invocation takes its rows (lid, lid + THREADS, …)
 * through every layer forward, the loss and every layer's D backward with no barrier at all; one
 * storage barrier, then the sums over the batch (weight and bias gradients, metrics). For a
 * network like 2-8-8-1 on batch 32 the general path spends its step on fixed per-dispatch costs
 * (14 dispatches of a few hundred multiply-adds each); here a step is gather, this kernel and the
 * update: 3 dispatches.
 *
 * THREADS, the invocations per workgroup, follows the adapter (src/gpu/tuning.ts smallMlpThreads):
 * 8 on SwiftShader (it switches each group of 4 at the barrier; 4–32 were no faster for 2-8-8-1 on
 * batch 32), a whole number of subgroups with one row each on GPUs (the batch rounded up to the
 * subgroup size, at most 256), where the weight gradients also take one (k, unit) pair per
 * invocation instead of one k.
 *
 * The math is the general path's (./layers/dense.ts and shaders/loss.wgsl), per run r, layer
 * l = 1..L, X₁ = input:
 *   forward    Z_l = X_l·W_l + b_l,  A_l = act_l(Z_l),  X_{l+1} = A_l,  logits = A_L
 *   loss       ℓ_b and D_L = ∂L/∂Z_L = ∂L/∂A_L ⊙ act'_L(Z_L) (the rows of shaders/loss_rows.wgsl)
 *   backward   D_{l−1} = (D_l·W_lᵀ) ⊙ act'_{l−1}(Z_{l−1}),  ∂W_l = X_lᵀ·D_l,  ∂b_l = Σ_b D_l
 * Every sum runs in index order from 0, as in the general path; the metrics sum THREADS
 * per-invocation partials in order (the loss kernel sums 64).
 *
 * The WGSL is generated per network: the sizes, offsets and activations are literals, so loops
 * have constant bounds and no branch depends on a layer's kind (SwiftShader executes both sides of
 * a branch), and a row's sums over a layer's units are named registers (one load of each input per
 * row instead of one per multiply-add; SwiftShader emulates dynamically indexed arrays lane by
 * lane). Where it applies: see `smallMlpFits`.
 */
import { makeDispatch, type Dispatch } from '../gpu/commands';
import type { ParamLayout } from '../gpu/param-layout';
import { composeWgsl } from '../gpu/pipelines';
import { smallMlpThreads } from '../gpu/tuning';
import { WGSL } from './kernels';
import type { BuildContext } from './layer';
import { ACTIVATION_WGSL, STEP_INFO } from './layouts';
import { LEAKY_SLOPE, type Activation, type LossKind, type ResolvedModel } from './spec';

/** Largest layer width (inputs or units) and batch the fused step takes. */
export const SMALL_MLP_MAX_WIDTH = 64;
export const SMALL_MLP_MAX_BATCH = 256;
/**
 * Largest multiply-adds of one row's forward pass (Σ_l in_l·out_l). Per row the fused step does
 * about one load per multiply-add (the tiled matmuls of the general path reuse each load many
 * times) in one workgroup per run, so it wins while the per-dispatch costs dominate: measured per
 * run in Node + SwiftShader at 64 runs (fused against general), 2-8-8-1 on batch 32 (88 per row)
 * 39 against 210 µs, 2-32-32-1 on batch 32 (1,120) 247 against 374 µs and on batch 256 1.65
 * against 2.44 ms, 2-40-40-1 on batch 64 (1,720) 0.71 against 0.95 ms; 2-48-48-1 (2,448) 1.32
 * against 1.08 ms and 2-64-64-1 (4,288) 1.08 against 0.69 ms lose. At 1 and 6 runs the fused step
 * won too (2-32-32-1 b32: 417 against 527 µs per run at R = 1).
 */
export const SMALL_MLP_MAX_ROW_MACS = 2048;

/** Whether `model` at `batch` runs on the fused small-MLP step: dense layers only, all small. */
export function smallMlpFits(model: ResolvedModel, batch: number): boolean {
  if (batch > SMALL_MLP_MAX_BATCH) return false;
  if (!model.layers.every((layer) => layer.spec.kind === 'dense' && layer.weight !== undefined)) return false;
  if (!model.layers.every((layer) => layer.inShape.length === 1 && layer.outShape.length === 1)) return false;
  if (!model.layers.every((layer) => layer.inShape[0] <= SMALL_MLP_MAX_WIDTH && layer.outShape[0] <= SMALL_MLP_MAX_WIDTH)) return false;
  return model.layers.reduce((macs, layer) => macs + layer.inShape[0] * layer.outShape[0], 0) <= SMALL_MLP_MAX_ROW_MACS;
}

interface FusedLayer {
  inSize: number;
  units: number;
  act: Activation;
  /** Offset of W (in×units) and of b in run 0, and the stride between runs, in floats. */
  weight: { offset: number; runStride: number; trainable: boolean };
  bias?: { offset: number; runStride: number; trainable: boolean };
  /** Offsets in the `work` scratch of Z, A (hidden layers; the last layer's A is `logits`) and D = ∂L/∂Z, each [R][B][units]. */
  z: number;
  a: number;
  d: number;
}

/** Per-layer sizes and offsets in `work`, the metric partials' offset and the total. */
function plan(model: ResolvedModel, layout: ParamLayout, runs: number, batch: number, threads: number, gradPairs: boolean) {
  let work = 0;
  const take = (floats: number) => {
    const at = work;
    work += floats;
    return at;
  };
  const last = model.layers.length - 1;
  const layers: FusedLayer[] = model.layers.map((layer, l) => {
    const units = layer.outShape[0];
    const slot = (t: number) => ({ offset: layout.slots[t].offset, runStride: layout.slots[t].runStride, trainable: model.tensors[t].trainable });
    const region = runs * batch * units;
    return {
      inSize: layer.inShape[0], units, act: layer.activation,
      weight: slot(layer.weight!), bias: layer.bias !== undefined ? slot(layer.bias) : undefined,
      z: take(region), a: l < last ? take(region) : -1, d: take(region),
    };
  });
  // Each invocation's (loss, correct, non-finite) partial sums, [R][3][threads].
  const partials = take(runs * 3 * threads);
  // Backward stops at the first layer with a trainable tensor (as in the general path).
  const first = layers.findIndex((layer) => layer.weight.trainable || layer.bias?.trainable);
  return { layers, partials, work, first, runs, threads, gradPairs };
}

const u = (n: number) => `${n}u`;
const f = (x: number) => (Number.isInteger(x) ? `${x}.0` : `${x}`);
/** The WGSL constant of an activation's code (ACT_RELU, …). */
const act = (activation: Activation) => ACTIVATION_WGSL.names[activation];
/** WGSL lines `line(n)` for n = 0..count−1, indented for a loop body. */
const each = (count: number, line: (n: number) => string, indent = '      ') => Array.from({ length: count }, (_, n) => indent + line(n)).join('\n');

/** Index of row `b` (a WGSL expression) of the current run in an [R][B][width] region starting at `offset`. */
const rowStart = (offset: number, batch: number, width: number, b: string) => `${u(offset)} + (run * ${u(batch)} + ${b}) * ${u(width)}`;

/** Layer l's input X_l: the gathered batch (`input`) for l = 0, else A_{l−1} in `work`. */
function inputOf(p: Plan, l: number, batch: number): { buffer: string; row: (b: string) => string } {
  const width = p.layers[l].inSize;
  return l === 0
    ? { buffer: 'input', row: (b) => rowStart(0, batch, width, b) }
    : { buffer: 'work', row: (b) => rowStart(p.layers[l - 1].a, batch, width, b) };
}

type Plan = ReturnType<typeof plan>;

/**
 * Forward of row b through layer l: acc_n = Σ_k X[b][k]·W[k][n] for every unit n at once (one
 * load of X[b][k] per k, the units' sums in named registers), Z = acc + bias into `work`,
 * A = act(Z) into `work` (hidden layers) or `logits` (last layer).
 */
function forwardRow(p: Plan, l: number, batch: number): string {
  const layer = p.layers[l];
  const N = layer.units;
  const x = inputOf(p, l, batch);
  const last = l === p.layers.length - 1;
  const bias = (n: number) => (layer.bias ? ` + params[${u(layer.bias.offset)} + run * ${u(layer.bias.runStride)} + ${u(n)}]` : '');
  return `
    // layer ${l}: Z = X·W + b (row · ${layer.inSize}×${N}), A = act(Z)
    {
${each(N, (n) => `var acc${n} = 0.0;`, '      ')}
      let x0 = ${x.row('b')};
      let w0 = ${u(layer.weight.offset)} + run * ${u(layer.weight.runStride)};
      for (var k = 0u; k < ${u(layer.inSize)}; k++) {
        let x = ${x.buffer}[x0 + k];
        let wk = w0 + k * ${u(N)};
${each(N, (n) => `acc${n} += x * params[wk + ${u(n)}];`, '        ')}
      }
      let z0 = ${rowStart(layer.z, batch, N, 'b')};
      let a0 = ${last ? rowStart(0, batch, N, 'b') : rowStart(layer.a, batch, N, 'b')};
${each(N, (n) => `{ let z = acc${n}${bias(n)}; work[z0 + ${u(n)}] = z; ${last ? 'logits' : 'work'}[a0 + ${u(n)}] = act_forward(${act(layer.act)}, z, ${f(LEAKY_SLOPE)}); }`)}
    }`;
}

/**
 * Backward of row b from layer l to the layer below: D_{l−1}[b][k] = (Σ_n D_l[b][n]·W[k][n]) ⊙
 * act'_{l−1}(Z_{l−1}[b][k]), with the row's D_l loaded once into named registers.
 */
function deltaRow(p: Plan, l: number, batch: number): string {
  const layer = p.layers[l];
  const below = p.layers[l - 1];
  const N = layer.units;
  return `
    // layer ${l}: D_below = (D·Wᵀ) ⊙ act'(Z_below) (row · ${N}×${layer.inSize})
    {
      let drow = ${rowStart(layer.d, batch, N, 'b')};
${each(N, (n) => `let d${n} = work[drow + ${u(n)}];`)}
      let w0 = ${u(layer.weight.offset)} + run * ${u(layer.weight.runStride)};
      let below = (run * ${u(batch)} + b) * ${u(below.units)};
      for (var k = 0u; k < ${u(layer.inSize)}; k++) {
        let wk = w0 + k * ${u(N)};
        var acc = 0.0;
${each(N, (n) => `acc += d${n} * params[wk + ${u(n)}];`, '        ')}
        work[${u(below.d)} + below + k] = acc * act_grad(${act(below.act)}, work[${u(below.z)} + below + k], ${f(LEAKY_SLOPE)});
      }
    }`;
}

/**
 * Gradients of layer l (after the barrier): ∂W[k][n] = Σ_b X[b][k]·D[b][n], either invocations over
 * k with the sums over n in named registers (SwiftShader: one load of X per row and k), or one
 * (k, n) pair per invocation (GPUs: in·units invocations' worth of parallel work instead of in);
 * both sum over b in order from 0, so they agree bit for bit. ∂b[n] = Σ_b D[b][n], invocations over n.
 */
function gradients(p: Plan, l: number, batch: number): string {
  const layer = p.layers[l];
  const N = layer.units;
  const x = inputOf(p, l, batch);
  const D = (b: string) => rowStart(layer.d, batch, N, b);
  const T = u(p.threads);
  let out = '';
  if (layer.weight.trainable && p.gradPairs) {
    out += `
  // layer ${l}: dW = Xᵀ·D (${layer.inSize}×${N}, summed over ${batch} rows), one (k, n) per invocation
  for (var kn = lid; kn < ${u(layer.inSize * N)}; kn += ${T}) {
    let k = kn / ${u(N)};
    let n = kn % ${u(N)};
    var acc = 0.0;
    for (var b = 0u; b < ${u(batch)}; b++) { acc += ${x.buffer}[${x.row('b')} + k] * work[${D('b')} + n]; }
    grads[${u(layer.weight.offset)} + run * ${u(layer.weight.runStride)} + kn] = acc;
  }`;
  } else if (layer.weight.trainable) {
    out += `
  // layer ${l}: dW = Xᵀ·D (${layer.inSize}×${N}, summed over ${batch} rows)
  for (var k = lid; k < ${u(layer.inSize)}; k += ${T}) {
${each(N, (n) => `var acc${n} = 0.0;`, '    ')}
    for (var b = 0u; b < ${u(batch)}; b++) {
      let x = ${x.buffer}[${x.row('b')} + k];
      let d0 = ${D('b')};
${each(N, (n) => `acc${n} += x * work[d0 + ${u(n)}];`)}
    }
    let g0 = ${u(layer.weight.offset)} + run * ${u(layer.weight.runStride)} + k * ${u(N)};
${each(N, (n) => `grads[g0 + ${u(n)}] = acc${n};`, '    ')}
  }`;
  }
  if (layer.bias?.trainable) {
    out += `
  // layer ${l}: db = Σ_b D[b]
  for (var n = lid; n < ${u(N)}; n += ${T}) {
    var acc = 0.0;
    for (var b = 0u; b < ${u(batch)}; b++) { acc += work[${D('b')} + n]; }
    grads[${u(layer.bias.offset)} + run * ${u(layer.bias.runStride)} + n] = acc;
  }`;
  }
  return out;
}

/** WGSL of the fused step (forward, loss, backward) for `p`; see the file comment. */
function stepSource(p: Plan, batch: number, loss: LossKind): string {
  const L = p.layers.length - 1;
  const lastLayer = p.layers[L];
  const outputs = lastLayer.units;
  const at = rowStart(0, batch, outputs, 'b') + ' + c';
  const actGrad = lastLayer.act === 'none' ? '' : ` * act_grad(${act(lastLayer.act)}, work[${u(lastLayer.z)} + ${at}], ${f(LEAKY_SLOPE)})`;
  const row =
    loss === 'softmax_xent'
      ? `softmax_xent_row(run, b, ${u(outputs)}, 1.0 / f32(${u(batch)}))`
      : `mse_row(run, b, ${u(outputs)}, 1.0 / f32(${u(batch * outputs)}))`;
  const T = u(p.threads);
  const partial = (k: number) => `${u(p.partials)} + (run * 3u + ${u(k)}) * ${T}`;
  const backward = p.first < 0 ? [] : p.layers.map((_, l) => l).filter((l) => l > p.first).reverse();
  const trained = p.first < 0 ? [] : p.layers.map((_, l) => l).filter((l) => l >= p.first).reverse();
  return `
@group(0) @binding(0) var<uniform> step_info: StepInfo;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> input: array<f32>;
@group(0) @binding(3) var<storage, read> labels: array<u32>;
@group(0) @binding(4) var<storage, read_write> work: array<f32>;
@group(0) @binding(5) var<storage, read_write> logits: array<f32>;
@group(0) @binding(6) var<storage, read_write> grads: array<f32>;
@group(0) @binding(7) var<storage, read_write> metrics: array<MetricRecord>;

// The data of shaders/loss_rows.wgsl: A_L (logits) and labels of this run; ∂L/∂A_L ⊙ act'_L(Z_L) → D_L.
fn loss_logit(run: u32, b: u32, c: u32) -> f32 { return logits[${at}]; }
fn loss_label(run: u32, b: u32) -> u32 { return labels[run * ${u(batch)} + b]; }
fn loss_put_grad(run: u32, b: u32, c: u32, g: f32) { work[${u(lastLayer.d)} + ${at}] = g${actGrad}; }

@compute @workgroup_size(${p.threads})
fn small_mlp_step(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let run = wg.x;
  _ = &grads;
  // Rows lid, lid + ${p.threads}, …: forward, loss and every D of the row, with no barrier (a row needs only itself).
  var loss = 0.0;
  var correct = 0.0;
  var bad = 0.0;
  for (var b = lid; b < ${u(batch)}; b += ${T}) {${p.layers.map((_, l) => forwardRow(p, l, batch)).join('')}
    // loss (shaders/loss_rows.wgsl), writing D_L
    {
      let r = ${row};
      loss += r.loss;
      correct += r.correct;
      bad = max(bad, r.bad);
    }${backward.map((l) => deltaRow(p, l, batch)).join('')}
  }
  work[${partial(0)} + lid] = loss;
  work[${partial(1)} + lid] = correct;
  work[${partial(2)} + lid] = bad;
  storageBarrier();
  // Sums over the batch: every layer's gradients, and the metrics (the partials in order, by one invocation).${trained.map((l) => gradients(p, l, batch)).join('')}
  if (lid == 0u) {
    var total_loss = 0.0;
    var total_correct = 0.0;
    var any_bad = 0.0;
    for (var i = 0u; i < ${T}; i++) {
      total_loss += work[${partial(0)} + i];
      total_correct += work[${partial(1)} + i];
      any_bad = max(any_bad, work[${partial(2)} + i]);
    }
    write_loss_metrics(step_info.slot * ${u(p.runs)} + run, total_loss, total_correct, any_bad, ${u(batch)});
  }
}`;
}
/** The buffers the fused step reads and writes besides the network's params/grads. */
export interface SmallMlpBuffers {
  /** Gathered batch [R][B][in] and labels [R][B]. */
  input: GPUBuffer;
  labels: GPUBuffer;
  /** StepInfo uniform (metrics slot). */
  stepInfo: GPUBuffer;
  /** Last layer's output [R][B][out], written. */
  logits: GPUBuffer;
  /** Training metrics, [slots][R] METRIC_RECORD, written at the step's slot. */
  metrics: GPUBuffer;
}

/** Builds the fused training step of `model` (which must satisfy smallMlpFits): one dispatch, one workgroup per run. */
export function buildSmallMlpStep(ctx: BuildContext, buffers: SmallMlpBuffers): Dispatch {
  const { runs, batch, model, layout } = ctx;
  const p = plan(model, layout, runs, batch, smallMlpThreads(ctx.gpu.tuning, batch), ctx.gpu.tuning.smallMlpGradPairs);
  const work = ctx.alloc('small_mlp.work', p.work);
  return makeDispatch(
    ctx.gpu,
    { name: 'small_mlp_step', source: composeWgsl(STEP_INFO.wgsl, WGSL.activations, WGSL.lossRows, stepSource(p, batch, model.spec.loss)), entryPoint: 'small_mlp_step' },
    [buffers.stepInfo, ctx.params, buffers.input, buffers.labels, work, buffers.logits, ctx.grads, buffers.metrics],
    [runs],
  );
}
