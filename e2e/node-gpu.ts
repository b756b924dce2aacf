// Running the Node engine (Dawn, the `webgpu` package) from an e2e test, with no GPU environment
// set: src/gpu/node.ts finds Vulkan and Chromium's SwiftShader driver by itself.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Runs `npm run experiment -- <config> --out <csv>` (node directly, as package.json does); returns
 * its stderr (progress and summary); throws with it on failure.
 */
export function runNodeExperiment(configPath: string, csvPath: string): string {
  const args = ['--import', 'tsx', '--import', './scripts/raw-loader.mjs', 'src/cli/experiment.ts', configPath, '--out', csvPath];
  const result = spawnSync('node', args, { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
  if (result.status !== 0) {
    throw new Error(`node ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}, signal ${result.signal}`}):\n${result.stderr}`);
  }
  return result.stderr;
}
