/**
 * A network of R stacked runs on the GPU: the buffers of parameters, gradients, activations and
 * their gradients, and the recorded dispatch lists of a training pass (forward → fused loss →
 * backward) and an evaluation pass. Batches come in through `input`/`labels` (see ./gather.ts);
 * the update (../optim) reads `grads` and writes `params`.
 */
import { createStorage, createUniform, upload } from '../gpu/buffers';
import { makeDispatch, type Dispatch } from '../gpu/commands';
import { checkBufferFits, type GpuContext } from '../gpu/device';
import type { WgslStruct } from '../gpu/layout';
import { layoutParams, type ParamLayout } from '../gpu/param-layout';
import { readF32 } from '../gpu/readback';
import { lossKernel } from './kernels';
import type { ActGrad, BuildContext, GpuLayer } from './layer';
import { LAYER_BUILDERS } from './layers';
import { activationBackwardInPlace } from './layers/shape';
import { LOSS_DIMS, METRIC_RECORD, STEP_INFO } from './layouts';
import { buildSmallMlpStep, smallMlpFits } from './small-mlp';
import { LEAKY_SLOPE, shapeSize, type ResolvedModel } from './spec';

export interface NetworkOptions {
  runs: number;
  batch: number;
  /** Steps of training metrics kept on the GPU between readbacks (ring of slots). */
  metricSlots?: number;
  /**
   * Small dense networks train on the fused kernels of ./small-mlp.ts (default: wherever
   * smallMlpFits says they apply); false keeps the general per-layer dispatches.
   */
  fusedSmallMlp?: boolean;
}

export class GpuNetwork {
  readonly runs: number;
  readonly batch: number;
  readonly layout: ParamLayout;
  readonly params: GPUBuffer;
  readonly grads: GPUBuffer;
  /** [R][B][inputSize] f32, written by the gather kernel. */
  readonly input: GPUBuffer;
  /** [R][B] u32 class labels. */
  readonly labels: GPUBuffer;
  /** STEP_INFO uniform (./layouts.ts), written once per step by the trainer. */
  readonly stepInfo: GPUBuffer;
  /** [metricSlots][R] METRIC_RECORD (./layouts.ts): training metrics. */
  readonly metrics: GPUBuffer;
  readonly metricSlots: number;
  readonly layers: GpuLayer[];
  /** Forward (train mode) + fused loss/gradient + backward. */
  readonly trainDispatches: Dispatch[];
  /** Whether the train pass runs on the fused small-MLP kernels. */
  readonly fusedSmallMlp: boolean;
  /** Output of the last layer, [R][B][outputSize]. */
  readonly logits: GPUBuffer;
  private readonly owned: GPUBuffer[] = [];
  private readonly ctx: BuildContext;

