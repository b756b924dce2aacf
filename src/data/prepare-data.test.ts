// Runs scripts/prepare-data.mjs (fast when public/data is already prepared, as after
// `npm install`) and loads what it wrote through the Node loader.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadIdxDataset, loadManifest } from './load';
import { DEFAULT_DATA_DIR, nodeReader } from './load-node';
import { assertDataset } from './types';

const root = join(DEFAULT_DATA_DIR, '..', '..');
let output = '';

beforeAll(() => {
  output = execFileSync(process.execPath, [join(root, 'scripts', 'prepare-data.mjs')], { cwd: root, encoding: 'utf8' });
}, 120_000);

describe('prepared datasets (scripts/prepare-data.mjs)', () => {
  it('prints one line per dataset', () => {
    expect(output).toMatch(/^mnist: 60000 train \/ 10000 test/m);
    expect(output).toMatch(/^fashion-mnist: 60000 train \/ 10000 test/m);
  });

  it('is idempotent: a second run rewrites nothing', () => {
    const again = execFileSync(process.execPath, [join(root, 'scripts', 'prepare-data.mjs')], { cwd: root, encoding: 'utf8' });
    expect(again.trim().split('\n')).toEqual([
      expect.stringMatching(/^mnist: .*up to date/),
      expect.stringMatching(/^fashion-mnist: .*up to date/),
    ]);
  });

  it('writes a manifest listing both datasets', async () => {
    const manifest = await loadManifest(nodeReader());
    expect(manifest.datasets.map((d) => d.name)).toEqual(['mnist', 'fashion-mnist']);
    expect(manifest.datasets[1].classNames).toEqual(['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
  });

  it('MNIST parses with 60000/10000 rows of 1×28×28 (first train label is the famous 5)', async () => {
    const ds = assertDataset(await loadIdxDataset('mnist', nodeReader()));
    expect(ds).toMatchObject({ inputShape: [1, 28, 28], numClasses: 10, scale: 1 / 255, shift: 0 });
    expect(ds.train.count).toBe(60000);
    expect(ds.test.count).toBe(10000);
    expect(Array.from(ds.train.y.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(ds.test.y.subarray(0, 3))).toEqual([7, 2, 1]);
  });

  it('Fashion-MNIST is balanced, interleaved so that a prefix has every class, and images are non-trivial', async () => {
    const ds = assertDataset(await loadIdxDataset('fashion-mnist', nodeReader()));
    expect(ds.train.count).toBe(60000);
    expect(ds.test.count).toBe(10000);
    for (const [split, perClass] of [[ds.train, 6000], [ds.test, 1000]] as const) {
      const counts = new Array<number>(10).fill(0);
      for (const label of split.y) counts[label]++;
      expect(counts).toEqual(new Array(10).fill(perClass));
      expect(new Set(split.y.subarray(0, 10)).size).toBe(10);
    }
    let sum = 0;
    for (let i = 0; i < 784; i++) sum += ds.train.x[i];
    expect(sum).toBeGreaterThan(0);
  });
});
