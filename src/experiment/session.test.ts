/**
 * The training session on Node + Dawn: pausing, resuming, single steps, run edits at a block
 * boundary, budget changes, restoring a results file (catch-up), the speed limit, and failures
 * (a lost device) that keep every metric already collected. "Bit for bit" compares every field of
 * every record but the wall time.
 */
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../data/types';
import { acquireNodeGpu } from '../gpu/node';
import { testGpu } from '../test/gpu';
import { parseExperiment, type ExperimentConfig } from './config';
import { loadExperimentDataset } from './datasets';
import { parseResultsJson } from './results';
import type { MetricRecord } from './records';
import type { SessionEvent } from './session-events';
import { RecordTable } from './record-table';
import { TrainingSession } from './session';
import type { GpuContext } from '../gpu/device';
import { asMethod } from '../util/ids';

/** Three methods (baseline, LRD, AutoDrop) of a small MLP on moons: 60 steps, blocks of 10. */
function document(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const optimizer = { rule: 'momentum', momentum: 0.9 };
  const schedule = { kind: 'constant', lr: 0.1 };
  return {
    version: 1,
    name: 'session test',
    seed: 3,
    dataset: { kind: 'toy', name: 'moons', count: 200, noise: 0.1, testFraction: 0.2 },
    model: { kind: 'mlp', hidden: [8] },
    batch: 16,
    budget: { unit: 'steps', amount: 60 },
    evalEvery: 25,
    logEvery: 10,
    runs: [
      { label: 'Baseline', optimizer, schedule },
      { label: 'LRD', optimizer, schedule, lrd: { keepProb: 0.5 } },
      { label: 'AutoDrop', optimizer, schedule, autodrop: { window: 5, buffer: 2, threshold: 1000, delay: 2 } },
    ],
    ...extra,
  };
}

async function datasetOf(config: ExperimentConfig): Promise<Dataset> {
  return loadExperimentDataset(config.dataset, config.seed, {});
}

async function open(doc: Record<string, unknown> = document(), gpu?: GpuContext): Promise<{ session: TrainingSession; events: SessionEvent[] }> {
  const session = new TrainingSession(gpu ?? (await testGpu()), { loadDataset: datasetOf });
  const events: SessionEvent[] = [];
  session.subscribe((event) => events.push(event));
  await session.load(doc);
  return { session, events };
}

/** Resolves when training has reported progress to `step` or beyond. */
function reached(session: TrainingSession, step: number): Promise<void> {
  return new Promise((resolve) => {
    const stop = session.subscribe((event) => {
      if (event.kind === 'progress' && event.step >= step) {
        stop();
        resolve();
      }
    });
  });
}

/** Every record without its wall time, in (run, step) order. */
const comparable = (records: Iterable<MetricRecord>) =>
  [...records].sort((a, b) => a.run - b.run || a.step - b.step).map(({ wallMs: _, ...rest }) => rest);

/** The records of an uninterrupted run of `doc` to its budget. */
async function uninterrupted(doc = document()): Promise<MetricRecord[]> {
  const { session } = await open(doc);
  await session.start();
  const records = session.runner.records.toArray();
  await session.close();
  return records;
}

