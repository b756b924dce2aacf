/** The page's autosave without a browser: a fake clock, timers and storage with the log semantics of ./persist.ts. */
import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../src/experiment/config';
import { defaultExperimentInput } from '../src/experiment/defaults';
import type { MetricRecord } from '../src/experiment/records';
import type { SessionState } from '../src/experiment/session-events';
import { asRun, asStep } from '../src/util/ids';
import { columnRecords, recordColumns } from '../src/experiment/record-columns';
import { Autosave, type CheckpointTaken } from './autosave';
import type { ResultsContext, ResultsHead } from './persist';

const config = parseExperiment(defaultExperimentInput());
const record = (run: number, step: number, extra: Partial<MetricRecord> = {}): MetricRecord => ({
  run: asRun(run), step: asStep(step), epoch: step / 15, trainLoss: 1 / step, trainAccuracy: 0.5, lr: 0.1, lrExpected: 0.1, diverged: false, wallMs: step, ...extra,
});
const steps = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => [record(0, from + i), record(1, from + i)]).flat();

/** A controllable world: timers fire on tick(), storage keeps a log as IndexedDB would, writes can be held. */
function world() {
  let now = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  let nextId = 1;
  const disk: { head?: ResultsHead; context?: ResultsContext; contexts: number; chunks: MetricRecord[][]; config?: Record<string, unknown>; checkpoint?: CheckpointTaken; cleared: number } = { chunks: [], contexts: 0, cleared: 0 };
  /** The engine's experiment now (a new config object after a change that keeps the results). */
  const current = { config, runs: [] as ResultsContext['runs'] };
  /** The engine's answers to checkpoint requests: each request waits for answer(step) (or null). */
  const asked: Array<(checkpoint: CheckpointTaken | null) => void> = [];
  const writes: number[] = []; // records per chunk written
  let hold: Promise<void> | null = null;
  const autosave = new Autosave({
    storage: {
      saveConfig: async (doc) => void (disk.config = doc),
      appendResults: async (records, head, context) => {
        if (hold) await hold;
        disk.chunks[head.chunks - 1] = columnRecords(records);
        disk.head = head;
        if (context) {
          disk.context = context;
          disk.contexts++;
        }
        writes.push(records.length);
      },
      dropResults: async () => {
        disk.head = undefined;
        disk.context = undefined;
        disk.chunks = [];
        disk.checkpoint = undefined;
      },
      saveCheckpoint: async (checkpoint) => void (disk.checkpoint = checkpoint ?? undefined),
      clear: async () => {
        disk.head = undefined;
        disk.chunks = [];
        disk.config = undefined;
        disk.cleared++;
      },
    },
    context: () => ({ ...current, diverged: [null, null] }),
    intervalMs: 1000,
    setTimer: (callback, ms) => {
      timers.set(nextId, { at: now + ms, callback });
      return nextId++;
    },
    clearTimer: (id) => timers.delete(id as number),
    checkpoint: () => new Promise((resolve) => asked.push(resolve)),
    checkpointEveryMs: 5000,
    now: () => now,
  });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return {
    autosave,
    disk,
    /** The experiment changes without dropping its results (e.g. a raised budget): a new config object. */
    changeConfig() {
      current.config = { ...current.config };
    },
    writes,
    /** The engine reports a batch: records, then its state. */
    async batch(records: MetricRecord[], state: Partial<Omit<SessionState, 'step'>> & { step: number }) {
      autosave.append(recordColumns(records));
      autosave.observe({ budgetSteps: 600, running: false, done: false, diverged: [], error: null, deviceLost: false, speed: null, ...state, step: asStep(state.step) });
      await settle();
    },
    async tick(ms: number) {
      now += ms;
      for (const [id, timer] of [...timers]) {
        if (timer.at <= now) {
          timers.delete(id);
          timer.callback();
        }
      }
      await settle();
    },
    holdWrites() {
      let release = () => {};
      hold = new Promise<void>((resolve) => (release = resolve));
      return () => {
        hold = null;
        release();
      };
    },
    /** Checkpoint requests not answered yet. */
    get asked() {
      return asked.length;
    },
    /** The engine answers the oldest request with a checkpoint at `step` (null: it cannot take one). */
    async answer(step: number | null) {
      asked.shift()!(step === null ? null : { step });
      await settle();
    },
    /** What a reload reads: the head's chunks, in order. */
    saved: () => (disk.head ? disk.chunks.slice(0, disk.head.chunks).flat() : []),
  };
}

