// npm 11 lists every dependency whose install scripts package.json's `allowScripts` does not cover,
// as a warning at the end of `npm install` (npm 12 will skip them). Each one is declared, so that a
// new user's install prints no warning.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const read = (file: string) => JSON.parse(readFileSync(join(root, file), 'utf8')) as Record<string, unknown>;

describe('allowScripts', () => {
  it('declares every locked dependency that has an install script', () => {
    const lock = read('package-lock.json') as { packages: Record<string, { hasInstallScript?: boolean }> };
    const withScripts = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && entry.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    const declared = Object.keys((read('package.json').allowScripts ?? {}) as Record<string, boolean>);
    expect(withScripts.length).toBeGreaterThan(0);
    expect([...new Set(withScripts)].sort()).toEqual(declared.sort());
  });
});
