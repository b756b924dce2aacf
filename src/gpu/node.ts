/**
 * Node entry: WebGPU through Dawn (npm `webgpu`). On Linux without a GPU it finds the SwiftShader
 * Vulkan driver that Debian's `chromium` package ships, so tests and the CLI run anywhere.
 * Never imported by the browser bundle.
 */
import { existsSync, readdirSync } from 'node:fs';
import { acquireGpu, NoAdapterError, type GpuContext } from './device';

const CHROMIUM_DIR = '/usr/lib/chromium';
const SWIFTSHADER_ICD = `${CHROMIUM_DIR}/vk_swiftshader_icd.json`;
const CHROMIUM_LIBVULKAN = `${CHROMIUM_DIR}/libvulkan.so.1`;
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

const NODE_HINT =
  'In Node, WebGPU comes from the npm package `webgpu` (Dawn) over Vulkan. On Linux without a GPU install ' +
  "Debian's `chromium` package: it ships the Vulkan loader and the SwiftShader driver " +
  `(${SWIFTSHADER_ICD}), which LR Lab then finds by itself. With a GPU, install its Vulkan driver and libvulkan1.`;

type Dawn = { create: (flags: string[]) => GPU; globals: Record<string, unknown> };

/** Dawn's GPU objects must outlive every device made from them: dropping one lets GC destroy the instance. */
const keptAlive: GPU[] = [];
let dawnModule: Dawn | undefined;

/** dlopen flags (glibc): keep the library resident even though it is not a Node addon. */
const RTLD_NOW = 0x2;
const RTLD_GLOBAL = 0x100;
const RTLD_NODELETE = 0x1000;

/**
 * Loads a shared library into this process so that Dawn's later dlopen("libvulkan.so.1") finds it
 * by soname. process.dlopen throws "did not self-register" for a library that loaded fine but is
 * not an addon; any other error means it could not be loaded.
 */
function preload(path: string): boolean {
  try {
    process.dlopen({ exports: {} } as NodeJS.Module, path, RTLD_NOW | RTLD_GLOBAL | RTLD_NODELETE);
    return true;
  } catch (error) {
    return /self-register/i.test((error as Error).message);
  }
}

function hasVendorIcd(): boolean {
  return ICD_DIRS.some((dir) => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.json')));
}

/** Prepares the Vulkan loader and driver before Dawn is first loaded (Linux only). */
function prepareVulkan(): void {
  if (process.platform !== 'linux') return;
  const chosenByUser = Boolean(process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES);
  if (!preload('libvulkan.so.1') && existsSync(CHROMIUM_LIBVULKAN)) preload(CHROMIUM_LIBVULKAN);
  if (!chosenByUser && !hasVendorIcd() && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
}

/** Loads Dawn once and installs its WebGPU globals (GPUBufferUsage, GPUMapMode, …). */
async function loadDawn(): Promise<Dawn> {
  if (dawnModule) return dawnModule;
  prepareVulkan();
  const dawn = (await import('webgpu')) as unknown as Dawn;
  Object.assign(globalThis, dawn.globals);
  dawnModule = dawn;
  return dawn;
}

function createGpu(dawn: Dawn): GPU {
  const gpu = dawn.create([]);
  keptAlive.push(gpu);
  return gpu;
}

/**
 * A GpuContext in Node. Uses whatever Vulkan driver the system has; when that gives no adapter
 * (or a driver Dawn rejects, such as lavapipe) and Chromium's SwiftShader driver exists, selects
 * SwiftShader for this process and asks again.
 */
export async function acquireNodeGpu(): Promise<GpuContext> {
  const dawn = await loadDawn();
  const chosenByUser = Boolean(process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES);
  try {
    return await acquireGpu(createGpu(dawn), NODE_HINT);
  } catch (error) {
    const canFallBack = process.platform === 'linux' && !chosenByUser && existsSync(SWIFTSHADER_ICD);
    if (!(error instanceof NoAdapterError) || !canFallBack) throw error;
  }
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  return acquireGpu(createGpu(dawn), NODE_HINT);
}
