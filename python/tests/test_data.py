"""Toys, initial weights and minibatch order against the engine's (fixtures written by the engine)."""
import numpy as np

from lrlab_torch.data import epoch_permutation, generate_toy
from lrlab_torch.models import init_tensor


def test_toys_equal_the_engine(fixture):
    for toy in fixture('data')['toys']:
        data = generate_toy(toy['name'], toy['count'], toy['noise'], toy['seed'], toy['testFraction'])
        assert data['train']['x'].reshape(-1).tolist() == np.float32(toy['trainX']).tolist(), toy['name']
        assert data['test']['x'].reshape(-1).tolist() == np.float32(toy['testX']).tolist(), toy['name']
        assert data['train']['y'].tolist() == toy['trainY'] and data['test']['y'].tolist() == toy['testY']


def test_initial_weights_equal_the_engine(fixture):
    for case in fixture('data')['init']:
        values = init_tensor(case['tensor'], case['index'], case['seed'], case['replicate']).astype(np.float32)
        assert values.tolist() == np.float32(case['values']).tolist(), case['tensor']['name']


def test_epoch_order_equals_the_engine(fixture):
    for case in fixture('data')['orders']:
        assert epoch_permutation(case['count'], case['seed'], case['replicate'], case['epoch']).tolist() == case['order']
