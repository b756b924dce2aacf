"""Golden trajectories written by the GPU engine (fixtures/golden.json): the runner reproduces them.

Every method of the engine (baseline, LRD, LEAP, RALR, AutoDrop, exp-LR, TEXP, AdamW + LRD) on a small
MLP, 60 steps, float32 on the CPU. Tolerances: train and test loss relative 1e-4 (measured <= 1e-6),
rates relative 1e-12 (float64 on both sides), AutoDrop's angles 1e-3 degrees and its drops at the same
steps, LRD masks element for element (they are Philox bits, compared in test_rng.py).
"""
import math

import pytest

from lrlab_torch.data import load_dataset
from lrlab_torch.experiment import train_run

LOSS_RTOL = 1e-4


@pytest.fixture(scope='module')
def trained():
    """The golden fixture and every run of its plan trained by the runner."""
    from conftest import load_fixture
    golden = load_fixture('golden')
    plan = golden['plan']
    dataset = load_dataset(plan['config']['dataset'], plan['config']['seed'], '.')
    return golden, [train_run(plan, run, dataset)[0] for run in plan['runs']]


def engine_records(golden, run):
    """The engine's records of one run, by step."""
    return {r['step']: r for r in golden['records'] if r['run'] == run}


def drops(records):
    """Steps at which the rate fell (AutoDrop's drops)."""
    return [b['step'] for a, b in zip(records, records[1:]) if b['lr'] < a['lr']]


def test_every_run_of_the_plan_is_there(trained):
    golden, runs = trained
    assert [run['label'] for run in golden['plan']['runs']] == ['baseline', 'LRD', 'LEAP', 'RALR', 'AutoDrop', 'ExpLR', 'TEXP', 'AdamW LRD']
    assert all(len(records) == 60 for records in runs)


@pytest.mark.parametrize('index', range(8))
def test_losses_rates_and_angles_follow_the_engine(trained, index):
    golden, runs = trained
    engine = engine_records(golden, index)
    for record in runs[index]:
        want = engine[record['step']]
        assert record['trainLoss'] == pytest.approx(want['trainLoss'], rel=LOSS_RTOL), record['step']
        assert record['trainAccuracy'] == want['trainAccuracy'] or abs(record['trainAccuracy'] - want['trainAccuracy']) <= 1 / 24
        assert record['lr'] == pytest.approx(want['lr'], rel=1e-12)
        assert record['lrExpected'] == pytest.approx(want['lrExpected'], rel=1e-12)
        assert ('angle' in record) == ('angle' in want)
        if 'angle' in want:
            assert record['angle'] == pytest.approx(want['angle'], abs=1e-3)
        if 'testLoss' in want:
            assert record['testLoss'] == pytest.approx(want['testLoss'], rel=LOSS_RTOL)
    assert drops(runs[index]) == drops([engine[s] for s in sorted(engine)])


def test_autodrop_dropped_in_the_golden_run(trained):
    golden, runs = trained
    assert len(drops(runs[4])) >= 2
    assert not any(math.isnan(r['trainLoss']) for records in runs for r in records)
