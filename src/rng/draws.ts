/**
 * The per-element draws of the fused update (LRD keep mask, LEAP noise): the contract shared by
 * shaders/rng.wgsl (`update_bits`) and the float64 reference. One Philox-4x32-10 block per
 * (seed, runKey, tensor, step, element):
 *   bits = philox(counter = (element, tensor, step, scope), key = (seed, runKey))
 *   LRD  keep  = uniform(bits.x) < keepProb
 *   LEAP noise = normal(bits.y, bits.z)
 * `scope` separates LEAP's granularities: 0 element (element = index in the tensor of that run),
 * 1 tensor (element = 0), 2 global (tensor = element = 0). `runKey` is per run (by default the
 * run index; runs given the same key share masks and noise). Nothing is ever materialized.
 */
import { normalFromBits, philox4x32, uniformFromBits } from './philox';

export const DrawScope = { element: 0, tensor: 1, global: 2 } as const;
export type DrawScopeName = keyof typeof DrawScope;

const block = new Uint32Array(4);

/** Raw Philox bits of one update draw. */
export function updateBits(seed: number, runKey: number, tensor: number, step: number, element: number, scope = 0): Uint32Array {
  return philox4x32(element, tensor, step, scope, seed, runKey, block);
}

/** u ∈ [0,1) compared with keepProb by LRD: the element's LR is kept when u < keepProb. */
export function lrdUniform(seed: number, runKey: number, tensor: number, step: number, element: number): number {
  return uniformFromBits(updateBits(seed, runKey, tensor, step, element, DrawScope.element)[0]);
}

/** z ~ N(0,1) of LEAP at the given granularity (element index ignored unless scope is element). */
export function leapNormal(
  seed: number,
  runKey: number,
  tensor: number,
  step: number,
  element: number,
  scope: DrawScopeName,
): number {
  const code = DrawScope[scope];
  const bits = updateBits(seed, runKey, scope === 'global' ? 0 : tensor, step, code === 0 ? element : 0, code);
  return normalFromBits(bits[1], bits[2]);
}
