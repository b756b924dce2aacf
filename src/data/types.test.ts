import { describe, expect, it } from 'vitest';
import { assertDataset, featureCount, subset, targetDim, testCountFor, type Dataset } from './types';

function tinyImages(): Dataset {
  return {
    name: 'tiny',
    inputShape: [1, 2, 2],
    numClasses: 3,
    scale: 1 / 255,
    shift: 0,
    train: { count: 3, x: new Uint8Array(12).map((_, i) => i), y: new Uint32Array([0, 1, 2]) },
    test: { count: 1, x: new Uint8Array(4), y: new Uint32Array([2]) },
  };
}

describe('dataset helpers', () => {
  it('featureCount is the product of inputShape', () => {
    expect(featureCount({ inputShape: [1, 28, 28] })).toBe(784);
    expect(featureCount({ inputShape: [2] })).toBe(2);
  });

  it('subset copies the first rows of features and targets', () => {
    const ds = tinyImages();
    const head = subset(ds.train, 2);
    expect(head.count).toBe(2);
    expect(Array.from(head.x)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(head.y)).toEqual([0, 1]);
    head.x[0] = 99;
    expect(ds.train.x[0]).toBe(0);
    const regression = { count: 2, x: new Float32Array([1, 2]), y: new Float32Array([1, 2, 3, 4]) };
    expect(Array.from(subset(regression, 1).y)).toEqual([1, 2]);
    expect(targetDim(regression)).toBe(2);
    expect(() => subset(ds.train, 4)).toThrow(/subset count must be an integer in \[0, 3\], got 4/);
  });

  it('testCountFor rounds and keeps both splits non-empty', () => {
    expect(testCountFor(100, 0.2)).toBe(20);
    expect(testCountFor(2, 0.01)).toBe(1);
    expect(testCountFor(2, 0.99)).toBe(1);
  });
});

describe('assertDataset', () => {
  it('accepts a valid dataset', () => {
    expect(assertDataset(tinyImages()).name).toBe('tiny');
  });

  const broken: [string, (ds: Dataset) => void, RegExp][] = [
    ['name', (ds) => (ds.name = ''), /dataset name must be a non-empty string/],
    ['inputShape', (ds) => (ds.inputShape = [1, 0, 2]), /inputShape\[1\] must be a positive integer, got 0/],
    ['numClasses', (ds) => (ds.numClasses = 1.5), /numClasses must be a non-negative integer/],
    ['scale', (ds) => (ds.scale = NaN), /scale must be a finite non-zero number/],
    ['shift', (ds) => (ds.shift = Infinity), /shift must be a finite number/],
    ['classNames', (ds) => (ds.classNames = ['a']), /classNames must have numClasses = 3 entries, got 1/],
    ['count', (ds) => (ds.test.count = 0), /test\.count must be a positive integer, got 0/],
    ['x length', (ds) => (ds.train.x = new Uint8Array(11)), /train\.x has 11 values, expected count × features = 3 × 4 = 12/],
    ['x type', (ds) => (ds.train.x = new Uint16Array(12) as unknown as Uint8Array), /train\.x must be a Uint8Array or Float32Array/],
    ['y type', (ds) => (ds.train.y = new Float32Array(3)), /train\.y must be a Uint32Array of class indices/],
    ['y length', (ds) => (ds.test.y = new Uint32Array(2)), /test\.y has 2 labels, expected count = 1/],
    ['y range', (ds) => (ds.train.y = new Uint32Array([0, 3, 1])), /train\.y\[1\] = 3 is not < numClasses = 3/],
    ['mixed x types', (ds) => (ds.test.x = new Float32Array(4)), /train\.x and test\.x must have the same element type/],
  ];
  for (const [field, breakIt, message] of broken) {
    it(`names the wrong field: ${field}`, () => {
      const ds = tinyImages();
      breakIt(ds);
      expect(() => assertDataset(ds)).toThrow(message);
    });
  }

  it('checks f32 features and regression targets', () => {
    const ds: Dataset = {
      name: 'reg',
      inputShape: [1],
      numClasses: 0,
      scale: 1,
      shift: 0,
      train: { count: 2, x: new Float32Array([1, NaN]), y: new Float32Array([1, 2]) },
      test: { count: 1, x: new Float32Array([1]), y: new Float32Array([1]) },
    };
    expect(() => assertDataset(ds)).toThrow(/train\.x\[1\] \(row 1\) is not finite/);
    ds.train.x = new Float32Array([1, 2]);
    expect(assertDataset(ds).numClasses).toBe(0);
    ds.test.y = new Float32Array([1, 2]);
    expect(() => assertDataset(ds)).toThrow(/test\.y has 2 targets per row, but train has 1/);
  });
});
