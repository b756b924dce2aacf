/**
 * Fixtures of the Python tests (python/tests/fixtures/), computed by the engine's own TypeScript so
 * that pytest checks the Python twins against it without Node: Philox words and draws, streams,
 * toys, initial weights, epoch orders, schedules, RALR, exp-LR / TEXP, AutoDrop decisions
 * (`twinFixtures`, pure and cheap: a test checks the committed files are current), and small golden
 * trajectories trained by the GPU engine (`goldenTrajectory`; `npm run pytorch-fixtures` rewrites all).
 */
import { generateToy, TOY_NAMES } from '../data/toys';
import { epochPermutation } from '../data/batches';
import { parseExperiment, type ExperimentInput } from '../experiment/config';
import { createRunner } from '../experiment/setup';
import type { GpuContext } from '../gpu/device';
import { initTensor } from '../nn/params';
import type { ParamTensor } from '../nn/spec';
import { parseAutoDrop, runAutoDrop } from '../optim/autodrop';
import { compileExpLr, parseExpLr, renormalization } from '../optim/explr';
import { compileRalr, parseRalr } from '../optim/ralr';
import { compileSchedule, parseSchedule } from '../optim/schedules';
import { leapNormal, lrdUniform, updateBits } from '../rng/draws';
import { normalFromBits, philox4x32 } from '../rng/philox';
import { RandomStream, streamId } from '../rng/stream';
import { pytorchPlan } from './pytorch';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Philox blocks, update draws, stream ids and sequential streams. */
function rngFixture() {
  const source = new RandomStream(2024, 99);
  const words = () => source.uint32();
  const blocks = range(48).map(() => {
    const counter = [words(), words(), words() % 4 === 0 ? 0xffffffff : words(), words()];
    const key = [words(), words()];
    return { counter, key, out: Array.from(philox4x32(counter[0], counter[1], counter[2], counter[3], key[0], key[1])) };
  });
  const draws = range(48).map((i) => {
    const [seed, runKey, tensor, step, element] = [words(), i % 7, i % 5, 1 + (words() % 5000), words() % 100000];
    const scope = i % 3;
    return {
      seed, runKey, tensor, step, element, scope,
      bits: Array.from(updateBits(seed, runKey, tensor, step, element, scope)),
      lrdUniform: lrdUniform(seed, runKey, tensor, step, element),
      leapNormal: leapNormal(seed, runKey, tensor, step, element, (['element', 'tensor', 'global'] as const)[scope]),
    };
  });
  const ids = [[0], [1, 2], [4, 0, 7], [0xffffffff, 12345, 6, 0x72657073], [2, 3, 99]].map((parts) => ({ parts, id: streamId(...parts) }));
  const streams = [[1, 0], [7, streamId(2, 0, 3)], [0xfffffffe, 123456789]].map(([seed, stream]) => {
    const rng = new RandomStream(seed, stream);
    const uint32 = range(1030).map(() => rng.uint32());
    return { seed, stream, uint32, uniform: range(5).map(() => rng.uniform()), normal: range(5).map(() => rng.normal()), below: range(5).map(() => rng.below(1000)) };
  });
  return { blocks, draws, streamIds: ids, streams, normalFromBits: [[0, 0], [0xffffffff, 0x80000000], [123456789, 987654321]].map(([a, b]) => ({ a, b, z: normalFromBits(a, b) })) };
}

/** Toys, initial weights and epoch permutations. */
function dataFixture() {
  const toys = TOY_NAMES.map((name) => {
    const toy = generateToy(name, { count: 41, noise: 0.2, seed: 5, testFraction: 0.25 });
    return { name, count: 41, noise: 0.2, seed: 5, testFraction: 0.25, trainX: Array.from(toy.train.x), trainY: Array.from(toy.train.y), testX: Array.from(toy.test.x), testY: Array.from(toy.test.y) };
  });
  const tensors: ParamTensor[] = [
    { name: 'w', shape: [3, 4], size: 12, init: 'he_uniform', fanIn: 3, fanOut: 4, trainable: true, decay: true, scaleInvariantGroup: -1 },
    { name: 'v', shape: [2, 5, 3, 3], size: 90, init: 'glorot_uniform', fanIn: 18, fanOut: 45, trainable: true, decay: true, scaleInvariantGroup: -1 },
    { name: 'b', shape: [4], size: 4, init: 'zeros', fanIn: 3, fanOut: 4, trainable: true, decay: false, scaleInvariantGroup: -1 },
    { name: 'g', shape: [4], size: 4, init: 'ones', fanIn: 1, fanOut: 1, trainable: true, decay: false, scaleInvariantGroup: -1 },
  ];
  const init = tensors.flatMap((tensor, index) => [[9, 0], [9, 3]].map(([seed, replicate]) => ({
    tensor, index, seed, replicate, values: Array.from(new Float32Array(initTensor(tensor, index, seed, replicate))),
  })));
  const orders = [[10, 1, 0, 0], [97, 1, 0, 3], [1000, 77, 2, 5]].map(([count, seed, replicate, epoch]) => ({
    count, seed, replicate, epoch, order: Array.from(epochPermutation(count, seed, replicate, epoch)),
  }));
  return { toys, init, orders };
}

