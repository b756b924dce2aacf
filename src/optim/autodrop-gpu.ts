/**
 * AutoDrop's GPU part (shaders/angle.wgsl): per run, the window means of the parameter vector and
 * the three dot products of consecutive displacements, (sᵢᵀsᵢ₋₁, ‖sᵢ‖², ‖sᵢ₋₁‖²), so that only
 * 4 floats per run come back to the CPU (./autodrop.ts decides). Extra memory: sum, y_prev and
 * s_prev stacked like the parameters (3 × params) plus one vec4 partial per 64-float chunk.
 *
 * Every run has its own window length k_r (0 = AutoDrop off: that run's elements are skipped, so
 * runs without AutoDrop cost nothing but the early exit). Run r's windows end at steps
 * origin_r + k_r, origin_r + 2k_r, … (origin 0 unless setWindow moved it), counting steps as the
 * trainer does (1-based: `step` is the step whose update just ran).
 *
 * Per step, after the fused update and in the same pass: `accumulateDispatch`; at steps where some
 * run's window ends, `prepareWindow(step)` (writes the per-run "ends now" flags with
 * queue.writeBuffer, so at most one window-ending step per submit) and then `windowDispatches`.
 * `encode(pass, step)` does all of this; `stepHook(listener)` adds the readback for a Trainer.
 * `dots` row r = (sᵀs_prev, ‖s‖², ‖s_prev‖², windows done); rows of runs whose window did not end
 * keep their last value. A row is a valid ω input once windows done ≥ 3 (y₀, y₁, y₂ exist).
 */
import angleWgsl from '../../shaders/angle.wgsl?raw';
import { createStorage, createUniform, upload } from '../gpu/buffers';
import { encodeDispatches, makeDispatch, wrappedGroups, type Dispatch, type StepHook } from '../gpu/commands';
import { checkBufferFits, type GpuContext } from '../gpu/device';
import { WgslStruct, type FieldOf, type StructArray } from '../gpu/layout';
import { CHUNK, SEGMENT_ALIGN, type ParamLayout, type StackedTensor } from '../gpu/param-layout';
import { composeWgsl } from '../gpu/pipelines';
import { AsyncReadback, handled, readF32 } from '../gpu/readback';
import { MAX_WINDOW, type WindowDots } from './autodrop';

/** The angle kernels' uniform: listed chunks (those of runs with AutoDrop on), runs, partial slots per run. */
export const ANGLE_DIMS = new WgslStruct('AngleDims', { chunks: 'u32', runs: 'u32', chunksPerRun: 'u32' });
/** Per tensor: slab offset, stride between runs, elements, trainable (0/1), its first partial slot within a run. */
export const ANGLE_TENSOR = new WgslStruct('AngleTensor', { offset: 'u32', runStride: 'u32', size: 'u32', trainable: 'u32', chunkBase: 'u32' });
/** Per run: window length k (0 = AutoDrop off for this run), whether a window ends at this step (0/1). */
export const RUN_WINDOW = new WgslStruct('RunWindow', { length: 'u32', endsNow: 'u32' });
/** Per run, the `dots` record: sᵀs_prev, ‖s‖², ‖s_prev‖², windows done. */
export const ANGLE_DOTS = new WgslStruct('AngleDots', { dot: 'f32', normSq: 'f32', prevNormSq: 'f32', windows: 'f32' });
/** Floats per run in `dots` (one ANGLE_DOTS record). */
export const DOT_FIELDS = ANGLE_DOTS.words;
/** Invocations per workgroup of the angle passes: one chunk (accumulate, window) or one run (reduce) each. */
const ANGLE_WORKGROUP = 64;
/** shaders/angle.wgsl with the declarations of the layouts above, ANGLE_WORKGROUP and the chunk table's constants. */
const ANGLE_WGSL = composeWgsl(
  CHUNK.wgsl, ANGLE_DIMS.wgsl, ANGLE_TENSOR.wgsl, RUN_WINDOW.wgsl, ANGLE_DOTS.wgsl, `const ANGLE_WORKGROUP: u32 = ${ANGLE_WORKGROUP}u;`, angleWgsl,
);
/** Windows a run needs before its dots define an angle (y₀, y₁, y₂). */
export const WINDOWS_BEFORE_ANGLE = 3;

/** What the angle path reads: the stacked layout, its tensors (trainable flags) and the parameter buffer. */
export interface AngleTarget {
  gpu: GpuContext;
  layout: ParamLayout;
  tensors: readonly StackedTensor[];
  params: GPUBuffer;
}

/** One run's row of a `dots` readback. */
export interface RunDots {
  /** Windows closed so far by this run (since its last reset). */
  windows: number;
  /** The dot products, or null while windows < 3 (no s_prev yet) — the controller's "not yet available". */
  dots: WindowDots | null;
}

