/** The lockstep runner on the GPU: divergence isolation, pause/resume determinism, mid-training changes. */
import { RecordTable } from './record-table';
import { describe, expect, it } from 'vitest';
import { generateToy } from '../data/toys';
import { resolveModel } from '../nn/spec';
import { parseAutoDrop } from '../optim/autodrop';
import { parseLeap } from '../optim/leap';
import { parseLrd } from '../optim/lrd';
import { parseRalr } from '../optim/ralr';
import { parseExpLr } from '../optim/explr';
import { parseOptimizer } from '../optim/optimizer';
import { parseSchedule } from '../optim/schedules';
import { testGpu } from '../test/gpu';
import { ExperimentRunner, type RunnerRun } from './runner';
import type { MetricRecord } from './records';
import { asMethod } from '../util/ids';

const model = resolveModel({
  inputShape: [2],
  loss: 'softmax_xent',
  layers: [{ kind: 'dense', units: 16, activation: 'tanh' }, { kind: 'dense', units: 3 }],
});
const dataset = generateToy('spiral', { count: 300, noise: 0.1, seed: 2, testFraction: 0.2 });

function runOf(label: string, lr: number, extra: Partial<RunnerRun> = {}): RunnerRun {
  return {
    label, method: asMethod(0), replicate: 0, seed: 5, runKey: 0,
    optimizer: parseOptimizer({ rule: 'momentum', momentum: 0.9 }),
    lr: { schedule: parseSchedule({ kind: 'constant', lr }) },
    ...extra,
  };
}

async function makeRunner(runs: RunnerRun[], budgetSteps = 60) {
  const gpu = await testGpu();
  return new ExperimentRunner(gpu, model, dataset, runs, {
    seed: 9, batch: 16, logEvery: 10, evalEvery: 30, budgetSteps, divergenceFactor: 1e3,
  });
}

const curve = (records: Iterable<MetricRecord>, run: number) => [...records].filter((r) => r.run === run && Number.isFinite(r.trainLoss)).map((r) => r.trainLoss);

