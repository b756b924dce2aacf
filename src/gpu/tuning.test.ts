/**
 * Adapter-driven kernel choices: SwiftShader maps exactly to the constants measured on it before
 * tuning existed (its numbers stay bit for bit), real GPUs get wide workgroups; limits are checked.
 */
import { describe, expect, it } from 'vitest';
import { checkTuning, isCpuAdapter, matmulTile, smallMlpThreads, tuningFor, type AdapterTraits } from './tuning';

const SWIFTSHADER: AdapterTraits = {
  vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0',
  subgroupMinSize: 4, subgroupMaxSize: 4, isFallbackAdapter: true, subgroups: true, maxComputeInvocationsPerWorkgroup: 256,
};
const NVIDIA: AdapterTraits = {
  vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200', subgroupMinSize: 32, subgroupMaxSize: 32,
  isFallbackAdapter: false, subgroups: true, maxComputeInvocationsPerWorkgroup: 1024,
};
const AMD_WAVE64: AdapterTraits = { vendor: 'amd', architecture: 'gcn-5', subgroupMinSize: 64, subgroupMaxSize: 64, subgroups: true, maxComputeInvocationsPerWorkgroup: 1024 };

describe('tuningFor', () => {
  it('SwiftShader: exactly the constants the kernels used before (8×8 scalar, 4×4 vec4 with 8×8 blocks, quads, 8 invocations, 32 chunks, whole-chunk vec4)', () => {
    expect(tuningFor(SWIFTSHADER)).toEqual({
      profile: 'cpu',
      matmulWorkgroup: [8, 8],
      matmulVec4Workgroup: [4, 4],
      matmulVec4Block: 8,
      quads: true,
      smallMlpGranule: 8,
      smallMlpMaxThreads: 8,
      smallMlpGradPairs: false,
      updateChunksPerGroup: 32,
      updateScalarWholeChunk: true,
      updateVec4Elements: 64,
      updateVec4Workgroup: 64,
    });
    expect(matmulTile(tuningFor(SWIFTSHADER), 'scalar')).toEqual({ rows: 32, cols: 32 });
    expect(matmulTile(tuningFor(SWIFTSHADER), 'vec4')).toEqual({ rows: 32, cols: 32 });
    expect(matmulTile(tuningFor(SWIFTSHADER), 'quad')).toEqual({ rows: 32, cols: 64 });
    for (const batch of [1, 5, 32, 256]) expect(smallMlpThreads(tuningFor(SWIFTSHADER), batch)).toBe(8);
  });

  it('CPU adapters by name or fallback flag; quads only where every subgroup is 4 wide and the feature is there', () => {
    expect(isCpuAdapter({ description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(true);
    expect(isCpuAdapter({ vendor: 'mesa', isFallbackAdapter: true })).toBe(true);
    expect(isCpuAdapter(NVIDIA)).toBe(false);
    expect(tuningFor({ ...SWIFTSHADER, subgroups: false }).quads).toBe(false);
    expect(tuningFor({ ...SWIFTSHADER, subgroupMaxSize: 8 }).quads).toBe(false);
  });

  it('a GPU: 64–256 invocations per workgroup, 4×4 vec4 blocks, one vec4 per update invocation, the small-MLP step in whole subgroups', () => {
    const tuning = tuningFor(NVIDIA);
    expect(tuning).toMatchObject({
      profile: 'gpu', matmulWorkgroup: [8, 8], matmulVec4Workgroup: [8, 8], matmulVec4Block: 4, quads: false,
      smallMlpGranule: 32, smallMlpMaxThreads: 256, smallMlpGradPairs: true, updateVec4Elements: 4, updateVec4Workgroup: 256,
    });
    expect(matmulTile(tuning, 'vec4')).toEqual({ rows: 32, cols: 32 });
    expect([1, 32, 33, 200, 256].map((batch) => smallMlpThreads(tuning, batch))).toEqual([32, 32, 64, 224, 256]);
    expect([32, 100].map((batch) => smallMlpThreads(tuningFor(AMD_WAVE64), batch))).toEqual([64, 128]);
    // unknown subgroup size: 32; a device allowing only 128 invocations: 128
    expect(tuningFor({ vendor: 'intel' }).smallMlpGranule).toBe(32);
    expect(tuningFor({ ...NVIDIA, maxComputeInvocationsPerWorkgroup: 128 }).updateVec4Workgroup).toBe(128);
    expect(() => checkTuning(tuning, { maxComputeInvocationsPerWorkgroup: 256 })).not.toThrow();
  });

  it('a profile can be forced (tests of the other profile)', () => {
    expect(tuningFor(SWIFTSHADER, 'gpu').profile).toBe('gpu');
    expect(tuningFor(SWIFTSHADER, 'gpu').smallMlpGranule).toBe(8); // the adapter's subgroups (4) below the 8 floor
    expect(tuningFor(NVIDIA, 'cpu')).toMatchObject({ profile: 'cpu', quads: false, smallMlpMaxThreads: 8 });
  });

  it('checkTuning names the field that breaks a rule or a limit', () => {
    const base = tuningFor(NVIDIA);
    const limits = { maxComputeInvocationsPerWorkgroup: 256 };
    expect(() => checkTuning({ ...base, matmulWorkgroup: [32, 16] }, limits)).toThrow(/tuning\.matmulWorkgroup must be two positive integers with x·y ≤ 256/);
    expect(() => checkTuning({ ...base, updateVec4Workgroup: 24 }, limits)).toThrow(/tuning\.updateVec4Workgroup must be a multiple of 16/);
    expect(() => checkTuning({ ...base, updateVec4Elements: 8 as never }, limits)).toThrow(/tuning\.updateVec4Elements must be 4, 16 or 64/);
    expect(() => checkTuning({ ...base, smallMlpMaxThreads: 512 }, limits)).toThrow(/tuning\.smallMlpMaxThreads/);
    expect(() => checkTuning({ ...base, updateChunksPerGroup: 0 }, limits)).toThrow(/tuning\.updateChunksPerGroup/);
  });
});
