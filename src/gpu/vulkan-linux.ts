/**
 * Finding a Vulkan loader and driver for Dawn on Linux (Node only). A real GPU's driver comes
 * first: ICD manifests in the loader's default folders, in $XDG_DATA_DIRS, and where NVIDIA's
 * container toolkit mounts them (/usr/local/nvidia/…); with the NVIDIA library but no manifest,
 * one is written to a temporary folder. Software drivers (lavapipe, which Dawn rejects, and
 * SwiftShader) are not "real". SwiftShader from Debian's `chromium` package is the fallback.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CHROMIUM_DIR = '/usr/lib/chromium';
/** SwiftShader's manifest from Debian's chromium package. */
export const SWIFTSHADER_ICD = `${CHROMIUM_DIR}/vk_swiftshader_icd.json`;
const CHROMIUM_LIBVULKAN = `${CHROMIUM_DIR}/libvulkan.so.1`;

/** Folders the Vulkan loader reads ICD manifests from by default, then NVIDIA's container mounts. */
function icdFolders(): string[] {
  const data = (process.env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':').filter(Boolean);
  const folders = [
    ...data.map((dir) => join(dir, 'vulkan/icd.d')),
    '/etc/vulkan/icd.d', '/usr/local/etc/vulkan/icd.d', '/etc/xdg/vulkan/icd.d',
    '/usr/local/nvidia/share/vulkan/icd.d', '/usr/local/nvidia/vulkan/icd.d', '/usr/local/nvidia/etc/vulkan/icd.d',
  ];
  return [...new Set(folders)];
}

/** The loader's own default folders (a manifest elsewhere must be named in VK_DRIVER_FILES). */
const LOADER_DEFAULTS = new Set(['/usr/local/share/vulkan/icd.d', '/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/etc/vulkan/icd.d', '/etc/xdg/vulkan/icd.d']);

/** Libraries that make up NVIDIA's Vulkan driver when its manifest is missing (the ICD is libGLX_nvidia). */
const NVIDIA_LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/nvidia/lib64', '/usr/local/nvidia/lib', '/usr/lib/aarch64-linux-gnu'];

/** A manifest's driver library, or '' when it cannot be read. */
function manifestLibrary(path: string): string {
  try {
    const json = JSON.parse(readFileSync(path, 'utf8')) as { ICD?: { library_path?: string } };
    return json.ICD?.library_path ?? '';
  } catch {
    return '';
  }
}

/** Whether a manifest names a software (CPU) driver: lavapipe, SwiftShader, the mock ICD. */
function isSoftware(path: string): boolean {
  return /lvp|lavapipe|swiftshader|mock/i.test(`${path} ${manifestLibrary(path)}`);
}

/** Hardware ICD manifests on this machine, and whether any lies outside the loader's defaults. */
export function hardwareIcds(): { manifests: string[]; outsideDefaults: boolean } {
  const manifests: string[] = [];
  let outsideDefaults = false;
  for (const folder of icdFolders()) {
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      if (!name.endsWith('.json') || isSoftware(path) || !manifestLibrary(path)) continue;
      manifests.push(path);
      if (!LOADER_DEFAULTS.has(folder)) outsideDefaults = true;
    }
  }
  if (!manifests.length) {
    const nvidia = NVIDIA_LIB_DIRS.map((dir) => join(dir, 'libGLX_nvidia.so.0')).find((path) => existsSync(path));
    if (nvidia) {
      const dir = mkdtempSync(join(tmpdir(), 'lrlab-icd-'));
      const path = join(dir, 'nvidia_icd.json');
      writeFileSync(path, JSON.stringify({ file_format_version: '1.0.1', ICD: { library_path: nvidia, api_version: '1.3.0' } }));
      return { manifests: [path], outsideDefaults: true };
    }
  }
  return { manifests, outsideDefaults };
}

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

/** What was chosen: the loader, the driver manifests, and whether the user named them. */
export interface VulkanSetup {
  /** 'system' (libvulkan.so.1 by soname), Chromium's copy, or 'none'. */
  loader: string;
  /** The manifests the loader was pointed at ('' = the loader's own search). */
  drivers: string;
  /** How they were chosen. */
  how: 'user' | 'hardware' | 'swiftshader' | 'loader default';
}

/** Whether the user chose the driver (VK_ICD_FILENAMES or VK_DRIVER_FILES). */
export function driverChosenByUser(): boolean {
  return Boolean(process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES);
}

/** Points the Vulkan loader at `manifests` for this process (both the old and the new variable). */
export function useDrivers(manifests: string): void {
  process.env.VK_DRIVER_FILES = manifests;
  process.env.VK_ICD_FILENAMES = manifests;
}

/** Loads the Vulkan loader and picks the driver before Dawn is first loaded (a real GPU's first). */
export function prepareVulkan(): VulkanSetup {
  let loader = 'none';
  if (preload('libvulkan.so.1')) loader = 'system libvulkan.so.1';
  else if (existsSync(CHROMIUM_LIBVULKAN) && preload(CHROMIUM_LIBVULKAN)) loader = CHROMIUM_LIBVULKAN;
  if (driverChosenByUser()) return { loader, drivers: process.env.VK_DRIVER_FILES || process.env.VK_ICD_FILENAMES || '', how: 'user' };
  const hardware = hardwareIcds();
  if (hardware.manifests.length) {
    if (hardware.outsideDefaults) useDrivers(hardware.manifests.join(':'));
    return { loader, drivers: hardware.manifests.join(':'), how: 'hardware' };
  }
  if (existsSync(SWIFTSHADER_ICD)) {
    useDrivers(SWIFTSHADER_ICD);
    return { loader, drivers: SWIFTSHADER_ICD, how: 'swiftshader' };
  }
  return { loader, drivers: '', how: 'loader default' };
}
