/**
 * The PyTorch export without Python: the plan a script carries, the embedded package (every module of
 * python/lrlab_torch, verbatim), uploads refused, and the committed Python fixtures still equal what
 * the engine's TypeScript computes (the golden trajectories' plan too; their GPU records are not rerun).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../experiment/config';
import { runParamsJson } from '../experiment/export';
import { expandRuns } from '../experiment/expand';
import { runnerRun } from '../experiment/expand';
import { minimalConfig } from '../test/configs';
import { GOLDEN_CONFIG, twinFixtures } from './fixtures';
import { PYTHON_MODULES, pytorchPlan, pytorchScript } from './pytorch';

const root = join(__dirname, '..', '..');
const fixture = (name: string) => JSON.parse(readFileSync(join(root, 'python', 'tests', 'fixtures', `${name}.json`), 'utf8'));

describe('PyTorch plan', () => {
  it('carries the validated config, the resolved model in engine tensor order and the runs with their CSV cells', () => {
    const config = parseExperiment(GOLDEN_CONFIG);
    const plan = pytorchPlan(config);
    expect(plan.format).toBe('lr-lab-pytorch-plan');
    expect(plan.config).toEqual(config);
    expect(plan.model.tensors.map((t) => `${t.name}:${t.shape.join('x')}:${t.init}`)).toEqual([
      'layers[0].weight:2x12:glorot_uniform', 'layers[0].bias:12:zeros', 'layers[1].weight:12x12:glorot_uniform',
      'layers[1].bias:12:zeros', 'layers[2].weight:12x2:glorot_uniform', 'layers[2].bias:2:zeros',
    ]);
    expect(plan.model.layers.map((l) => [l.spec.kind, l.weight, l.bias, l.activation])).toEqual([
      ['dense', 0, 1, 'tanh'], ['dense', 2, 3, 'tanh'], ['dense', 4, 5, 'none'],
    ]);
    const runs = expandRuns(config).map(runnerRun);
    expect(plan.runs.map((r) => r.csv.params)).toEqual(runs.map(runParamsJson));
    expect(plan.runs.map((r) => r.csv.methods)).toEqual(['none', 'lrd', 'leap', 'ralr', 'autodrop', 'explr', 'explr', 'lrd']);
    expect(plan.runs.map((r) => [r.seed, r.runKey])).toEqual(runs.map((r) => [r.seed, r.runKey]));
  });

  it('expands replicates with their draw seeds and labels', () => {
    const plan = pytorchPlan(parseExperiment({ ...minimalConfig(), replicates: 2 }));
    expect(plan.runs.map((r) => [r.label, r.replicate])).toEqual([['Baseline', 0], ['Baseline #2', 1], ['LRD', 0], ['LRD #2', 1]]);
    expect(plan.runs[1].seed).not.toBe(plan.runs[0].seed);
  });

  it('resolves image models for MNIST (a scale-invariant CNN keeps its fixed last layer)', () => {
    const config = parseExperiment({
      ...minimalConfig(), dataset: { kind: 'image', name: 'mnist', trainSubset: 100 }, model: { kind: 'scale-invariant-cnn', channels: [2, 3] },
    });
    const tensors = pytorchPlan(config).model.tensors;
    expect(tensors[0].shape).toEqual([2, 1, 3, 3]);
    expect(tensors.at(-1)?.trainable).toBe(false);
  });

  it('refuses an uploaded dataset with a message naming the field', () => {
    const config = parseExperiment({ ...minimalConfig(), dataset: { kind: 'upload', id: 'mine', format: 'csv' } });
    expect(() => pytorchPlan(config)).toThrow(/dataset\.kind: an uploaded dataset cannot be exported/);
  });
});

describe('PyTorch script', () => {
  it('embeds every module of python/lrlab_torch, verbatim', () => {
    const folder = join(root, 'python', 'lrlab_torch');
    const files = readdirSync(folder).filter((name) => name.endsWith('.py'));
    expect(Object.keys(PYTHON_MODULES).sort()).toEqual(files.map((f) => (f === '__init__.py' ? 'lrlab_torch' : `lrlab_torch.${f.slice(0, -3)}`)).sort());
    for (const file of files) {
      const name = file === '__init__.py' ? 'lrlab_torch' : `lrlab_torch.${file.slice(0, -3)}`;
      expect(PYTHON_MODULES[name], file).toBe(readFileSync(join(folder, file), 'utf8'));
    }
    const script = pytorchScript(parseExperiment(GOLDEN_CONFIG));
    expect(script.startsWith('#!/usr/bin/env python3\n"""LR Lab experiment "Golden trajectories"')).toBe(true);
    expect(script).toContain(`_PLAN = ${JSON.stringify(JSON.stringify(pytorchPlan(parseExperiment(GOLDEN_CONFIG))))}`);
    expect(script).toContain(`"lrlab_torch.optim": ${JSON.stringify(PYTHON_MODULES['lrlab_torch.optim'])},`);
    expect(script).toContain("sys.exit(main(json.loads(_PLAN)))");
  });
});

describe('Python fixtures (npm run pytorch-fixtures)', () => {
  it('the committed twin fixtures equal what the engine computes now', () => {
    for (const [name, value] of Object.entries(twinFixtures())) expect(fixture(name), name).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it('the golden trajectories were trained on the plan the export writes now', () => {
    expect(fixture('golden').plan).toEqual(JSON.parse(JSON.stringify(pytorchPlan(parseExperiment(GOLDEN_CONFIG)))));
  });
});
