/**
 * Small dense networks in one fused dispatch: one workgroup per run computes the whole forward
 * pass, layer after layer, the loss with its metrics, and the whole backward pass, with a storage
 * barrier between phases instead of a dispatch per matmul. For a network like 2-8-8-1 on batch 32
 * the general path spends its step on fixed per-dispatch costs (14 dispatches of a few hundred
 * multiply-adds each); here a step is gather, this kernel and the update: 3 dispatches.
 *
 * The math is the general path's (./layers/dense.ts and shaders/loss.wgsl), per run r, layer
 * l = 1..L, X₁ = input:
 *   forward    Z_l = X_l·W_l + b_l,  A_l = act_l(Z_l),  X_{l+1} = A_l,  logits = A_L
 *   loss       ℓ_b and D_L = ∂L/∂Z_L = ∂L/∂A_L ⊙ act'_L(Z_L) (the rows of shaders/loss_rows.wgsl)
 *   backward   ∂W_l = X_lᵀ·D_l,  ∂b_l = Σ_b D_l,  D_{l−1} = (D_l·W_lᵀ) ⊙ act'_{l−1}(Z_{l−1})
 * Every sum runs in index order from 0 (each output element is one invocation's dot product); the
 * metrics sum THREADS per-invocation partials in order (the loss kernel sums 64).
 *
 * The WGSL is generated per network: the sizes, offsets and activations are literals, so loops
 * have constant bounds and no branch depends on a layer's kind (SwiftShader executes both sides of
 * a branch). Where it applies: see `smallMlpFits`.
 */
import activationsWgsl from '../../shaders/activations.wgsl?raw';
import commonWgsl from '../../shaders/common.wgsl?raw';
import lossRowsWgsl from '../../shaders/loss_rows.wgsl?raw';
import { makeDispatch, type Dispatch } from '../gpu/commands';
import { composeWgsl } from '../gpu/pipelines';
import type { BuildContext } from './layer';
import type { ParamLayout } from './params';
import { ACTIVATION_CODE, LEAKY_SLOPE, type LossKind, type ResolvedModel } from './spec';

/** Largest layer width (inputs or units) and batch the fused kernels take. */
export const SMALL_MLP_MAX_WIDTH = 64;
export const SMALL_MLP_MAX_BATCH = 256;
/**
 * Largest multiply-adds of one run's forward pass (batch · Σ in·out). The fused kernels do two
 * loads per multiply-add where the tiled matmuls reuse each load many times, so they win only
 * where the per-dispatch cost dominates: in Node + SwiftShader at 64 runs, per run, 2-8-8-1 on
 * batch 32 (2,816) took 123 µs against 230 µs, 2-16-16-1 (9,728) 323 against 297 µs, and
 * 2-32-32-1 on batch 64 (71,680) 1.7 against 0.74 ms.
 */
export const SMALL_MLP_MAX_WORK = 8192;
/** Invocations per workgroup: on SwiftShader every barrier switches each group of 4, so few is faster here. */
const THREADS = 8;

/** Whether `model` at `batch` runs on the fused small-MLP kernels: dense layers only, all small. */
export function smallMlpFits(model: ResolvedModel, batch: number): boolean {
  if (batch > SMALL_MLP_MAX_BATCH) return false;
  if (!model.layers.every((layer) => layer.spec.kind === 'dense' && layer.weight !== undefined)) return false;
  if (!model.layers.every((layer) => layer.inShape.length === 1 && layer.outShape.length === 1)) return false;
  if (!model.layers.every((layer) => layer.inShape[0] <= SMALL_MLP_MAX_WIDTH && layer.outShape[0] <= SMALL_MLP_MAX_WIDTH)) return false;
  return batch * model.layers.reduce((macs, layer) => macs + layer.inShape[0] * layer.outShape[0], 0) <= SMALL_MLP_MAX_WORK;
}

