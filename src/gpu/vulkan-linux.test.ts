/**
 * The Vulkan driver search of Node (Linux): hardware manifests found in $XDG_DATA_DIRS, software
 * ones (lavapipe, SwiftShader) left out; a "hardware" driver that gives no adapter falls back to
 * SwiftShader and says so (in a child process: Dawn is loaded once per process), unless a real GPU's
 * driver is installed beside it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hardwareIcds } from './vulkan-linux';

/** A folder laid out as an XDG data dir with these ICD manifests (name → library). */
function dataDir(manifests: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lrlab-xdg-'));
  mkdirSync(join(dir, 'vulkan', 'icd.d'), { recursive: true });
  for (const [name, library] of Object.entries(manifests)) {
    writeFileSync(join(dir, 'vulkan', 'icd.d', name), JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: library, api_version: '1.3.0' } }));
  }
  return dir;
}

describe.runIf(process.platform === 'linux')('Vulkan driver search (Linux)', () => {
  it('finds hardware manifests in $XDG_DATA_DIRS and leaves lavapipe and SwiftShader out', () => {
    const dir = dataDir({ 'nvidia_icd.json': 'libGLX_nvidia.so.0', 'lvp_icd.x86_64.json': '/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so', 'vk_swiftshader_icd.json': './libvk_swiftshader.so' });
    const saved = process.env.XDG_DATA_DIRS;
    process.env.XDG_DATA_DIRS = dir;
    try {
      const found = hardwareIcds();
      expect(found.manifests).toContain(join(dir, 'vulkan', 'icd.d', 'nvidia_icd.json'));
      expect(found.manifests.some((path) => /lvp|swiftshader/.test(path))).toBe(false);
      expect(found.outsideDefaults).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.XDG_DATA_DIRS;
      else process.env.XDG_DATA_DIRS = saved;
    }
  });

  it('a hardware manifest whose driver gives no adapter: SwiftShader, and the setup says so', () => {
    const dir = dataDir({ 'broken_icd.json': '/nonexistent/libvulkan_broken.so' });
    const script = [
      "import { acquireNodeGpu, vulkanSetup } from './src/gpu/node';",
      'const gpu = await acquireNodeGpu();',
      'console.log(JSON.stringify({ architecture: gpu.adapter.architecture, setup: vulkanSetup() }));',
      'gpu.device.destroy();',
      'process.exit(0);',
    ].join('\n');
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_DATA_DIRS: dir };
    delete env.VK_ICD_FILENAMES;
    delete env.VK_DRIVER_FILES;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--import', './scripts/raw-loader.mjs', '--input-type=module', '-e', script], { env, encoding: 'utf8', timeout: 60_000 });
    expect(child.status, child.stderr).toBe(0);
    const { architecture, setup } = JSON.parse(child.stdout.trim().split('\n').pop()!);
    if (setup.how === 'hardware') {
      // A machine with a real GPU (its manifest in /etc/vulkan/icd.d or NVIDIA's mounts): that adapter, not SwiftShader.
      expect(architecture).not.toBe('swiftshader');
      return;
    }
    expect(architecture).toBe('swiftshader');
    expect(setup).toMatchObject({ how: 'swiftshader', drivers: '/usr/lib/chromium/vk_swiftshader_icd.json' });
  });
});