  constructor(
    readonly gpu: GpuContext,
    readonly model: ResolvedModel,
    options: NetworkOptions,
  ) {
    const { runs, batch } = options;
    if (!Number.isInteger(batch) || batch < 1) throw new Error(`batch size must be a positive integer, got ${batch}`);
    this.runs = runs;
    this.batch = batch;
    this.metricSlots = options.metricSlots ?? 64;
    this.layout = layoutParams(model.tensors, runs);
    checkBufferFits(gpu, this.layout.total * 4, `parameters of ${runs} runs`);
    const device = gpu.device;
    const alloc = (label: string, floats: number) => {
      checkBufferFits(gpu, floats * 4, label);
      const buffer = createStorage(device, label, Math.max(floats, 4) * 4);
      this.owned.push(buffer);
      return buffer;
    };
    const uniform = <F extends string>(label: string, struct: WgslStruct<F>, values: Readonly<Record<F, number>>) => {
      const buffer = createUniform(device, label, struct, values);
      this.owned.push(buffer);
      return buffer;
    };
    this.params = alloc('params', this.layout.total);
    this.grads = alloc('grads', this.layout.total);
    this.input = alloc('input', runs * batch * model.inputSize);
    this.labels = alloc('labels', runs * batch);
    this.metrics = alloc('metrics', this.metricSlots * runs * METRIC_RECORD.words);
    this.stepInfo = uniform('step', STEP_INFO, { step: 0, batchOffset: 0, slot: 0, valid: 0 });
    const dummy = alloc('dummy', 4);
    const dummyOut = alloc('dummyOut', 4);
    this.ctx = { gpu, runs, batch, model, layout: this.layout, params: this.params, grads: this.grads, dummy, dummyOut, alloc, uniform };

    this.layers = [];
    let current = this.input;
    for (const layer of model.layers) {
      const build = LAYER_BUILDERS[layer.spec.kind];
      if (!build) throw new Error(`layer kind ${layer.spec.kind} has no GPU implementation yet`);
      const built = build(this.ctx, layer, current);
      this.layers.push(built);
      current = built.output;
    }
    this.logits = current;
    this.fusedSmallMlp = (options.fusedSmallMlp ?? true) && smallMlpFits(model, batch);
    this.trainDispatches = this.fusedSmallMlp
      ? this.buildSmallMlpPass()
      : [...this.layers.flatMap((layer) => layer.forwardTrain), ...this.buildLossAndBackward()];
  }

  /** Forward, loss and backward in one fused dispatch (./small-mlp.ts). */
  private buildSmallMlpPass(): Dispatch[] {
    const { input, labels, stepInfo, logits, metrics } = this;
    return [buildSmallMlpStep(this.ctx, { input, labels, stepInfo, logits, metrics })];
  }

  /** Fused loss (train mode, writing dLogits) followed by the backward pass of every layer. */
  private buildLossAndBackward(): Dispatch[] {
    const { runs, batch, model } = this;
    const last = this.layers[this.layers.length - 1];
    const dLogits = this.ctx.alloc('dLogits', runs * batch * model.outputSize);
    const dispatches = [this.lossDispatch(this.metrics, dLogits, last.fusedActivation)];
    let dOut = dLogits;
    let producerFused = last.fusedActivation !== null;
    // Backward stops at the first layer with a trainable tensor: the gradient w.r.t. its input has no
    // consumer. (Before, a leading flatten/activation or frozen layer made the first weight layer
    // compute an unused dX, e.g. dZ·Wᵀ of 784×128 per sample in an MNIST MLP: a third of the step.)
    const first = this.layers.findIndex((layer) =>
      [layer.resolved.weight, layer.resolved.bias, layer.resolved.gamma, layer.resolved.beta].some(
        (t) => t !== undefined && model.tensors[t].trainable,
      ),
    );
    for (let i = this.layers.length - 1; first >= 0 && i >= first; i--) {
      const layer = this.layers[i];
      const outCount = runs * batch * shapeSize(layer.resolved.outShape);
      if (layer.fusedActivation && !producerFused) {
        dispatches.push(activationBackwardInPlace(this.ctx, layer.fusedActivation.activation, layer.fusedActivation.preact, dOut, outCount));
      }
      const previous = i > first ? this.layers[i - 1] : null;
      let dIn: GPUBuffer | null = null;
      if (previous) dIn = layer.passthroughGrad ? dOut : this.ctx.alloc(`grad.in${i}`, runs * batch * shapeSize(layer.resolved.inShape));
      const dInAct: ActGrad | null =
        previous && layer.canFuseInputGrad && !layer.passthroughGrad ? previous.fusedActivation : null;
      dispatches.push(...layer.backward(dOut, dIn, dInAct));
      producerFused = dInAct !== null;
      if (dIn) dOut = dIn;
    }
    return dispatches;
  }

