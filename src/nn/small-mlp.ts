/**
 * Small dense networks in two fused dispatches: one workgroup per run computes the whole forward
 * pass, layer after layer, and (after the loss kernel) the whole backward pass, with a storage
 * barrier between layers instead of a dispatch per matmul. For a network like 2-8-8-1 on batch 32
 * the general path spends its step on fixed per-dispatch costs (14 dispatches of a few hundred
 * multiply-adds each); here a step is gather, forward, loss, backward and update: 5 dispatches.
 *
 * The math is the general path's (./layers/dense.ts), per run r, layer l = 1..L, X₁ = input:
 *   forward    Z_l = X_l·W_l + b_l,  A_l = act_l(Z_l),  X_{l+1} = A_l
 *   loss       D_L = ∂L/∂Z_L (the loss kernel, act'_L fused, written to dLogits)
 *   backward   ∂W_l = X_lᵀ·D_l,  ∂b_l = Σ_b D_l,  D_{l−1} = (D_l·W_lᵀ) ⊙ act'_{l−1}(Z_{l−1})
 * Every sum runs in index order from 0 (each output element is one invocation's dot product).
 *
 * The WGSL is generated per network: the sizes, offsets and activations are literals, so loops
 * have constant bounds and no branch depends on a layer's kind (SwiftShader executes both sides of
 * a branch). Where it applies: see `smallMlpFits`.
 */
import activationsWgsl from '../../shaders/activations.wgsl?raw';
import { makeDispatch, type Dispatch } from '../gpu/commands';
import { composeWgsl } from '../gpu/pipelines';
import type { BuildContext } from './layer';
import type { ParamLayout } from './params';
import { ACTIVATION_CODE, LEAKY_SLOPE, type ResolvedModel } from './spec';

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
  /** Hidden layers: offsets of Z and A in the `acts` scratch ([R][B][units] each). */
  z: number;
  a: number;
  /** Offset of D (∂L/∂Z) in the `deltas` scratch, for layers below the last. */
  d: number;
}

/** Per-layer sizes and offsets; `acts`/`deltas` floats per run-major region. */
function plan(model: ResolvedModel, layout: ParamLayout, runs: number, batch: number) {
  let acts = 0;
  let deltas = 0;
  const last = model.layers.length - 1;
  const layers: LayerPlan[] = model.layers.map((layer, l) => {
    const units = layer.outShape[0];
    const slot = (t: number) => ({ offset: layout.slots[t].offset, runStride: layout.slots[t].runStride, trainable: model.tensors[t].trainable });
    const region = l < last ? runs * batch * units : 0;
    const entry: LayerPlan = {
      inSize: layer.inShape[0], units, act: ACTIVATION_CODE[layer.activation],
      weight: slot(layer.weight!), bias: layer.bias !== undefined ? slot(layer.bias) : undefined,
      z: acts, a: acts + region, d: deltas,
    };
    acts += 2 * region;
    deltas += region;
    return entry;
  });
  // Backward stops at the first layer with a trainable tensor (as in the general path).
  const first = layers.findIndex((layer) => layer.weight.trainable || layer.bias?.trainable);
  return { layers, acts, deltas, first };
}

const u = (n: number) => `${n}u`;
const f = (x: number) => (Number.isInteger(x) ? `${x}.0` : `${x}`);

/**
 * Visits an M×N grid, element (row, col) at invocation idx mod 64 (idx = row·N + col): the body
 * sees `row` and `col`. One division per invocation, then carries (no division per element).
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

/** Where layer l's input row b starts: the gathered batch for l = 0, else A_{l−1}. */
function inputAt(layers: LayerPlan[], l: number, batch: number): { buffer: string; base: string } {
  if (l === 0) return { buffer: 'input', base: `(run * ${u(batch)} + row) * ${u(layers[0].inSize)}` };
  const prev = layers[l - 1];
  return { buffer: 'acts', base: `${u(prev.a)} + (run * ${u(batch)} + row) * ${u(prev.units)}` };
}

/** WGSL of the fused forward pass (bindings: params, input, acts, logits, preact). */
function forwardSource(p: ReturnType<typeof plan>, batch: number): string {
  const last = p.layers.length - 1;
  const phases = p.layers.map((layer, l) => {
    const x = inputAt(p.layers, l, batch);
    const w = `${u(layer.weight.offset)} + run * ${u(layer.weight.runStride)}`;
    const bias = layer.bias ? ` + params[${u(layer.bias.offset)} + run * ${u(layer.bias.runStride)} + col]` : '';
    const out = l === last ? `(run * ${u(batch)} + row) * ${u(layer.units)} + col` : null;
    const stores =
      l === last
        ? `${layer.act === 0 ? '' : `
      preact_out[${out}] = z;`}
      logits[${out}] = act_forward(${u(layer.act)}, z, ${f(LEAKY_SLOPE)});`
        : `
      let at = (run * ${u(batch)} + row) * ${u(layer.units)} + col;
      acts[${u(layer.z)} + at] = z;
      acts[${u(layer.a)} + at] = act_forward(${u(layer.act)}, z, ${f(LEAKY_SLOPE)});`;
    return `
  // layer ${l}: Z = X·W + b (${batch}×${layer.inSize} · ${layer.inSize}×${layer.units}), A = act(Z)` +
      grid(batch, layer.units, `
      let x0 = ${x.base};
      let w0 = ${w} + col;
      var acc = 0.0;
      for (var k = 0u; k < ${u(layer.inSize)}; k++) { acc += ${x.buffer}[x0 + k] * params[w0 + k * ${u(layer.units)}]; }
      let z = acc${bias};${stores}`);
  });
  return `
@group(0) @binding(0) var<storage, read> params: array<f32>;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> acts: array<f32>;
@group(0) @binding(3) var<storage, read_write> logits: array<f32>;
@group(0) @binding(4) var<storage, read_write> preact_out: array<f32>;

@compute @workgroup_size(${THREADS})
fn small_mlp_forward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let run = wg.x;
  _ = &preact_out;
  _ = &acts;${phases.join('\n')}
}`;
}

