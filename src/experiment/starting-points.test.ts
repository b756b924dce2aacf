import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMAGE_DATASETS, parseExperiment } from './config';
import { defaultExperimentInput } from './defaults';
import { TOY_NAMES } from '../data/toys';
import {
  datasetTitle,
  describeStartingPoint,
  hasStartingPoint,
  retitle,
  scaleRunRates,
  STARTING_POINTS,
  startingPointExperiment,
  switchDataset,
  withStartingPoint,
} from './starting-points';

const DIR = join(__dirname, '../../public/examples/starting-points');
type Doc = Record<string, unknown>;
const spiral = { kind: 'toy', name: 'spiral' };
const fashion = { kind: 'image', name: 'fashion-mnist' };
const mnist = { kind: 'image', name: 'mnist' };

describe('starting points', () => {
  it('every built-in dataset has one, and its measured config is the file the README runs', () => {
    expect(Object.keys(STARTING_POINTS).sort()).toEqual([...TOY_NAMES, ...IMAGE_DATASETS].sort());
    expect(readdirSync(DIR).sort()).toEqual(Object.keys(STARTING_POINTS).map((name) => `${name}.json`).sort());
    for (const name of Object.keys(STARTING_POINTS)) {
      const file = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as unknown;
      expect(file, name).toEqual(startingPointExperiment(name));
      expect(parseExperiment(file).dataset).toMatchObject({ name });
    }
  });

  it('the default experiment is the spiral starting point', () => {
    const doc = defaultExperimentInput() as Doc;
    expect(hasStartingPoint(doc, STARTING_POINTS.spiral)).toBe(true);
  });

  it('switching the default to Fashion-MNIST renames it and applies the starting point to every run, keeping their ratios', () => {
    const before = defaultExperimentInput() as Doc;
    const after = switchDataset(before, { ...fashion }, true);
    expect(after.name).toBe('All methods on Fashion-MNIST');
    expect(after.model).toEqual(STARTING_POINTS['fashion-mnist'].model);
    expect(after.batch).toBe(64);
    expect(after.dataset).toEqual({ ...fashion, trainSubset: 10000, testSubset: 2000 });
    const runs = after.runs as Array<{ schedule: { lr: number }; leap?: { sigma: number } }>;
    expect(runs.map((run) => run.schedule.lr)).toEqual(runs.map(() => 0.05));
    expect(runs[2].leap?.sigma).toBe(0.025); // half the rate, as in the default
    expect(() => parseExperiment(after)).not.toThrow();
    // Without the recommendation only the dataset and the name change.
    const plain = switchDataset(before, { ...fashion }, false);
    expect({ ...plain, dataset: before.dataset, name: before.name }).toEqual(before);
    expect(hasStartingPoint(after, STARTING_POINTS['fashion-mnist'])).toBe(true);
    expect(hasStartingPoint(plain, STARTING_POINTS['fashion-mnist'])).toBe(false);
  });

  it('scales every rate a run states', () => {
    const run = {
      schedule: { kind: 'cosine', lr: 0.1, minLr: 0.01, length: 10 },
      leap: { sigma: 0.05 },
      ralr: { boundsMode: 'absolute', rateLow: 0.1, rateHigh: 0.4 },
      autodrop: { lrMin: 0.001 },
    };
    expect(scaleRunRates(run, 0.5)).toEqual({
      schedule: { kind: 'cosine', lr: 0.05, minLr: 0.005, length: 10 },
      leap: { sigma: 0.025 },
      ralr: { boundsMode: 'absolute', rateLow: 0.05, rateHigh: 0.2 },
      autodrop: { lrMin: 0.0005 },
    });
    // A multiplicative LEAP σ is relative to η: unchanged.
    expect(scaleRunRates({ leap: { sigma: 0.5, form: 'multiplicative' } }, 0.5)).toEqual({ leap: { sigma: 0.5, form: 'multiplicative' } });
    expect(withStartingPoint({ runs: [{ schedule: { kind: 'onecycle', maxLr: 0.2 } }] }, STARTING_POINTS.moons).runs).toEqual([{ schedule: { kind: 'onecycle', maxLr: 0.1 } }]);
  });

  it('retitles names that say which data they train on, and leaves the others', () => {
    expect(retitle('All methods on a spiral', spiral, mnist)).toBe('All methods on MNIST');
    expect(retitle('MNIST with an MLP', mnist, fashion)).toBe('Fashion-MNIST with an MLP');
    expect(retitle('Fashion-MNIST with an MLP', mnist, spiral)).toBe('Fashion-MNIST with an MLP');
    expect(retitle('Fashion-MNIST with an MLP', fashion, mnist)).toBe('MNIST with an MLP');
    expect(retitle('LRD on the spiral', spiral, { kind: 'toy', name: 'moons' })).toBe('LRD on moons');
    expect(retitle('All methods on a spiral', spiral, { kind: 'upload', id: 'points.csv', format: 'csv' })).toBe('All methods on points.csv');
    expect(retitle('All methods on points.csv', { kind: 'upload', id: 'points.csv' }, spiral)).toBe('All methods on a spiral');
    expect(retitle('Learning Rate Dropout', spiral, mnist)).toBe('Learning Rate Dropout');
    expect(datasetTitle(fashion)).toBe('Fashion-MNIST');
  });

  it('describes itself in words', () => {
    expect(describeStartingPoint(STARTING_POINTS['fashion-mnist'])).toBe('MLP 64, rate 0.05, batch 64, 10000 train / 2000 test images');
    expect(describeStartingPoint(STARTING_POINTS.spiral)).toBe('MLP 32-32, rate 0.1, batch 32');
  });
});
