"""The per-element draws of the update: LRD's keep mask and LEAP's noise (twin of ``src/rng/draws.ts``).

One Philox-4x32-10 block per (seed, run_key, tensor, step, element)::

    bits = philox(counter=(element, tensor, step, scope), key=(seed, run_key))
    LRD  keep  = uniform(bits.x) < float32(keep_prob)
    LEAP noise = normal(bits.y, bits.z)     (Box-Muller in float64)

``scope`` separates LEAP's granularities: 0 element (element = index in the flattened tensor),
1 tensor (element = 0), 2 global (tensor = element = 0). Nothing is stored: a mask or a noise
tensor exists only for the duration of one update, as in the engine's fused kernel.
"""
import math

import numpy as np
import torch

from .philox import TWO_POW_M24, philox4x32, philox4x32_torch, uniform_from_bits

SCOPES = {'element': 0, 'tensor': 1, 'global': 2}


def update_bits(seed, run_key, tensor, step, elements, scope=0):
    """The four words of the draws of ``elements`` (an int64 tensor of element indices)."""
    zeros = torch.zeros_like(elements)
    return philox4x32_torch(elements, zeros + tensor, zeros + step, zeros + scope, seed, run_key)


def lrd_uniform(seed, run_key, tensor, step, count, device=None):
    """u in [0, 1) of every element 0..count-1 (float64, exact multiples of 2^-24)."""
    elements = torch.arange(count, dtype=torch.int64, device=device)
    return uniform_from_bits(update_bits(seed, run_key, tensor, step, elements)[0]).to(torch.float64)


def lrd_keep_mask(seed, run_key, tensor, step, count, keep_prob, device=None):
    """M_i = [u_i < float32(keep_prob)] for i < count: the element keeps its rate this step."""
    threshold = float(np.float32(keep_prob))
    return lrd_uniform(seed, run_key, tensor, step, count, device) < threshold


def _normal(bits1, bits2):
    """Box-Muller on int64 tensors of words: sqrt(-2 ln u1) cos(2 pi u2) in float64."""
    u1 = ((bits1 >> 8) + 1).to(torch.float64) * TWO_POW_M24
    u2 = (bits2 >> 8).to(torch.float64) * TWO_POW_M24
    return torch.sqrt(-2.0 * torch.log(u1)) * torch.cos(2.0 * math.pi * u2)


def leap_normal(seed, run_key, tensor, step, count, granularity='element', device=None):
    """z ~ N(0, 1) of LEAP: ``count`` values (granularity 'element') or one (tensor, global), float64."""
    scope = SCOPES[granularity]
    if scope == 0:
        elements = torch.arange(count, dtype=torch.int64, device=device)
        bits = update_bits(seed, run_key, tensor, step, elements, 0)
    else:
        elements = torch.zeros(1, dtype=torch.int64, device=device)
        bits = update_bits(seed, run_key, 0 if scope == 2 else tensor, step, elements, scope)
    return _normal(bits[1], bits[2])


def update_bits_scalar(seed, run_key, tensor, step, element, scope=0):
    """The four words of one draw, on Python integers (tests)."""
    return philox4x32(element, tensor, step, scope, seed, run_key)
