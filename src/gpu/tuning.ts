/**
 * Kernel choices that follow the adapter: workgroup sizes and per-invocation tiling of the
 * matmuls, the fused small-MLP step's invocations, the update kernels' elements per invocation, and
 * whether the subgroup (quad) path applies. Two profiles:
 *
 * - 'cpu' (SwiftShader, and any fallback/CPU adapter): exactly the choices measured on SwiftShader
 *   before this module existed (few invocations per workgroup, many elements each: SwiftShader runs
 *   a workgroup's invocations 4 lanes at a time, switches coroutines at every barrier, and loads
 *   storage lane by lane), so its numbers stay bit for bit what they were;
 * - 'gpu' (NVIDIA, AMD, Intel, Apple, …): 64–256 invocations per workgroup, small blocks per
 *   invocation (more invocations for the small matrices of this product), coalesced vec4 loads in
 *   the update (4 elements per invocation), the small-MLP step with one batch row per invocation
 *   in whole subgroups.
 *
 * Where a choice changes the order of a floating-point sum, results differ between the profiles
 * within f32 tolerance; on one adapter they are reproducible bit for bit.
 */

export type TuningProfile = 'cpu' | 'gpu';

/** The constants the kernels take from the adapter (all plain data: reports print them). */
export interface Tuning {
  profile: TuningProfile;
  /** shaders/matmul.wgsl (any shape): invocations per workgroup (x: columns, y: rows); 4×4 outputs each. */
  matmulWorkgroup: readonly [number, number];
  /** shaders/matmul_vec4.wgsl: invocations per workgroup (x, y). */
  matmulVec4Workgroup: readonly [number, number];
  /** shaders/matmul_vec4.wgsl: outputs per invocation, an 8×8 block (entry `main`) or 4×4 (`main_block4`). */
  matmulVec4Block: 4 | 8;
  /** shaders/matmul_quad.wgsl, loads shared in quads: only where every subgroup is one quad (4 wide). */
  quads: boolean;
  /** Fused small-MLP step: invocations per workgroup come in multiples of this (src/nn/small-mlp.ts). */
  smallMlpGranule: number;
  /** Fused small-MLP step: invocations per workgroup at most (one batch row each while the batch fits). */
  smallMlpMaxThreads: number;
  /** Fused small-MLP step: weight gradients one (k, unit) pair per invocation (true) or one k with every unit in registers. */
  smallMlpGradPairs: boolean;
  /** shaders/update.wgsl (LEAP/LRD compiled in): 64-float chunks per workgroup. */
  updateChunksPerGroup: number;
  /**
   * shaders/update.wgsl: a whole 64-float chunk per invocation (entry `update_whole`, its words read
   * once per chunk) instead of one element per invocation (`update`, updateChunksPerGroup chunks).
   */
  updateScalarWholeChunk: boolean;
  /** shaders/update_vec4.wgsl: floats per invocation, 64 (a whole chunk), 16 or 4 (one vec4). */
  updateVec4Elements: 4 | 16 | 64;
  /** shaders/update_vec4.wgsl: invocations per workgroup (a multiple of 64 / updateVec4Elements). */
  updateVec4Workgroup: number;
}

/** What tuning reads of an adapter (GPUAdapterInfo's fields, the features and limits; all optional). */
export interface AdapterTraits {
  vendor?: string;
  architecture?: string;
  description?: string;
  subgroupMinSize?: number;
  subgroupMaxSize?: number;
  isFallbackAdapter?: boolean;
  /** Whether the `subgroups` feature is offered. */
  subgroups?: boolean;
  maxComputeInvocationsPerWorkgroup?: number;
}

/** Whether the adapter runs on the CPU: SwiftShader (by name), a fallback adapter, or llvmpipe/lavapipe/WARP. */
export function isCpuAdapter(traits: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean | null }): boolean {
  const names = `${traits.vendor ?? ''} ${traits.architecture ?? ''} ${traits.description ?? ''}`.toLowerCase();
  return traits.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe|microsoft basic render|warp/.test(names);
}

/** The largest power of two ≤ x (x ≥ 1). */
const floorPow2 = (x: number) => 2 ** Math.floor(Math.log2(Math.max(1, x)));

