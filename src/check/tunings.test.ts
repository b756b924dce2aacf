/**
 * The kernels of the other tuning profile on this adapter (src/gpu/tuning.ts): on SwiftShader the
 * real-GPU choices (64–256 invocations per workgroup, 4×4 vec4 matmul blocks, one vec4 per update
 * invocation, the small-MLP step in subgroups with (k, unit) gradient pairs), on a GPU the
 * SwiftShader ones; every check of the tuned families must pass with them too.
 */
import { describe, expect, it } from 'vitest';
import { withTuning } from '../gpu/device';
import { expectCheck } from '../test/expect-check';
import { testGpu } from '../test/gpu';
import { GPU_CHECKS, TUNED_FAMILIES } from './registry';

describe('checks of the tuned kernel families under the other tuning profile', () => {
  it('the other profile is another set of kernel choices', async () => {
    const gpu = await testGpu();
    const other = withTuning(gpu, gpu.tuning.profile === 'cpu' ? 'gpu' : 'cpu');
    expect(other.tuning.profile).not.toBe(gpu.tuning.profile);
    expect(other.tuning).not.toEqual(gpu.tuning);
  });

  for (const check of GPU_CHECKS.filter((c) => TUNED_FAMILIES.includes(c.family))) {
    it(check.name, async () => {
      const gpu = await testGpu();
      await expectCheck(check, withTuning(gpu, gpu.tuning.profile === 'cpu' ? 'gpu' : 'cpu'));
    });
  }
});
