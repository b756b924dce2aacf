"""The engine's data: seeded 2-D toys, MNIST / Fashion-MNIST IDX files, and the minibatch order.

Twins of ``src/data/toys.ts``, ``src/data/idx.ts`` and ``src/data/batches.ts``: the same Philox
streams give the same toy rows and the same epoch permutations, so a run sees the engine's batches.
A dataset is a dict: name, input_shape, num_classes, scale, shift, and 'train' / 'test' splits with
``x`` (numpy float32 rows, or uint8 pixels for images) and ``y`` (int64 class indices).
"""
import gzip
import json
import math
import os

import numpy as np

from .philox import STREAM_PURPOSE, RandomStream, stream_id

TOY_NAMES = ('spiral', 'circles', 'xor', 'gaussians', 'moons')
TOY_EXTENT = 6.0


def _uniform(rng, low, high):
    """low + (high - low) u, u ~ U[0, 1) from the stream."""
    return low + (high - low) * rng.uniform()


def _spiral(rng, label, noise):
    """u ~ U(0,1), r = 5u, t = 1.75 2 pi u + (label 1 ? 0 : pi), p = (r sin t, r cos t) + U(-1,1)^2 noise."""
    u = rng.uniform()
    radius = 5 * u
    angle = 1.75 * 2 * math.pi * u + (0 if label == 1 else math.pi)
    x = radius * math.sin(angle) + _uniform(rng, -1, 1) * noise
    y = radius * math.cos(angle) + _uniform(rng, -1, 1) * noise
    return x, y, label


def _circles(rng, intended, noise):
    """r ~ U(0, 2.5) (class 1) or U(3.5, 5); label = [|p + U(-5,5)^2 noise| < 2.5]."""
    radius = _uniform(rng, 0, 2.5) if intended == 1 else _uniform(rng, 3.5, 5)
    angle = _uniform(rng, 0, 2 * math.pi)
    x = radius * math.sin(angle)
    y = radius * math.cos(angle)
    noisy_x = x + _uniform(rng, -5, 5) * noise
    noisy_y = y + _uniform(rng, -5, 5) * noise
    return x, y, 1 if math.hypot(noisy_x, noisy_y) < 2.5 else 0


def _xor(rng, intended, noise):
    """|x|, |y| ~ 0.3 + U(0, 5) with signs by class; label = [(x + nx)(y + ny) >= 0]."""
    sign_x = -1 if rng.uniform() < 0.5 else 1
    sign_y = sign_x if intended == 1 else -sign_x
    x = sign_x * (0.3 + _uniform(rng, 0, 5))
    y = sign_y * (0.3 + _uniform(rng, 0, 5))
    noisy_x = x + _uniform(rng, -5, 5) * noise
    noisy_y = y + _uniform(rng, -5, 5) * noise
    return x, y, 1 if noisy_x * noisy_y >= 0 else 0


def _gaussians(rng, label, noise):
    """p ~ N(+-(2, 2), sigma^2 I), sigma^2 = 0.5 + 7 noise."""
    sigma = math.sqrt(0.5 + 7 * noise)
    center = 2 if label == 1 else -2
    return center + sigma * rng.normal(), center + sigma * rng.normal(), label


def _moons(rng, label, noise):
    """scikit-learn's moons, p = 3 (m - (1/2, 1/4) + N(0, noise^2)^2)."""
    t = _uniform(rng, 0, math.pi)
    moon_x = math.cos(t) if label == 0 else 1 - math.cos(t)
    moon_y = math.sin(t) if label == 0 else 0.5 - math.sin(t)
    x = 3 * (moon_x - 0.5 + noise * rng.normal())
    y = 3 * (moon_y - 0.25 + noise * rng.normal())
    return x, y, label


GENERATORS = {'spiral': _spiral, 'circles': _circles, 'xor': _xor, 'gaussians': _gaussians, 'moons': _moons}


def test_count(count, test_fraction):
    """Rows of the test split: round(count test_fraction) clamped to [1, count - 1] (JS rounding: half up)."""
    return min(count - 1, max(1, math.floor(count * test_fraction + 0.5)))


def generate_toy(name, count, noise, seed, test_fraction):
    """Toy ``name``: row i drawn for class i mod 2 from RandomStream(seed, stream_id(toy_data, index of name))."""
    if name not in GENERATORS:
        raise ValueError(f'toy name must be one of {", ".join(TOY_NAMES)}, got {name!r}')
    rng = RandomStream(seed, stream_id(STREAM_PURPOSE['toy_data'], TOY_NAMES.index(name)))
    generate = GENERATORS[name]
    x = np.zeros((count, 2), dtype=np.float32)
    y = np.zeros(count, dtype=np.int64)
    for row in range(count):
        px, py, label = generate(rng, row % 2, noise)
        x[row] = (px / TOY_EXTENT, py / TOY_EXTENT)
        y[row] = label
    train = count - test_count(count, test_fraction)
    return {'name': name, 'input_shape': [2], 'num_classes': 2, 'scale': 1.0, 'shift': 0.0,
            'train': {'x': x[:train], 'y': y[:train]}, 'test': {'x': x[train:], 'y': y[train:]}}


