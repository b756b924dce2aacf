import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RandomStream } from '../rng/stream';
import { ConfigError } from '../util/validate';
import {
  CURRENT_VERSION,
  experimentSchema,
  migrateExperiment,
  parseExperiment,
  parseExperimentJson,
  RUN_COLORS,
  type ExperimentConfig,
} from './config';
import { defaultExperiment, defaultExperimentInput } from './defaults';
import { buildModelSpec } from './expand';
import { minimalConfig } from '../test/configs';

const EXAMPLES_DIR = join(__dirname, '../../public/examples');
const exampleFiles = readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith('.json')).sort();
const examples = exampleFiles.map((file) => ({ file, json: JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as unknown }));

const minimal = minimalConfig;

/** The messages of the ConfigError `input` throws (fails the test if it parses or throws anything else). */
function issuesOf(input: unknown): string[] {
  try {
    parseExperiment(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(input)}`);
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

describe('valid configs', () => {
  it('fills every default of a minimal config', () => {
    const config = parseExperiment(minimal());
    expect(config).toMatchObject({
      version: CURRENT_VERSION,
      name: 'Untitled experiment',
      seed: 1,
      replicates: 1,
      dataset: { kind: 'toy', name: 'moons', count: 600, noise: 0.1, testFraction: 0.2 },
      model: { kind: 'mlp', hidden: [16, 16], activation: 'relu', batchNorm: false },
      batch: 32,
      budget: { unit: 'steps', amount: 200 },
      evalEvery: 50,
      logEvery: 10,
      divergence: { lossFactor: 1e3 },
    });
    const [baseline, lrd] = config.runs;
    expect(baseline.optimizer).toMatchObject({ rule: 'sgd', momentum: 0.9, weightDecay: 0, weightDecayMode: 'coupled' });
    expect(baseline.schedule).toEqual({ kind: 'constant', lr: 0.1, unit: 'step' });
    expect([baseline.color, lrd.color]).toEqual([RUN_COLORS[0], RUN_COLORS[1]]);
    expect([baseline.runKey, lrd.runKey]).toEqual([0, 1]);
    expect(baseline.lrd).toBeUndefined();
    expect(lrd.lrd).toEqual({ keepProb: 0.5, rescale: false, maskDecoupledDecay: true });
  });

  it('resolves weightDecayMode as parseOptimizer does (AdamW decoupled)', () => {
    const input = minimal();
    (input.runs as Array<Record<string, unknown>>)[0].optimizer = { rule: 'adamw', weightDecay: 0.01 };
    const config = parseExperiment(input);
    expect(config.runs[0].optimizer.weightDecayMode).toBe('decoupled');
    expect(config.runs[1].optimizer.weightDecayMode).toBe('coupled');
  });

  it('keeps explicit colours, run keys and every method block', () => {
    const input = minimal();
    input.runs = [
      {
        label: 'Everything',
        color: '#ABCDEF',
        runKey: 7,
        optimizer: { rule: 'momentum' },
        schedule: { kind: 'step', lr: 0.05, stepSize: 100 },
        lrd: { keepProb: 0.8 },
        leap: { sigma: 0.01 },
        ralr: {},
        autodrop: { window: 8 },
        expLr: { form: 'texp' },
      },
    ];
    const run = parseExperiment(input).runs[0];
    expect(run.color).toBe('#ABCDEF');
    expect(run.runKey).toBe(7);
    expect(run.ralr?.amplifyProb).toBe(0.1);
    expect(run.autodrop?.window).toBe(8);
    expect(run.expLr).toMatchObject({ form: 'texp', weightDecay: 5e-4 });
  });

  it('accepts image and upload datasets and every model kind', () => {
    const input = { ...minimal(), dataset: { kind: 'image', name: 'fashion-mnist', trainSubset: 1000 }, model: { kind: 'scale-invariant-cnn', dense: 32 } };
    expect(parseExperiment(input).model).toEqual({ kind: 'scale-invariant-cnn', channels: [8, 16], kernelSize: 3, dense: 32, activation: 'relu', bnEps: 1e-5, bnMomentum: 0.1 });
    const upload = { ...minimal(), dataset: { kind: 'upload', id: 'my-file', format: 'idx' }, model: { kind: 'cnn', kernelSize: 5 } };
    expect(parseExperiment(upload).dataset).toEqual({ kind: 'upload', id: 'my-file', format: 'idx' });
    expect(parseExperiment({ ...minimal(), model: { kind: 'scale-invariant-mlp' } }).model.kind).toBe('scale-invariant-mlp');
  });

  it('passes BatchNorm ε and momentum to every BatchNorm layer; refuses bad ones, naming the field', () => {
    const config = parseExperiment({ ...minimal(), model: { kind: 'scale-invariant-mlp', hidden: [8, 8], bnEps: 1e-7, bnMomentum: 1 } });
    const spec = buildModelSpec(config.model, { inputShape: [2], numClasses: 2 });
    const norms = spec.layers.filter((layer) => layer.kind === 'batchnorm');
    expect(norms).toHaveLength(2);
    expect(norms.every((layer) => layer.kind === 'batchnorm' && layer.eps === 1e-7 && layer.momentum === 1 && layer.affine === false)).toBe(true);
    const plain = buildModelSpec(parseExperiment({ ...minimal(), model: { kind: 'mlp', batchNorm: true } }).model, { inputShape: [2], numClasses: 2 });
    expect(plain.layers.filter((layer) => layer.kind === 'batchnorm').every((layer) => layer.kind === 'batchnorm' && layer.eps === 1e-5 && layer.momentum === 0.1)).toBe(true);
    for (const [field, value] of [['bnEps', 0], ['bnMomentum', 0], ['bnMomentum', 1.5]] as const) {
      expect(() => parseExperiment({ ...minimal(), model: { kind: 'scale-invariant-mlp', [field]: value } })).toThrow(new RegExp(`model\\.${field}: must be`));
    }
  });

  it('ships the examples the product promises, and every one validates', () => {
    for (const name of ['lrd', 'leap', 'ralr', 'autodrop', 'exp-lr', 'all-methods', 'mnist-mlp']) {
      expect(exampleFiles).toContain(`${name}.json`);
    }
    for (const { file, json } of examples) {
      const config = parseExperiment(json);
      expect(config.name, file).not.toBe('Untitled experiment');
      expect(config.description, file).toBeTruthy();
    }
  });

  it('uses each method in its example (exp-lr: scale-invariant model and step decay)', () => {
    const byFile = Object.fromEntries(examples.map(({ file, json }) => [file, parseExperiment(json)]));
    expect(byFile['lrd.json'].runs.some((run) => run.lrd)).toBe(true);
    expect(byFile['leap.json'].runs.some((run) => run.leap)).toBe(true);
    expect(byFile['ralr.json'].runs.some((run) => run.ralr)).toBe(true);
    expect(byFile['autodrop.json'].runs.some((run) => run.autodrop)).toBe(true);
    const expLr = byFile['exp-lr.json'];
    expect(expLr.model.kind).toBe('scale-invariant-mlp');
    expect(expLr.runs.every((run) => run.schedule.kind === 'step')).toBe(true);
    expect(expLr.runs.map((run) => run.expLr?.form)).toEqual([undefined, 'exact', 'texp']);
    expect(byFile['mnist-mlp.json'].dataset).toMatchObject({ kind: 'image', name: 'mnist' });
    const all = byFile['all-methods.json'];
    for (const method of ['lrd', 'leap', 'ralr', 'autodrop', 'expLr'] as const) expect(all.runs.some((run) => run[method])).toBe(true);
  });

  it('every example run that uses exp-LR mimics a weight-decay baseline with the same λ', () => {
    for (const { file, json } of examples) {
      const config = parseExperiment(json);
      const decays = new Set(config.runs.filter((run) => !run.expLr).map((run) => run.optimizer.weightDecay));
      for (const run of config.runs.filter((r) => r.expLr)) expect(decays.has(run.expLr!.weightDecay), `${file} ${run.label}`).toBe(true);
    }
  });
});

describe('the default experiment', () => {
  it('compares all six methods on a 2-D toy with a small MLP, batch 32, a few hundred steps', () => {
    const config = defaultExperiment();
    expect(config.runs.map((run) => run.label)).toEqual(['Baseline', 'LRD', 'LEAP', 'RALR', 'AutoDrop', 'Exponential LR']);
    expect(config.dataset.kind).toBe('toy');
    expect(config.model.kind).toBe('mlp');
    expect(config.batch).toBe(32);
    expect(config.budget.unit === 'steps' && config.budget.amount >= 200 && config.budget.amount <= 1000).toBe(true);
    expect(config.runs[1].lrd?.keepProb).toBe(0.5);
    expect(new Set(config.runs.map((run) => run.color.toLowerCase())).size).toBe(config.runs.length);
  });

  it('keeps every run identical but for its method (the exp-LR run trades weight decay for its growing rate)', () => {
    const [baseline, ...others] = defaultExperiment().runs;
    for (const run of others) {
      expect(run.schedule, run.label).toEqual(baseline.schedule);
      if (run.expLr) {
        expect({ ...run.optimizer, weightDecay: run.expLr.weightDecay }).toEqual(baseline.optimizer);
      } else {
        expect(run.optimizer, run.label).toEqual(baseline.optimizer);
      }
    }
  });

  it('returns a fresh object each time', () => {
    const first = defaultExperimentInput();
    (first.runs as unknown[]).length = 0;
    expect(defaultExperiment().runs.length).toBe(6);
  });
});

describe('invalid fields', () => {
  type Mutation = (config: Record<string, any>) => void; // eslint-disable-line @typescript-eslint/no-explicit-any
  const cases: Array<[string, Mutation, string, RegExp?]> = [
    ['NaN seed', (c) => (c.seed = NaN), 'seed', /got NaN/],
    ['negative seed', (c) => (c.seed = -1), 'seed'],
    ['seed past u32', (c) => (c.seed = 2 ** 32), 'seed'],
    ['fractional replicates', (c) => (c.replicates = 1.5), 'replicates'],
    ['too many replicates', (c) => (c.replicates = 17), 'replicates'],
    ['name of the wrong type', (c) => (c.name = 42), 'name'],
    ['unknown top-level key', (c) => (c.epochs = 3), 'epochs', /not a field/],
    ['unknown dataset kind', (c) => (c.dataset = { kind: 'cifar' }), 'dataset.kind', /"toy", "image", "upload"/],
    ['unknown toy', (c) => (c.dataset.name = 'swirl'), 'dataset.name', /spiral/],
    ['toy count as a string', (c) => (c.dataset.count = '600'), 'dataset.count'],
    ['testFraction 1', (c) => (c.dataset.testFraction = 1), 'dataset.testFraction'],
    ['negative noise', (c) => (c.dataset.noise = -0.1), 'dataset.noise'],
    ['unknown key in the dataset', (c) => (c.dataset.size = 3), 'dataset', /"size"/],
    ['image trainSubset too large', (c) => (c.dataset = { kind: 'image', name: 'mnist', trainSubset: 70000 }), 'dataset.trainSubset'],
    ['upload without format', (c) => (c.dataset = { kind: 'upload', id: 'x' }), 'dataset.format', /required/],
    ['model missing', (c) => delete c.model, 'model', /required/],
    ['hidden width 0', (c) => (c.model.hidden = [8, 0]), 'model.hidden.1'],
    ['hidden not a list', (c) => (c.model.hidden = 16), 'model.hidden'],
    ['unknown activation', (c) => (c.model.activation = 'swish'), 'model.activation'],
    ['kernel size 4', (c) => (c.model = { kind: 'cnn', kernelSize: 4 }), 'model.kernelSize'],
    ['CNN on a toy', (c) => (c.model = { kind: 'cnn' }), 'model.kind', /image/],
    ['scale-invariant MLP without layers', (c) => (c.model = { kind: 'scale-invariant-mlp', hidden: [] }), 'model.hidden'],
    ['batch 0', (c) => (c.batch = 0), 'batch'],
    ['batch larger than the train split', (c) => (c.batch = 600), 'batch', /480 training rows/],
    ['budget unit "minutes"', (c) => (c.budget.unit = 'minutes'), 'budget.unit'],
    ['budget amount Infinity', (c) => (c.budget.amount = Infinity), 'budget.amount', /got Infinity|got null/],
    ['evalEvery 0', (c) => (c.evalEvery = 0), 'evalEvery'],
    ['logEvery as a boolean', (c) => (c.logEvery = true), 'logEvery'],
    ['lossFactor 1', (c) => (c.divergence = { lossFactor: 1 }), 'divergence.lossFactor'],
    ['no runs', (c) => (c.runs = []), 'runs', /at least one/],
    ['13 runs', (c) => (c.runs = Array.from({ length: 13 }, (_, i) => ({ label: `r${i}`, schedule: { kind: 'constant', lr: 0.1 } }))), 'runs', /at most 12/],
    ['a run that is a string', (c) => (c.runs[1] = 'LRD'), 'runs.1'],
    ['duplicate labels', (c) => (c.runs[1].label = 'Baseline'), 'runs.1.label', /unique.*runs\.0\.label/],
    ['empty label', (c) => (c.runs[0].label = '   '), 'runs.0.label'],
    ['label over 60 characters', (c) => (c.runs[0].label = 'x'.repeat(61)), 'runs.0.label'],
    ['colour by name', (c) => (c.runs[0].color = 'red'), 'runs.0.color', /#rrggbb/],
    ['runKey negative', (c) => (c.runs[0].runKey = -3), 'runs.0.runKey'],
    ['unknown key in a run', (c) => (c.runs[0].dropout = 0.5), 'runs.0', /"dropout"/],
    ['schedule missing', (c) => delete c.runs[0].schedule, 'runs.0.schedule'],
    ['schedule lr NaN', (c) => (c.runs[0].schedule.lr = NaN), 'runs.0.schedule.lr', /got NaN/],
    ['unknown optimizer rule', (c) => (c.runs[0].optimizer = { rule: 'lion' }), 'runs.0.optimizer.rule'],
    ['AdamW with coupled decay', (c) => (c.runs[0].optimizer = { rule: 'adamw', weightDecayMode: 'coupled' }), 'runs.0.optimizer.weightDecayMode', /decoupled/],
    ['keepProb 0', (c) => (c.runs[1].lrd = { keepProb: 0 }), 'runs.1.lrd.keepProb', /got 0/],
    ['unknown key in lrd', (c) => (c.runs[1].lrd = { p: 0.5 }), 'runs.1.lrd', /"p"/],
    ['LEAP sigma negative', (c) => (c.runs[1].leap = { sigma: -1 }), 'runs.1.leap.sigma'],
    ['RALR factorHigh below factorLow', (c) => (c.runs[1].ralr = { factorLow: 3, factorHigh: 2 }), 'runs.1.ralr.factorHigh'],
    ['AutoDrop rho 1', (c) => (c.runs[1].autodrop = { rho: 1 }), 'runs.1.autodrop.rho'],
    ['AutoDrop window fractional', (c) => (c.runs[1].autodrop = { window: 2.5 }), 'runs.1.autodrop.window'],
    ['exp-LR with weight decay', (c) => (c.runs[1] = { ...c.runs[1], optimizer: { rule: 'momentum', weightDecay: 5e-4 }, expLr: {} }), 'runs.1.optimizer.weightDecay', /replaces weight decay/],
    ['exp-LR with Adam', (c) => (c.runs[1] = { ...c.runs[1], optimizer: { rule: 'adam' }, expLr: {} }), 'runs.1.optimizer.rule', /momentum.*sgd/],
    ['exp-LR with dampening', (c) => (c.runs[1] = { ...c.runs[1], optimizer: { rule: 'momentum', dampening: 0.5 }, expLr: {} }), 'runs.1.optimizer.dampening'],
    ['TEXP with a cosine schedule', (c) => (c.runs[1] = { ...c.runs[1], schedule: { kind: 'cosine', lr: 0.1, length: 100 }, expLr: { form: 'texp' } }), 'runs.1.schedule.kind', /TEXP/],
    ['TEXP with warm-up', (c) => (c.runs[1] = { ...c.runs[1], schedule: { kind: 'constant', lr: 0.1, warmup: { length: 10 } }, expLr: { form: 'texp' } }), 'runs.1.schedule.warmup'],
    ['exp-LR without a real root', (c) => (c.runs[1] = { ...c.runs[1], optimizer: { rule: 'momentum' }, expLr: { weightDecay: 0.5 } }), 'runs.1.expLr.weightDecay', /no real root/],
    ['exp-LR under RALR at its default factors', (c) => (c.runs[1] = { ...c.runs[1], optimizer: { rule: 'momentum' }, schedule: { kind: 'constant', lr: 1 }, ralr: {}, expLr: {} }), 'runs.1.expLr.weightDecay', /peak rate 10\b/],
    ['exp-LR form unknown', (c) => (c.runs[1].expLr = { form: 'closed' }), 'runs.1.expLr.form'],
  ];

  it.each(cases)('%s → names %s', (_name, mutate, field, pattern) => {
    const input = minimal();
    mutate(input);
    const issues = issuesOf(input);
    const named = issues.filter((message) => message.startsWith(`${field}: `));
    expect(named, issues.join('\n')).not.toHaveLength(0);
    if (pattern) expect(named.join('\n')).toMatch(pattern);
  });

  it('reports every problem in one pass, cross-field ones included', () => {
    const input = minimal();
    input.seed = 'one';
    input.batch = 2.5;
    (input.runs as Array<Record<string, unknown>>)[1].label = 'Baseline';
    const issues = issuesOf(input);
    expect(issues.map((message) => message.split(':')[0])).toEqual(expect.arrayContaining(['seed', 'batch', 'runs.1.label']));
  });
});

describe('versions', () => {
  it('reads version 1 and rejects others with a clear message', () => {
    expect(migrateExperiment(minimal())).toEqual(minimal());
    expect(issuesOf({ ...minimal(), version: 2 })).toEqual([expect.stringMatching(/^version: 2 is newer than this app understands/)]);
    expect(issuesOf({ ...minimal(), version: undefined })).toEqual([expect.stringMatching(/^version: is required/)]);
    expect(issuesOf({ ...minimal(), version: '1' })).toEqual([expect.stringMatching(/^version: must be an integer/)]);
    expect(issuesOf({ ...minimal(), version: 0 })).toEqual([expect.stringMatching(/^version: must be an integer >= 1/)]);
    expect(issuesOf(null)).toEqual([expect.stringMatching(/^experiment: must be a JSON object/)]);
    expect(issuesOf([minimal()])).toEqual([expect.stringMatching(/^experiment: must be a JSON object \(got a list\)/)]);
  });

  it('parses JSON text, and a syntax error is a ConfigError', () => {
    expect(parseExperimentJson(JSON.stringify(minimal())).runs).toHaveLength(2);
    expect(() => parseExperimentJson('{"version": 1,')).toThrow(ConfigError);
  });
});

describe('round trip', () => {
  const configs: Array<[string, ExperimentConfig]> = [
    ['minimal', parseExperiment(minimal())],
    ['default', defaultExperiment()],
    ...examples.map(({ file, json }): [string, ExperimentConfig] => [file, parseExperiment(json)]),
  ];
  it.each(configs)('%s: parse(JSON(parsed)) equals parsed', (_name, parsed) => {
    expect(parseExperiment(JSON.parse(JSON.stringify(parsed)))).toEqual(parsed);
  });
});

describe('fuzz: random mutations never crash the validator', () => {
  const bases = [minimal(), defaultExperimentInput(), ...examples.map(({ json }) => json)] as unknown[];
  const rng = new RandomStream(20240611, 1);
  const pick = <T>(list: readonly T[]): T => list[rng.below(list.length)];
  const extremes = [0, -0, -1, 1e308, -1e308, 5e-324, 2 ** 32, 2 ** 53 + 1, NaN, Infinity, -Infinity, 0.5, 1.5, 12, 4096];

  function randomJson(depth: number): unknown {
    switch (rng.below(depth > 2 ? 6 : 8)) {
      case 0: return pick(extremes);
      case 1: return pick(['', 'x', 'spiral', 'momentum', '#00ff00', 'toy', 'mlp', '__proto__', 'constructor', '\u0000', 'é'.repeat(70)]);
      case 2: return rng.uniform() < 0.5;
      case 3: return null;
      case 4: return rng.below(100);
      case 5: return undefined;
      case 6: return Array.from({ length: rng.below(4) }, () => randomJson(depth + 1));
      default: return Object.fromEntries(Array.from({ length: rng.below(4) }, () => [pick(['kind', 'lr', 'label', 'name', 'a', 'runs', 'version']), randomJson(depth + 1)]));
    }
  }

  /** Every (container, key) pair inside `value`. */
  function slots(value: unknown, out: Array<[Record<string, unknown>, string]> = []): Array<[Record<string, unknown>, string]> {
    if (value !== null && typeof value === 'object') {
      for (const key of Object.keys(value)) {
        out.push([value as Record<string, unknown>, key]);
        slots((value as Record<string, unknown>)[key], out);
      }
    }
    return out;
  }

  function mutate(config: unknown): unknown {
    if (rng.uniform() < 0.05) return randomJson(0);
    const all = slots(config);
    const count = 1 + rng.below(3);
    for (let m = 0; m < count && all.length > 0; m++) {
      const [container, key] = pick(all);
      const value = container[key];
      switch (rng.below(6)) {
        case 0: delete container[key]; break;
        case 1: container[key] = pick(extremes); break;
        case 2: container[key] = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.length : [value]; break;
        case 3: container[key] = randomJson(1); break;
        case 4: container[pick(['extra', 'kind', 'lr', 'expLr', 'autodrop', '__proto__'])] = randomJson(1); break;
        default: if (typeof value === 'number') container[key] = value * pick([-1, 0, 1e6, 1e-6, 1.5]); else container[key] = structuredClone(container);
      }
    }
    return config;
  }

  it('2000 mutations: each either parses or throws ConfigError naming a field', () => {
    let parsed = 0;
    let rejected = 0;
    const malformed: string[] = [];
    for (let trial = 0; trial < 2000; trial++) {
      const input = mutate(clone(bases[trial % bases.length]));
      let result: ExperimentConfig | undefined;
      try {
        result = parseExperiment(input);
        parsed++;
      } catch (error) {
        if (!(error instanceof ConfigError)) throw new Error(`trial ${trial}: ${String(error)} for ${JSON.stringify(input)}`, { cause: error });
        if (error.issues.length === 0) malformed.push(`trial ${trial}: no issues`);
        malformed.push(...error.issues.filter((message) => !/^[\w.$-]+: \S/.test(message)));
        rejected++;
      }
      if (result) expect(parseExperiment(JSON.parse(JSON.stringify(result)))).toEqual(result);
    }
    expect(malformed).toEqual([]);
    expect(parsed).toBeGreaterThan(50);
    expect(rejected).toBeGreaterThan(1000);
  });
});

describe('documentation', () => {
  it('describes every top-level field and every run field for the UI', () => {
    const shape = experimentSchema.in.shape;
    for (const [key, field] of Object.entries(shape)) expect(field.description, key).toBeTruthy();
    const runShape = shape.runs.element.shape;
    for (const [key, field] of Object.entries(runShape)) expect(field.description, `runs.${key}`).toBeTruthy();
  });
});
