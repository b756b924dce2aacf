// Running the Node engine (Dawn, the `webgpu` package) from an e2e test: the environment
// scripts/test-all.mjs gives its GPU steps, so `npx playwright test` alone works too.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CHROMIUM_LIB = '/usr/lib/chromium';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

function hasSystemVulkan(): boolean {
  try {
    return execFileSync('ldconfig', ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes('libvulkan.so.1');
  } catch {
    return false;
  }
}

function hasGpuDriver(): boolean {
  if (['/proc/driver/nvidia', '/dev/nvidia0', '/sys/module/amdgpu', '/dev/kfd'].some(existsSync)) return true;
  return ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'].some((dir) => existsSync(dir) && readdirSync(dir).some((f) => /nvidia|radeon|amd/i.test(f)));
}

/** process.env plus, without a GPU driver, Chromium's SwiftShader ICD (and its libvulkan when the system has none). */
export function nodeGpuEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (existsSync(`${CHROMIUM_LIB}/libvulkan.so.1`) && !hasSystemVulkan() && !env.LD_LIBRARY_PATH?.includes(CHROMIUM_LIB)) {
    env.LD_LIBRARY_PATH = [env.LD_LIBRARY_PATH, CHROMIUM_LIB].filter(Boolean).join(':');
  }
  const icd = `${CHROMIUM_LIB}/vk_swiftshader_icd.json`;
  if (!env.VK_ICD_FILENAMES && !hasGpuDriver() && existsSync(icd)) env.VK_ICD_FILENAMES = icd;
  return env;
}

/**
 * Runs `npm run experiment -- <config> --out <csv>` (node directly, as package.json does); returns
 * its stderr (progress and summary); throws with it on failure.
 */
export function runNodeExperiment(configPath: string, csvPath: string): string {
  const args = ['--import', 'tsx', '--import', './scripts/raw-loader.mjs', 'src/cli/experiment.ts', configPath, '--out', csvPath];
  const result = spawnSync('node', args, { env: nodeGpuEnv(), cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
  if (result.status !== 0) {
    throw new Error(`node ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}, signal ${result.signal}`}):\n${result.stderr}`);
  }
  return result.stderr;
}