interface LayerPlan {
  inSize: number;
  units: number;
  act: number;
  /** Offset of W (in×units) and of b in run 0, and the stride between runs, in floats. */
  weight: { offset: number; runStride: number; trainable: boolean };
  bias?: { offset: number; runStride: number; trainable: boolean };
  /** Offsets in the `work` scratch of Z, A (hidden layers; the last layer's A is `logits`) and D = ∂L/∂Z, each [R][B][units]. */
  z: number;
  a: number;
  d: number;
}

/** Per-layer sizes and offsets in `work`, the metric partials' offset and the total. */
function plan(model: ResolvedModel, layout: ParamLayout, runs: number, batch: number) {
  let work = 0;
  const take = (floats: number) => {
    const at = work;
    work += floats;
    return at;
  };
  const last = model.layers.length - 1;
  const layers: LayerPlan[] = model.layers.map((layer, l) => {
    const units = layer.outShape[0];
    const slot = (t: number) => ({ offset: layout.slots[t].offset, runStride: layout.slots[t].runStride, trainable: model.tensors[t].trainable });
    const region = runs * batch * units;
    return {
      inSize: layer.inShape[0], units, act: ACTIVATION_CODE[layer.activation],
      weight: slot(layer.weight!), bias: layer.bias !== undefined ? slot(layer.bias) : undefined,
      z: take(region), a: l < last ? take(region) : -1, d: take(region),
    };
  });
  // Each invocation's (loss, correct, non-finite) partial sums, [R][3][THREADS].
  const partials = take(runs * 3 * THREADS);
  // Backward stops at the first layer with a trainable tensor (as in the general path).
  const first = layers.findIndex((layer) => layer.weight.trainable || layer.bias?.trainable);
  return { layers, partials, work, first, runs };
}

const u = (n: number) => `${n}u`;
const f = (x: number) => (Number.isInteger(x) ? `${x}.0` : `${x}`);

/**
 * Visits an M×N grid, element (row, col) at invocation idx mod THREADS (idx = row·N + col): the
 * body sees `row` and `col`. One division per invocation, then carries (no division per element).
 * A storage barrier follows (the next phase reads what this one wrote).
 */
function grid(M: number, N: number, body: string): string {
  const rows = Math.floor(THREADS / N);
  const cols = THREADS % N;
  return `
  {
    var row = lid / ${u(N)};
    var col = lid % ${u(N)};
    for (var idx = lid; idx < ${u(M * N)}; idx += ${u(THREADS)}) {${body}
      col += ${u(cols)};
      row += ${u(rows)};
      if (col >= ${u(N)}) { col -= ${u(N)}; row += 1u; }
    }
  }
  storageBarrier();`;
}

/** Index of row `b` (a WGSL expression) of the current run in an [R][B][width] region starting at `offset`. */
const rowStart = (offset: number, batch: number, width: number, b: string) => `${u(offset)} + (run * ${u(batch)} + ${b}) * ${u(width)}`;

/** Layer l's input X_l: the gathered batch (`input`) for l = 0, else A_{l−1} in `work`. */
function inputOf(p: ReturnType<typeof plan>, l: number, batch: number): { buffer: string; row: (b: string) => string } {
  const width = p.layers[l].inSize;
  return l === 0
    ? { buffer: 'input', row: (b) => rowStart(0, batch, width, b) }
    : { buffer: 'work', row: (b) => rowStart(p.layers[l - 1].a, batch, width, b) };
}

/** Forward phases: Z_l = X_l·W_l + b_l into `work`, A_l = act_l(Z_l) into `work` (hidden) or `logits` (last). */
function forwardPhases(p: ReturnType<typeof plan>, batch: number): string[] {
  const last = p.layers.length - 1;
  return p.layers.map((layer, l) => {
    const x = inputOf(p, l, batch);
    const w = `${u(layer.weight.offset)} + run * ${u(layer.weight.runStride)}`;
    const bias = layer.bias ? ` + params[${u(layer.bias.offset)} + run * ${u(layer.bias.runStride)} + col]` : '';
    const a = l === last ? `logits[${rowStart(0, batch, layer.units, 'row')} + col]` : `work[${rowStart(layer.a, batch, layer.units, 'row')} + col]`;
    return `
  // layer ${l}: Z = X·W + b (${batch}×${layer.inSize} · ${layer.inSize}×${layer.units}), A = act(Z)` +
      grid(batch, layer.units, `
      let x0 = ${x.row('row')};
      let w0 = ${w} + col;
      var acc = 0.0;
      for (var k = 0u; k < ${u(layer.inSize)}; k++) { acc += ${x.buffer}[x0 + k] * params[w0 + k * ${u(layer.units)}]; }
      let z = acc${bias};
      work[${rowStart(layer.z, batch, layer.units, 'row')} + col] = z;
      ${a} = act_forward(${u(layer.act)}, z, ${f(LEAKY_SLOPE)});`);
  });
}

