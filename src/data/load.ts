/**
 * Loading the prepared image datasets (public/data/, written by scripts/prepare-data.mjs):
 * `manifest.json` lists them, each with four IDX files. How bytes are fetched is a parameter, so
 * the same loader runs in a page or Worker (fetchReader) and in Node (nodeReader in load-node.ts,
 * kept apart so the browser bundle never imports node:fs).
 */
import { z } from 'zod';
import { datasetFromIdx } from './idx';
import type { Dataset } from './types';

/** Reads the file at a path relative to the data directory (e.g. "mnist/train-images.idx"). */
export type ReadFile = (relativePath: string) => Promise<Uint8Array>;

const splitEntry = z.object({
  count: z.number().int().positive(),
  images: z.string().min(1),
  labels: z.string().min(1),
});

const datasetEntry = z.object({
  name: z.string().min(1),
  title: z.string(),
  source: z.string(),
  inputShape: z.array(z.number().int().positive()).min(1),
  numClasses: z.number().int().min(2),
  classNames: z.array(z.string()),
  train: splitEntry,
  test: splitEntry,
});

const manifestSchema = z.object({ format: z.literal(1), datasets: z.array(datasetEntry) });

export type DataManifest = z.infer<typeof manifestSchema>;
export type DataManifestEntry = z.infer<typeof datasetEntry>;

/** Reads and validates manifest.json; errors name the offending field (e.g. datasets.0.train.count). */
export async function loadManifest(readFile: ReadFile): Promise<DataManifest> {
  const bytes = await readFile('manifest.json');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new Error(`manifest.json is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`manifest.json: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Loads dataset `name` listed in manifest.json through `readFile`: its four IDX files become a
 * Dataset (u8 images, scale 1/255, shift 0, class names from the manifest). Throws if the name is
 * not listed (naming those that are) or if the files disagree with the manifest.
 */
export async function loadIdxDataset(name: string, readFile: ReadFile): Promise<Dataset> {
  const manifest = await loadManifest(readFile);
  const entry = manifest.datasets.find((d) => d.name === name);
  if (!entry) {
    const known = manifest.datasets.map((d) => d.name).join(', ') || 'none';
    throw new Error(`dataset "${name}" is not in manifest.json (available: ${known})`);
  }
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    [entry.train.images, entry.train.labels, entry.test.images, entry.test.labels].map(readFile),
  );
  const dataset = datasetFromIdx({
    name,
    trainImages,
    trainLabels,
    testImages,
    testLabels,
    numClasses: entry.numClasses,
    classNames: entry.classNames,
  });
  for (const split of ['train', 'test'] as const) {
    if (dataset[split].count !== entry[split].count) {
      throw new Error(
        `${name} ${split}: the files hold ${dataset[split].count} rows but manifest.json says ${entry[split].count}; ` +
          'run `npm run prepare-data` again',
      );
    }
  }
  if (dataset.inputShape.join('×') !== entry.inputShape.join('×')) {
    throw new Error(`${name}: images are ${dataset.inputShape.join('×')} but manifest.json says ${entry.inputShape.join('×')}`);
  }
  return dataset;
}

/**
 * A ReadFile over HTTP: fetches baseUrl + relativePath (baseUrl e.g. `${import.meta.env.BASE_URL}data/`).
 * Errors name the URL and the HTTP status; an HTML answer (a dev server's fallback page for a
 * missing file) is an error too.
 */
export function fetchReader(baseUrl: string, fetchImpl: typeof fetch = (...args) => fetch(...args)): ReadFile {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return async (relativePath) => {
    const url = base + relativePath;
    let response: Response;
    try {
      response = await fetchImpl(url);
    } catch (error) {
      throw new Error(`could not fetch ${url}: ${(error as Error).message}`, { cause: error });
    }
    if (!response.ok) {
      throw new Error(`could not fetch ${url}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
    }
    if ((response.headers.get('content-type') ?? '').includes('text/html')) {
      throw new Error(
        `could not fetch ${url}: got an HTML page instead of data (are the datasets prepared? run \`npm run prepare-data\`)`,
      );
    }
    return new Uint8Array(await response.arrayBuffer());
  };
}
