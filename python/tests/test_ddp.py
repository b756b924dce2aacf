"""DistributedDataParallel: 2 processes (gloo, tcp://127.0.0.1) give the single process's parameters.

The golden plan's AutoDrop (RMSprop) and AdamW + LRD runs, 40 steps, global batch 24 split 12 + 12 across
the ranks: after training, every parameter equals the single-process run's within float32 tolerance
(rtol 1e-4, atol 1e-6; measured about 1e-6), and both ranks took the same AutoDrop decisions.
"""
import pytest
import torch

from conftest import load_fixture
from lrlab_torch.cli import main


@pytest.fixture(scope='module')
def results(tmp_path_factory):
    """The --params files of one process and of --ddp 2 (the package's main, in this process)."""
    folder = tmp_path_factory.mktemp('ddp')
    plan = dict(load_fixture('golden')['plan'])
    plan['runs'] = [run for run in plan['runs'] if run['label'] in ('AutoDrop', 'AdamW LRD')]
    out = {}
    for name, extra in (('single', []), ('ddp', ['--ddp', '2'])):
        params = folder / f'{name}.pt'
        assert main(plan, ['--out', str(folder / f'{name}.csv'), '--params', str(params), '--steps', '40', *extra]) == 0
        out[name] = torch.load(params, weights_only=True)
    return out


def test_ddp_parameters_equal_the_single_process_run(results):
    single, ddp = results['single'], results['ddp']
    assert ddp['world'] == 2 and len(ddp['runs']) == 2
    for one, two in zip(single['runs'], ddp['runs']):
        for a, b in zip(one['tensors'], two['tensors']):
            assert torch.allclose(a, b, rtol=1e-4, atol=1e-6), (one['label'], (a - b).abs().max().item())


def test_every_rank_takes_the_same_autodrop_decisions(results):
    run = next(r for r in results['ddp']['runs'] if r['label'] == 'AutoDrop')
    rank0, rank1 = run['decisions']
    assert rank0 == rank1 and any(dropped for _, dropped in rank0)
    single = next(r for r in results['single']['runs'] if r['label'] == 'AutoDrop')
    assert run['drops'] == single['drops']
