/**
 * The fused update (shaders/update.wgsl, update_vec4.wgsl): one dispatch per kind of run (with LRD,
 * LEAP, both, neither) per training step updates every trainable tensor of those runs with each
 * run's optimizer rule, LRD mask and LEAP perturbation. The CPU writes only a small block of
 * per-run words per step (rate, step, bias-correction constants, …).
 * Two kernels, one rule math: update.wgsl (scalar) and update_vec4.wgsl each declare their element
 * type `Elem` (f32, vec4f) and are composed with shaders/update_rule.wgsl, written over `Elem`.
 * The words, flags, codes and tables they share with this file: ./update-layout.ts.
 */
import commonWgsl from '../../shaders/common.wgsl?raw';
import modifiersWgsl from '../../shaders/lr_modifiers.wgsl?raw';
import rngWgsl from '../../shaders/rng.wgsl?raw';
import updateWgsl from '../../shaders/update.wgsl?raw';
import updateCommonWgsl from '../../shaders/update_common.wgsl?raw';
import updateRuleWgsl from '../../shaders/update_rule.wgsl?raw';
import updateVec4Wgsl from '../../shaders/update_vec4.wgsl?raw';
import { createStorage, createUniform, upload } from '../gpu/buffers';
import { makeDispatch, wrappedGroups, type Dispatch } from '../gpu/commands';
import { checkBufferFits, type GpuContext } from '../gpu/device';
import type { FieldOf, StructArray } from '../gpu/layout';
import { CHUNK, SEGMENT_ALIGN, type ParamLayout, type StackedTensor } from '../gpu/param-layout';
import { composeWgsl } from '../gpu/pipelines';
import { readF32 } from '../gpu/readback';
import { DrawScope } from '../rng/draws';
import type { LeapConfig } from './leap';
import { lrdKeepScale, type LrdConfig } from './lrd';
import { adamConstants, parseOptimizer, RULE_CODE, type OptimizerConfig } from './optimizer';
import { ONLY_RULE, RUN_WORDS, TENSOR_ENTRY, TENSOR_FLAG, UPDATE_DIMS, UPDATE_FLAG, UPDATE_WGSL } from './update-layout';

const FLAG = UPDATE_FLAG.values;

/** How one run updates its parameters. LRD and LEAP are off when absent. */
export interface RunUpdateConfig {
  optimizer: OptimizerConfig;
  lrd?: LrdConfig | null;
  leap?: LeapConfig | null;
  /** Experiment seed: first half of the Philox key of every mask/noise draw. */
  seed: number;
  /** Second half of the key; by default the run index. Runs with equal keys draw equal masks/noise. */
  runKey: number;
}

/** What the update works on: the stacked layout, its tensors, and the parameter/gradient buffers. */
export interface UpdateTarget {
  gpu: GpuContext;
  layout: ParamLayout;
  tensors: readonly StackedTensor[];
  params: GPUBuffer;
  grads: GPUBuffer;
}

/** Plain SGD configs for `runs` runs (the engine's default). */
export function sgdRuns(runs: number, seed = 0): RunUpdateConfig[] {
  const optimizer = parseOptimizer({ rule: 'sgd' });
  return Array.from({ length: runs }, (_, run) => ({ optimizer, seed, runKey: run }));
}

/** The modifiers a kind of run has: its runs' chunks are updated by one dispatch whose kernel compiles in these (none: the vec4 kernel). */
interface RunKind {
  lrd: boolean;
  leap: boolean;
}

/** One dispatch of the update: a kernel over the chunks of a list, with the list's buffers. */
interface ListedDispatch {
  dispatch: Dispatch;
  buffers: GPUBuffer[];
}

/** The fused update of every tensor of every run: one dispatch per kind of run per step, per-run words written by prepare. */
export class FusedUpdate {
  /** Momentum buffer / Adam m, stacked like the parameters. */
  readonly state1: GPUBuffer;
  /** Adam v / RMSprop square average, stacked like the parameters. */
  readonly state2: GPUBuffer;
  /** RUN_WORDS of every run, written by prepare. */
  private readonly words: StructArray<FieldOf<typeof RUN_WORDS>>;
  private readonly runWords: GPUBuffer;
  private readonly owned: GPUBuffer[] = [];
  /** The bindings after the list's two (tensors, run words, grads, params, state1, state2). */
  private readonly tail: GPUBuffer[];
  /** The dispatches of the current configs (rebuilt when a run's kind or rule changes), and what they were built for. */
  private split: { signature: string; listed: ListedDispatch[]; dispatches: Dispatch[] } | null = null;
  /** setRun was called since the split was built (it is rebuilt only if a run's kind or rule changed). */
  private configsChanged = false;
  /** kernelDispatch's dispatches over every chunk, by kernel. */
  private readonly whole = new Map<string, ListedDispatch>();