/** The constants of `profile` for an adapter with these traits (see the file comment). */
export function tuningFor(traits: AdapterTraits, profile: TuningProfile = isCpuAdapter(traits) ? 'cpu' : 'gpu'): Tuning {
  const quads = traits.subgroups === true && traits.subgroupMinSize === 4 && traits.subgroupMaxSize === 4;
  if (profile === 'cpu') {
    return {
      profile,
      matmulWorkgroup: [8, 8],
      matmulVec4Workgroup: [4, 4],
      matmulVec4Block: 8,
      quads,
      smallMlpGranule: 8,
      smallMlpMaxThreads: 8,
      smallMlpGradPairs: false,
      updateChunksPerGroup: 32,
      updateScalarWholeChunk: true,
      updateVec4Elements: 64,
      updateVec4Workgroup: 64,
    };
  }
  const maxInvocations = Math.min(256, floorPow2(traits.maxComputeInvocationsPerWorkgroup ?? 256));
  // A subgroup is 32 wide on NVIDIA, 32 or 64 on AMD, 8–32 on Intel, 32 on Apple; unknown: 32.
  const subgroup = Math.min(maxInvocations, Math.max(8, traits.subgroupMaxSize ?? 32));
  return {
    profile,
    matmulWorkgroup: [8, 8],
    matmulVec4Workgroup: [8, 8],
    matmulVec4Block: 4,
    quads: false,
    smallMlpGranule: subgroup,
    smallMlpMaxThreads: Math.max(subgroup, maxInvocations),
    smallMlpGradPairs: true,
    updateChunksPerGroup: 4,
    updateScalarWholeChunk: false,
    updateVec4Elements: 4,
    updateVec4Workgroup: maxInvocations,
  };
}

/** The traits of a WebGPU adapter (info getters read once: they are invisible to JSON.stringify). */
export function adapterTraits(adapter: GPUAdapter): AdapterTraits {
  const info = adapter.info as GPUAdapterInfo & { subgroupMinSize?: number; subgroupMaxSize?: number; isFallbackAdapter?: boolean };
  return {
    vendor: info?.vendor,
    architecture: info?.architecture,
    description: info?.description,
    subgroupMinSize: info?.subgroupMinSize,
    subgroupMaxSize: info?.subgroupMaxSize,
    isFallbackAdapter: info?.isFallbackAdapter ?? (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter,
    subgroups: adapter.features.has('subgroups'),
    maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
  };
}

/** Invocations per workgroup of the fused small-MLP step at `batch` rows: rows spread one per invocation, in whole granules. */
export function smallMlpThreads(tuning: Tuning, batch: number): number {
  const granule = tuning.smallMlpGranule;
  return Math.min(tuning.smallMlpMaxThreads, Math.max(granule, Math.ceil(batch / granule) * granule));
}

/** Rows and columns of C per workgroup of a matmul kernel ('scalar', 'vec4' or 'quad'). */
export function matmulTile(tuning: Tuning, kernel: 'scalar' | 'vec4' | 'quad'): { rows: number; cols: number } {
  if (kernel === 'quad') return { rows: 32, cols: 64 };
  const [x, y] = kernel === 'vec4' ? tuning.matmulVec4Workgroup : tuning.matmulWorkgroup;
  const block = kernel === 'vec4' ? tuning.matmulVec4Block : 4;
  return { rows: y * block, cols: x * block };
}

/** Checks a tuning's constants against WebGPU's rules and the device limits; throws naming the field. */
export function checkTuning(tuning: Tuning, limits: Pick<GPUSupportedLimits, 'maxComputeInvocationsPerWorkgroup'>): void {
  const fail = (field: keyof Tuning, why: string) => {
    throw new Error(`tuning.${field} ${why} (got ${JSON.stringify(tuning[field])})`);
  };
  const max = limits.maxComputeInvocationsPerWorkgroup;
  for (const field of ['matmulWorkgroup', 'matmulVec4Workgroup'] as const) {
    const [x, y] = tuning[field];
    if (!(Number.isInteger(x) && Number.isInteger(y) && x >= 1 && y >= 1 && x * y <= max)) fail(field, `must be two positive integers with x·y ≤ ${max}`);
  }
  if (![4, 8].includes(tuning.matmulVec4Block)) fail('matmulVec4Block', 'must be 4 or 8');
  if (!(tuning.smallMlpGranule >= 1 && tuning.smallMlpMaxThreads >= tuning.smallMlpGranule && tuning.smallMlpMaxThreads <= max)) {
    fail('smallMlpMaxThreads', `must be in [smallMlpGranule, ${max}]`);
  }
  if (!(Number.isInteger(tuning.updateChunksPerGroup) && tuning.updateChunksPerGroup >= 1)) fail('updateChunksPerGroup', 'must be a positive integer');
  if (![4, 16, 64].includes(tuning.updateVec4Elements)) fail('updateVec4Elements', 'must be 4, 16 or 64');
  const lanes = 64 / tuning.updateVec4Elements;
  if (!(tuning.updateVec4Workgroup <= max && tuning.updateVec4Workgroup % lanes === 0)) {
    fail('updateVec4Workgroup', `must be a multiple of ${lanes} (64 / updateVec4Elements) and ≤ ${max}`);
  }
}

/** `base` with the fields of `override` (a profile name picks that profile's values first). */
export function overrideTuning(base: Tuning, traits: AdapterTraits, override: TuningProfile | Partial<Tuning> | undefined): Tuning {
  if (!override) return base;
  if (typeof override === 'string') return tuningFor(traits, override);
  return { ...base, ...override };
}
