/**
 * The GPU for tests: one Dawn device per test file, acquired through the same code path as the
 * CLI. A missing adapter FAILS the test with the message of acquireNodeGpu (never a skip).
 */
import type { GpuContext } from '../gpu/device';
import { acquireNodeGpu } from '../gpu/node';

let shared: Promise<GpuContext> | undefined;
let logged = false;

/** The test device (created on first use, adapter logged once per process). */
export function testGpu(): Promise<GpuContext> {
  shared ??= acquireNodeGpu().then((ctx) => {
    if (!logged) {
      logged = true;
      const { vendor, architecture, device, description } = ctx.adapter;
      console.info(`WebGPU adapter: ${[vendor, architecture, device, description].filter(Boolean).join(' / ')}`);
    }
    return ctx;
  });
  return shared;
}

/** Deterministic pseudo-random floats in [-scale, scale) for test inputs (not the engine RNG). */
export function randomArray(length: number, seed: number, scale = 1): Float32Array {
  let state = seed >>> 0 || 1;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out[i] = ((state / 4294967296) * 2 - 1) * scale;
  }
  return out;
}
