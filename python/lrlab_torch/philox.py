"""Philox-4x32-10, the counter-based generator of LR Lab, bit for bit.

The Python twin of ``src/rng/philox.ts`` and ``src/rng/stream.ts`` (themselves the twins of
``shaders/rng.wgsl``): out = bijection_key(counter) on four 32-bit words with a two-word key, so
the same (key, counter) gives the same bits in WGSL, TypeScript and here.

Three forms of the same function:

* :func:`philox4x32` on Python integers (one block, used by the sequential streams);
* :func:`philox4x32_numpy` on ``uint64`` arrays holding 32-bit words (many blocks at once);
* :func:`philox4x32_torch` on ``int64`` tensors on any device (the update draws of the optimizers).
"""
import math

import numpy as np
import torch

M0 = 0xD2511F53
M1 = 0xCD9E8D57
W0 = 0x9E3779B9
W1 = 0xBB67AE85
MASK32 = 0xFFFFFFFF
TWO_POW_M24 = 5.960464477539063e-8  # 2^-24

#: Purposes of random streams: part of the Philox key, so that streams never collide.
STREAM_PURPOSE = {'general': 0, 'init': 1, 'data_order': 2, 'toy_data': 3, 'lrd': 4, 'leap': 5, 'ralr': 6}


def philox4x32(c0, c1, c2, c3, k0, k1):
    """One Philox-4x32-10 block: the 4 output words for counter (c0..c3) and key (k0, k1).

    Ten rounds of ``(x0, x1, x2, x3) <- (hi(M1*x2) ^ x1 ^ k0, lo(M1*x2), hi(M0*x0) ^ x3 ^ k1, lo(M0*x0))``
    with the key bumped by the Weyl constants (W0, W1) after each round.
    """
    x0, x1, x2, x3 = c0 & MASK32, c1 & MASK32, c2 & MASK32, c3 & MASK32
    key0, key1 = k0 & MASK32, k1 & MASK32
    for _ in range(10):
        p0 = M0 * x0
        p1 = M1 * x2
        x0, x1, x2, x3 = ((p1 >> 32) ^ x1 ^ key0), p1 & MASK32, ((p0 >> 32) ^ x3 ^ key1), p0 & MASK32
        key0 = (key0 + W0) & MASK32
        key1 = (key1 + W1) & MASK32
    return x0, x1, x2, x3


def philox4x32_numpy(c0, c1, c2, c3, k0, k1):
    """:func:`philox4x32` over arrays: counters are ``uint64`` arrays of 32-bit words, the key two ints.

    Products of two 32-bit words fit in 64 bits exactly, so ``hi = p >> 32`` and ``lo = p & mask``.
    """
    x0, x1, x2, x3 = (np.asarray(c, dtype=np.uint64) & np.uint64(MASK32) for c in (c0, c1, c2, c3))
    m0, m1, mask, shift = np.uint64(M0), np.uint64(M1), np.uint64(MASK32), np.uint64(32)
    key0, key1 = k0 & MASK32, k1 & MASK32
    for _ in range(10):
        p0 = m0 * x0
        p1 = m1 * x2
        x0, x1, x2, x3 = (p1 >> shift) ^ x1 ^ np.uint64(key0), p1 & mask, (p0 >> shift) ^ x3 ^ np.uint64(key1), p0 & mask
        key0 = (key0 + W0) & MASK32
        key1 = (key1 + W1) & MASK32
    return x0, x1, x2, x3


def _mul_parts_torch(multiplier, x):
    """(hi, lo) 32-bit words of multiplier * x for an int64 tensor x of 32-bit words, without overflow.

    With x = x_hi * 2^16 + x_lo: t = M * x_lo < 2^48 and u = M * x_hi + (t >> 16) < 2^49, so
    M * x = u * 2^16 + (t & 0xffff): hi = u >> 16 and lo = (u & 0xffff) << 16 | (t & 0xffff).
    """
    t = (x & 0xFFFF) * multiplier
    u = (x >> 16) * multiplier + (t >> 16)
    return u >> 16, ((u & 0xFFFF) << 16) | (t & 0xFFFF)