describe('ExperimentRunner', () => {
  it('a diverging run is marked and frozen at a fixed step; the others keep training', async () => {
    const diverging = async () => {
      const runner = await makeRunner([runOf('ok', 0.05), runOf('huge', 1e4, { runKey: 1 })], 80);
      const events: string[] = [];
      runner.subscribe((e) => e.kind === 'diverged' && events.push(`${e.run}@${e.step}: ${e.reason}`));
      await runner.advance(80);
      const result = { diverged: [...runner.diverged], events, records: [...runner.records] };
      runner.destroy();
      return result;
    };
    const first = await diverging();
    expect(first.diverged[0]).toBeNull();
    expect(first.diverged[1]).not.toBeNull();
    expect(first.events).toHaveLength(1);
    const ok = curve(first.records, 0);
    expect(ok.length).toBe(80); // every step is logged, in blocks of logEvery
    expect(ok[ok.length - 1]).toBeLessThan(ok[0]);
    expect(first.records.filter((r) => r.run === 1 && r.step > (first.diverged[1] as number)).every((r) => r.diverged)).toBe(true);
    const second = await diverging();
    expect(second.diverged).toEqual(first.diverged);
  });

  it('a divergence freezes its run at the same step however training is cut into pieces (pauses, single steps)', async () => {
    const train = async (pieces: number[]) => {
      const runner = await makeRunner([runOf('ok', 0.05), runOf('huge', 1e4, { runKey: 1 })], 80);
      for (const steps of pieces) await runner.advance(steps);
      const result = { diverged: [...runner.diverged], records: runner.records.map(({ wallMs: _, ...rest }) => rest) };
      runner.destroy();
      return result;
    };
    const whole = await train([80]);
    expect(whole.diverged[1]).not.toBeNull();
    const cut = await train([3, 1, 1, 7, 2, 9, 13, 1, 44]);
    expect(cut.diverged).toEqual(whole.diverged);
    expect(cut.records).toEqual(whole.records);
  });

  it('lockstep runs equal the same runs trained one at a time (LRD, LEAP, RALR, Adam included)', async () => {
    const runs = (): RunnerRun[] => [
      runOf('sgdm', 0.05),
      runOf('lrd', 0.05, { lrd: parseLrd({ keepProb: 0.5 }), runKey: 1 }),
      runOf('leap+ralr', 0.05, { leap: parseLeap({ sigma: 0.05 }), lr: { schedule: parseSchedule({ kind: 'constant', lr: 0.05 }), ralr: parseRalr({ amplifyProb: 0.3 }) }, runKey: 2 }),
      runOf('adam', 0.01, { optimizer: parseOptimizer({ rule: 'adam' }), runKey: 3 }),
    ];
    const together = await makeRunner(runs(), 30);
    await together.advance(30);
    const records = (list: Iterable<MetricRecord>, run: number) => [...list].filter((r) => r.run === run).map(({ wallMs: _, run: __, ...rest }) => rest);
    for (const [index, run] of runs().entries()) {
      const alone = await makeRunner([run], 30);
      await alone.advance(30);
      const mine = records(together.records, index);
      expect(mine).toHaveLength(30);
      expect(records(alone.records, 0), run.label).toEqual(mine); // bit for bit: losses, accuracies, rates, test metrics
      alone.destroy();
    }
    expect(curve(together.records, 1)).not.toEqual(curve(together.records, 0)); // the methods do differ
    together.destroy();
  });

  it('pause and resume give exactly the uninterrupted curve (and test metrics at the interval)', async () => {
    const runs = () => [runOf('sgdm', 0.05), runOf('lrd', 0.05, { lrd: parseLrd({ keepProb: 0.5 }), runKey: 1 })];
    const whole = await makeRunner(runs());
    await whole.advance(60);
    const pieces = await makeRunner(runs());
    await pieces.advance(25);
    await pieces.advance(13);
    await pieces.advance(100); // clipped at the budget
    expect(pieces.step).toBe(60);
    expect(pieces.done).toBe(true);
    for (const run of [0, 1]) expect(curve(pieces.records, run)).toEqual(curve(whole.records, run));
    const tests = whole.records.filter((r) => r.testAccuracy !== undefined);
    expect(tests.map((r) => r.step)).toEqual([30, 30, 60, 60]);
    expect(tests.every((r) => r.testAccuracy! >= 0 && r.testAccuracy! <= 1 && Number.isFinite(r.testLoss))).toBe(true);
    const lrd = whole.records.find((r) => r.run === 1)!;
    expect(lrd.lrExpected).toBeCloseTo(0.025, 12);
    whole.destroy();
    pieces.destroy();
  });

  it('changing a run mid-training applies from the next step without reset; reset restores the same init', async () => {
    const runner = await makeRunner([runOf('a', 0.05), runOf('b', 0.05, { runKey: 1 })]);
    await runner.advance(20);
    runner.updateRun(1, runOf('b', 0.001, { runKey: 1 }));
    await runner.advance(20);
    const lr = runner.records.filter((r) => r.run === 1).map((r) => r.lr);
    expect(lr.slice(0, 20)).toEqual(Array(20).fill(0.05));
    expect(lr.slice(20)).toEqual(Array(20).fill(0.001));
    const before = curve(runner.records, 0);
    await runner.reset();
    expect(runner.step).toBe(0);
    await runner.advance(40);
    expect(curve(runner.records, 0)).toEqual(before);
    runner.destroy();
  });

  it('AutoDrop: angles from the GPU, drops at window end + delay, identical on a second run', async () => {
    const autodrop = parseAutoDrop({ window: 5, buffer: 3, threshold: 1000, delay: 3, rho: 0.5 }); // threshold 1000°: every test drops
    const once = async () => {
      const runner = await makeRunner([runOf('plain', 0.05), runOf('autodrop', 0.05, { autodrop, runKey: 1 })], 60);
      const drops: Array<[number, number]> = [];
      runner.subscribe((e) => e.kind === 'autodrop' && e.decision.dropped && drops.push([e.step, e.effectStep]));
      // What a listener (the page, the autosave) sees: every metrics event upserted in order.
      const heard = new RecordTable();
      runner.subscribe((e) => e.kind === 'metrics' && heard.push(...e.records));
      await runner.advance(60);
      expect([...heard]).toEqual([...runner.records]); // angles that come after their record are sent again
      const result = { drops, records: [...runner.records] };
      runner.destroy();
      return result;
    };
    const first = await once();
    expect(first.drops.length).toBeGreaterThan(0);
    for (const [end, effect] of first.drops) {
      expect(end % 5).toBe(0);
      expect(effect).toBe(end + 3);
    }
    const lr = (step: number) => first.records.find((r) => r.run === 1 && r.step === step)!.lr;
    const [, effect] = first.drops[0];
    expect(lr(effect - 1)).toBe(0.05);
    expect(lr(effect)).toBeCloseTo(0.025, 12);
    expect(first.records.filter((r) => r.run === 0).every((r) => r.lr === 0.05)).toBe(true);
    const angles = first.records.filter((r) => r.run === 1 && r.angle !== undefined);
    expect(angles.length).toBeGreaterThan(3);
    expect(angles.every((r) => r.step % 5 === 0 && r.angle! >= 0 && r.angle! <= 180)).toBe(true);
    const second = await once();
    expect(second.drops).toEqual(first.drops);
    expect(curve(second.records, 1)).toEqual(curve(first.records, 1));
  });

  it('a checkpoint continues bit for bit: a fresh runner restored from it trains exactly as the runner it was taken from', async () => {
    const bnModel = resolveModel({
      inputShape: [2],
      loss: 'softmax_xent',
      layers: [{ kind: 'dense', units: 16 }, { kind: 'batchnorm' }, { kind: 'activation', activation: 'relu' }, { kind: 'dense', units: 3 }],
    });
    const autodrop = parseAutoDrop({ window: 5, buffer: 3, threshold: 1000, delay: 3, rho: 0.5 });
    const runs = (): RunnerRun[] => [
      runOf('sgdm', 0.05),
      runOf('lrd', 0.05, { lrd: parseLrd({ keepProb: 0.5 }), runKey: 1 }),
      runOf('leap+ralr', 0.05, { leap: parseLeap({ sigma: 0.05 }), lr: { schedule: parseSchedule({ kind: 'constant', lr: 0.05 }), ralr: parseRalr({ amplifyProb: 0.3 }) }, runKey: 2 }),
      runOf('adam', 0.01, { optimizer: parseOptimizer({ rule: 'adam' }), runKey: 3 }),
      runOf('autodrop', 0.05, { autodrop, runKey: 4 }),
      runOf('explr', 0.05, { lr: { schedule: parseSchedule({ kind: 'constant', lr: 0.05 }), expLr: parseExpLr({ weightDecay: 5e-3, renormMaxRate: 0.06 }) }, runKey: 5 }), // renormalizes within the 90 steps
      runOf('huge', 3e3, { runKey: 6 }), // diverges: its freeze is pending or done at the checkpoint
    ];
    const gpu = await testGpu();
    const options = () => ({ seed: 9, batch: 16, logEvery: 10, evalEvery: 30, budgetSteps: 90, divergenceFactor: 1e3 });
    const strip = (list: Iterable<MetricRecord>, after: number) => [...list].filter((r) => r.step > after).map(({ wallMs: _, ...rest }) => rest);
    for (const [name, net] of [['mlp', model], ['batchnorm', bnModel]] as const) {
      for (const at of [37, 60]) { // 37: mid-block and mid-epoch (15 steps per epoch); 60: a block and evaluation step
        const whole = new ExperimentRunner(gpu, net, dataset, runs(), options());
        await whole.advance(at);
        const checkpoint = await whole.checkpoint();
        expect(checkpoint.step).toBe(at);
        await whole.advance(90);
        const restored = new ExperimentRunner(gpu, net, dataset, runs(), options());
        restored.restoreCheckpoint(structuredClone(checkpoint)); // as IndexedDB and postMessage copy it
        await restored.advance(90);
        expect(restored.step).toBe(90);
        expect(strip(restored.records, at), `${name} from step ${at}`).toEqual(strip(whole.records, at));
        expect(restored.diverged).toEqual(whole.diverged);
        expect(await restored.trainer.network.readState()).toEqual(await whole.trainer.network.readState());
        expect(await restored.trainer.update.readState()).toEqual(await whole.trainer.update.readState());
        whole.destroy();
        restored.destroy();
      }
    }
    // What the test covers did happen: a drop, a divergence, renormalization and masks differ from the baseline.
    const probe = new ExperimentRunner(gpu, model, dataset, runs(), options());
    await probe.advance(90);
    expect(probe.diverged[6]).not.toBeNull();
    expect(probe.records.filter((r) => r.run === 4).some((r) => r.lr < 0.05)).toBe(true);
    expect(probe.records.filter((r) => r.run === 5).some((r) => r.lr > 0.06)).toBe(true);
    probe.destroy();
  });

  it('a checkpoint of other runs, or into a runner that has trained, is refused with the reason', async () => {
    const a = await makeRunner([runOf('a', 0.05)]);
    await a.advance(10);
    const checkpoint = await a.checkpoint();
    expect(() => a.restoreCheckpoint(checkpoint)).toThrow(/fresh runner/);
    const other = await makeRunner([runOf('b', 0.05, { runKey: 3 })]);
    expect(() => other.restoreCheckpoint(checkpoint)).toThrow(/checkpoint: its runs \(0\) are not this experiment's \(3\)/);
    const short = await makeRunner([runOf('a', 0.05)], 5);
    expect(() => short.restoreCheckpoint(checkpoint)).toThrow(/past the budget of 5 steps/);
    expect(() => other.restoreCheckpoint({ ...checkpoint, version: 2 } as never)).toThrow(/version 2/);
    for (const runner of [a, other, short]) runner.destroy();
  });
});