const SCHEDULES: unknown[] = [
  { kind: 'constant', lr: 0.1 },
  { kind: 'step', lr: 0.1, stepSize: 7, gamma: 0.5 },
  { kind: 'step', lr: 0.1, stepSize: 2, unit: 'epoch' },
  { kind: 'multistep', lr: 0.1, milestones: [5, 9, 20], gamma: 0.3 },
  { kind: 'exponential', lr: 0.1, gamma: 0.97 },
  { kind: 'cosine', lr: 0.1, length: 17, minLr: 0.001 },
  { kind: 'cosine', lr: 0.1, length: 5, minLr: 0.001, restarts: { cycleMult: 2 } },
  { kind: 'onecycle', maxLr: 0.5, totalSteps: 30 },
  { kind: 'onecycle', maxLr: 0.5, totalSteps: 30, threePhase: true, anneal: 'linear' },
  { kind: 'step', lr: 0.1, stepSize: 7, gamma: 0.5, warmup: { length: 5, startFactor: 0.2 } },
  { kind: 'cosine', lr: 0.1, length: 20, unit: 'epoch', warmup: { length: 3, unit: 'step' } },
];

/** Base schedules, RALR over them, exp-LR / TEXP (with the renormalization) and AutoDrop's decisions. */
function methodsFixture() {
  const stepsPerEpoch = 4;
  const steps = 80;
  const schedules = SCHEDULES.map((input) => {
    const config = parseSchedule(input);
    const rate = compileSchedule(config, stepsPerEpoch);
    return { config, stepsPerEpoch, rates: range(steps).map(rate) };
  });
  const ralrInputs: unknown[] = [
    { amplifyProb: 0.3 },
    { amplifyProb: 0.5, resample: 'step', factorLow: 2, factorHigh: 3 },
    { amplifyProb: 0.4, boundsMode: 'absolute', rateLow: 0.05, rateHigh: 0.5, capAtInitialRate: true },
  ];
  const ralr = ralrInputs.map((input, k) => {
    const config = parseRalr(input);
    const schedule = parseSchedule({ kind: 'step', lr: 0.1, stepSize: 5, unit: 'epoch', gamma: 0.5 });
    const context = { seed: 11 + k, runKey: k, stepsPerEpoch };
    const rate = compileRalr(config, compileSchedule(schedule, stepsPerEpoch), context);
    return { config, schedule, ...context, rates: range(steps).map(rate) };
  });
  const explr = [
    [{ form: 'exact', weightDecay: 5e-4 }, { kind: 'step', lr: 0.1, stepSize: 1500 }, 0.9, 3000],
    [{ form: 'texp', weightDecay: 5e-4 }, { kind: 'multistep', lr: 0.1, milestones: [100, 200] }, 0.9, 300],
    [{ form: 'exact', weightDecay: 0.01, renormMaxRate: 2 }, { kind: 'constant', lr: 0.5 }, 0, 400],
    [{ form: 'exact', weightDecay: 5e-4 }, { kind: 'cosine', lr: 0.1, length: 50, minLr: 0.001 }, 0.8, 120],
  ].map(([input, scheduleInput, momentum, count]) => {
    const config = parseExpLr(input);
    const schedule = parseSchedule(scheduleInput);
    const compiled = compileExpLr(config, compileSchedule(schedule), momentum as number);
    const plan = renormalization(compiled, config.renormMaxRate);
    const sample = range(count as number).filter((t) => t < 5 || t % 17 === 0 || t === (count as number) - 1);
    return { config, schedule, momentum, steps: sample, rates: sample.map((t) => compiled.rate(t)), scales: sample.map((t) => compiled.scale(t)), engineRates: sample.map((t) => plan.rate(t)), exponents: sample.map((t) => plan.exponent(t)) };
  });
  const source = new RandomStream(31, 7);
  const dots = range(160).map((i) => {
    if (i < 2) return null;
    const angle = ((i < 60 ? 120 - i * 0.5 : 91 + 0.3 * Math.sin(i)) + (source.uniform() - 0.5) * 0.6) * (Math.PI / 180);
    const norm = 0.5 + source.uniform();
    const prev = 0.5 + source.uniform();
    return { dot: Math.cos(angle) * norm * prev, normSq: norm * norm, prevNormSq: prev * prev };
  });
  const autodrop = [{}, { buffer: 5, threshold: 0.2, smoothing: 'time' }, { buffer: 4, thresholdMode: 'absolute', lrMin: 0.07 }, { mode: 'v1', buffer: 4, theta: 0.3 }].map((input) => {
    const config = parseAutoDrop(input);
    return { config, initialRate: 0.1, dots, decisions: runAutoDrop(config, 0.1, dots) };
  });
  return { schedules, ralr, explr, autodrop };
}

