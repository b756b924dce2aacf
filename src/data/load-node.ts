/** Node-only file reading for the dataset loader (kept out of load.ts so browsers never import node:fs). */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReadFile } from './load';

/** The repository's prepared data directory, public/data (found from this file's location). */
export const DEFAULT_DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'public', 'data');

/**
 * A ReadFile over the local file system: reads join(dataDir, relativePath), where dataDir is the
 * prepared data directory (default DEFAULT_DATA_DIR). A missing file is an error naming its path.
 */
export function nodeReader(dataDir: string = DEFAULT_DATA_DIR): ReadFile {
  return async (relativePath) => {
    const path = join(dataDir, relativePath);
    try {
      const buffer = await readFile(path);
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        throw new Error(`could not read ${path}: no such file (are the datasets prepared? run \`npm run prepare-data\`)`, {
          cause: error,
        });
      }
      throw new Error(`could not read ${path}: ${(error as Error).message}`, { cause: error });
    }
  };
}