/**
 * Loss phase: invocation lid takes rows lid, lid + THREADS, …; each row's loss, metrics and
 * D_L = ∂L/∂A_L ⊙ act'_L(Z_L) come from shaders/loss_rows.wgsl (through loss_put_grad). The
 * partial sums go to `work`; invocation 0 writes the metrics record after the next barrier.
 */
function lossPhase(p: ReturnType<typeof plan>, batch: number, loss: LossKind): string {
  const outputs = p.layers[p.layers.length - 1].units;
  const row =
    loss === 'softmax_xent'
      ? `softmax_xent_row(run, b, ${u(outputs)}, 1.0 / f32(${u(batch)}))`
      : `mse_row(run, b, ${u(outputs)}, 1.0 / f32(${u(batch * outputs)}))`;
  const partial = (k: number) => `${u(p.partials)} + (run * 3u + ${u(k)}) * ${u(THREADS)}`;
  return `
  // loss: rows lid, lid + ${THREADS}, … (shaders/loss_rows.wgsl), partial sums per invocation
  {
    var loss = 0.0;
    var correct = 0.0;
    var bad = 0.0;
    for (var b = lid; b < ${u(batch)}; b += ${u(THREADS)}) {
      let r = ${row};
      loss += r.loss;
      correct += r.correct;
      bad = max(bad, r.bad);
    }
    work[${partial(0)} + lid] = loss;
    work[${partial(1)} + lid] = correct;
    work[${partial(2)} + lid] = bad;
  }
  storageBarrier();
  // metrics: the partials summed in order by one invocation
  if (lid == 0u) {
    var total_loss = 0.0;
    var total_correct = 0.0;
    var any_bad = 0.0;
    for (var i = 0u; i < ${u(THREADS)}; i++) {
      total_loss += work[${partial(0)} + i];
      total_correct += work[${partial(1)} + i];
      any_bad = max(any_bad, work[${partial(2)} + i]);
    }
    write_loss_metrics((step_info.slot * ${u(p.runs)} + run) * 4u, total_loss, total_correct, any_bad, ${u(batch)});
  }`;
}

