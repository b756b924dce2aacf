"""The spec's test vectors (reference/methods.md) on the PyTorch side, in float64."""
import math

import pytest
import torch

from lrlab_torch import SGD, Adam, AutoDrop, RMSprop
from lrlab_torch.autodrop import AutoDropDecider
from lrlab_torch.explr import ExpLrRecurrence, exp_lr_roots, texp_boundary_multiplier

THETA0 = [1.0, -2.0, 0.5, 3.0]
GRADS = [[0.1, -0.2, 0.3, -0.4], [0.05, 0.1, -0.1, 0.2]]
MASKS = [[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, 1.0]]


def two_steps(make, inject=None):
    """theta after the spec's two steps, with injected draws: inject(step) -> {'mask': ..., 'rate': ...}."""
    theta = torch.tensor(THETA0, dtype=torch.float64, requires_grad=True)
    optimizer = make([theta])
    if inject:
        optimizer.draw_override = lambda tensor, step, p: {k: torch.tensor(v, dtype=torch.float64) for k, v in inject(step).items()}
    for grad in GRADS:
        theta.grad = torch.tensor(grad, dtype=torch.float64)
        optimizer.step()
    return theta.detach(), optimizer


def masks(step):
    """The spec's injected LRD masks M1, M2."""
    return {'mask': MASKS[step - 1]}


def test_sgdm_lrd_injected_masks_and_unmasked_buffer():
    theta, optimizer = two_steps(lambda p: SGD(p, lr=0.1, momentum=0.9, weight_decay=5e-4, lrd=0.5), masks)
    assert theta.tolist() == pytest.approx([0.98995, -1.99181, 0.4529290013, 3.015715], abs=1e-10)
    buffer = optimizer.state[optimizer.param_groups[0]['params'][0]]['momentum_buffer']
    assert buffer.tolist() == pytest.approx([0.140944975, -0.0819, 0.1704599875, -0.15715], abs=1e-12)


def test_adam_lrd_official_epsilon():
    make = lambda p: Adam(p, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=5e-4, eps_placement='lrd_official', lrd=0.5)
    theta, _ = two_steps(make, masks)
    assert theta.tolist() == pytest.approx([0.9990000031, -1.9997278863, 0.4985988666, 3.0002619826], abs=1e-10)


def test_rmsprop_lrd_official_form():
    theta, _ = two_steps(lambda p: RMSprop(p, lr=1e-3, alpha=0.99, eps=1e-8, weight_decay=5e-4, lrd=0.5), masks)
    assert theta.tolist() == pytest.approx([0.9900497611, -2.0044811956, 0.4931833380, 2.9955032508], abs=1e-9)


def test_leap_injected_rates():
    noise = [[0.01, -0.02, 0.0, 0.005], [-0.01, 0.0, 0.02, -0.005]]
    theta, _ = two_steps(lambda p: SGD(p, lr=0.1, leap=0.0), lambda step: {'rate': [0.1 + e for e in noise[step - 1]]})
    assert theta.tolist() == pytest.approx([0.9845, -1.994, 0.482, 3.023], abs=1e-12)


@pytest.mark.parametrize('make', [
    lambda p, decay=5e-4, **kw: SGD(p, lr=0.1, momentum=0.9, weight_decay=decay, **kw),
    lambda p, decay=5e-4, **kw: Adam(p, lr=1e-3, weight_decay=decay, **kw),
    lambda p, decay=5e-4, **kw: RMSprop(p, lr=1e-3, weight_decay=decay, **kw),
])
def test_keep_prob_one_is_the_base_optimizer_and_zero_freezes_theta_not_state(make):
    base, _ = two_steps(make)
    kept, _ = two_steps(lambda p: make(p, lrd=1.0, seed=4))
    assert torch.equal(base, kept)
    # without decay the gradients do not depend on theta: the state must evolve exactly as the base's
    _, base_opt = two_steps(lambda p: make(p, decay=0.0))
    frozen, frozen_opt = two_steps(lambda p: make(p, decay=0.0, lrd=1e-30, seed=4))
    assert frozen.tolist() == THETA0
    for key, value in base_opt.state[base_opt.param_groups[0]['params'][0]].items():
        if torch.is_tensor(value):
            assert torch.equal(value, frozen_opt.state[frozen_opt.param_groups[0]['params'][0]][key]), key


