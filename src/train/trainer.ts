/**
 * Lockstep training of R stacked runs: per step ONE command encoder and ONE submit holding
 * gather → forward → fused loss → backward → fused update. Metrics stay on the GPU in a ring
 * of slots and come back with one asynchronous map every `readEvery` steps; nothing waits on it.
 */
import { epochPermutation, stepsPerEpoch } from '../data/batches';
import type { Dataset } from '../data/types';
import { encodeDispatches, type Dispatch, type StepHook } from '../gpu/commands';
import type { GpuContext } from '../gpu/device';
import { AsyncReadback, handled } from '../gpu/readback';
import { createOrderBuffer, gatherDispatch, uploadDataset, writeOrders, type GpuSplit } from '../nn/gather';
import { METRIC_RECORD } from '../nn/layouts';
import { GpuNetwork } from '../nn/network';
import { initParams } from '../nn/params';
import type { ResolvedModel } from '../nn/spec';
import { FusedUpdate, sgdRuns, type RunUpdateConfig } from '../optim/update';
import { asRun, asStep, nextStep, type RunIndex, type Step } from '../util/ids';

export interface TrainerOptions {
  batch: number;
  seed: number;
  /** Replicate id of each run (runs sharing one share init and data order). Length = number of runs. */
  replicates: number[];
  /** Steps between metric readbacks (the GPU keeps that many slots). */
  readEvery?: number;
  /** Optimizer, LRD and LEAP of each run (default: plain SGD for every run). */
  updates?: RunUpdateConfig[];
}

/** One run's training metrics at one step (mean over the minibatch). */
export interface StepMetrics {
  step: Step;
  run: RunIndex;
  loss: number;
  accuracy: number;
  nonFinite: boolean;
}

/** One run's evaluation on the whole test split. */
export interface EvalMetrics {
  run: RunIndex;
  loss: number;
  accuracy: number;
  nonFinite: boolean;
}

/** A trainer's state between two steps (see Trainer.saveState). */
export interface TrainerState {
  step: number;
  /** The parameters, then each layer's state (GpuNetwork.readState). */
  network: Float32Array[];
  optimizer: { first: Float32Array; second: Float32Array };
}

export class Trainer {
  readonly network: GpuNetwork;
  readonly runs: number;
  readonly stepsPerEpoch: number;
  /** Steps taken so far. */
  /** Steps taken (src/util/ids.ts: the last step's number). */
  step = asStep(0);
  readonly update: FusedUpdate;
  private readonly splits: { train: GpuSplit; test: GpuSplit };
  private readonly trainOrder: GPUBuffer;
  private readonly trainGather: Dispatch;
  private readonly readback: AsyncReadback;
  private readonly readEvery: number;
  private unread = 0;
  private readonly inFlight: Promise<void>[] = [];
  private listeners: Array<(metrics: StepMetrics[]) => void> = [];
  private readonly stepHooks: StepHook[] = [];
  private evalState?: { gather: Dispatch; dispatches: Dispatch[]; metrics: GPUBuffer; batches: number };

  constructor(
    readonly gpu: GpuContext,
    readonly model: ResolvedModel,
    readonly dataset: Dataset,
    readonly options: TrainerOptions,
  ) {
    this.runs = options.replicates.length;
    this.readEvery = options.readEvery ?? 16;
    this.network = new GpuNetwork(gpu, model, { runs: this.runs, batch: options.batch, metricSlots: this.readEvery });
    this.stepsPerEpoch = stepsPerEpoch(dataset.train.count, options.batch);
    if (this.stepsPerEpoch < 1) throw new Error(`batch size ${options.batch} is larger than the training set (${dataset.train.count} rows)`);
    this.splits = uploadDataset(gpu, dataset);
    this.trainOrder = createOrderBuffer(this.network, dataset.train.count, this.runs);
    this.trainGather = gatherDispatch(this.network, this.splits.train, this.trainOrder, dataset.train.count);
    this.update = new FusedUpdate(
      { gpu, layout: this.network.layout, tensors: model.tensors, params: this.network.params, grads: this.network.grads },
      options.updates ?? sgdRuns(this.runs, options.seed),
    );
    this.readback = new AsyncReadback(gpu.device, this.readEvery * this.runs * METRIC_RECORD.byteSize, 'metrics');
    this.reset();
  }

