/**
 * Dataset types shared by the whole engine, with small helpers and validation.
 *
 * A dataset is two splits of row-major features and per-row targets. Images keep their u8 pixels
 * (the GPU converts with x_f = x_u8 · scale + shift); toys and CSV uploads are f32 already.
 */

/** One split (train or test) of a dataset: `count` rows of features and targets. */
export interface DataSplit {
  count: number;
  /** row-major features: u8 pixels for images (N×D bytes), f32 otherwise */
  x: Uint8Array | Float32Array;
  /** class index per row (u32), or regression targets N×targetDim f32 */
  y: Uint32Array | Float32Array;
}

/** A dataset: shape and class metadata plus a train and a test split. */
export interface Dataset {
  name: string;
  /** e.g. [2] for toys, [1, 28, 28] for images (C,H,W) */
  inputShape: number[];
  /** number of classes; 0 for regression */
  numClasses: number;
  /** how u8 features map to floats: x_f = x_u8 * scale + shift (images); toys have scale 1, shift 0 */
  scale: number;
  shift: number;
  /** optional display name per class index (length numClasses) */
  classNames?: string[];
  train: DataSplit;
  test: DataSplit;
}

/** Features per row: D = ∏ inputShape. */
export function featureCount(ds: Pick<Dataset, 'inputShape'>): number {
  return ds.inputShape.reduce((product, size) => product * size, 1);
}

/**
 * The first `count` rows of a split, as copies (no memory shared with `split`). The row width is
 * x.length / split.count (and y.length / split.count for regression targets).
 */
export function subset(split: DataSplit, count: number): DataSplit {
  if (!Number.isInteger(count) || count < 0 || count > split.count) {
    throw new Error(`subset count must be an integer in [0, ${split.count}], got ${count}`);
  }
  if (split.count === 0) return { count: 0, x: split.x.slice(0, 0), y: split.y.slice(0, 0) };
  const featuresPerRow = split.x.length / split.count;
  const targetsPerRow = split.y.length / split.count;
  return {
    count,
    x: split.x.slice(0, count * featuresPerRow),
    y: split.y.slice(0, count * targetsPerRow),
  };
}

/** Rows in a test split of `count` rows: round(count · testFraction), clamped to [1, count − 1]. */
export function testCountFor(count: number, testFraction: number): number {
  return Math.min(count - 1, Math.max(1, Math.round(count * testFraction)));
}

/** Number of f32 targets per row of a regression split (y.length / count). */
export function targetDim(split: DataSplit): number {
  return split.count === 0 ? 0 : split.y.length / split.count;
}

/**
 * Checks every field of a dataset and throws an Error naming the first wrong one
 * (e.g. `dataset "mnist": train.y[17] = 12 is not < numClasses = 10`). Returns the dataset.
 */
export function assertDataset(ds: Dataset): Dataset {
  if (typeof ds !== 'object' || ds === null) throw new Error('dataset must be an object');
  if (typeof ds.name !== 'string' || ds.name.length === 0) {
    throw new Error(`dataset name must be a non-empty string, got ${JSON.stringify(ds.name)}`);
  }
  const where = `dataset "${ds.name}"`;
  if (!Array.isArray(ds.inputShape) || ds.inputShape.length === 0) {
    throw new Error(`${where}: inputShape must be a non-empty array, got ${JSON.stringify(ds.inputShape)}`);
  }
  ds.inputShape.forEach((size, axis) => {
    if (!Number.isInteger(size) || size < 1) {
      throw new Error(`${where}: inputShape[${axis}] must be a positive integer, got ${size}`);
    }
  });
  if (!Number.isInteger(ds.numClasses) || ds.numClasses < 0) {
    throw new Error(`${where}: numClasses must be a non-negative integer, got ${ds.numClasses}`);
  }
  if (ds.numClasses === 1) throw new Error(`${where}: numClasses must be 0 (regression) or >= 2, got 1`);
  if (!Number.isFinite(ds.scale) || ds.scale === 0) {
    throw new Error(`${where}: scale must be a finite non-zero number, got ${ds.scale}`);
  }
  if (!Number.isFinite(ds.shift)) throw new Error(`${where}: shift must be a finite number, got ${ds.shift}`);
  if (ds.classNames !== undefined) {
    if (!Array.isArray(ds.classNames) || ds.classNames.length !== ds.numClasses) {
      throw new Error(
        `${where}: classNames must have numClasses = ${ds.numClasses} entries, got ${ds.classNames?.length}`,
      );
    }
  }
  const features = featureCount(ds);
  let regressionTargetDim: number | undefined;
  for (const splitName of ['train', 'test'] as const) {
    const split = ds[splitName];
    const field = (name: string) => `${where}: ${splitName}.${name}`;
    if (typeof split !== 'object' || split === null) throw new Error(`${where}: ${splitName} split is missing`);
    if (!Number.isInteger(split.count) || split.count < 1) {
      throw new Error(`${field('count')} must be a positive integer, got ${split.count}`);
    }
    if (!(split.x instanceof Uint8Array) && !(split.x instanceof Float32Array)) {
      throw new Error(`${field('x')} must be a Uint8Array or Float32Array`);
    }
    if (split.x.length !== split.count * features) {
      throw new Error(
        `${field('x')} has ${split.x.length} values, expected count × features = ` +
          `${split.count} × ${features} = ${split.count * features}`,
      );
    }
    if (split.x instanceof Float32Array) {
      const bad = split.x.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) {
        throw new Error(`${field('x')}[${bad}] (row ${Math.floor(bad / features)}) is not finite: ${split.x[bad]}`);
      }
    }
    if (ds.numClasses > 0) {
      if (!(split.y instanceof Uint32Array)) {
        throw new Error(`${field('y')} must be a Uint32Array of class indices (numClasses = ${ds.numClasses})`);
      }
      if (split.y.length !== split.count) {
        throw new Error(`${field('y')} has ${split.y.length} labels, expected count = ${split.count}`);
      }
      const bad = split.y.findIndex((label) => label >= ds.numClasses);
      if (bad >= 0) {
        throw new Error(`${field('y')}[${bad}] = ${split.y[bad]} is not < numClasses = ${ds.numClasses}`);
      }
    } else {
      if (!(split.y instanceof Float32Array)) {
        throw new Error(`${field('y')} must be a Float32Array of regression targets (numClasses = 0)`);
      }
      const dim = split.y.length / split.count;
      if (!Number.isInteger(dim) || dim < 1) {
        throw new Error(`${field('y')} has ${split.y.length} values, not a positive multiple of count = ${split.count}`);
      }
      if (regressionTargetDim !== undefined && dim !== regressionTargetDim) {
        throw new Error(`${field('y')} has ${dim} targets per row, but train has ${regressionTargetDim}`);
      }
      regressionTargetDim = dim;
      const bad = split.y.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new Error(`${field('y')}[${bad}] is not finite: ${split.y[bad]}`);
    }
  }
  if (ds.train.x.constructor !== ds.test.x.constructor) {
    throw new Error(`${where}: train.x and test.x must have the same element type`);
  }
  return ds;
}