describe('Autosave (an append-only log of records)', () => {
  it('a save writes only the records since the last one; at most every second while training, at once when it stops', async () => {
    const w = world();
    await w.batch(steps(1, 10), { step: 10, running: true });
    await w.tick(999);
    expect(w.writes).toEqual([]);
    await w.batch(steps(11, 20), { step: 20, running: true });
    await w.tick(1);
    expect(w.writes).toEqual([40]); // steps 1–20 of 2 runs, after one interval
    for (let block = 2; block < 30; block++) await w.batch(steps(block * 10 + 1, block * 10 + 10), { step: block * 10 + 10, running: true });
    await w.tick(1000);
    expect(w.writes).toEqual([40, 560]); // the second save: only what came after the first
    await w.batch(steps(301, 600), { step: 600, running: false, done: true }); // the end of the budget
    await w.tick(0);
    expect(w.writes).toEqual([40, 560, 600]);
    expect(w.disk.head!.step).toBe(600); // a reload right after the end restores the last step
    expect(w.saved()).toHaveLength(1200);
  });

  it('the context (config and runs) is written with the first chunk, then only when it changes or the log starts over', async () => {
    const w = world();
    for (let block = 0; block < 5; block++) {
      await w.batch(steps(block * 10 + 1, block * 10 + 10), { step: block * 10 + 10, running: false });
      await w.tick(0);
    }
    expect([w.disk.head!.chunks, w.disk.contexts]).toEqual([5, 1]);
    w.changeConfig();
    await w.batch(steps(51, 60), { step: 60, running: false });
    await w.tick(0);
    expect([w.disk.head!.chunks, w.disk.contexts, w.disk.context!.config]).toEqual([6, 2, expect.objectContaining({ name: config.name })]);
    w.autosave.restart(recordColumns(steps(1, 5)));
    await w.tick(0);
    expect([w.disk.head!.chunks, w.disk.contexts]).toEqual([1, 3]);
  });

  it('an evaluation re-sent for a saved step lands in a later chunk (a reload folds it in)', async () => {
    const w = world();
    await w.batch(steps(1, 10), { step: 10, running: false });
    await w.tick(0);
    await w.batch([record(0, 10, { testAccuracy: 0.9 }), record(1, 10, { testAccuracy: 0.8 })], { step: 10, running: false });
    await w.tick(0);
    expect(w.writes).toEqual([20, 2]);
    expect(w.saved().filter((r) => r.step === 10 && r.testAccuracy !== undefined)).toHaveLength(2);
  });

  it('a save in flight across "Forget saved" is dropped; the default loads with saving off', async () => {
    const w = world();
    w.autosave.configApplied({ name: 'mine' }, false);
    await w.batch(steps(1, 40), { step: 40, running: true });
    const release = w.holdWrites();
    await w.tick(1000); // a save starts and is held in flight
    await w.batch(steps(41, 50), { step: 50, running: false }); // and another is scheduled
    let loaded = false;
    const forgetting = w.autosave.forget(async () => {
      w.autosave.restart(recordColumns([])); // the default opens at step 0
      w.autosave.configApplied({ name: 'default' }, false);
      loaded = true;
    });
    release();
    await forgetting;
    await w.tick(10_000);
    expect(loaded).toBe(true);
    expect(w.disk.cleared).toBe(1);
    expect(w.saved()).toEqual([]);
    expect(w.disk.config).toBeUndefined(); // a reload opens the default
  });

  it('a restore: the replay\'s records are not saved, the log starts over with the file\'s records after it; flush() saves now', async () => {
    const w = world();
    await w.batch(steps(1, 20), { step: 20, running: false });
    await w.tick(0);
    expect(w.saved()).toHaveLength(40);
    const file = steps(1, 30);
    await w.autosave.while(async () => {
      w.autosave.restart(recordColumns([])); // 'loaded': the replay starts at step 0 ...
      w.autosave.configApplied({ name: 'restored' }, false);
      await w.batch(steps(1, 30), { step: 30, running: false }); // ... replays ...
      await w.tick(0);
      expect(w.saved()).toHaveLength(40); // (the log on disk stays whole meanwhile)
      w.autosave.restart(recordColumns(file)); // 'imported': the file's records
    });
    await w.tick(0);
    expect(w.saved()).toEqual(file);
    expect(w.disk.config).toEqual({ name: 'restored' });
    await w.batch(steps(31, 31), { step: 31, running: true });
    await w.autosave.flush(); // the page hides
    expect(w.saved()).toHaveLength(62);
    w.autosave.restart(recordColumns([])); // a reset
    await w.tick(0);
    expect(w.disk.head).toBeUndefined();
  });

  it('checkpoints: every 5 s while training and once stopped, written once the log reaches their step, dropped when the log starts over', async () => {
    const w = world();
    await w.batch(steps(1, 10), { step: 10, running: true });
    expect(w.asked).toBe(1); // the first at once
    await w.answer(12); // taken at step 12: its records are still on their way
    await w.tick(1000);
    expect(w.disk.head!.step).toBe(10);
    expect(w.disk.checkpoint).toBeUndefined(); // not before the log reaches step 12
    await w.batch(steps(11, 20), { step: 20, running: true });
    expect(w.asked).toBe(0); // 5 s have not passed
    await w.tick(1000);
    expect(w.disk.checkpoint).toEqual({ step: 12 });
    await w.tick(4000);
    await w.batch(steps(21, 30), { step: 30, running: true });
    expect(w.asked).toBe(1);
    await w.answer(30);
    await w.tick(1000);
    expect(w.disk.checkpoint).toEqual({ step: 30 });
    await w.batch([], { step: 30, running: false }); // paused: one at the step it stopped (30 has one already)
    expect(w.asked).toBe(0);
    await w.batch(steps(31, 35), { step: 35, running: false });
    expect(w.asked).toBe(1);
    w.autosave.restart(recordColumns([])); // a reset: the log and its checkpoint are dropped, and a late answer is not written
    await w.answer(35);
    await w.tick(0);
    expect(w.disk.checkpoint).toBeUndefined();
    expect(w.disk.head).toBeUndefined();
  });

  it('a restore asks for a checkpoint at the restored step once its replay is done; an engine without one is not asked again at that step', async () => {
    const w = world();
    const file = steps(1, 40);
    await w.autosave.while(async () => {
      w.autosave.restart(recordColumns([]));
      await w.batch(steps(1, 40), { step: 40, running: false }); // the replay (not asked meanwhile)
      expect(w.asked).toBe(0);
      w.autosave.restart(recordColumns(file));
    });
    expect(w.asked).toBe(1);
    await w.answer(40);
    await w.tick(0);
    expect(w.saved()).toEqual(file);
    expect(w.disk.checkpoint).toEqual({ step: 40 });
    await w.batch(steps(41, 45), { step: 45, running: false });
    await w.answer(null); // a sweep trained in chunks: no checkpoint
    await w.batch([], { step: 45, running: false });
    expect(w.asked).toBe(0);
    expect(w.disk.checkpoint).toEqual({ step: 40 }); // the older one stays: a reload replays from 40
  });

  it('a restore of the saved log itself: nothing is written again, the log goes on with its next chunk and keeps its checkpoint', async () => {
    const w = world();
    await w.batch(steps(1, 20), { step: 20, running: true });
    await w.answer(20);
    await w.tick(1000);
    await w.batch(steps(21, 30), { step: 30, running: false });
    await w.tick(0);
    expect([w.disk.head!.chunks, w.saved().length, w.disk.checkpoint]).toEqual([2, 60, { step: 20 }]);
    const before = w.writes.length;
    // A reload: a new page's autosave, the same disk; the Worker restores the log from its checkpoint.
    const { chunks, step } = w.disk.head!;
    const restored = await w.autosave.while(
      async () => {
        w.autosave.restart(recordColumns([])); // 'loaded'
        await w.batch(steps(21, 30), { step: 30, running: false }); // the replay from the checkpoint
        w.autosave.restart(() => {
          throw new Error('the records are not listed when the log goes on');
        }); // 'imported'
        return { opened: 'results', log: { chunks, step } };
      },
      (opened) => opened.log,
    );
    expect(restored.opened).toBe('results');
    await w.tick(0);
    expect(w.writes.length).toBe(before); // nothing written again
    expect(w.disk.checkpoint).toEqual({ step: 20 }); // kept until the one asked at the restored step is written
    await w.answer(30);
    await w.batch(steps(31, 32), { step: 32, running: false });
    await w.tick(0);
    expect(w.disk.head!.chunks).toBe(3);
    expect(w.saved()).toEqual(steps(1, 32));
    expect(w.disk.checkpoint).toEqual({ step: 30 });
  });
});