def test_leap_sigma_zero_is_the_base_optimizer():
    base, _ = two_steps(lambda p: Adam(p, lr=1e-3))
    leap, _ = two_steps(lambda p: Adam(p, lr=1e-3, leap={'sigma': 0.0, 'form': 'multiplicative'}))
    assert torch.equal(base, leap)


def test_lrd_keeps_about_keep_prob_of_the_elements():
    theta = torch.zeros(100_000, dtype=torch.float32, requires_grad=True)
    optimizer = SGD([theta], lr=1.0, lrd=0.3, seed=9)
    for _ in range(3):
        theta.grad = -torch.ones_like(theta)
        before = theta.detach().clone()
        optimizer.step()
        kept = (theta.detach() != before).float().mean().item()
        assert abs(kept - 0.3) <= 4 * math.sqrt(0.3 * 0.7 / 100_000)


def test_autodrop_angles_of_the_spec_positions():
    position = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    optimizer = SGD([position], lr=0.0)
    autodrop = AutoDrop(optimizer, window=1, buffer=10)
    for point in ([0, 0], [1, 0], [2, 1], [2, 2]):
        with torch.no_grad():
            position.copy_(torch.tensor(point, dtype=torch.float64))
        autodrop.step()
    assert sorted(autodrop.angles) == [3, 4]
    assert [autodrop.angles[3], autodrop.angles[4]] == pytest.approx([45.0, 45.0], abs=1e-9)  # eps 1e-12 in the denominator


def test_autodrop_smoothing_constant_drops_ramp_does_not():
    constant = AutoDropDecider({'buffer': 10}, 0.1)
    decisions = [constant.observe_angle(95.0) for _ in range(11)]
    assert [d['dropped'] for d in decisions] == [False] * 10 + [True]
    ramp = AutoDropDecider({'buffer': 10}, 0.1)
    decisions = [ramp.observe_angle(90.0 + i) for i in range(11)]
    assert decisions[-1]['change'] == 1.0 and not any(d['dropped'] for d in decisions)


def test_autodrop_no_second_drop_before_the_buffer_refills():
    decider = AutoDropDecider({'buffer': 5}, 0.1)
    dropped = [i for i in range(40) if decider.observe_angle(95.0)['dropped']]
    assert all(b - a >= 5 + 1 for a, b in zip(dropped, dropped[1:])) and len(dropped) >= 2


def test_exp_lr_worked_numbers():
    alpha, beta = exp_lr_roots(0.1, 5e-4, 0.9)
    assert alpha == pytest.approx(0.9994977283678897, abs=1e-15) and beta == pytest.approx(0.9004522716321101, abs=1e-15)
    assert alpha ** -2 == pytest.approx(1.001005300601762, abs=1e-14)
    assert 0.1 / alpha == pytest.approx(0.1000502524, abs=1e-10)
    assert alpha ** -782 == pytest.approx(1.48123, abs=1e-5)
    assert exp_lr_roots(0.1, 5e-4, 0.0)[0] == pytest.approx(0.99995, abs=1e-15)
    for eta, lam, gamma, want_alpha, growth in [(0.1, 1e-4, 0.9, 0.99989991, 1.00020021), (0.05, 5e-4, 0.9, 0.99974943, 1.00050132),
                                                (0.01, 5e-4, 0.9, 0.99994998, 1.00010005), (0.001, 5e-4, 0.9, 0.99999500, 1.00001000)]:
        a = exp_lr_roots(eta, lam, gamma)[0]
        assert a == pytest.approx(want_alpha, abs=1e-8) and a ** -2 == pytest.approx(growth, abs=1e-8)
    assert texp_boundary_multiplier(0.1, 0.01, 5e-4, 0.9) == pytest.approx(0.1000552574, abs=1e-10)
    assert texp_boundary_multiplier(0.01, 0.001, 5e-4, 0.9) == pytest.approx(0.1000055026, abs=1e-10)


def test_exact_exp_lr_rates_of_the_harness():
    recurrence = ExpLrRecurrence(5e-4, 0.9, 'exact')
    for t in range(1501):
        recurrence.push(0.1 if t < 1500 else 0.01)
    # the spec's "t = 1499" value is eta~_1498 (as src/optim/explr.test.ts notes)
    want = {0: 0.100005, 1: 0.1000195, 2: 0.10004256, 1498: 0.4466363, 1500: 0.04473324}
    for t, rate in want.items():
        assert recurrence.rate(t) == pytest.approx(rate, rel=1e-6)
