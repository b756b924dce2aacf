import { describe, expect, it } from 'vitest';
import { datasetFromCsv, type CsvOptions } from './csv';
import { assertDataset } from './types';

const options: CsvOptions = { testFraction: 0.25, seed: 1, name: 'upload' };
const rows = (count: number, label: (i: number) => string) =>
  Array.from({ length: count }, (_, i) => `${i},${i / 2},${label(i)}`).join('\n');

describe('datasetFromCsv: happy paths', () => {
  it('reads a header, the last column as label and integer labels 0..K-1', () => {
    const ds = assertDataset(datasetFromCsv(`x,y,label\n${rows(8, (i) => String(i % 3))}\n`, options));
    expect(ds).toMatchObject({ name: 'upload', inputShape: [2], numClasses: 3, scale: 1, shift: 0, classNames: ['0', '1', '2'] });
    expect(ds.train.count + ds.test.count).toBe(8);
    expect(ds.test.count).toBe(2);
    // features are used as given, and each row keeps its label
    for (const split of [ds.train, ds.test]) {
      for (let row = 0; row < split.count; row++) {
        const original = split.x[2 * row];
        expect(split.x[2 * row + 1]).toBe(original / 2);
        expect(split.y[row]).toBe(original % 3);
      }
    }
  });

  it('reads a file without a header (first row numeric) and keeps every row', () => {
    const ds = datasetFromCsv(rows(6, (i) => String(i % 2)), options);
    expect(ds.train.count + ds.test.count).toBe(6);
    const firstFeatures = [...ds.train.x.filter((_, i) => i % 2 === 0), ...ds.test.x.filter((_, i) => i % 2 === 0)];
    expect(firstFeatures.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('maps string labels to sorted unique class indices', () => {
    const text = 'a,b,species\n1,2,virginica\n3,4,setosa\n5,6,versicolor\n7,8,setosa\n';
    const ds = datasetFromCsv(text, { ...options, testFraction: 0.01 });
    expect(ds.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    const byFirstFeature = new Map<number, number>();
    for (const split of [ds.train, ds.test]) for (let r = 0; r < split.count; r++) byFirstFeature.set(split.x[2 * r], split.y[r]);
    expect([...byFirstFeature.entries()].sort((a, b) => a[0] - b[0])).toEqual([[1, 2], [3, 0], [5, 1], [7, 0]]);
  });

  it('maps integer labels numerically: {-1, 1} become {0, 1}', () => {
    const ds = datasetFromCsv('1,-1\n2,1\n3,-1\n4,1\n', options);
    expect(ds.classNames).toEqual(['-1', '1']);
    expect(ds.numClasses).toBe(2);
  });

  it('takes the label column by header name or (negative) index, trims cells, skips blank lines, detects ;', () => {
    const text = 'label; f1 ;f2\n\ncat; 1.5 ;-2e-1\n  \ndog;.5;3\ncat;0;0\n';
    for (const labelColumn of ['label', 0, -3]) {
      const ds = datasetFromCsv(text, { ...options, labelColumn });
      expect(ds.inputShape).toEqual([2]);
      expect(ds.classNames).toEqual(['cat', 'dog']);
      const all = [...ds.train.x, ...ds.test.x].sort((a, b) => a - b);
      expect(all).toEqual([-0.2, 0, 0, 0.5, 1.5, 3].map(Math.fround));
    }
  });

  it('is deterministic from the seed; another seed gives another split', () => {
    const text = rows(40, (i) => String(i % 2));
    const a = datasetFromCsv(text, options);
    expect(Array.from(datasetFromCsv(text, options).test.x)).toEqual(Array.from(a.test.x));
    expect(Array.from(datasetFromCsv(text, { ...options, seed: 2 }).test.x)).not.toEqual(Array.from(a.test.x));
  });

  it('honours header: false for a header-like first row', () => {
    expect(() => datasetFromCsv('a,b,c\n1,2,0\n3,4,1\n', { ...options, header: false })).toThrow(
      /row 1, column 1: non-numeric feature "a"/,
    );
  });
});

describe('datasetFromCsv: errors name the row and column', () => {
  const cases: [string, string, Partial<CsvOptions>, RegExp][] = [
    ['empty file', '', {}, /CSV file is empty/],
    ['blank file', ' \n\n  \n', {}, /CSV file is empty/],
    ['one data row', 'x,label\n1,0\n', {}, /CSV file has 1 data row; need at least 2/],
    ['header only', 'x,label\n', {}, /CSV file has 0 data rows; need at least 2/],
    ['one column', 'x\n1\n2\n', {}, /row 1 has 1 column; need at least 2/],
    ['non-numeric feature', 'x,y,label\n1,2,a\n3,oops,b\n', {}, /row 3, column 2 \("y"\): non-numeric feature "oops"/],
    ['non-numeric feature without header', '1,2,a\n3,NaN,b\n', {}, /row 2, column 2: non-numeric feature "NaN"/],
    ['empty feature', 'x,y,label\n1,,a\n3,4,b\n', {}, /row 2, column 2 \("y"\): empty feature value/],
    ['non-finite feature', 'x,label\n1e999,a\n3,b\n', {}, /row 2, column 1 \("x"\): non-numeric feature "1e999"/],
    ['ragged row', 'x,y,label\n1,2,a\n\n3,4\n', {}, /row 4 has 2 columns, expected 3 \(as in row 1\)/],
    ['empty label', 'x,label\n1,a\n2,\n', {}, /row 3, column 2 \("label"\): empty label/],
    ['single class', 'x,label\n1,a\n2,a\n', {}, /label column 2 \("label"\) has a single class "a"; need at least 2 classes/],
    ['unknown label name', 'x,label\n1,a\n2,b\n', { labelColumn: 'class' }, /labelColumn "class" is not in the header: "x", "label"/],
    ['label name without header', '1,a\n2,b\n', { labelColumn: 'class' }, /labelColumn "class" names a column, but row 1 is not a header/],
    ['label index out of range', '1,a\n2,b\n', { labelColumn: 2 }, /labelColumn must be an integer in \[-2, 1\] \(0-based\), got 2/],
    ['bad quotes', 'x,label\n1,"a\n', {}, /CSV parse error: row 2: Quoted field unterminated/],
    ['testFraction', '1,a\n2,b\n', { testFraction: 1 }, /testFraction must be a number with 0 < testFraction < 1, got 1/],
    ['seed', '1,a\n2,b\n', { seed: -3 }, /seed must be an integer in \[0, 2\^32\), got -3/],
    ['name', '1,a\n2,b\n', { name: ' ' }, /name must be a non-empty string/],
  ];
  for (const [what, text, overrides, message] of cases) {
    it(what, () => {
      expect(() => datasetFromCsv(text, { ...options, ...overrides })).toThrow(message);
    });
  }

  it('hints at the header rule when the first row is neither header nor data', () => {
    expect(() => datasetFromCsv('x,1,label\n1,2,a\n', options)).toThrow(/row 1, column 1: non-numeric feature "x" \(a header row needs every cell non-numeric\)/);
  });
});
