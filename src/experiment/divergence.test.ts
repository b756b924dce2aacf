import { describe, expect, it } from 'vitest';
import { asRun, asStep } from '../util/ids';
import { DivergenceWatch } from './divergence';

const run0 = asRun(0);
const run1 = asRun(1);

describe('DivergenceWatch', () => {
  it('freezes a run at the end of the block after the one where its loss exploded, L·(⌈s/L⌉ + 1)', () => {
    const watch = new DivergenceWatch(2, { factor: 10, logEvery: 5 });
    watch.observe(run0, asStep(5), 1, false);
    watch.observe(run1, asStep(5), 2, false);
    watch.observe(run0, asStep(7), 10.5, false); // > 10 × 1: seen in the block (5, 10], freezes at 15
    watch.observe(run1, asStep(7), 19.9, false); // ≤ 10 × 2: healthy
    expect(watch.due(asStep(10))).toEqual([]);
    expect(watch.due(asStep(14))).toEqual([]);
    expect(watch.due(asStep(15))).toEqual([{ run: run0, reason: 'loss 10.5 exceeds 10× its first value' }]);
    expect(watch.due(asStep(20))).toEqual([]); // applied once
    expect(watch.diverged).toEqual([15, null]);
    expect(watch.frozenAt(run0, asStep(15))).toBe(false);
    expect(watch.frozenAt(run0, asStep(16))).toBe(true);
    expect(watch.frozenAt(run1, asStep(16))).toBe(false);
  });

  it('names a non-finite loss, and a checkpoint of a pending freeze restores it exactly', () => {
    const watch = new DivergenceWatch(2, { factor: 1e6, logEvery: 4 });
    watch.observe(run0, asStep(4), 2, false);
    watch.observe(run1, asStep(4), Number.NaN, true);
    const saved = [watch.snapshot(run0), watch.snapshot(run1)];
    expect(saved[1]).toEqual({ firstLoss: Number.NaN, divergedAt: null, pendingFreeze: { reason: 'loss is NaN or infinite', atStep: 8 } });

    const restored = new DivergenceWatch(2, { factor: 1e6, logEvery: 4 });
    restored.restore(run0, saved[0]);
    restored.restore(run1, saved[1]);
    expect(restored.due(asStep(8))).toEqual(watch.due(asStep(8)));
    expect(restored.diverged).toEqual([null, 8]);

    restored.reset();
    expect(restored.diverged).toEqual([null, null]);
    restored.observe(run0, asStep(4), 3, false);
    restored.observe(run0, asStep(8), 3e6 + 1, false); // the first loss after a reset is 3, not 2
    expect(restored.due(asStep(12))).toEqual([{ run: run0, reason: 'loss 3.00e+6 exceeds 1000000× its first value' }]);
  });
});