  /** The loss kernel over the current logits, writing metrics records (and dLogits if given). */
  lossDispatch(metrics: GPUBuffer, dLogits: GPUBuffer | null, lastAct: ActGrad | null): Dispatch {
    const { runs, batch, model } = this;
    const dims = this.ctx.uniform('loss', LOSS_DIMS, { batch, classes: model.outputSize, runs, actSlope: LEAKY_SLOPE, zRun: batch * model.outputSize });
    const activation = dLogits ? (lastAct?.activation ?? 'none') : 'none';
    return makeDispatch(
      this.gpu,
      lossKernel(model.spec.loss, dLogits !== null, activation),
      [dims, this.stepInfo, this.logits, this.labels, dLogits ?? this.ctx.dummyOut, metrics, lastAct?.preact ?? this.ctx.dummy],
      [runs],
    );
  }

  /** Forward in eval mode (BatchNorm uses running statistics) + loss metrics into `metrics`, no gradients. */
  evalDispatches(metrics: GPUBuffer): Dispatch[] {
    return [...this.layers.flatMap((layer) => layer.forwardEval), this.lossDispatch(metrics, null, null)];
  }

  /** Allocates a storage buffer owned (and destroyed) by this network. */
  allocate(label: string, floats: number): GPUBuffer {
    return this.ctx.alloc(label, floats);
  }

  /** A uniform buffer holding one `struct` record, owned by this network. */
  createUniform<F extends string>(label: string, struct: WgslStruct<F>, values: Readonly<Record<F, number>>): GPUBuffer {
    return this.ctx.uniform(label, struct, values);
  }

  /** Writes stacked parameters (layout order) and resets layer state (BatchNorm running stats). */
  setParams(values: Float32Array): void {
    if (values.length !== this.layout.total) throw new Error(`params has ${values.length} floats, layout needs ${this.layout.total}`);
    upload(this.gpu.device, this.params, values);
    this.resetState();
  }

  /** Resets non-parameter layer state to its initial value. */
  resetState(): void {
    for (const layer of this.layers) for (const state of layer.state ?? []) upload(this.gpu.device, state.buffer, state.initial);
  }

  /** Writes the STEP_INFO uniform: step, batch offset, metrics slot, valid rows (0 = all). */
  writeStepInfo(step: number, batchOffset: number, slot: number, valid = 0): void {
    upload(this.gpu.device, this.stepInfo, STEP_INFO.pack({ step, batchOffset, slot, valid }));
  }

  /** Reads the stacked parameters back (tests, checkpoints). */
  readParams(): Promise<Float32Array> {
    return readF32(this.gpu.device, this.params, this.layout.total);
  }

  /** Everything training changes on this network: the parameters, then each layer's state (BatchNorm running statistics), in layer order. */
  async readState(): Promise<Float32Array[]> {
    const states = this.layers.flatMap((layer) => layer.state ?? []);
    return [await this.readParams(), ...(await Promise.all(states.map((state) => readF32(this.gpu.device, state.buffer, state.initial.length))))];
  }

  /** Writes what readState read (a checkpoint of the same model and runs). */
  writeState(values: readonly Float32Array[]): void {
    const states = this.layers.flatMap((layer) => layer.state ?? []);
    if (values.length !== states.length + 1) throw new Error(`network state: ${values.length} arrays for ${states.length + 1} (parameters and ${states.length} layer states)`);
    const [params, ...rest] = values;
    if (params.length !== this.layout.total) throw new Error(`network state: ${params.length} parameters, the layout has ${this.layout.total}`);
    upload(this.gpu.device, this.params, params);
    states.forEach((state, k) => {
      if (rest[k].length !== state.initial.length) throw new Error(`network state: layer state ${k} has ${rest[k].length} floats, needs ${state.initial.length}`);
      upload(this.gpu.device, state.buffer, rest[k]);
    });
  }

  /** Reads the stacked gradients of the last pass back (tests). */
  readGrads(): Promise<Float32Array> {
    return readF32(this.gpu.device, this.grads, this.layout.total);
  }

  /** Destroys every buffer this network created. */
  destroy(): void {
    for (const buffer of this.owned) buffer.destroy();
    this.owned.length = 0;
  }
}
