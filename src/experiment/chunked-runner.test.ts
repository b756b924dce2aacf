/**
 * A sweep trained in chunks equals the same sweep in one chunk, record for record (bit for bit but
 * wallMs), through a TrainingSession: with every method (LRD, LEAP, RALR, AutoDrop, exp-LR), a
 * diverging rate, an evaluation interval that does not divide the block, a pause mid-block, single
 * steps and a run edit. And a buffer past a device limit splits the sweep instead of failing.
 */
import { describe, expect, it } from 'vitest';
import { generateToy } from '../data/toys';
import type { GpuContext } from '../gpu/device';
import { testGpu } from '../test/gpu';
import { asMethod } from '../util/ids';
import type { ChunkedCheckpoint } from './checkpoint';
import { ChunkedRunner } from './chunked-runner';
import type { ExperimentInput } from './config';
import { defaultExperimentInput } from './defaults';
import type { MetricRecord } from './records';
import { parseResultsJson } from './results';
import { TrainingSession } from './session';

/** Every method of the playground on a small spiral, three rates (the largest diverges for some), two replicates: 36 runs. */
function sweepConfig(chunkRuns?: number): ExperimentInput {
  const base = defaultExperimentInput();
  return {
    ...base,
    replicates: 2,
    dataset: { kind: 'toy', name: 'spiral', count: 200, noise: 0.1, testFraction: 0.2 },
    model: { kind: 'mlp', hidden: [8], activation: 'tanh' },
    budget: { unit: 'steps', amount: 40 },
    evalEvery: 15,
    logEvery: 10,
    divergence: { lossFactor: 1.5 }, // so that the largest rate diverges within the budget
    sweep: { axes: [{ kind: 'values', field: 'lr', values: [0.03, 0.3, 5] }], ...(chunkRuns ? { chunkRuns } : {}) },
  } as ExperimentInput;
}

const comparable = (records: Iterable<MetricRecord>) =>
  [...records].sort((a, b) => a.step - b.step || a.run - b.run).map(({ wallMs: _, ...rest }) => JSON.stringify(rest, (_key, value) => (Number.isNaN(value) ? 'NaN' : value)));

/** Trains `config` in a session: 13 steps (a pause mid-block), 2 single steps, an edit of LRD, then to the end. */
async function train(gpu: GpuContext, config: ExperimentInput) {
  const dataset = generateToy('spiral', { count: 200, noise: 0.1, seed: config.seed ?? 1, testFraction: 0.2 });
  const session = new TrainingSession(gpu, { loadDataset: async () => ({ ...dataset, name: 'spiral' }) });
  await session.load(config);
  const chunked = session.runner instanceof ChunkedRunner ? session.runner.chunks.length : 1;
  const events: string[] = [];
  session.subscribe((event) => event.kind === 'diverged' && events.push(`${event.run}@${event.step}`));
  await session.start({ until: 13 });
  await session.step(2);
  const lrd = (config.runs as Array<Record<string, unknown>>)[1];
  await session.updateRun(asMethod(1), { ...lrd, lrd: { keepProb: 0.8 } });
  await session.start();
  const result = { chunked, records: comparable(session.runner.records), diverged: [...session.runner.diverged], events: events.sort(), csv: [...session.exportCsv().metrics].join('').split('\n').map((line) => line.replace(/,\d+(,[^,]*)$/, ',$1')) };
  await session.close();
  return result;
}