def philox4x32_torch(c0, c1, c2, c3, k0, k1):
    """:func:`philox4x32` over ``int64`` tensors (values in [0, 2^32)) on any device; key two ints."""
    x0, x1, x2, x3 = c0, c1, c2, c3
    key0, key1 = k0 & MASK32, k1 & MASK32
    for _ in range(10):
        hi0, lo0 = _mul_parts_torch(M0, x0)
        hi1, lo1 = _mul_parts_torch(M1, x2)
        x0, x1, x2, x3 = hi1 ^ x1 ^ key0, lo1, hi0 ^ x3 ^ key1, lo0
        key0 = (key0 + W0) & MASK32
        key1 = (key1 + W1) & MASK32
    return x0, x1, x2, x3


def uniform_from_bits(bits):
    """u = (h >> 8) * 2^-24 in [0, 1): exact in f32 and f64 (ints, arrays or tensors)."""
    return (bits >> 8) * TWO_POW_M24


def uniform_open_from_bits(bits):
    """u = ((h >> 8) + 1) * 2^-24 in (0, 1], safe for log(u)."""
    return ((bits >> 8) + 1) * TWO_POW_M24


def normal_from_bits(bits1, bits2):
    """Box-Muller on Python ints: z = sqrt(-2 ln u1) cos(2 pi u2), u1 in (0, 1], u2 in [0, 1)."""
    u1 = uniform_open_from_bits(bits1)
    u2 = uniform_from_bits(bits2)
    return math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)


def stream_id(*parts):
    """Mixes small integers into one 32-bit stream id: FNV-1a over the 4 little-endian bytes of each."""
    h = 0x811C9DC5
    for part in parts:
        value = part & MASK32
        for _ in range(4):
            h ^= value & 0xFF
            h = (h * 0x01000193) & MASK32
            value >>= 8
    return h


class RandomStream:
    """A sequential stream keyed by (seed, stream): block i = philox((i, 0, 0, 0), (seed, stream)).

    The words of block 0, then block 1, ... in order, as ``RandomStream`` in ``src/rng/stream.ts``.
    Blocks are generated 256 at a time with numpy; the order of the words does not depend on that.
    """

    CHUNK_BLOCKS = 256

    def __init__(self, seed, stream=0):
        """A stream of seed (an integer in [0, 2^32)) and stream id."""
        if not isinstance(seed, int) or not 0 <= seed <= MASK32:
            raise ValueError(f'seed must be an integer in [0, 2^32), got {seed!r}')
        self.key = (seed, stream & MASK32)
        self.block = 0
        self.words = []
        self.used = 0

    def _refill(self):
        """Generates the next CHUNK_BLOCKS blocks (4 words each, block-major)."""
        counters = np.arange(self.block, self.block + self.CHUNK_BLOCKS, dtype=np.uint64) & np.uint64(MASK32)
        zeros = np.zeros_like(counters)
        out = philox4x32_numpy(counters, zeros, zeros, zeros, *self.key)
        self.words = np.stack(out, axis=1).reshape(-1).tolist()
        self.used = 0
        self.block += self.CHUNK_BLOCKS

    def uint32(self):
        """Next raw 32-bit word."""
        if self.used == len(self.words):
            self._refill()
        word = self.words[self.used]
        self.used += 1
        return word

    def uint32_list(self, count):
        """The next ``count`` words, as a list."""
        out = []
        while len(out) < count:
            if self.used == len(self.words):
                self._refill()
            take = min(count - len(out), len(self.words) - self.used)
            out.extend(self.words[self.used:self.used + take])
            self.used += take
        return out

    def uniform(self):
        """u ~ U[0, 1) with 24-bit resolution."""
        return uniform_from_bits(self.uint32())

    def normal(self):
        """z ~ N(0, 1) by Box-Muller from two consecutive words."""
        a = self.uint32()
        b = self.uint32()
        return normal_from_bits(a, b)

    def below(self, n):
        """An integer in [0, n): floor(uniform * n) (n <= 2^24)."""
        return math.floor(self.uniform() * n)
