/**
 * The import direction between the engine's folders: gpu ← nn, gpu ← optim, and nn + optim ← train
 * (the Trainer composes a network and an optimizer). The network and the optimizer never import
 * each other (their shared ground, the stacked parameter layout, is src/gpu/param-layout.ts), and
 * neither imports the layer that composes them. Checked on every file, tests included.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));

/** Folders under src/ that a folder's files may not import. */
const FORBIDDEN: Record<string, string[]> = {
  nn: ['optim', 'train'],
  optim: ['nn', 'train'],
};

/** Every .ts file under `folder`, recursively. */
function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The src/ folder of each relative module a source imports or re-exports (static or dynamic). */
function importedFolders(file: string, source: string): string[] {
  const specifiers = [...source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map((match) => match[1]);
  return specifiers
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => relative(SRC, resolve(dirname(file), specifier)).split(/[\\/]/)[0]);
}

describe('import direction between src folders', () => {
  it('finds static, type-only, re-exported and dynamic imports', () => {
    const file = join(SRC, 'nn', 'layers', 'x.ts');
    const source = [
      "import { a } from '../../gpu/commands';",
      "import type { B } from '../spec';",
      "export { c } from '../../optim/update';",
      "const d = await import('../../train/trainer');",
      "import '../../data/side-effect';",
      "import { e } from 'vitest';",
    ].join('\n');
    expect(importedFolders(file, source)).toEqual(['gpu', 'nn', 'optim', 'train', 'data']);
  });

  for (const [folder, forbidden] of Object.entries(FORBIDDEN)) {
    it(`src/${folder} imports nothing from ${forbidden.map((f) => `src/${f}`).join(' or ')}`, () => {
      const files = sourceFiles(join(SRC, folder));
      expect(files.length).toBeGreaterThan(5);
      const violations = files.flatMap((file) =>
        importedFolders(file, readFileSync(file, 'utf8'))
          .filter((imported) => forbidden.includes(imported))
          .map((imported) => `${relative(SRC, file)} imports src/${imported}`),
      );
      expect(violations).toEqual([]);
    });
  }
});
