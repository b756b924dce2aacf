// Bundles the GPU check (src/cli/gpu-check.ts: adapter report, every GPU check three times, the
// Node benchmark) into one plain JavaScript file with its WGSL inlined, for a machine where only a
// Node binary, this bundle, Dawn's dawn.node and the Vulkan loader can be brought (no npm install).
//   node scripts/gpu-bundle.mjs [out.mjs]        default .gpu-pack/gpu-check.mjs
// The bundle looks for dawn.node in $LRLAB_DAWN_NODE, beside itself, in dist/<platform>-<arch>/
// beside itself, then in node_modules/webgpu/dist/<platform>-<arch>/ under the working directory.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = resolve(process.argv[2] ?? `${root}/.gpu-pack/gpu-check.mjs`);

/** `import text from './x.wgsl?raw'`: the file's text, as Vite and scripts/raw-hooks.mjs give it. */
const raw = {
  name: 'raw',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (args) => ({ path: resolve(args.resolveDir, args.path.slice(0, -4)), namespace: 'raw' }));
    b.onLoad({ filter: /.*/, namespace: 'raw' }, async (args) => ({ contents: await readFile(args.path, 'utf8'), loader: 'text' }));
  },
};

/** The `webgpu` package finds dawn.node next to its own index.js; in the bundle that is the bundle's folder. */
const DAWN_PATH = "const dawnNodePath = join(__dirname, 'dist', `${process.platform}-${arch}`, 'dawn.node');";
const dawnPath = {
  name: 'dawn-path',
  setup(b) {
    b.onLoad({ filter: /node_modules[\\/]webgpu[\\/]index\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(DAWN_PATH)) throw new Error(`webgpu/index.js changed: no "${DAWN_PATH}" to replace (update scripts/gpu-bundle.mjs)`);
      const search = [
        "const dawnNodePath = [",
        "  process.env.LRLAB_DAWN_NODE,",
        "  join(__dirname, 'dawn.node'),",
        "  join(__dirname, 'dist', `${process.platform}-${arch}`, 'dawn.node'),",
        "  join(process.cwd(), 'node_modules', 'webgpu', 'dist', `${process.platform}-${arch}`, 'dawn.node'),",
        "].find((path) => path && existsSync(path));",
        "if (!dawnNodePath) throw new Error('dawn.node not found: set LRLAB_DAWN_NODE, or put it beside the bundle or in node_modules/webgpu/dist/' + `${process.platform}-${arch}`);",
      ].join('\n');
      return { contents: `import { existsSync } from 'node:fs';\n${source.replace(DAWN_PATH, search)}`, loader: 'js' };
    });
  },
};

const result = await build({
  entryPoints: [`${root}/src/cli/gpu-check.ts`],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  plugins: [raw, dawnPath],
  // ESM output: code that calls require() (none expected) gets one.
  banner: { js: "import { createRequire as __lrlabCreateRequire } from 'node:module'; const require = __lrlabCreateRequire(import.meta.url);" },
});
const bytes = Object.values(result.metafile.outputs).reduce((total, output) => total + output.bytes, 0);
console.log(`${outfile}: ${(bytes / 1024).toFixed(0)} KiB`);