/** Row `run` of a `dots` readback: (sᵀs_prev, ‖s‖², ‖s_prev‖²) once ≥ 3 windows are done, else null. */
export function runDots(values: Float32Array, run: number): RunDots {
  const { dot, normSq, prevNormSq, windows } = ANGLE_DOTS.read(values, run);
  return { windows, dots: windows >= WINDOWS_BEFORE_ANGLE ? { dot, normSq, prevNormSq } : null };
}

/** Called with the `dots` readback of a step where the windows of `runs` ended (in step order). */
export type WindowListener = (step: number, runs: readonly number[], dots: Float32Array) => void;

function checkWindow(k: number, where: string): void {
  if (!Number.isInteger(k) || k < 0 || k > MAX_WINDOW) throw new Error(`${where}: window must be an integer in [0, ${MAX_WINDOW}] (0 = off), got ${k}`);
}

/** What AutoDropGpu.saveState reads. */
export interface AutoDropGpuState {
  origins: number[];
  sum: Float32Array;
  yPrev: Float32Array;
  sPrev: Float32Array;
  dots: Float32Array;
}

export class AutoDropGpu {
  /** sum += x − y_prev over the listed chunks; encode after the update, every step. */
  accumulateDispatch: Dispatch;
  /** [window, reduce]: close the windows flagged by prepareWindow; encode after accumulateDispatch. */
  windowDispatches: Dispatch[];
  /** [R][DOT_FIELDS] f32: sᵀs_prev, ‖s‖², ‖s_prev‖², windows done. */
  readonly dots: GPUBuffer;
  /** Σ (x − y_prev) over the current window, stacked like the parameters. */
  readonly sum: GPUBuffer;
  /** Mean parameter vector of the last closed window, stacked. */
  readonly yPrev: GPUBuffer;
  /** Displacement of the last closed window, stacked. */
  readonly sPrev: GPUBuffer;
  private readonly runWindows: GPUBuffer;
  /** RUN_WINDOW of every run. */
  private readonly words: StructArray<FieldOf<typeof RUN_WINDOW>>;
  private readonly lengths: number[];
  private readonly origins: number[];
  /** (chunk, chunk table entry) of every chunk the accumulate and window passes visit, and ANGLE_DIMS. */
  private readonly chunkList: GPUBuffer;
  private readonly dims: GPUBuffer;
  private readonly dimsValues: { chunks: number; runs: number; chunksPerRun: number };
  /** The tensors' trainable flags (a chunk of a fixed tensor is never listed). */
  private readonly trainable: boolean[];
  private readonly owned: GPUBuffer[] = [];
  private readback?: AsyncReadback;
  private delivered: Promise<void> = Promise.resolve();
  private listenerError: unknown = null;

  /** `windows[r]` = k of run r (0 = off). */
  constructor(
    readonly target: AngleTarget,
    windows: readonly number[],
  ) {
    const { gpu, layout, tensors } = target;
    const runs = layout.runs;
    if (windows.length !== runs) throw new Error(`autodrop: ${windows.length} window lengths for ${runs} runs`);
    windows.forEach((k, run) => checkWindow(k, `autodrop run ${run}`));
    if (tensors.length !== layout.slots.length) throw new Error(`autodrop: ${tensors.length} tensors for a layout of ${layout.slots.length}`);
    const device = gpu.device;
    const own = (buffer: GPUBuffer) => (this.owned.push(buffer), buffer);
    const chunks = layout.total / SEGMENT_ALIGN;
    const table = ANGLE_TENSOR.array(tensors.length);
    let chunksPerRun = 0;
    tensors.forEach((tensor, t) => {
      const slot = layout.slots[t];
      table.set(t, { offset: slot.offset, runStride: slot.runStride, size: slot.size, trainable: tensor.trainable ? 1 : 0, chunkBase: chunksPerRun });
      chunksPerRun += slot.runStride / SEGMENT_ALIGN;
    });
    for (const label of ['sum', 'y_prev', 's_prev']) checkBufferFits(gpu, layout.total * 4, `autodrop ${label}`);
    this.sum = own(createStorage(device, 'autodrop.sum', layout.total * 4));
    this.yPrev = own(createStorage(device, 'autodrop.yPrev', layout.total * 4));
    this.sPrev = own(createStorage(device, 'autodrop.sPrev', layout.total * 4));
    const partials = own(createStorage(device, 'autodrop.partials', Math.max(runs * chunksPerRun, 1) * 16));
    this.dots = own(createStorage(device, 'autodrop.dots', runs * ANGLE_DOTS.byteSize));
    this.lengths = [...windows];
    this.origins = windows.map(() => 0);
    this.words = RUN_WINDOW.array(runs);
    windows.forEach((k, run) => this.words.setField(run, 'length', k));
    this.runWindows = own(createStorage(device, 'autodrop.windows', this.words.u32));
    this.trainable = tensors.map((tensor) => tensor.trainable);
    this.dimsValues = { chunks, runs, chunksPerRun };
    const dims = (this.dims = own(createUniform(device, 'autodrop.dims', ANGLE_DIMS, this.dimsValues)));
    this.chunkList = own(createStorage(device, 'autodrop.chunks', chunks * 8));
    const tensorTable = own(createStorage(device, 'autodrop.tensors', table.u32));
    const kernel = (entryPoint: string) => ({ name: entryPoint, source: ANGLE_WGSL, entryPoint });
    const head = [dims, this.chunkList, tensorTable, this.runWindows];
    this.accumulateDispatch = makeDispatch(gpu, kernel('angle_accumulate'), [...head, target.params, this.yPrev, this.sum], [1]);
    this.windowDispatches = [
      makeDispatch(gpu, kernel('angle_window'), [...head, this.sum, this.yPrev, this.sPrev, partials, this.dots], [1]),
      makeDispatch(gpu, kernel('angle_reduce'), [dims, this.runWindows, partials, this.dots], [Math.ceil(runs / ANGLE_WORKGROUP)]),
    ];
    this.listChunks();
  }