  /** Dispatches and submits of one training step (for the benchmark report). */
  get dispatchesPerStep(): number {
    return this.network.trainDispatches.length + 1 + this.update.dispatches.length;
  }

  /** The compute dispatches of one training step, in order (the benchmark's profiling mode submits them one by one). */
  stepDispatches(): Dispatch[] {
    return [this.trainGather, ...this.network.trainDispatches, ...this.update.dispatches];
  }

  /** Subscribes to training metrics as they come back from the GPU. */
  onMetrics(listener: (metrics: StepMetrics[]) => void): () => void {
    this.listeners.push(listener);
    return () => (this.listeners = this.listeners.filter((l) => l !== listener));
  }

  /** Back to step 0 with the initial parameters of every run (same seed → same init). */
  reset(): void {
    this.step = asStep(0);
    this.unread = 0;
    this.network.setParams(initParams(this.model, this.network.layout, this.options.seed, this.options.replicates));
    this.update.resetState();
  }

  /**
   * Encodes and submits one training step with learning rate `rates[run]` for each run; the
   * optional scales multiply θ and the optimizer state at the end of the step (exp-LR renormalization).
   */
  trainStep(rates: ArrayLike<number>, thetaScale?: ArrayLike<number>, stateScale?: ArrayLike<number>): void {
    const { network, stepsPerEpoch: perEpoch } = this;
    const batchIndex = this.step % perEpoch;
    if (batchIndex === 0) this.writeEpochOrders(Math.floor(this.step / perEpoch));
    this.step = nextStep(this.step);
    const slot = this.unread;
    network.writeStepInfo(this.step, batchIndex * network.batch, slot);
    this.update.prepare(this.step, rates, thetaScale, stateScale);
    const encoder = this.gpu.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    encodeDispatches(pass, this.stepDispatches());
    const hooks = this.stepHooks.map((hook) => hook(pass, this.step));
    pass.end();
    for (const hook of hooks) hook?.afterPass?.(encoder);
    this.unread++;
    // Read back at every multiple of readEvery (not every readEvery steps): after an early flush the
    // blocks stay aligned with the step count, so a runner's per-block decisions stay deterministic.
    const start = this.step % this.readEvery === 0 ? this.recordMetrics(encoder) : null;
    this.gpu.device.queue.submit([encoder.finish()]);
    if (start) this.inFlight.push(handled(start()));
    for (const hook of hooks) hook?.afterSubmit?.();
  }

  /**
   * Adds work to every step after the update, in the same pass and submit (e.g. AutoDrop's running
   * parameter sums and its window reductions); see StepHook.
   */
  addStepHook(hook: StepHook): void {
    this.stepHooks.push(hook);
  }

  /** Waits until at most `maxInFlight` metric readbacks are pending (their listeners have run). */
  async settle(maxInFlight = 0): Promise<void> {
    while (this.inFlight.length > maxInFlight) await this.inFlight.shift();
  }

  /** Reads back metrics of steps not yet read and waits for every readback in flight. */
  async flush(): Promise<void> {
    if (this.unread > 0) {
      const encoder = this.gpu.device.createCommandEncoder();
      const start = this.recordMetrics(encoder);
      this.gpu.device.queue.submit([encoder.finish()]);
      this.inFlight.push(handled(start()));
    }
    while (this.inFlight.length) await this.inFlight.shift();
  }

  private recordMetrics(encoder: GPUCommandEncoder): () => Promise<void> {
    const count = this.unread;
    const lastStep = this.step;
    this.unread = 0;
    const start = this.readback.record(encoder, this.network.metrics);
    return async () => {
      const values = await start();
      const records: StepMetrics[] = [];
      for (let slot = 0; slot < count; slot++) {
        for (let run = 0; run < this.runs; run++) {
          const record = METRIC_RECORD.read(values, slot * this.runs + run);
          records.push({
            step: asStep(lastStep - count + slot + 1),
            run: asRun(run),
            loss: record.loss,
            accuracy: record.correct / record.rows,
            nonFinite: record.nonFinite !== 0,
          });
        }
      }
      for (const listener of this.listeners) listener(records);
    };
  }