def parse_idx(data, label='IDX file'):
    """An IDX file's bytes -> numpy array (u8 stays u8; other types big-endian to native)."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f'{label}: not an IDX file (bad magic)')
    types = {0x08: '>u1', 0x09: '>i1', 0x0B: '>i2', 0x0C: '>i4', 0x0D: '>f4', 0x0E: '>f8'}
    if data[2] not in types:
        raise ValueError(f'{label}: unknown element type 0x{data[2]:02x}')
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * a:8 + 4 * a], 'big') for a in range(rank)]
    dtype = np.dtype(types[data[2]])
    expected = int(np.prod(dims)) * dtype.itemsize
    payload = data[4 + 4 * rank:]
    if len(payload) != expected:
        raise ValueError(f'{label}: dims {dims} need {expected} bytes, got {len(payload)}')
    return np.frombuffer(payload, dtype=dtype).astype(dtype.newbyteorder('=')).reshape(dims)


FILE_NAMES = {
    'prepared': {'train_images': 'train-images.idx', 'train_labels': 'train-labels.idx',
                 'test_images': 'test-images.idx', 'test_labels': 'test-labels.idx'},
    'original': {'train_images': 'train-images-idx3-ubyte', 'train_labels': 'train-labels-idx1-ubyte',
                 'test_images': 't10k-images-idx3-ubyte', 'test_labels': 't10k-labels-idx1-ubyte'},
}


def _find(folder, base):
    """folder/base or folder/base.gz, whichever exists (else None)."""
    for candidate in (base, base + '.gz'):
        path = os.path.join(folder, candidate)
        if os.path.exists(path):
            return path
    return None


def _read(path):
    """A file's bytes, gunzipped when it ends in .gz."""
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as handle:
        return handle.read()


def load_images(name, data_dir):
    """MNIST / Fashion-MNIST from ``data_dir``: the prepared layout (DIR/<name>/train-images.idx, as
    ``npm run prepare-data`` writes) or the original file names (optionally .gz) in DIR/<name> or DIR."""
    tried = []
    for folder in (os.path.join(data_dir, name), data_dir):
        for layout in FILE_NAMES.values():
            paths = {key: _find(folder, base) for key, base in layout.items()}
            tried.append(os.path.join(folder, layout['train_images']))
            if all(paths.values()):
                arrays = {key: parse_idx(_read(path), f'{name} {key}') for key, path in paths.items()}
                splits = {}
                for split in ('train', 'test'):
                    images, labels = arrays[f'{split}_images'], arrays[f'{split}_labels']
                    if len(images) != len(labels):
                        raise ValueError(f'{name} {split}: {len(labels)} labels for {len(images)} images')
                    splits[split] = {'x': images.reshape(len(images), -1), 'y': labels.astype(np.int64)}
                shape = [1, *arrays['train_images'].shape[1:]] if arrays['train_images'].ndim == 3 else list(arrays['train_images'].shape[1:])
                return {'name': name, 'input_shape': shape, 'num_classes': 10, 'scale': float(np.float32(1 / 255)), 'shift': 0.0, **splits}
    raise FileNotFoundError(f'{name}: no IDX files found (looked for {", ".join(tried)}); give the folder with --data-dir')


def load_dataset(source, seed, data_dir):
    """The dataset of an engine config's ``dataset`` entry (toys from ``seed``; images cut to their subsets)."""
    kind = source['kind']
    if kind == 'toy':
        return generate_toy(source['name'], source.get('count', 600), source.get('noise', 0.1), seed, source.get('testFraction', 0.2))
    if kind == 'image':
        dataset = load_images(source['name'], data_dir)
        for split, key in (('train', 'trainSubset'), ('test', 'testSubset')):
            count = source.get(key)
            if count is not None:
                if count > len(dataset[split]['y']):
                    raise ValueError(f'dataset.{key}: {count} is more than the {len(dataset[split]["y"])} rows of {source["name"]}')
                dataset[split] = {'x': dataset[split]['x'][:count], 'y': dataset[split]['y'][:count]}
        return dataset
    raise ValueError('an uploaded dataset is not part of the config: export a toy or image experiment')


def data_order_stream(replicate, epoch):
    """Stream id of the data order of (replicate, epoch)."""
    return stream_id(STREAM_PURPOSE['data_order'], replicate, epoch)


def epoch_permutation(count, seed, replicate, epoch):
    """Fisher-Yates over 0..count-1 (i = n-1 .. 1 swaps with j = floor(u32 (i + 1) / 2^32)) of
    RandomStream(seed, data_order_stream(replicate, epoch)): the engine's row order of an epoch."""
    order = list(range(count))
    words = RandomStream(seed, data_order_stream(replicate, epoch)).uint32_list(max(count - 1, 0))
    for k, i in enumerate(range(count - 1, 0, -1)):
        j = (words[k] * (i + 1)) >> 32
        order[i], order[j] = order[j], order[i]
    return np.asarray(order, dtype=np.int64)


def steps_per_epoch(count, batch):
    """floor(count / batch): the last partial batch of an epoch is dropped."""
    if batch > count:
        raise ValueError(f'batch ({batch}) must not exceed the number of training rows ({count})')
    return count // batch


def manifest_names(data_dir):
    """Dataset names listed in a prepared data folder's manifest.json (empty if none)."""
    try:
        with open(os.path.join(data_dir, 'manifest.json'), encoding='utf-8') as handle:
            return [entry['name'] for entry in json.load(handle)['datasets']]
    except (OSError, ValueError, KeyError):
        return []
