import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeIdx } from './idx';
import { fetchReader, loadIdxDataset, loadManifest, type ReadFile } from './load';
import { nodeReader } from './load-node';

const entry = {
  name: 'tiny',
  title: 'Tiny',
  source: 'test',
  inputShape: [1, 2, 2],
  numClasses: 3,
  classNames: ['a', 'b', 'c'],
  train: { count: 3, images: 'tiny/train-images.idx', labels: 'tiny/train-labels.idx' },
  test: { count: 2, images: 'tiny/test-images.idx', labels: 'tiny/test-labels.idx' },
};

function files(manifest: unknown = { format: 1, datasets: [entry] }): Record<string, Uint8Array> {
  return {
    'manifest.json': new TextEncoder().encode(JSON.stringify(manifest)),
    'tiny/train-images.idx': encodeIdx([3, 2, 2], new Uint8Array(12).fill(255)),
    'tiny/train-labels.idx': encodeIdx([3], new Uint8Array([0, 1, 2])),
    'tiny/test-images.idx': encodeIdx([2, 2, 2], new Uint8Array(8)),
    'tiny/test-labels.idx': encodeIdx([2], new Uint8Array([2, 0])),
  };
}

const memoryReader =
  (contents: Record<string, Uint8Array>): ReadFile =>
  async (path) => {
    if (!(path in contents)) throw new Error(`missing ${path}`);
    return contents[path];
  };

describe('loadIdxDataset', () => {
  it('loads a dataset listed in the manifest with its class names', async () => {
    const ds = await loadIdxDataset('tiny', memoryReader(files()));
    expect(ds).toMatchObject({ name: 'tiny', inputShape: [1, 2, 2], numClasses: 3, classNames: ['a', 'b', 'c'], scale: 1 / 255 });
    expect(ds.train.count).toBe(3);
    expect(Array.from(ds.test.y)).toEqual([2, 0]);
  });

  it('names the available datasets for an unknown name', async () => {
    await expect(loadIdxDataset('cifar', memoryReader(files()))).rejects.toThrow(/dataset "cifar" is not in manifest\.json \(available: tiny\)/);
  });

  it('rejects files that disagree with the manifest', async () => {
    const manifest = { format: 1, datasets: [{ ...entry, train: { ...entry.train, count: 4 } }] };
    await expect(loadIdxDataset('tiny', memoryReader(files(manifest)))).rejects.toThrow(
      /tiny train: the files hold 3 rows but manifest\.json says 4/,
    );
  });

  it('validates the manifest, naming the field', async () => {
    const bad = { format: 1, datasets: [{ ...entry, numClasses: 'ten' }] };
    await expect(loadManifest(memoryReader(files(bad)))).rejects.toThrow(/manifest\.json: datasets\.0\.numClasses:/);
    const broken = { ...files(), 'manifest.json': new TextEncoder().encode('{nope') };
    await expect(loadManifest(memoryReader(broken))).rejects.toThrow(/manifest\.json is not valid JSON/);
  });
});

describe('fetchReader', () => {
  const respond = (body: BodyInit | null, init: ResponseInit) => async () => new Response(body, init);

  it('fetches baseUrl + path and returns the bytes', async () => {
    const seen: string[] = [];
    const reader = fetchReader('/data', async (input) => {
      seen.push(String(input));
      return new Response(new Uint8Array([1, 2, 3]), { status: 200, headers: { 'content-type': 'application/octet-stream' } });
    });
    expect(Array.from(await reader('mnist/train-labels.idx'))).toEqual([1, 2, 3]);
    expect(seen).toEqual(['/data/mnist/train-labels.idx']);
  });

  it('names the URL and HTTP status on failure', async () => {
    const reader = fetchReader('/data/', respond('nope', { status: 404, statusText: 'Not Found' }));
    await expect(reader('mnist/x.idx')).rejects.toThrow('could not fetch /data/mnist/x.idx: HTTP 404 Not Found');
  });

  it('rejects an HTML fallback page and network errors, naming the URL', async () => {
    const html = fetchReader('/data/', respond('<!doctype html>', { status: 200, headers: { 'content-type': 'text/html' } }));
    await expect(html('manifest.json')).rejects.toThrow(/could not fetch \/data\/manifest\.json: got an HTML page instead of data/);
    const offline = fetchReader('http://host/data/', async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(offline('manifest.json')).rejects.toThrow('could not fetch http://host/data/manifest.json: Failed to fetch');
  });
});

describe('nodeReader', () => {
  it('reads files relative to the data directory and names a missing path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lrlab-data-'));
    writeFileSync(join(dir, 'a.bin'), new Uint8Array([7, 8]));
    const reader = nodeReader(dir);
    expect(Array.from(await reader('a.bin'))).toEqual([7, 8]);
    await expect(reader('b.bin')).rejects.toThrow(`could not read ${join(dir, 'b.bin')}: no such file`);
  });
});