  private writeEpochOrders(epoch: number): void {
    const { seed, replicates } = this.options;
    const byReplicate = new Map<number, Uint32Array>();
    const orders = replicates.map((replicate) => {
      let order = byReplicate.get(replicate);
      if (!order) {
        order = epochPermutation(this.dataset.train.count, seed, replicate, epoch);
        byReplicate.set(replicate, order);
      }
      return order;
    });
    writeOrders(this.gpu, this.trainOrder, orders);
  }

  /** Loss and accuracy of every run on the whole test split (BatchNorm in eval mode). */
  async evaluate(): Promise<EvalMetrics[]> {
    const { network, runs } = this;
    const batch = network.batch;
    if (!this.evalState) {
      const count = this.splits.test.count;
      const batches = Math.ceil(count / batch);
      const order = network.allocate('eval.order', batches * batch);
      writeOrders(this.gpu, order, [Uint32Array.from({ length: batches * batch }, (_, i) => (i < count ? i : 0))]);
      const metrics = network.allocate('eval.metrics', batches * runs * METRIC_RECORD.words);
      this.evalState = {
        gather: gatherDispatch(network, this.splits.test, order, 0),
        dispatches: network.evalDispatches(metrics),
        metrics,
        batches,
      };
    }
    const { gather, dispatches, metrics, batches } = this.evalState;
    const count = this.splits.test.count;
    for (let k = 0; k < batches; k++) {
      network.writeStepInfo(this.step, k * batch, k, Math.min(batch, count - k * batch));
      const encoder = this.gpu.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      encodeDispatches(pass, [gather, ...dispatches]);
      pass.end();
      this.gpu.device.queue.submit([encoder.finish()]);
    }
    const readback = new AsyncReadback(this.gpu.device, batches * runs * METRIC_RECORD.byteSize, 'eval');
    const encoder = this.gpu.device.createCommandEncoder();
    const start = readback.record(encoder, metrics);
    this.gpu.device.queue.submit([encoder.finish()]);
    const values = await start();
    readback.destroy();
    return Array.from({ length: runs }, (_, run) => {
      let loss = 0;
      let correct = 0;
      let rows = 0;
      let nonFinite = false;
      for (let k = 0; k < batches; k++) {
        const record = METRIC_RECORD.read(values, k * runs + run);
        loss += record.loss * record.rows;
        correct += record.correct;
        rows += record.rows;
        nonFinite ||= record.nonFinite !== 0;
      }
      return { run: asRun(run), loss: loss / rows, accuracy: correct / rows, nonFinite };
    });
  }

  /**
   * What a checkpoint needs of this trainer (./../experiment/checkpoint.ts): the step, the network's
   * parameters and layer state, the optimizer state. Reads back every step's metrics first.
   */
  async saveState(): Promise<TrainerState> {
    await this.flush();
    return { step: this.step, network: await this.network.readState(), optimizer: await this.update.readState() };
  }

  /** Continues from a saved state: the same step, weights, optimizer state and data position as when it was saved. */
  loadState(state: TrainerState): void {
    if (!(Number.isInteger(state.step) && state.step >= 0)) throw new Error(`trainer state: step ${state.step} is not a step count`);
    this.network.writeState(state.network);
    this.update.writeState(state.optimizer);
    this.step = asStep(state.step);
    this.unread = 0;
    // Mid-epoch: this epoch's order (trainStep writes it only at an epoch's first step).
    if (this.step % this.stepsPerEpoch !== 0) this.writeEpochOrders(Math.floor(this.step / this.stepsPerEpoch));
  }

  /** Frees the GPU buffers of this trainer. */
  destroy(): void {
    this.update.destroy();
    this.readback.destroy();
    this.splits.train.destroy();
    this.splits.test.destroy();
    this.network.destroy();
  }
}