/** Every pure fixture, by file name (python/tests/fixtures/<name>.json). */
export function twinFixtures(): Record<string, unknown> {
  return { rng: rngFixture(), data: dataFixture(), methods: methodsFixture() };
}

/** The config of the golden trajectories: every method on a small MLP, on the spiral. */
export const GOLDEN_CONFIG: ExperimentInput = {
  version: 1,
  name: 'Golden trajectories',
  seed: 3,
  dataset: { kind: 'toy', name: 'spiral', count: 240, noise: 0.1, testFraction: 0.2 },
  model: { kind: 'mlp', hidden: [12, 12], activation: 'tanh' },
  batch: 24,
  budget: { unit: 'steps', amount: 60 },
  evalEvery: 30,
  logEvery: 10,
  runs: [
    { label: 'baseline', optimizer: { rule: 'momentum' }, schedule: { kind: 'constant', lr: 0.05 } },
    { label: 'LRD', optimizer: { rule: 'sgd' }, schedule: { kind: 'constant', lr: 0.1 }, lrd: { keepProb: 0.5 } },
    { label: 'LEAP', optimizer: { rule: 'adam' }, schedule: { kind: 'constant', lr: 0.01 }, leap: { sigma: 0.005 } },
    { label: 'RALR', optimizer: { rule: 'nesterov', weightDecay: 1e-3 }, schedule: { kind: 'step', lr: 0.05, stepSize: 2, unit: 'epoch' }, ralr: { amplifyProb: 0.4, factorHigh: 4 } },
    { label: 'AutoDrop', optimizer: { rule: 'rmsprop', weightDecay: 1e-3 }, schedule: { kind: 'constant', lr: 0.003 }, autodrop: { window: 3, buffer: 3, delay: 2 } },
    { label: 'ExpLR', optimizer: { rule: 'momentum' }, schedule: { kind: 'step', lr: 0.05, stepSize: 30 }, expLr: { weightDecay: 0.01 } },
    { label: 'TEXP', optimizer: { rule: 'sgd' }, schedule: { kind: 'constant', lr: 0.05 }, expLr: { weightDecay: 0.01, form: 'texp' } },
    { label: 'AdamW LRD', optimizer: { rule: 'adamw', weightDecay: 0.01, adamEps: 'lrd_official' }, schedule: { kind: 'cosine', lr: 0.01, length: 60 }, lrd: { keepProb: 0.7 } },
  ],
};

/** The engine's trajectory of GOLDEN_CONFIG on `gpu`: the plan and every record (loss, rate, angle). */
export async function goldenTrajectory(gpu: GpuContext) {
  const config = parseExperiment(GOLDEN_CONFIG);
  const dataset = generateToy('spiral', { count: 240, noise: 0.1, seed: config.seed, testFraction: 0.2 });
  const runner = createRunner(gpu, config, dataset);
  await runner.advance(runner.options.budgetSteps);
  const records = runner.records.map(({ wallMs: _wall, ...record }) => record);
  runner.destroy();
  return { adapter: `${gpu.adapter.vendor} ${gpu.adapter.architecture}`, plan: pytorchPlan(config), records };
}
