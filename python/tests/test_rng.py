"""The Philox-4x32-10 twin bit for bit against the TypeScript one (fixtures written by the engine)."""
import numpy as np
import torch

from lrlab_torch.draws import leap_normal, lrd_uniform, update_bits, update_bits_scalar
from lrlab_torch.philox import (RandomStream, normal_from_bits, philox4x32, philox4x32_numpy, philox4x32_torch,
                                stream_id)

KAT = [  # Random123 known-answer vectors
    ([0, 0, 0, 0], [0, 0], [0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]),
    ([0xFFFFFFFF] * 4, [0xFFFFFFFF] * 2, [0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD]),
    ([0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344], [0xA4093822, 0x299F31D0], [0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1]),
]


def test_known_answers_in_all_three_forms():
    for counter, key, expected in KAT:
        assert list(philox4x32(*counter, *key)) == expected
        assert [int(w[0]) for w in philox4x32_numpy(*[np.array([c], dtype=np.uint64) for c in counter], *key)] == expected
        assert [int(w[0]) for w in philox4x32_torch(*[torch.tensor([c]) for c in counter], *key)] == expected


def test_blocks_equal_typescript(fixture):
    blocks = fixture('rng')['blocks']
    counters = [torch.tensor([b['counter'][i] for b in blocks]) for i in range(4)]
    for index, block in enumerate(blocks):
        assert list(philox4x32(*block['counter'], *block['key'])) == block['out']
    # the vectorized forms too (one key at a time)
    for block in blocks[:8]:
        got = philox4x32_torch(*[c[:1] * 0 + block['counter'][i] for i, c in enumerate(counters)], *block['key'])
        assert [int(w[0]) for w in got] == block['out']


def test_update_draws_equal_typescript(fixture):
    for draw in fixture('rng')['draws']:
        args = (draw['seed'], draw['runKey'], draw['tensor'], draw['step'])
        assert list(update_bits_scalar(*args, draw['element'], draw['scope'])) == draw['bits']
        bits = update_bits(*args, torch.tensor([draw['element']]), draw['scope'])
        assert [int(w[0]) for w in bits] == draw['bits']
        uniform = lrd_uniform(*args, draw['element'] + 1)[draw['element']].item()
        assert uniform == draw['lrdUniform']
        granularity = ('element', 'tensor', 'global')[draw['scope']]
        z = leap_normal(*args, draw['element'] + 1, granularity)
        value = z[draw['element']].item() if granularity == 'element' else z[0].item()
        assert abs(value - draw['leapNormal']) <= 1e-14 * max(1.0, abs(draw['leapNormal']))


def test_stream_ids_and_streams_equal_typescript(fixture):
    rng = fixture('rng')
    for case in rng['streamIds']:
        assert stream_id(*case['parts']) == case['id']
    for case in rng['streams']:
        stream = RandomStream(case['seed'], case['stream'])
        assert [stream.uint32() for _ in range(len(case['uint32']))] == case['uint32']
        assert [stream.uniform() for _ in range(5)] == case['uniform']
        normals = [stream.normal() for _ in range(5)]
        assert np.allclose(normals, case['normal'], rtol=1e-14, atol=1e-15)
        assert [stream.below(1000) for _ in range(5)] == case['below']
    for case in rng['normalFromBits']:
        assert abs(normal_from_bits(case['a'], case['b']) - case['z']) <= 1e-14


def test_uint32_list_matches_word_by_word():
    a, b = RandomStream(5, 6), RandomStream(5, 6)
    words = a.uint32_list(1500)
    assert words == [b.uint32() for _ in range(1500)]
