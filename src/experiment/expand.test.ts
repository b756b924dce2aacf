/** The training plan of a config: stacked runs (runs × replicates) and their seeds, the step budget, and the ModelSpec of every model kind. */
import { describe, expect, it } from 'vitest';
import { lrdUniform } from '../rng/draws';
import { parseExperiment } from './config';
import { budgetSteps, buildModelSpec, expandRuns, replicateSeed } from './expand';
import { minimalConfig } from '../test/configs';

const minimal = minimalConfig;

describe('expandRuns', () => {
  const config = parseExperiment({
    ...minimal(),
    seed: 42,
    replicates: 3,
    runs: [
      { label: 'A', schedule: { kind: 'constant', lr: 0.1 } },
      { label: 'B', schedule: { kind: 'constant', lr: 0.1 }, lrd: {} },
      { label: 'C', schedule: { kind: 'constant', lr: 0.1 }, lrd: {}, runKey: 1 },
    ],
  });
  const expanded = expandRuns(config);

  it('lists runs × replicates, run-major, with the Trainer index', () => {
    expect(expanded.map((run) => [run.index, run.method, run.replicate, run.label])).toEqual([
      [0, 0, 0, 'A'], [1, 0, 1, 'A'], [2, 0, 2, 'A'],
      [3, 1, 0, 'B'], [4, 1, 1, 'B'], [5, 1, 2, 'B'],
      [6, 2, 0, 'C'], [7, 2, 1, 'C'], [8, 2, 2, 'C'],
    ]);
    expect(expanded.map((run) => run.runKey)).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1]);
    expect(expanded[4].run).toBe(config.runs[1]);
  });

  it('pairs runs within a replicate and varies seeds across replicates', () => {
    const seeds = [0, 1, 2].map((r) => replicateSeed(42, r));
    expect(seeds[0]).toBe(42);
    expect(new Set(seeds).size).toBe(3);
    for (const run of expanded) expect(run.seed).toBe(seeds[run.replicate]);
    // The same replicate id for every method of a replicate: the Trainer gives them one init and one data order.
    const replicates = expanded.map((run) => run.replicate);
    expect(replicates.filter((r) => r === 1)).toHaveLength(config.runs.length);
    // Equal run keys draw the same LRD masks within a replicate, different ones across replicates.
    const mask = (run: (typeof expanded)[number]) => Array.from({ length: 64 }, (_, e) => lrdUniform(run.seed, run.runKey, 0, 1, e) < 0.5);
    expect(mask(expanded[4])).toEqual(mask(expanded[7])); // B and C (runKey 1), replicate 1
    expect(mask(expanded[4])).not.toEqual(mask(expanded[5])); // B, replicates 1 and 2
    expect(mask(expanded[3])).not.toEqual(mask(expanded[0])); // keys 1 and 0, replicate 0
  });

  it('is deterministic', () => {
    expect(expandRuns(parseExperiment(JSON.parse(JSON.stringify(config))))).toEqual(expanded);
  });

  it('budgetSteps counts epochs in steps', () => {
    expect(budgetSteps({ budget: { unit: 'steps', amount: 100 } }, 15)).toBe(100);
    expect(budgetSteps({ budget: { unit: 'epochs', amount: 3 } }, 15)).toBe(45);
  });
});

describe('buildModelSpec', () => {
  const toy = { inputShape: [2], numClasses: 2 };
  const image = { inputShape: [1, 28, 28], numClasses: 10 };
  const model = (kind: string, extra: Record<string, unknown> = {}) => parseExperiment({ ...minimal(), dataset: { kind: 'image', name: 'mnist' }, model: { kind, ...extra } }).model;

  it('builds an MLP for a toy and for images (flattened)', () => {
    const spec = buildModelSpec(model('mlp', { hidden: [8], batchNorm: true }), toy);
    expect(spec.inputShape).toEqual([2]);
    expect(spec.layers.at(-1)).toEqual({ kind: 'dense', units: 2 });
    expect(spec.layers.some((layer) => layer.kind === 'batchnorm')).toBe(true);
    expect(buildModelSpec(model('mlp'), image).layers[0]).toEqual({ kind: 'flatten' });
  });

  it('builds CNNs and the scale-invariant variants', () => {
    expect(buildModelSpec(model('cnn', { dense: 16 }), image).layers.filter((layer) => layer.kind === 'conv2d')).toHaveLength(2);
    const invariant = buildModelSpec(model('scale-invariant-cnn'), image);
    expect(invariant.layers.at(-1)).toEqual({ kind: 'dense', units: 10, bias: false, trainable: false });
    expect(buildModelSpec(model('scale-invariant-mlp'), toy).layers.at(-1)).toMatchObject({ trainable: false });
  });

  it('uses MSE for a regression upload, and names the model when a CNN meets flat inputs', () => {
    expect(buildModelSpec(model('mlp'), { inputShape: [3], numClasses: 0, targetDim: 1 }).loss).toBe('mse');
    expect(() => buildModelSpec(model('cnn'), toy)).toThrow(/^model\.kind: a CNN needs image inputs/);
  });
});
