// followStore's pacing, with fake timers: a heavy view redraws seldom while the value changes, and
// shows the latest value soon after the changes stop.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { drawn, followStore, type FollowedStore } from './redraw';

/** A store of one number, and its listeners. */
function counter(): FollowedStore<number> & { set(value: number): void } {
  let state = 0;
  const listeners = new Set<(state: number) => void>();
  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(value) {
      state = value;
      listeners.forEach((listener) => listener(state));
    },
  };
}

/** A view following `store` whose redraws take `costMs` from their start to their commit. */
function follow(store: FollowedStore<number>, ms: number, costMs: number) {
  const view = {};
  const draws: { at: number; value: number }[] = [];
  let shown = store.getState();
  const stop = followStore(store, () => (state: number) => state, view, ms, () => shown, (value) => {
    setTimeout(() => {
      shown = value;
      draws.push({ at: performance.now(), value });
      drawn(view);
    }, costMs);
  });
  return { draws, shown: () => shown, stop };
}

/** Sets `store` to 1, 2, … `count`, `gap(i)` ms apart (batches of records coming in). */
function changes(store: ReturnType<typeof counter>, count: number, gap: (i: number) => number): void {
  for (let i = 1; i <= count; i++) {
    store.set(i);
    vi.advanceTimersByTime(gap(i));
  }
}

describe('followStore', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    // Node has no animation frames: one every 16 ms.
    vi.stubGlobal('requestAnimationFrame', (callback: FrameRequestCallback) => setTimeout(() => callback(performance.now()), 16));
  });
  afterEach(() => {
    vi.advanceTimersByTime(10_000); // the queue drains: no redraw left in flight for the next test
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('a cheap view redraws every ms while its value changes', () => {
    const store = counter();
    const view = follow(store, 300, 5);
    changes(store, 100, () => 50); // a batch of records every 50 ms, for 5 s
    // 5 s at one redraw per 300 ms (+ a frame and the cost each): 13–17 redraws.
    expect(view.draws.length).toBeGreaterThanOrEqual(12);
    expect(view.draws.length).toBeLessThanOrEqual(17);
    view.stop();
  });

  it('a heavy view redraws at most every 20 times its cost while the value changes, and shows the last value within a second once the changes stop', () => {
    const store = counter();
    const view = follow(store, 300, 400);
    changes(store, 600, () => 50); // 30 s of batches
    // The first redraw costs 400 ms, so the next waits 8 s: about 4 redraws in 30 s, not 100.
    expect(view.draws.length).toBeLessThanOrEqual(5);
    expect(view.shown()).not.toBe(600);
    const stopped = performance.now();
    vi.advanceTimersByTime(1000);
    expect(view.shown()).toBe(600);
    expect(view.draws[view.draws.length - 1].at - stopped).toBeLessThanOrEqual(1000);
    view.stop();
  });

  it('changes a few hundred ms apart (a slow sweep step) do not count as stopped', () => {
    const store = counter();
    const view = follow(store, 300, 400);
    changes(store, 100, (i) => (i % 10 === 0 ? 450 : 250)); // steps of 250 ms, one in ten slower
    // 27 s: at most one redraw per 8 s, plus the first.
    expect(view.draws.length).toBeLessThanOrEqual(5);
    view.stop();
  });

  it('one change after a long quiet shows within ms (plus its cost); nothing is drawn after stop()', () => {
    const store = counter();
    const view = follow(store, 300, 10);
    vi.advanceTimersByTime(60_000);
    store.set(7);
    vi.advanceTimersByTime(400);
    expect(view.shown()).toBe(7);
    view.stop();
    store.set(8);
    vi.advanceTimersByTime(5000);
    expect(view.shown()).toBe(7);
  });
});