  /**
   * Lists the chunks the accumulate and window passes visit: the trainable chunks of the runs with
   * AutoDrop on (k > 0), one invocation each. Before, both passes ran a workgroup for every chunk
   * of every run, each exiting at once for a run without AutoDrop: in a sweep where one run in six
   * has it, five sixths of the workgroups did nothing (and starting a workgroup is what costs on a
   * CPU-emulated GPU). A partial slot of an unlisted chunk (a fixed tensor) keeps the zero it was
   * created with, which is what the window pass wrote there before.
   */
  private listChunks(): void {
    const { gpu, layout } = this.target;
    const pairs: number[] = [];
    const total = layout.total / SEGMENT_ALIGN;
    for (let chunk = 0; chunk < total; chunk++) {
      const entry = layout.chunkTable[chunk];
      const run = entry >>> CHUNK.values.runShift;
      if (this.lengths[run] > 0 && this.trainable[entry & CHUNK.values.tensorMask]) pairs.push(chunk, entry);
    }
    const listed = pairs.length / 2;
    if (listed > 0) upload(gpu.device, this.chunkList, Uint32Array.from(pairs));
    this.dimsValues.chunks = listed;
    upload(gpu.device, this.dims, ANGLE_DIMS.pack(this.dimsValues));
    const grid: [number, number, number] = [...wrappedGroups(gpu, listed, ANGLE_WORKGROUP), 1];
    this.accumulateDispatch = { ...this.accumulateDispatch, workgroups: grid };
    this.windowDispatches = [{ ...this.windowDispatches[0], workgroups: grid }, this.windowDispatches[1]];
  }

  /** For a GpuNetwork (or anything with gpu, layout, model.tensors and params). */
  static forNetwork(network: { gpu: GpuContext; layout: ParamLayout; model: { tensors: readonly StackedTensor[] }; params: GPUBuffer }, windows: readonly number[]): AutoDropGpu {
    return new AutoDropGpu({ gpu: network.gpu, layout: network.layout, tensors: network.model.tensors, params: network.params }, windows);
  }

  /** k of every run (0 = off). */
  get windowLengths(): readonly number[] {
    return this.lengths;
  }

  /** Runs whose window ends at step `step`: k_r > 0 and step − origin_r a positive multiple of k_r. */
  endingRuns(step: number): number[] {
    const runs: number[] = [];
    this.lengths.forEach((k, run) => {
      const elapsed = step - this.origins[run];
      if (k > 0 && elapsed > 0 && elapsed % k === 0) runs.push(run);
    });
    return runs;
  }

  /** Writes the per-run "window ends now" flags of step `step` (before the submit that closes them); returns those runs. */
  prepareWindow(step: number): number[] {
    const ending = this.endingRuns(step);
    this.lengths.forEach((_, run) => this.words.setField(run, 'endsNow', 0));
    for (const run of ending) this.words.setField(run, 'endsNow', 1);
    upload(this.target.gpu.device, this.runWindows, this.words.u32);
    return ending;
  }

  /**
   * Encodes the work of step `step` (after the update of that step, same pass): accumulate, and
   * the window pair when some run's window ends. Returns the runs whose window ended.
   */
  encode(pass: GPUComputePassEncoder, step: number): number[] {
    encodeDispatches(pass, [this.accumulateDispatch]);
    if (this.endingRuns(step).length === 0) return [];
    const ending = this.prepareWindow(step);
    encodeDispatches(pass, this.windowDispatches);
    return ending;
  }