describe('TrainingSession', () => {
  it('its metrics events carry every record as the runner holds it (AutoDrop angles that come after their record included)', async () => {
    const { session, events } = await open();
    await session.start();
    const heard = new RecordTable();
    for (const event of events) if (event.kind === 'metrics') heard.push(...event.records);
    expect(session.runner.records.some((record) => record.angle !== undefined)).toBe(true);
    expect(comparable(heard)).toEqual(comparable(session.runner.records));
    await session.close();
  });

  it('pause takes effect after the step in flight (not at a block boundary); resume continues bit for bit as if never paused', async () => {
    const whole = await uninterrupted();
    const { session } = await open();
    const training = session.start();
    await reached(session, 20);
    const paused = await session.pause();
    await training;
    expect(paused.running).toBe(false);
    expect(paused.step).toBeLessThan(60);
    expect(session.runner.records.length).toBe(paused.step * 3); // every step of every run collected
    await session.step(); // a single step, then
    await session.step(3); // three more
    expect(session.state.step).toBe(paused.step + 4);
    const end = await session.start();
    expect(end.done).toBe(true);
    expect(comparable(session.runner.records)).toEqual(comparable(whole));
    await session.close();
  });

  it('a run edit takes effect at the step it announces, while training (between two steps) or paused', async () => {
    const { session, events } = await open();
    await session.step(12);
    const edit = { label: 'LRD', optimizer: { rule: 'momentum', momentum: 0.9 }, schedule: { kind: 'constant', lr: 0.02 }, lrd: { keepProb: 0.5 } };
    const paused = await session.updateRun(asMethod(1), edit);
    expect(paused.fromStep).toBe(13);
    const training = session.start();
    await reached(session, 30);
    const running = await session.updateRun(asMethod(0), { label: 'Baseline', optimizer: { rule: 'momentum', momentum: 0.9 }, schedule: { kind: 'constant', lr: 0.03 } });
    await training;
    const rate = (run: number, step: number) => session.runner.records.find((r) => r.run === run && r.step === step)!.lr;
    expect(rate(1, 12)).toBe(0.1);
    expect(rate(1, 13)).toBe(0.02);
    expect(rate(0, running.fromStep - 1)).toBe(0.1);
    expect(rate(0, running.fromStep)).toBe(0.03);
    expect(running.fromStep).toBeGreaterThan(30); // applied between two steps, training going on
    const updated = events.filter((e) => e.kind === 'run-updated');
    expect(updated.map((e) => e.kind === 'run-updated' && [e.method, e.fromStep])).toEqual([[1, 13], [0, running.fromStep]]);
    // The event carries the engine's document: the page never asks for it.
    const last = updated[1];
    expect(last.kind === 'run-updated' && (last.applied.document.runs as Array<{ schedule: { lr: number } }>)[0].schedule.lr).toBe(0.03);
    expect(last.kind === 'run-updated' && last.applied.config.runs[1].schedule).toMatchObject({ lr: 0.02 });
    await session.close();
  });

  it('refuses an edit the engine cannot apply, naming the field; nothing changes', async () => {
    const doc = document({ runs: [{ label: 'Baseline', schedule: { kind: 'constant', lr: 0.1 } }] });
    const { session } = await open(doc);
    await session.step(5);
    await expect(session.updateRun(asMethod(0), { label: 'Baseline', schedule: { kind: 'constant', lr: 0.1 }, autodrop: {} })).rejects.toThrow(/^runs\.0\.autodrop: AutoDrop can only be switched on/);
    await expect(session.updateRun(asMethod(0), { label: 'Baseline', schedule: { kind: 'constant', lr: -1 } })).rejects.toThrow(/runs\.0\.schedule\.lr/);
    expect(session.applied?.document).toEqual(doc);
    expect(session.state.step).toBe(5);
    await session.close();
  });

  it('adding, reordering and removing runs rebuilds the experiment from step 0, each run keeping its colour; a missing run is refused and changes nothing', async () => {
    const { session, events } = await open();
    const labels = () => session.applied!.summary.runs.map((run) => run.label);
    /** Colour and run key by label: what a run must keep across edits that move it. */
    const pinned = () => Object.fromEntries(session.applied!.summary.runs.map((run) => [run.label, [run.color, run.runKey]]));
    const loads = () => events.filter((e) => e.kind === 'loaded').length;
    const before = pinned();
    await session.step(5);

    const added = await session.addRun({ label: 'Slow', optimizer: { rule: 'momentum', momentum: 0.9 }, schedule: { kind: 'constant', lr: 0.01 } });
    expect(added.message).toBe('Adding a run rebuilds the experiment: training restarted from step 0.');
    expect(events.at(-1)).toEqual({ kind: 'loaded', applied: added.applied });
    expect(added.applied).toEqual(session.applied);
    expect(labels()).toEqual(['Baseline', 'LRD', 'AutoDrop', 'Slow']);
    expect(session.applied!.config.runs).toHaveLength(4);
    expect(session.state.step).toBe(0);
    expect(session.runner.records.length).toBe(0);
    const withAdded = pinned();
    expect(withAdded).toMatchObject(before); // the three runs kept their colours and run keys
    const [slowColor, slowKey] = withAdded.Slow;
    expect(Object.values(before).map(([color]) => color)).not.toContain(slowColor); // a colour of its own
    expect(Object.values(before).map(([, key]) => key)).not.toContain(slowKey);

    await session.step(3);
    const moved = await session.moveRun(asMethod(3), asMethod(0));
    expect(moved.message).toBe('Reordering the runs rebuilds the experiment: training restarted from step 0.');
    expect(labels()).toEqual(['Slow', 'Baseline', 'LRD', 'AutoDrop']);
    expect(session.applied!.summary.runs.map((run) => run.method)).toEqual([0, 1, 2, 3]);
    expect(pinned()).toEqual(withAdded); // the colours moved with their runs
    expect(session.state.step).toBe(0);

    await session.step(2);
    const loadsBefore = loads();
    const documentBefore = structuredClone(session.applied!.document);
    const configBefore = structuredClone(session.applied!.config);
    await expect(session.removeRun(asMethod(4))).rejects.toThrow('runs.4: no such run (the experiment has 4)');
    expect(session.applied!.document).toEqual(documentBefore);
    expect(session.applied!.config).toEqual(configBefore);
    expect(session.applied!.config.runs).toHaveLength(4);
    expect(session.state.step).toBe(2); // not rebuilt
    expect(loads()).toBe(loadsBefore);

    const removed = await session.removeRun(asMethod(1)); // Baseline: the runs after it move up a place
    expect(removed.message).toBe('Removing a run rebuilds the experiment: training restarted from step 0.');
    expect(events.at(-1)).toEqual({ kind: 'loaded', applied: removed.applied });
    expect(labels()).toEqual(['Slow', 'LRD', 'AutoDrop']);
    expect(session.applied!.config.runs).toHaveLength(3);
    const { Baseline: _, ...kept } = withAdded;
    expect(pinned()).toEqual(kept); // not the colours of their new places
    expect(session.state.step).toBe(0);
    expect(loads()).toBe(loadsBefore + 1);

    // A run added now takes a colour no run has (the one Baseline left), not its place's (Slow's), and a fresh run key.
    await session.addRun({ label: 'Fast', optimizer: { rule: 'momentum', momentum: 0.9 }, schedule: { kind: 'constant', lr: 0.3 } });
    expect(labels()).toEqual(['Slow', 'LRD', 'AutoDrop', 'Fast']);
    const { Fast: [fastColor, fastKey], ...others } = pinned();
    expect(others).toEqual(kept);
    expect(Object.values(kept).map(([color]) => color)).not.toContain(fastColor);
    expect(Object.values(withAdded).map(([, key]) => key)).not.toContain(fastKey);

    const trained = await session.step();
    expect(trained.step).toBe(1);
    expect(session.runner.records.filter((r) => r.step === 1).map((r) => r.run).sort()).toEqual([0, 1, 2, 3]);
    await session.close();
  });

  it('catch-up: restoring a results file replays to its step and equals uninterrupted training from there', async () => {
    const whole = await uninterrupted();
    const { session: first } = await open();
    await first.step(37); // mid-block, past an evaluation
    const saved = (await first.exportJson()).join('');
    await first.close();
    const { session, events } = await open(document({ name: 'something else' }));
    const restored = await session.restore(parseResultsJson(saved));
    expect(restored.step).toBe(37);
    expect(restored.difference).toMatchObject({ differing: 0, missing: 0 });
    expect(events.at(-1)?.kind).toBe('imported');
    await session.start();
    expect(comparable(session.runner.records)).toEqual(comparable(whole));
    await session.close();
  });

  it('a restore from a checkpoint replays only the steps after it, and training goes on exactly as uninterrupted', async () => {
    const whole = await uninterrupted();
    const { session: first } = await open();
    const training = first.start({ until: 30 });
    const checkpoint = await first.checkpoint(); // while training: taken at a block boundary
    await training;
    expect(checkpoint).not.toBeNull();
    expect(checkpoint!.step).toBeGreaterThan(0);
    await first.step(37 - first.state.step); // the log reaches further than the checkpoint
    const saved = (await first.exportJson()).join('');
    await first.close();
    const { session, events } = await open(document({ name: 'something else' }));
    const restored = await session.restore(parseResultsJson(saved), structuredClone(checkpoint));
    expect(restored).toMatchObject({ step: 37, fromStep: checkpoint!.step, difference: { differing: 0, missing: 0 } });
    expect(restored.difference.compared).toBeGreaterThan(0);
    expect(events.find((e) => e.kind === 'replaying')).toMatchObject({ fromStep: checkpoint!.step, toStep: 37 });
    await session.start();
    expect(comparable(session.runner.records)).toEqual(comparable(whole));
    // A checkpoint of another experiment is set aside: the replay starts at step 0, with the same result.
    const other = await open(document({ name: 'other', runs: [{ label: 'Solo', schedule: { kind: 'constant', lr: 0.1 } }] }));
    await other.session.step(5);
    const foreign = await other.session.checkpoint();
    await other.session.close();
    const { session: third } = await open();
    const fallback = await third.restore(parseResultsJson(saved), foreign);
    expect(fallback).toMatchObject({ step: 37, fromStep: 0, difference: { differing: 0, missing: 0 } });
    await third.start();
    expect(comparable(third.runner.records)).toEqual(comparable(whole));
    await third.close();
    await session.close();
  });

  it('a restore ending at an AutoDrop window end has its angle, whether the file was saved before or after the angle came back', async () => {
    const whole = await uninterrupted();
    const { session: first } = await open();
    await first.step(35); // window 5 ends at step 35: its angle comes back after the step's record
    const saved = parseResultsJson((await first.exportJson()).join(''));
    await first.close();
    const autodrop = 2;
    const last = (records: Iterable<MetricRecord>) => [...records].find((r) => r.run === autodrop && r.step === 35);
    const angle = last(whole)!.angle;
    expect(angle).toBeGreaterThanOrEqual(0);
    const withAngle = { ...saved, records: saved.records.map((r) => (r.run === autodrop && r.step === 35 ? { ...r, angle } : r)) };
    const withoutAngle = { ...saved, records: saved.records.map((r) => (r.run === autodrop && r.step === 35 ? { ...r, angle: undefined } : r)) };
    for (const file of [withAngle, withoutAngle]) {
      const { session } = await open();
      const restored = await session.restore(file);
      expect(restored.difference).toMatchObject({ differing: 0, missing: 0 });
      expect(last(session.runner.records)?.angle).toBe(angle);
      await session.close();
    }
  });

  it('a raised budget continues from the step reached; a budget below it is refused', async () => {
    const longer = await uninterrupted(document({ budget: { unit: 'steps', amount: 90 } }));
    const { session, events } = await open();
    await session.start();
    expect(session.state.done).toBe(true);
    await expect(session.setBudget({ unit: 'steps', amount: 40 })).rejects.toThrow(/^budget\.amount: 40 steps is below the 60 steps already trained/);
    const applied = await session.setBudget({ unit: 'steps', amount: 90 });
    expect(applied.summary.budgetSteps).toBe(90);
    expect(events.at(-1)?.kind).toBe('budget-changed');
    expect(session.state).toMatchObject({ step: 60, done: false });
    await session.start();
    expect(session.state).toMatchObject({ step: 90, done: true });
    // The same numbers as a 90-step budget from the start (the old end's extra evaluation aside).
    const strip = (records: Iterable<MetricRecord>) => comparable(records).map(({ testAccuracy: _, testLoss: __, ...rest }) => rest);
    expect(strip(session.runner.records)).toEqual(strip(longer));
    await session.close();
  });

  it('the speed limit paces training without changing a number', async () => {
    const doc = document({ budget: { unit: 'steps', amount: 30 } });
    const whole = await uninterrupted(doc);
    const { session } = await open(doc);
    session.setSpeed(300);
    const started = performance.now();
    await session.start();
    expect(performance.now() - started).toBeGreaterThanOrEqual(90); // 30 steps at 300/s: at least 0.1 s (less a timer's slack)
    expect(comparable(session.runner.records)).toEqual(comparable(whole));
    await session.close();
  });

  it('a lost device stops training with its reason and keeps every metric already collected', async () => {
    const gpu = await acquireNodeGpu(); // a device of its own: this test destroys it
    const { session, events } = await open(document({ budget: { unit: 'steps', amount: 100_000 } }), gpu);
    await session.step(20);
    const before = comparable(session.runner.records);
    const training = session.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    gpu.device.destroy();
    await expect(training).rejects.toThrow(/GPU device lost \(destroyed\)/);
    const state = session.state;
    expect(state).toMatchObject({ running: false, deviceLost: true });
    expect(state.error).toMatch(/GPU device lost/);
    expect(events.some((e) => e.kind === 'error' && e.deviceLost)).toBe(true);
    expect(comparable(session.runner.records.filter((r) => r.step <= 20))).toEqual(before);
    await expect(session.start()).rejects.toThrow(/GPU device lost.*Start again/);
    const json = parseResultsJson((await session.exportJson()).join('')); // still exportable, from the CPU's copy
    expect(json.records.length).toBeGreaterThanOrEqual(before.length);
  });

  it('a config or a results file is opened by parsing it; a bad one names its field and changes nothing', async () => {
    const { session } = await open();
    await session.step(10);
    await expect(session.open('{"version": 1, "runs": 3}')).rejects.toThrow(/runs: must be a list of runs/);
    await expect(session.open('{"format": "lr-lab-results", "version": 1}')).rejects.toThrow(/config: is required/);
    expect(session.state.step).toBe(10);
    const results = (await session.exportJson()).join('');
    await session.open(JSON.stringify(parseExperiment(document({ name: 'other' }))));
    expect(session.applied?.summary.name).toBe('other');
    await session.open(results);
    expect(session.state.step).toBe(10);
    expect(session.applied?.summary.name).toBe('session test');
    await session.close();
  });
});
