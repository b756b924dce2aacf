import { describe, expect, it } from 'vitest';
import { allClose } from './allclose';

describe('allClose / toBeAllClose', () => {
  it('passes within tolerance for arrays and typed arrays', () => {
    expect([1, 2, 3]).toBeAllClose([1, 2, 3]);
    expect(new Float32Array([1, 2, 3])).toBeAllClose(new Float64Array([1 + 1e-6, 2, 3 - 2e-5]));
    expect([0, 1000]).toBeAllClose([5e-7, 1000.009]); // atol near 0, rtol at large magnitude
    expect([Infinity, -Infinity]).toBeAllClose([Infinity, -Infinity]);
    expect(new Int32Array([4, 5])).toBeAllClose([4, 5]);
    expect([]).toBeAllClose([]);
  });

  it('uses |a - e| <= atol + rtol * |e| with the given tolerances', () => {
    expect([1.1]).toBeAllClose([1], { rtol: 0, atol: 0.1 + 1e-12 });
    expect([1.1]).not.toBeAllClose([1], { rtol: 0, atol: 0.09 });
    expect([110]).toBeAllClose([100], { rtol: 0.1, atol: 0 });
    expect([100]).not.toBeAllClose([110], { rtol: 0.05, atol: 0 }); // relative to expected, not actual
    expect([2e-6]).not.toBeAllClose([0]); // default atol 1e-6
  });

  it('fails on NaN, infinities of the wrong sign and length mismatch', () => {
    expect([NaN]).not.toBeAllClose([NaN]);
    expect([1]).not.toBeAllClose([NaN]);
    expect([NaN]).not.toBeAllClose([1]);
    expect([Infinity]).not.toBeAllClose([-Infinity]);
    expect([Infinity]).not.toBeAllClose([1e30]);
    expect([1, 2]).not.toBeAllClose([1, 2, 3]);
    expect('12').not.toBeAllClose([1, 2]);
  });

  it('reports the mismatch count, worst index, values and max errors', () => {
    const report = allClose([1, 2.5, 3, 4.001], [1, 2, 3, 4]);
    expect(report.pass).toBe(false);
    expect(report.message).toContain('2 of 4 elements not close');
    expect(report.message).toContain('worst at index 1: actual 2.5, expected 2');
    expect(report.message).toContain('max abs err 0.5');
    expect(report.message).toContain('max rel err 0.25');
    expect(allClose([1], [1, 2]).message).toContain('length mismatch: actual has 1 elements, expected 2');
  });

  it('throws a failing assertion with that message', () => {
    expect(() => expect(new Float32Array([0, 7])).toBeAllClose([0, 8])).toThrow(
      /1 of 2 elements not close \(rtol=0\.00001, atol=0\.000001\); worst at index 1: actual 7, expected 8/,
    );
    expect(() => expect([1]).not.toBeAllClose([1])).toThrow(/not to be all close/);
  });

  it('works as an asymmetric matcher inside toEqual', () => {
    expect({ loss: [0.5, 0.25] }).toEqual({ loss: expect.toBeAllClose([0.5, 0.25 + 1e-7]) });
  });
});