  /**
   * A Trainer step hook: encode(pass, step), and at window ends a copy of `dots` after the pass,
   * delivered to `listener` asynchronously and in step order. `settle()` waits for every delivery.
   */
  stepHook(listener: WindowListener): StepHook {
    const bytes = this.lengths.length * ANGLE_DOTS.byteSize;
    this.readback ??= new AsyncReadback(this.target.gpu.device, bytes, 'autodrop.dots');
    const readback = this.readback;
    return (pass, step) => {
      const runs = this.encode(pass, step);
      if (runs.length === 0) return;
      let start: (() => Promise<ArrayBuffer>) | undefined;
      return {
        afterPass: (encoder) => (start = readback.record(encoder, this.dots)),
        afterSubmit: () => {
          if (!start) return;
          const pending = handled(start());
          this.delivered = this.delivered
            .then(async () => listener(step, runs, new Float32Array(await pending)))
            .catch((error: unknown) => void (this.listenerError ??= error));
        },
      };
    };
  }

  /** Resolves once every readback started by the step hook has been delivered; rejects with the first listener error. */
  async settle(): Promise<void> {
    await this.delivered;
    if (this.listenerError !== null) throw this.listenerError;
  }

  /**
   * Changes run `run`'s window length to k (0 = off) and restarts its history: its windows now end
   * at step + k, step + 2k, …, and its first angle comes three windows later.
   */
  setWindow(run: number, k: number, step: number): void {
    if (!(run >= 0 && run < this.lengths.length)) throw new Error(`autodrop: no run ${run}`);
    checkWindow(k, `autodrop run ${run}`);
    this.lengths[run] = k;
    this.words.setField(run, 'length', k);
    upload(this.target.gpu.device, this.runWindows, this.words.u32);
    this.listChunks();
    this.resetRun(run, step);
  }

  /** Clears run `run`'s sum, y_prev, s_prev and dots row; its windows restart at `step` (default 0). */
  resetRun(run: number, step = 0): void {
    const device = this.target.gpu.device;
    this.origins[run] = step;
    this.target.layout.slots.forEach((slot) => {
      const zeros = new Float32Array(slot.runStride);
      const byteOffset = (slot.offset + run * slot.runStride) * 4;
      for (const buffer of [this.sum, this.yPrev, this.sPrev]) upload(device, buffer, zeros, byteOffset);
    });
    upload(device, this.dots, new Float32Array(ANGLE_DOTS.words), run * ANGLE_DOTS.byteSize);
  }

  /** Clears every run's history (a trainer reset); windows restart at step 0. */
  reset(): void {
    const device = this.target.gpu.device;
    this.origins.fill(0);
    for (const buffer of [this.sum, this.yPrev, this.sPrev, this.dots]) upload(device, buffer, new Float32Array(buffer.size / 4));
  }

  /** The windows' state (a checkpoint): each run's window origin and the sums, previous y and s, and dots. Settles first. */
  async saveState(): Promise<AutoDropGpuState> {
    await this.settle();
    const device = this.target.gpu.device;
    const [sum, yPrev, sPrev, dots] = await Promise.all([this.sum, this.yPrev, this.sPrev, this.dots].map((buffer) => readF32(device, buffer, buffer.size / 4)));
    return { origins: [...this.origins], sum, yPrev, sPrev, dots };
  }

  /** Continues from saveState's state (the same layout and runs; window lengths from the runs' configs). */
  loadState(state: AutoDropGpuState): void {
    if (state.origins.length !== this.origins.length) throw new Error(`autodrop state: ${state.origins.length} runs, this experiment has ${this.origins.length}`);
    const device = this.target.gpu.device;
    const pairs = [[this.sum, state.sum], [this.yPrev, state.yPrev], [this.sPrev, state.sPrev], [this.dots, state.dots]] as const;
    for (const [buffer, values] of pairs) {
      if (values.length * 4 !== buffer.size) throw new Error(`autodrop state: ${buffer.label} has ${values.length} floats, needs ${buffer.size / 4}`);
    }
    for (const [buffer, values] of pairs) upload(device, buffer, values);
    state.origins.forEach((origin, run) => (this.origins[run] = origin));
  }

  /** Reads `dots` back (tests; training uses stepHook's asynchronous readback). */
  readDots(): Promise<Float32Array> {
    return readF32(this.target.gpu.device, this.dots, this.lengths.length * ANGLE_DOTS.words);
  }

  destroy(): void {
    for (const buffer of this.owned) buffer.destroy();
    this.owned.length = 0;
    this.readback?.destroy();
  }
}
