"""Shared test helpers: the package from this checkout, and the fixtures the engine wrote.

The fixtures (``tests/fixtures/*.json``) come from the TypeScript engine: ``npm run pytorch-fixtures``
rewrites them (the twins' outputs, and golden trajectories trained by the GPU engine).
"""
import json
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

_cache = {}


def load_fixture(name):
    """python/tests/fixtures/<name>.json, parsed once."""
    if name not in _cache:
        with open(os.path.join(HERE, 'fixtures', f'{name}.json'), encoding='utf-8') as handle:
            _cache[name] = json.load(handle)
    return _cache[name]


@pytest.fixture
def fixture():
    """The fixture loader."""
    return load_fixture