describe('ChunkedRunner', () => {
  it('a sweep in chunks of 5 runs gives the records of one chunk, bit for bit (but wall time)', async () => {
    const gpu = await testGpu();
    const whole = await train(gpu, sweepConfig());
    const chunks = await train(gpu, sweepConfig(5));
    expect(whole.chunked).toBe(1);
    expect(chunks.chunked).toBe(8); // 36 runs in chunks of 5
    expect(whole.records.length).toBe(36 * 40); // every step of every run (evaluations attach to their step's record)
    expect(chunks.records).toEqual(whole.records);
    expect(chunks.diverged).toEqual(whole.diverged);
    expect(whole.diverged.some((step) => step !== null)).toBe(true); // the rate 5 diverges somewhere
    expect(chunks.events).toEqual(whole.events);
    expect(chunks.csv.length).toBe(whole.csv.length);
  });

  it('a chunked sweep takes a checkpoint: a reload restored from it replays only the steps after it and trains on exactly as uninterrupted; a checkpoint of other chunks is refused in words', async () => {
    const gpu = await testGpu();
    const dataset = generateToy('spiral', { count: 200, noise: 0.1, seed: 1, testFraction: 0.2 });
    const open = async (chunkRuns?: number) => {
      const session = new TrainingSession(gpu, { loadDataset: async () => ({ ...dataset, name: 'spiral' }) });
      await session.load(sweepConfig(chunkRuns));
      return session;
    };
    const first = await open(5);
    const training = first.start({ until: 33 });
    const checkpoint = await first.checkpoint(); // while training: taken between two advances, every chunk at the same step
    await training;
    expect(checkpoint).toMatchObject({ chunks: expect.any(Array) });
    expect(checkpoint!.step).toBeGreaterThan(0);
    expect(checkpoint!.step).toBeLessThan(33);
    expect(new Set((checkpoint as ChunkedCheckpoint).chunks.map((chunk) => chunk.step))).toEqual(new Set([checkpoint!.step]));
    const saved = (await first.exportJson()).join('');
    await first.start(); // uninterrupted to the end
    const whole = comparable(first.runner.records);
    const diverged = [...first.runner.diverged];

    const second = await open(5);
    const restored = await second.restore(parseResultsJson(saved), structuredClone(checkpoint));
    expect(restored).toMatchObject({ step: 33, fromStep: checkpoint!.step, difference: { differing: 0, missing: 0 } });
    await second.start();
    expect(comparable(second.runner.records)).toEqual(whole);
    expect([...second.runner.diverged]).toEqual(diverged);
    expect(diverged.some((step) => step !== null)).toBe(true);

    // Refused, with the reason: other chunks, one stack's checkpoint, a runner that has trained.
    const nine = await open(4);
    expect(() => nine.runner.restoreCheckpoint!(checkpoint!)).toThrow(/checkpoint: a sweep's checkpoint in 8 chunks; this sweep trains in 9/);
    const one = await open();
    expect(() => one.runner.restoreCheckpoint!(checkpoint!)).toThrow(/checkpoint: a sweep's checkpoint in 8 chunks; this experiment trains in one/);
    await one.step(1);
    const stack = await one.checkpoint();
    const fresh = await open(5);
    expect(() => fresh.runner.restoreCheckpoint!(stack!)).toThrow(/checkpoint: one stack's checkpoint \(36 runs\); this sweep trains in 8 chunks/);
    expect(() => second.runner.restoreCheckpoint!(checkpoint!)).toThrow(/fresh runner/);
    // A checkpoint that does not fit (one stack's, for this file's sweep in 8 chunks) is set aside: the replay starts at step 0, with the same records.
    const third = await open(5);
    expect(await third.restore(parseResultsJson(saved), stack)).toMatchObject({ step: 33, fromStep: 0, difference: { differing: 0, missing: 0 } });
    for (const session of [first, second, nine, one, fresh, third]) await session.close();
  });

  it('splits a sweep whose buffers pass the storage-buffer limit; names the limit when one run does not fit', async () => {
    const real = await testGpu();
    const config = sweepConfig();
    // The parameters of the 8-unit MLP take 256 floats per run (two 64-float segments per tensor … ); allow about 10 runs.
    const limited = (bytes: number): GpuContext => ({ ...real, limits: { ...real.limits, maxStorageBufferBindingSize: bytes } as GPUSupportedLimits });
    const dataset = generateToy('spiral', { count: 200, noise: 0.1, seed: 1, testFraction: 0.2 });
    const session = new TrainingSession(limited(10 * 8 * 32 * 4 * 4), { loadDataset: async () => dataset });
    await session.load(config);
    expect(session.runner).toBeInstanceOf(ChunkedRunner);
    const runner = session.runner as ChunkedRunner;
    expect(runner.chunks.length).toBeGreaterThan(1);
    expect(runner.runs).toHaveLength(36);
    await session.close();
    const tiny = new TrainingSession(limited(64), { loadDataset: async () => dataset });
    await expect(tiny.load(config)).rejects.toThrow(/needs \d+ bytes but device\.limits\.maxStorageBufferBindingSize is 64/);
    await tiny.close();
  });
});
