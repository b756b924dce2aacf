/**
 * The check runner: a check's verdict collects failures (an exception, a WebGPU error, no
 * comparison), and repeats that record different numbers are reported with the first difference
 * (the race detector of the GPU check). No GPU needed: the checks here compute on the CPU.
 */
import { describe, expect, it } from 'vitest';
import type { GpuContext } from '../gpu/device';
import { repeatCheck, runCheck } from './run';
import { deepEqual, firstDifference, Verdict, type GpuCheck } from './verdict';

const fakeGpu = () => ({ errors: [] as string[] }) as unknown as GpuContext;
const check = (run: GpuCheck['run']): GpuCheck => ({ name: 'c', family: 'test', run });

describe('runCheck', () => {
  it('passes a check whose comparisons hold; fails one that compares nothing, throws, or leaves a WebGPU error', async () => {
    expect((await runCheck(check(async (_, v) => void v.allClose('x', [1, 2], [1, 2.000001], { rtol: 1e-5, atol: 0 })), fakeGpu())).failures).toEqual([]);
    expect((await runCheck(check(async () => {}), fakeGpu())).failures).toEqual(['the check compared nothing']);
    const thrown = await runCheck(check(async () => { throw new Error('boom'); }), fakeGpu());
    expect(thrown.failures[0]).toMatch(/^threw: Error: boom/);
    const gpu = fakeGpu();
    const failed = await runCheck(check(async (g, v) => { v.equal('n', 1, 1); g.errors.push('validation: bad binding'); }), gpu);
    expect(failed.failures).toEqual(['WebGPU errors: validation: bad binding']);
  });

  it('verdict messages name the label and what was seen', () => {
    const v = new Verdict();
    v.allClose('logits run 0', [1, 2], [1, 3], { rtol: 0, atol: 0.5 });
    v.equal('labels', [1, 2], [1, 3]);
    v.closeTo('loss', 0.5, 0.6, 2);
    v.less('cos', 0.1, 1e-3);
    v.throws('parse', () => 1, /x/);
    expect(v.failures).toEqual([
      expect.stringMatching(/^logits run 0: 1 of 2 elements not close .*worst at index 1: actual 2, expected 3/),
      'labels: expected [1,3], got [1,2]',
      'loss: expected 0.5 to be close to 0.6 (2 digits)',
      'cos: expected 0.1 < 0.001',
      'parse: did not throw (expected /x/)',
    ]);
    expect(deepEqual([0], [-0])).toBe(false); // as toEqual
    expect(deepEqual({ a: [1, Number.NaN] }, { a: [1, Number.NaN] })).toBe(true);
  });
});

describe('repeatCheck: repeats compared bit for bit', () => {
  it('deterministic numbers: no difference', async () => {
    const result = await repeatCheck(check(async (_, v) => void v.equal('x', [0.1, 0.2], [0.1, 0.2])), fakeGpu(), 3);
    expect(result).toMatchObject({ failures: [], difference: null, repeats: 3, numbers: 2 });
  });

  it('a number that changes between repeats (a race) is reported with its label and index, even when every verdict passes', async () => {
    let call = 0;
    const racy = check(async (_, v) => {
      call++;
      const values = [1, 2, 3 + (call === 3 ? 2 ** -20 : 0)];
      v.allClose('sums', values, [1, 2, 3], { rtol: 1e-4, atol: 0 });
    });
    const result = await repeatCheck(racy, fakeGpu(), 3);
    expect(result.failures).toEqual([]);
    expect(result.difference).toBe(`repeat 3: sums[2]: 3, then ${3 + 2 ** -20}`);
  });

  it('firstDifference sees a sign of zero and a NaN payload; other record shapes are named', () => {
    const rec = (label: string, values: number[]) => ({ label, values: Float64Array.from(values) });
    expect(firstDifference([rec('a', [0])], [rec('a', [-0])])).toBe('a[0]: 0, then -0');
    expect(firstDifference([rec('a', [1])], [rec('b', [1])])).toBe('record 0: "a", then "b"');
    expect(firstDifference([rec('a', [1])], [rec('a', [1, 2])])).toBe('a: 1 values, then 2');
    expect(firstDifference([rec('a', [1])], [])).toBe('1 records, then 0');
  });
});
