/**
 * Node entry: WebGPU through Dawn (npm `webgpu`). On Linux it finds a real GPU's Vulkan driver
 * first and falls back to the SwiftShader driver that Debian's `chromium` package ships, so tests
 * and the CLI run anywhere (./vulkan-linux.ts). Never imported by the browser bundle.
 */
import { existsSync } from 'node:fs';
import { acquireGpu, NoAdapterError, type AcquireOptions, type GpuContext } from './device';
import { isCpuAdapter, type TuningProfile } from './tuning';
import { prepareVulkan, SWIFTSHADER_ICD, useDrivers, type VulkanSetup } from './vulkan-linux';

const NODE_HINT =
  'In Node, WebGPU comes from the npm package `webgpu` (Dawn) over Vulkan. On Linux without a GPU install ' +
  "Debian's `chromium` package: it ships the Vulkan loader and the SwiftShader driver " +
  `(${SWIFTSHADER_ICD}), which LR Lab then finds by itself. With a GPU, install its Vulkan driver and libvulkan1.`;

type Dawn = { create: (flags: string[]) => GPU; globals: Record<string, unknown> };

/** Dawn's GPU objects must outlive every device made from them: dropping one lets GC destroy the instance. */
const keptAlive: GPU[] = [];
let dawnModule: Dawn | undefined;
let setup: VulkanSetup = { loader: 'not Linux', drivers: '', how: 'loader default' };

/** The Vulkan loader and driver this process uses (after the first acquireNodeGpu). */
export function vulkanSetup(): VulkanSetup {
  return setup;
}

/** Loads Dawn once and installs its WebGPU globals (GPUBufferUsage, GPUMapMode, …). */
async function loadDawn(): Promise<Dawn> {
  if (dawnModule) return dawnModule;
  if (process.platform === 'linux') setup = prepareVulkan();
  const dawn = (await import('webgpu')) as unknown as Dawn;
  Object.assign(globalThis, dawn.globals);
  dawnModule = dawn;
  return dawn;
}

/**
 * Dawn's flags: timestamps unquantized (the benchmark's per-kernel profile times kernels of a few
 * microseconds on a GPU; Dawn rounds them for privacy by default, which a page needs, not Node).
 */
const DAWN_FLAGS = ['disable-dawn-features=timestamp_quantization'];

function createGpu(dawn: Dawn): GPU {
  const gpu = dawn.create(DAWN_FLAGS);
  keptAlive.push(gpu);
  return gpu;
}

/** The tuning asked for in the environment: LRLAB_TUNING=cpu|gpu (tests of the other profile, the GPU check). */
function tuningFromEnvironment(): TuningProfile | undefined {
  const value = process.env.LRLAB_TUNING;
  if (!value) return undefined;
  if (value !== 'cpu' && value !== 'gpu') throw new Error(`LRLAB_TUNING must be "cpu" or "gpu", got "${value}"`);
  return value;
}

/**
 * A GpuContext in Node. Uses a real GPU's Vulkan driver where one is installed; when that gives
 * no adapter, or only a CPU one, and Chromium's SwiftShader driver exists, selects SwiftShader for
 * this process and asks again. vulkanSetup() says which driver it used.
 */
export async function acquireNodeGpu(options: AcquireOptions = {}): Promise<GpuContext> {
  const dawn = await loadDawn();
  const withTuning = { tuning: tuningFromEnvironment(), ...options };
  const canFallBack = process.platform === 'linux' && setup.how === 'hardware' && existsSync(SWIFTSHADER_ICD);
  if (!canFallBack) return acquireGpu(createGpu(dawn), NODE_HINT, withTuning);
  try {
    const ctx = await acquireGpu(createGpu(dawn), NODE_HINT, withTuning);
    if (!isCpuAdapter(ctx.report)) return ctx;
    ctx.device.destroy(); // a CPU adapter behind a "hardware" manifest: SwiftShader is the known one
  } catch (error) {
    if (!(error instanceof NoAdapterError)) throw error;
  }
  useDrivers(SWIFTSHADER_ICD);
  setup = { ...setup, drivers: SWIFTSHADER_ICD, how: 'swiftshader' };
  return acquireGpu(createGpu(dawn), NODE_HINT, withTuning);
}
