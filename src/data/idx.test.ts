import { describe, expect, it } from 'vitest';
import { datasetFromIdx, encodeIdx, parseIdx } from './idx';
import { assertDataset } from './types';

describe('IDX round trip', () => {
  const cases = [
    ['u8', new Uint8Array([0, 1, 127, 128, 255, 7])],
    ['i8', new Int8Array([-128, -1, 0, 1, 127, 5])],
    ['i16', new Int16Array([-32768, -2, 0, 3, 32767, 300])],
    ['i32', new Int32Array([-2147483648, -5, 0, 70000, 2147483647, 1])],
    ['f32', new Float32Array([-1.5, 0, 3.25, 1e-20, -Infinity, 65504])],
    ['f64', new Float64Array([Math.PI, -0.1, 0, 1e300, -1e-300, 2])],
  ] as const;
  for (const [typeName, data] of cases) {
    it(`${typeName}: encode then parse gives the same dims and values`, () => {
      const bytes = encodeIdx([2, 3], data);
      const parsed = parseIdx(bytes);
      expect(parsed.dims).toEqual([2, 3]);
      expect(parsed.data.constructor).toBe(data.constructor);
      expect(Array.from(parsed.data)).toEqual(Array.from(data));
    });
  }

  it('writes the documented big-endian header and payload', () => {
    const bytes = encodeIdx([1, 2], new Int16Array([1, -2]));
    expect(Array.from(bytes)).toEqual([0, 0, 0x0b, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0x00, 0x01, 0xff, 0xfe]);
  });

  it('parses from a view with a byte offset and returns a copy', () => {
    const bytes = encodeIdx([3], new Uint8Array([9, 8, 7]));
    const padded = new Uint8Array(bytes.length + 5);
    padded.set(bytes, 5);
    const parsed = parseIdx(padded.subarray(5));
    expect(Array.from(parsed.data)).toEqual([9, 8, 7]);
    expect(parsed.data.byteOffset).toBe(0);
    expect(parsed.data.buffer).not.toBe(padded.buffer);
  });

  it('encodeIdx rejects dims that do not match the data', () => {
    expect(() => encodeIdx([2, 2], new Uint8Array(3))).toThrow(/dims \[2, 2\] hold 4 elements, data has 3/);
  });
});

describe('parseIdx errors', () => {
  const good = encodeIdx([2, 2], new Uint8Array([1, 2, 3, 4]));
  const withByte = (index: number, value: number) => {
    const copy = good.slice();
    copy[index] = value;
    return copy;
  };
  it('bad magic', () => {
    expect(() => parseIdx(withByte(0, 1), 'x.idx')).toThrow(/x\.idx: bad magic: first two bytes are 0x01 0x00, expected 0x00 0x00/);
  });
  it('unknown element type', () => {
    expect(() => parseIdx(withByte(2, 0x0a))).toThrow(/unknown element type 0x0a/);
  });
  it('zero dimensions', () => {
    expect(() => parseIdx(withByte(3, 0))).toThrow(/number of dimensions is 0/);
  });
  it('truncated header', () => {
    expect(() => parseIdx(good.subarray(0, 3))).toThrow(/truncated header: 3 bytes, need at least 4/);
    expect(() => parseIdx(good.subarray(0, 10))).toThrow(/truncated header: 10 bytes, need 12 for 2 dimensions/);
  });
  it('truncated payload', () => {
    expect(() => parseIdx(good.subarray(0, good.length - 1))).toThrow(/truncated payload: dims \[2, 2\] of u8 need 4 bytes, got 3/);
  });
  it('size mismatch (trailing bytes)', () => {
    const longer = new Uint8Array(good.length + 2);
    longer.set(good);
    expect(() => parseIdx(longer)).toThrow(/size mismatch: dims \[2, 2\] of u8 need 4 bytes, got 6 \(2 trailing\)/);
  });
});

describe('datasetFromIdx', () => {
  const images = (count: number) => encodeIdx([count, 2, 2], new Uint8Array(count * 4).map((_, i) => i % 256));
  const labels = (values: number[]) => encodeIdx([values.length], new Uint8Array(values));
  const files = {
    name: 'tiny',
    trainImages: images(3),
    trainLabels: labels([0, 2, 1]),
    testImages: images(2),
    testLabels: labels([1, 0]),
  };

  it('builds a u8 image dataset with scale 1/255 and numClasses = max label + 1', () => {
    const ds = assertDataset(datasetFromIdx(files));
    expect(ds).toMatchObject({ name: 'tiny', inputShape: [1, 2, 2], numClasses: 3, scale: 1 / 255, shift: 0 });
    expect(ds.train.count).toBe(3);
    expect(ds.train.x).toBeInstanceOf(Uint8Array);
    expect(Array.from(ds.train.y)).toEqual([0, 2, 1]);
    expect(ds.test.count).toBe(2);
  });

  it('keeps [N, C, H, W] and [N, D] shapes', () => {
    const nchw = encodeIdx([1, 3, 2, 2], new Uint8Array(12));
    const ds = datasetFromIdx({ ...files, trainImages: nchw, trainLabels: labels([1]), testImages: nchw, testLabels: labels([0]) });
    expect(ds.inputShape).toEqual([3, 2, 2]);
    const flat = encodeIdx([1, 5], new Uint8Array(5));
    expect(datasetFromIdx({ ...files, trainImages: flat, trainLabels: labels([1]), testImages: flat, testLabels: labels([0]) }).inputShape).toEqual([5]);
  });

  it('rejects a label count that differs from the image count, naming both', () => {
    expect(() => datasetFromIdx({ ...files, trainLabels: labels([0, 1]) })).toThrow(/tiny train: 2 labels but 3 images/);
  });

  it('rejects labels >= the given numClasses', () => {
    expect(() => datasetFromIdx({ ...files, numClasses: 2 })).toThrow(/tiny train labels: label \[1\] = 2 is not < numClasses = 2/);
  });

  it('rejects non-u8 images, float or negative labels, mismatched shapes, and names the file', () => {
    expect(() => datasetFromIdx({ ...files, testImages: encodeIdx([2, 4], new Float32Array(8)) })).toThrow(/tiny test images: images must be u8/);
    expect(() => datasetFromIdx({ ...files, testLabels: encodeIdx([2], new Float32Array(2)) })).toThrow(/tiny test labels: labels must have an integer element type/);
    expect(() => datasetFromIdx({ ...files, testLabels: encodeIdx([2], new Int8Array([0, -1])) })).toThrow(/label \[1\] = -1 is negative/);
    expect(() => datasetFromIdx({ ...files, testImages: encodeIdx([2, 4], new Uint8Array(8)) })).toThrow(/train images are 1×2×2 but test images are 4/);
    expect(() => datasetFromIdx({ ...files, trainImages: files.trainImages.subarray(0, 20) })).toThrow(/tiny train images: truncated payload/);
  });
});