/** WGSL of the fused backward pass (bindings: params, input, acts, dLogits, grads, deltas). */
function backwardSource(p: ReturnType<typeof plan>, batch: number): string {
  const last = p.layers.length - 1;
  const delta = (l: number) =>
    l === last
      ? { buffer: 'dlogits', base: (b: string) => `(run * ${u(batch)} + ${b}) * ${u(p.layers[l].units)}` }
      : { buffer: 'deltas', base: (b: string) => `${u(p.layers[l].d)} + (run * ${u(batch)} + ${b}) * ${u(p.layers[l].units)}` };
  const phases: string[] = [];
  for (let l = last; l >= p.first && p.first >= 0; l--) {
    const layer = p.layers[l];
    const D = delta(l);
    const x = l === 0 ? { buffer: 'input', base: (b: string) => `(run * ${u(batch)} + ${b}) * ${u(layer.inSize)}` } : { buffer: 'acts', base: (b: string) => `${u(p.layers[l - 1].a)} + (run * ${u(batch)} + ${b}) * ${u(layer.inSize)}` };
    if (layer.weight.trainable) {
      // ∂W[k][n] = Σ_b X[b][k]·D[b][n]: grid rows k (inputs), cols n (units).
      phases.push(`
  // layer ${l}: dW = Xᵀ·D (${layer.inSize}×${layer.units}, summed over ${batch} rows)` +
        grid(layer.inSize, layer.units, `
      var acc = 0.0;
      for (var b = 0u; b < ${u(batch)}; b++) { acc += ${x.buffer}[${x.base('b')} + row] * ${D.buffer}[${D.base('b')} + col]; }
      grads[${u(layer.weight.offset)} + run * ${u(layer.weight.runStride)} + row * ${u(layer.units)} + col] = acc;`));
    }
    if (layer.bias?.trainable) {
      phases.push(`
  // layer ${l}: db = Σ_b D[b]` +
        grid(1, layer.units, `
      var acc = 0.0;
      for (var b = 0u; b < ${u(batch)}; b++) { acc += ${D.buffer}[${D.base('b')} + col]; }
      grads[${u(layer.bias.offset)} + run * ${u(layer.bias.runStride)} + col] = acc;`));
    }
    if (l > p.first) {
      const below = p.layers[l - 1];
      // D_{l−1}[b][k] = (Σ_n D[b][n]·W[k][n]) ⊙ act'_{l−1}(Z_{l−1}[b][k]).
      phases.push(`
  // layer ${l}: D_below = (D·Wᵀ) ⊙ act'(Z_below) (${batch}×${layer.inSize})` +
        grid(batch, layer.inSize, `
      let d0 = ${D.base('row')};
      let w0 = ${u(layer.weight.offset)} + run * ${u(layer.weight.runStride)} + col * ${u(layer.units)};
      var acc = 0.0;
      for (var n = 0u; n < ${u(layer.units)}; n++) { acc += ${D.buffer}[d0 + n] * params[w0 + n]; }
      let at = (run * ${u(batch)} + row) * ${u(below.units)} + col;
      deltas[${u(below.d)} + at] = acc * act_grad(${u(below.act)}, acts[${u(below.z)} + at], ${f(LEAKY_SLOPE)});`));
    }
  }
  return `
@group(0) @binding(0) var<storage, read> params: array<f32>;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> acts: array<f32>;
@group(0) @binding(3) var<storage, read> dlogits: array<f32>;
@group(0) @binding(4) var<storage, read_write> grads: array<f32>;
@group(0) @binding(5) var<storage, read_write> deltas: array<f32>;

@compute @workgroup_size(${THREADS})
fn small_mlp_backward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let run = wg.x;
  _ = &params;
  _ = &input;
  _ = &acts;
  _ = &dlogits;
  _ = &grads;
  _ = &deltas;${phases.join('\n')}
}`;
}

/** The fused forward and backward dispatches of a small MLP (the loss kernel goes between them). */
export interface SmallMlp {
  forward: Dispatch;
  backward: Dispatch;
}

/**
 * Builds the two dispatches for `model` (which must satisfy smallMlpFits). `logits`/`preact` are
 * the last layer's output and pre-activation, the buffers the loss kernel reads; `dLogits` is what
 * it writes (∂L/∂Z of the last layer).
 */
export function buildSmallMlp(ctx: BuildContext, input: GPUBuffer, logits: GPUBuffer, preact: GPUBuffer, dLogits: GPUBuffer): SmallMlp {
  const { runs, batch, model, layout } = ctx;
  const p = plan(model, layout, runs, batch);
  const acts = ctx.alloc('small_mlp.acts', Math.max(p.acts, 4));
  const deltas = ctx.alloc('small_mlp.deltas', Math.max(p.deltas, 4));
  const source = (body: string) => composeWgsl(activationsWgsl, body);
  const forward = makeDispatch(
    ctx.gpu,
    { name: 'small_mlp_forward', source: source(forwardSource(p, batch)), entryPoint: 'small_mlp_forward' },
    [ctx.params, input, acts, logits, preact],
    [runs],
  );
  const backward = makeDispatch(
    ctx.gpu,
    { name: 'small_mlp_backward', source: source(backwardSource(p, batch)), entryPoint: 'small_mlp_backward' },
    [ctx.params, input, acts, dLogits, ctx.grads, deltas],
    [runs],
  );
  return { forward, backward };
}