/** Backward phases, last layer down to the first trainable one: ∂W_l, ∂b_l and D_{l−1}. */
function backwardPhases(p: ReturnType<typeof plan>, batch: number): string[] {
  const phases: string[] = [];
  for (let l = p.layers.length - 1; l >= p.first && p.first >= 0; l--) {
    const layer = p.layers[l];
    const D = (b: string) => rowStart(layer.d, batch, layer.units, b);
    const x = inputOf(p, l, batch);
    if (layer.weight.trainable) {
      // ∂W[k][n] = Σ_b X[b][k]·D[b][n]: grid rows k (inputs), cols n (units).
      phases.push(`
  // layer ${l}: dW = Xᵀ·D (${layer.inSize}×${layer.units}, summed over ${batch} rows)` +
        grid(layer.inSize, layer.units, `
      var acc = 0.0;
      for (var b = 0u; b < ${u(batch)}; b++) { acc += ${x.buffer}[${x.row('b')} + row] * work[${D('b')} + col]; }
      grads[${u(layer.weight.offset)} + run * ${u(layer.weight.runStride)} + row * ${u(layer.units)} + col] = acc;`));
    }
    if (layer.bias?.trainable) {
      phases.push(`
  // layer ${l}: db = Σ_b D[b]` +
        grid(1, layer.units, `
      var acc = 0.0;
      for (var b = 0u; b < ${u(batch)}; b++) { acc += work[${D('b')} + col]; }
      grads[${u(layer.bias.offset)} + run * ${u(layer.bias.runStride)} + col] = acc;`));
    }
    if (l > p.first) {
      const below = p.layers[l - 1];
      // D_{l−1}[b][k] = (Σ_n D[b][n]·W[k][n]) ⊙ act'_{l−1}(Z_{l−1}[b][k]).
      phases.push(`
  // layer ${l}: D_below = (D·Wᵀ) ⊙ act'(Z_below) (${batch}×${layer.inSize})` +
        grid(batch, layer.inSize, `
      let d0 = ${D('row')};
      let w0 = ${u(layer.weight.offset)} + run * ${u(layer.weight.runStride)} + col * ${u(layer.units)};
      var acc = 0.0;
      for (var n = 0u; n < ${u(layer.units)}; n++) { acc += work[d0 + n] * params[w0 + n]; }
      let at = (run * ${u(batch)} + row) * ${u(below.units)} + col;
      work[${u(below.d)} + at] = acc * act_grad(${u(below.act)}, work[${u(below.z)} + at], ${f(LEAKY_SLOPE)});`));
    }
  }
  return phases;
}

/** WGSL of the fused step (forward, loss, backward) for `p`; see the file comment. */
function stepSource(p: ReturnType<typeof plan>, batch: number, loss: LossKind): string {
  const lastLayer = p.layers[p.layers.length - 1];
  const outputs = lastLayer.units;
  const at = rowStart(0, batch, outputs, 'b') + ' + c';
  const actGrad = lastLayer.act === 0 ? '' : ` * act_grad(${u(lastLayer.act)}, work[${u(lastLayer.z)} + ${at}], ${f(LEAKY_SLOPE)})`;
  return `
@group(0) @binding(0) var<uniform> step_info: StepInfo;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> input: array<f32>;
@group(0) @binding(3) var<storage, read> labels: array<u32>;
@group(0) @binding(4) var<storage, read_write> work: array<f32>;
@group(0) @binding(5) var<storage, read_write> logits: array<f32>;
@group(0) @binding(6) var<storage, read_write> grads: array<f32>;
@group(0) @binding(7) var<storage, read_write> metrics: array<f32>;

// The data of shaders/loss_rows.wgsl: A_L (logits) and labels of this run; ∂L/∂A_L ⊙ act'_L(Z_L) → D_L.
fn loss_logit(run: u32, b: u32, c: u32) -> f32 { return logits[${at}]; }
fn loss_label(run: u32, b: u32) -> u32 { return labels[run * ${u(batch)} + b]; }
fn loss_put_grad(run: u32, b: u32, c: u32, g: f32) { work[${u(lastLayer.d)} + ${at}] = g${actGrad}; }

@compute @workgroup_size(${THREADS})
fn small_mlp_step(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let run = wg.x;
  _ = &grads;${forwardPhases(p, batch).join('\n')}
${lossPhase(p, batch, loss)}
${backwardPhases(p, batch).join('\n')}
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
  /** Training metrics [slots][R][4], written at the step's slot. */
  metrics: GPUBuffer;
}

/** Builds the fused training step of `model` (which must satisfy smallMlpFits): one dispatch, one workgroup per run. */
export function buildSmallMlpStep(ctx: BuildContext, buffers: SmallMlpBuffers): Dispatch {
  const { runs, batch, model, layout } = ctx;
  const p = plan(model, layout, runs, batch);
  const work = ctx.alloc('small_mlp.work', p.work);
  return makeDispatch(
    ctx.gpu,
    { name: 'small_mlp_step', source: composeWgsl(commonWgsl, activationsWgsl, lossRowsWgsl, stepSource(p, batch, model.spec.loss)), entryPoint: 'small_mlp_step' },
    [buffers.stepInfo, ctx.params, buffers.input, buffers.labels, work, buffers.logits, ctx.grads, buffers.metrics],
    [runs],
  );
}
