import { describe, expect, it } from 'vitest';
import { layoutParams } from '../gpu/param-layout';
import type { ParamTensor } from '../nn/spec';
import { angle, difference, displacements, dot, trainableVector, windowAngles, windowDots, windowMeans } from './autodrop';

describe('float64 angular velocity (methods.md §3.1, §3.8)', () => {
  it('angle in degrees, with ε and the clamp', () => {
    expect(angle([1, 0], [0, 3])).toBe(90);
    expect(angle([1, 1], [1, 0])).toBeCloseTo(45, 10);
    expect(angle([2, 0], [-1, 0], 0)).toBe(180);
    expect(angle([0, 0], [1, 0])).toBe(90);
    expect(() => dot([1], [1, 2])).toThrow(/lengths/);
    expect(Array.from(difference([3, 1], [1, 1]))).toEqual([2, 0]);
  });

  it('§3.8: y = [0,0], [1,0], [2,1], [2,2] ⇒ ω₂ = ω₃ = 45°', () => {
    const ys = [[0, 0], [1, 0], [2, 1], [2, 2]];
    expect(displacements(ys).map((s) => Array.from(s))).toEqual([[1, 0], [1, 1], [0, 1]]);
    const omegas = windowAngles(ys, 1);
    expect(omegas).toHaveLength(2);
    for (const omega of omegas) expect(omega).toBeCloseTo(45, 10);
  });

  it('window means average k consecutive points (a trailing partial window is dropped); dots per window', () => {
    const xs = [[1, 0], [3, 0], [2, 2], [2, 4], [0, 0], [4, 0], [9, 9]];
    expect(windowMeans(xs, 2).map((y) => Array.from(y))).toEqual([[2, 0], [2, 3], [2, 0]]);
    const dots = windowDots(xs, 2);
    expect(dots.slice(0, 2)).toEqual([null, null]);
    expect(dots[2]).toEqual({ dot: -9, normSq: 9, prevNormSq: 9 }); // s₁ = (0, 3), s₂ = (0, −3)
    expect(windowAngles(xs, 2, 0)).toEqual([180]);
    expect(() => windowMeans(xs, 0)).toThrow(/positive integer/);
  });

  it('trainableVector concatenates the trainable tensors of one run of a stacked layout', () => {
    const tensor = (size: number, trainable: boolean): ParamTensor => ({ name: 't', shape: [size], size, init: 'zeros', fanIn: 1, fanOut: 1, trainable, decay: false, scaleInvariantGroup: -1 });
    const tensors = [tensor(3, true), tensor(2, false), tensor(1, true)];
    const layout = layoutParams(tensors, 2);
    const stacked = Float32Array.from({ length: layout.total }, (_, i) => i);
    const run1 = trainableVector(stacked, layout, tensors, 1);
    const [a, , c] = layout.slots;
    expect(Array.from(run1)).toEqual([a.offset + 64, a.offset + 65, a.offset + 66, c.offset + 64]);
  });
});