  private readonly configs: RunUpdateConfig[];
  private readonly frozen = new Set<number>();

  constructor(
    readonly target: UpdateTarget,
    runs: readonly RunUpdateConfig[],
  ) {
    const { gpu, layout, tensors } = target;
    if (runs.length !== layout.runs) throw new Error(`update: ${runs.length} run configs for ${layout.runs} runs`);
    runs.forEach((run, index) => {
      for (const [field, value] of [['seed', run.seed], ['runKey', run.runKey]] as const) {
        if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
          throw new Error(`runs[${index}].${field} must be an integer in [0, 2^32), got ${value}`);
        }
      }
    });
    const device = gpu.device;
    const table = TENSOR_ENTRY.array(tensors.length);
    tensors.forEach((tensor, t) => {
      const slot = layout.slots[t];
      const flags = (tensor.trainable ? TENSOR_FLAG.values.trainable : 0) | (tensor.decay ? TENSOR_FLAG.values.decay : 0);
      table.set(t, { offset: slot.offset, runStride: slot.runStride, size: slot.size, flags });
    });
    checkBufferFits(gpu, layout.total * 4, 'optimizer state');
    const own = (buffer: GPUBuffer) => (this.owned.push(buffer), buffer);
    // Both state buffers always exist at full size, so a run may switch rules mid-training.
    this.state1 = own(createStorage(device, 'update.state1', layout.total * 4));
    this.state2 = own(createStorage(device, 'update.state2', layout.total * 4));
    this.configs = [...runs];
    this.words = RUN_WORDS.array(runs.length);
    this.runWords = own(createStorage(device, 'update.runs', this.words.u32.byteLength));
    this.tail = [own(createStorage(device, 'update.tensors', table.u32)), this.runWords, target.grads, target.params, this.state1, this.state2];
  }

  /**
   * A dispatch of `kernel` over `chunks` (indices into the layout's chunk table). The scalar kernel
   * (shaders/update.wgsl, LEAP/LRD compiled in as `kind` says): on SwiftShader a whole chunk per
   * invocation, 64 per workgroup (tuning.updateScalarWholeChunk); on GPUs one element per
   * invocation, tuning.updateChunksPerGroup chunks of 64 floats per workgroup. The vec4 kernel (shaders/update_vec4.wgsl, no LEAP/LRD): tuning.updateVec4Elements
   * floats per invocation (SwiftShader: a whole 64-float chunk, 64 chunks per workgroup; GPUs: one
   * vec4, 16 invocations per chunk, loads coalesced). Both are specialized to ONLY_RULE `onlyRule`
   * (the listed runs' rule code, or ONLY_RULE_MIXED).
   */
  private listed(chunks: readonly number[], kernel: { kind: RunKind | null; onlyRule: number }): ListedDispatch {
    const { gpu, layout } = this.target;
    const device = gpu.device;
    const pairs = new Uint32Array(Math.max(chunks.length, 1) * 2);
    chunks.forEach((chunk, k) => pairs.set([chunk, layout.chunkTable[chunk]], 2 * k));
    const buffers = [createUniform(device, 'update.dims', UPDATE_DIMS, { chunks: chunks.length, runs: this.configs.length }), createStorage(device, 'update.chunks', pairs)];
    const bindings = [...buffers, ...this.tail];
    const { updateChunksPerGroup, updateScalarWholeChunk, updateVec4Elements, updateVec4Workgroup } = gpu.tuning;
    if (kernel.kind) {
      const source = composeWgsl(commonWgsl, rngWgsl, modifiersWgsl, UPDATE_WGSL, updateCommonWgsl, updateRuleWgsl, updateWgsl);
      const modifiers = { LRD: kernel.kind.lrd ? 1 : 0, LEAP: kernel.kind.leap ? 1 : 0, ONLY_RULE: kernel.onlyRule };
      const spec = updateScalarWholeChunk
        ? { name: 'update', source, entryPoint: 'update_whole', constants: modifiers }
        : { name: 'update', source, entryPoint: 'update', constants: { CHUNKS_PER_GROUP: updateChunksPerGroup, ...modifiers } };
      return { buffers, dispatch: makeDispatch(gpu, spec, bindings, wrappedGroups(gpu, chunks.length, updateScalarWholeChunk ? 64 : updateChunksPerGroup)) };
    }
    const lanes = 64 / updateVec4Elements;
    const source = composeWgsl(commonWgsl, UPDATE_WGSL, updateCommonWgsl, updateRuleWgsl, updateVec4Wgsl);
    const constants = { ONLY_RULE: kernel.onlyRule, LANES: lanes, VEC4_WORKGROUP: updateVec4Workgroup };
    return {
      buffers,
      dispatch: makeDispatch(gpu, { name: 'update_vec4', source, entryPoint: 'update_vec4', constants }, bindings, wrappedGroups(gpu, chunks.length, updateVec4Workgroup / lanes)),
    };
  }

  /** ONLY_RULE for runs of these configs: their rule when they share one, else ONLY_RULE_MIXED. */
  private static onlyRule(runs: readonly RunUpdateConfig[]): number {
    const rules = new Set(runs.map((run) => RULE_CODE[run.optimizer.rule]));
    return rules.size === 1 ? [...rules][0] : ONLY_RULE.values.mixed;
  }

  /**
   * The update's dispatches for the current run configs: the runs split by kind (LRD, LEAP, both,
   * neither), one dispatch over each kind's chunks whose kernel compiles in only that kind's
   * modifiers; runs with neither take the vec4 kernel. Each element is updated by exactly the
   * arithmetic it had in the one kernel with everything compiled in (a modifier switched off there
   * leaves the rate and the keep factor at exactly η and 1; the two kernels agree bit for bit,
   * update.check.ts), but the per-element RNG of LRD and LEAP now costs only the runs that use it:
   * a CPU-emulated GPU runs both sides of a branch, so before, in a mixed experiment every element
   * of every run paid for two Philox draws and a Box–Muller.
   */
  get dispatches(): Dispatch[] {
    if (this.split && !this.configsChanged) return this.split.dispatches;
    this.configsChanged = false;
    const kinds = this.configs.map((run): RunKind => ({ lrd: Boolean(run.lrd), leap: Boolean(run.leap) }));
    const keyOf = (kind: RunKind) => `${kind.lrd ? 'lrd' : ''}+${kind.leap ? 'leap' : ''}`;
    const signature = this.configs.map((run, r) => `${keyOf(kinds[r])}:${run.optimizer.rule}`).join(',');
    if (this.split?.signature !== signature) {
      const groups = new Map<string, { kind: RunKind; chunks: number[]; runs: Set<number> }>();
      const { layout } = this.target;
      const chunkCount = layout.total / SEGMENT_ALIGN;
      for (let chunk = 0; chunk < chunkCount; chunk++) {
        const run = layout.chunkTable[chunk] >>> CHUNK.values.runShift;
        const key = keyOf(kinds[run]);
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { kind: kinds[run], chunks: [], runs: new Set() }));
        group.chunks.push(chunk);
        group.runs.add(run);
      }
      this.releaseSplit();
      const listed = [...groups.values()].map((group) => {
        const modifiers = group.kind.lrd || group.kind.leap;
        return this.listed(group.chunks, { kind: modifiers ? group.kind : null, onlyRule: FusedUpdate.onlyRule([...group.runs].map((run) => this.configs[run])) });
      });
      this.split = { signature, listed, dispatches: listed.map((entry) => entry.dispatch) };
    }
    return this.split.dispatches;
  }

  /**
   * The dispatch of one kernel over every chunk whatever the configs (tests compare the two):
   * 'scalar' (update.wgsl, LEAP/LRD compiled in) or 'vec4' (update_vec4.wgsl, which ignores LEAP/LRD).
   */
  kernelDispatch(kernel: 'scalar' | 'vec4'): Dispatch {
    const onlyRule = FusedUpdate.onlyRule(this.configs);
    const key = `${kernel}:${onlyRule}`;
    let listed = this.whole.get(key);
    if (!listed) {
      const chunks = Array.from({ length: this.target.layout.total / SEGMENT_ALIGN }, (_, chunk) => chunk);
      listed = this.listed(chunks, { kind: kernel === 'scalar' ? { lrd: true, leap: true } : null, onlyRule });
      this.whole.set(key, listed);
    }
    return listed.dispatch;
  }

  private releaseSplit(): void {
    for (const listed of this.split?.listed ?? []) for (const buffer of listed.buffers) buffer.destroy();
    this.split = null;
  }

  /** The current config of every run. */
  get runs(): readonly RunUpdateConfig[] {
    return this.configs;
  }

  /**
   * Replaces run `index`'s optimizer/LRD/LEAP from the next step on, keeping parameters and state
   * (a hyperparameter change mid-training; a new rule starts from the state the buffers hold).
   */
  setRun(index: number, config: RunUpdateConfig): void {
    if (!(index >= 0 && index < this.configs.length)) throw new Error(`update: no run ${index}`);
    this.configs[index] = config;
    this.configsChanged = true;
  }

  /** Freezes (or thaws) a run: its parameters and state are left untouched by every update. */
  setFrozen(index: number, frozen: boolean): void {
    if (frozen) this.frozen.add(index);
    else this.frozen.delete(index);
  }

  /**
   * Writes the per-run words of optimizer step `step` (1-based): rate η_run, Adam constants, draw
   * keys. `thetaScale`/`stateScale` (default 1) renormalize θ and the momentum buffer in the same pass.
   */
  prepare(step: number, rates: ArrayLike<number>, thetaScale?: ArrayLike<number>, stateScale?: ArrayLike<number>): void {
    if (!Number.isInteger(step) || step < 1) throw new Error(`update step must be a positive integer, got ${step}`);
    if (rates.length !== this.configs.length) throw new Error(`learning rates: got ${rates.length} values for ${this.configs.length} runs`);
    this.configs.forEach((run, index) => {
      const frozen = this.frozen.has(index);
      const rate = frozen ? 0 : rates[index];
      if (!Number.isFinite(rate)) throw new Error(`learning rate of run ${index} must be finite, got ${rate}`);
      const opt = run.optimizer;
      const adam = adamConstants(opt, step);
      let flags = (step === 1 ? FLAG.firstStep : 0) | (frozen ? FLAG.frozen : 0);
      if (opt.adamEps === 'standard') flags |= FLAG.epsStandard;
      if (opt.rmspropForm === 'clean') flags |= FLAG.rmsClean;
      if (run.lrd) flags |= FLAG.lrd | (run.lrd.maskDecoupledDecay ? FLAG.lrdMaskDecay : 0);
      if (run.leap) {
        flags |= FLAG.leap | (run.leap.form === 'multiplicative' ? FLAG.leapMultiplicative : 0) | (run.leap.clipNegative ? FLAG.leapClip : 0);
      }
      this.words.set(index, {
        lr: rate,
        rule: RULE_CODE[opt.rule],
        flags,
        step,
        seed: run.seed,
        runKey: run.runKey,
        momentum: opt.momentum,
        dampening: opt.dampening,
        beta1: opt.beta1,
        beta2: opt.rule === 'rmsprop' ? opt.rmsAlpha : opt.beta2,
        eps: opt.eps,
        l2: opt.weightDecayMode === 'coupled' ? opt.weightDecay : 0,
        decoupled: opt.weightDecayMode === 'decoupled' ? opt.weightDecay : 0,
        c1: adam.c1,
        c2: adam.c2,
        keepProb: run.lrd ? run.lrd.keepProb : 1,
        keepScale: run.lrd ? lrdKeepScale(run.lrd) : 1,
        sigma: run.leap ? run.leap.sigma : 0,
        leapScope: DrawScope[run.leap ? run.leap.granularity : 'element'],
        thetaScale: thetaScale?.[index] ?? 1,
        stateScale: stateScale?.[index] ?? 1,
      });
    });
    upload(this.target.gpu.device, this.runWords, this.words.u32);
  }

  /** Zeroes the optimizer state (a fresh start; step 1 re-initializes momentum buffers). */
  resetState(): void {
    const device = this.target.gpu.device;
    for (const buffer of [this.state1, this.state2]) upload(device, buffer, new Float32Array(buffer.size / 4));
  }

  /** Reads the optimizer state back (tests, checkpoints). */
  async readState(): Promise<{ first: Float32Array; second: Float32Array }> {
    const device = this.target.gpu.device;
    return { first: await readF32(device, this.state1, this.state1.size / 4), second: await readF32(device, this.state2, this.state2.size / 4) };
  }

  /** Writes the optimizer state that readState read (a checkpoint of the same layout and runs). */
  writeState(state: { first: Float32Array; second: Float32Array }): void {
    const device = this.target.gpu.device;
    for (const [buffer, values, name] of [[this.state1, state.first, 'first'], [this.state2, state.second, 'second']] as const) {
      if (values.length * 4 !== buffer.size) throw new Error(`optimizer state: ${name} moment has ${values.length} floats, needs ${buffer.size / 4}`);
      upload(device, buffer, values);
    }
  }

  /** Runs frozen (diverged): parameters and state untouched by every update. */
  get frozenRuns(): number[] {
    return [...this.frozen];
  }

  destroy(): void {
    this.releaseSplit();
    for (const listed of this.whole.values()) for (const buffer of listed.buffers) buffer.destroy();
    this.whole.clear();
    for (const buffer of this.owned) buffer.destroy();
    this.owned.length = 0;
  }
}
