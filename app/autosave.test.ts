/** The page's autosave without a browser: a fake clock, timers, storage and engine. */
import { describe, expect, it } from 'vitest';
import type { SessionState } from '../src/experiment/session-events';
import { Autosave } from './autosave';
import { asStep } from '../src/util/ids';

/** A controllable world: timers fire on tick(), the engine's export resolves when told. */
function world() {
  let now = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  let nextId = 1;
  const saved: string[] = [];
  const configs: Array<{ config: Record<string, unknown>; keepResults: boolean }> = [];
  let cleared = 0;
  const exports: Array<{ step: number; resolve: (json: string) => void }> = [];
  let step = 0;
  const autosave = new Autosave({
    results: () => new Promise<string>((resolve) => exports.push({ step, resolve })),
    storage: {
      saveConfig: async (config, keepResults) => void configs.push({ config, keepResults }),
      saveResults: async (json) => void saved.push(json),
      clear: async () => {
        cleared++;
        saved.length = 0;
      },
    },
    intervalMs: 5000,
    now: () => now,
    setTimer: (callback, ms) => {
      timers.set(nextId, { at: now + ms, callback });
      return nextId++;
    },
    clearTimer: (id) => timers.delete(id as number),
  });
  const flushMicrotasks = () => new Promise((resolve) => setTimeout(resolve, 0));
  return {
    autosave,
    saved,
    configs,
    exports,
    get cleared() {
      return cleared;
    },
    /** The engine reports `state` (step taken, running or not). */
    observe(state: Partial<Omit<SessionState, 'step'>> & { step?: number }) {
      step = state.step ?? step;
      autosave.observe({ budgetSteps: 600, running: false, done: false, diverged: [], error: null, deviceLost: false, speed: null, ...state, step: asStep(step) });
    },
    /** Advances the clock, firing due timers. */
    async tick(ms: number) {
      now += ms;
      for (const [id, timer] of [...timers]) {
        if (timer.at <= now) {
          timers.delete(id);
          timer.callback();
        }
      }
      await flushMicrotasks();
    },
    /** The engine answers every pending export with the step it was asked at. */
    async answer() {
      for (const request of exports.splice(0)) request.resolve(`results@${request.step}`);
      await flushMicrotasks();
    },
  };
}

describe('Autosave', () => {
  it('saves at most every interval while training, and at once when training stops (the last step kept)', async () => {
    const w = world();
    w.observe({ step: 0, running: true });
    await w.tick(100);
    expect(w.exports).toHaveLength(0); // nothing trained yet
    w.observe({ step: 10, running: true });
    await w.tick(0);
    w.observe({ step: 20, running: true });
    await w.tick(0);
    await w.answer();
    expect(w.saved).toEqual(['results@10']); // the first save comes at once…
    w.observe({ step: 30, running: true });
    await w.tick(1000);
    await w.answer();
    expect(w.saved).toEqual(['results@10']); // …the next not before the interval
    w.observe({ step: 600, running: false, done: true }); // the end of the budget, right after
    await w.tick(0);
    await w.answer();
    expect(w.saved.at(-1)).toBe('results@600'); // a reload right after the end restores the last step
  });

  it('a save scheduled or in flight across "Forget saved" is dropped; the default loads with saving off', async () => {
    const w = world();
    w.observe({ step: 40, running: true });
    await w.tick(0); // a save is in flight: its export has not answered yet
    expect(w.exports).toHaveLength(1);
    w.observe({ step: 50, running: false }); // and another is scheduled
    let loaded = false;
    const forgetting = w.autosave.forget(async () => {
      w.observe({ step: 0, running: false }); // the default, at step 0
      loaded = true;
    });
    await w.answer(); // the in-flight export answers during the forget
    await forgetting;
    await w.tick(10_000);
    await w.answer();
    expect(loaded).toBe(true);
    expect(w.cleared).toBe(1);
    expect(w.saved).toEqual([]);
  });

  it('flush() saves now (the page hides); nothing is saved while a restore replays', async () => {
    const w = world();
    w.observe({ step: 70, running: true });
    await w.tick(0);
    await w.answer();
    w.observe({ step: 80, running: true });
    const flushed = w.autosave.flush();
    await w.answer();
    await flushed;
    expect(w.saved).toEqual(['results@70', 'results@80']);
    await w.autosave.while(async () => {
      w.observe({ step: 90, running: false });
      await w.tick(10_000);
      await w.answer();
      await w.autosave.configApplied({ replayed: true }, true);
    });
    expect(w.saved).toEqual(['results@70', 'results@80']);
    expect(w.configs).toEqual([]);
    await w.autosave.configApplied({ name: 'x' }, false);
    expect(w.configs).toEqual([{ config: { name: 'x' }, keepResults: false }]);
  });
});
