"""Schedules, RALR, exp-LR / TEXP and AutoDrop's decisions against the engine's (fixtures written by it)."""
import warnings

import pytest
import torch

from lrlab_torch import RALR, AutoDrop, ExpLR, schedule_rate, torch_scheduler
from lrlab_torch.autodrop import AutoDropDecider, angle_from_dots
from lrlab_torch.experiment import AUTODROP_KEYS, RALR_KEYS, snake
from lrlab_torch.explr import ExpLrRecurrence, RenormPlan


def sgd(lr=1.0):
    """A one-parameter torch.optim.SGD (the controllers work on any optimizer)."""
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)


def rates_of(optimizer, scheduler, steps, read=None):
    """The rate of steps 0 .. steps-1, stepping the scheduler after each optimizer step."""
    out = []
    for _ in range(steps):
        out.append(read() if read else optimizer.param_groups[0]['lr'])
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            optimizer.step()
            scheduler.step()
    return out


def test_closed_form_schedules_equal_the_engine(fixture):
    for case in fixture('methods')['schedules']:
        got = [schedule_rate(case['config'], t, case['stepsPerEpoch']) for t in range(len(case['rates']))]
        assert got == pytest.approx(case['rates'], rel=1e-13), case['config']


def test_pytorch_schedulers_give_the_engine_rates(fixture):
    for case in fixture('methods')['schedules']:
        optimizer = sgd()
        scheduler = torch_scheduler(optimizer, case['config'], case['stepsPerEpoch'])
        assert rates_of(optimizer, scheduler, len(case['rates'])) == pytest.approx(case['rates'], rel=1e-11), case['config']


def test_ralr_over_a_pytorch_scheduler_equals_the_engine(fixture):
    for case in fixture('methods')['ralr']:
        optimizer = sgd()
        base = torch_scheduler(optimizer, case['schedule'], case['stepsPerEpoch'])
        ralr = RALR(optimizer, base, steps_per_epoch=case['stepsPerEpoch'], seed=case['seed'], run_key=case['runKey'],
                    **snake(case['config'], RALR_KEYS))
        assert rates_of(optimizer, ralr, len(case['rates'])) == pytest.approx(case['rates'], rel=1e-12)


def test_exp_lr_and_texp_equal_the_engine(fixture):
    for case in fixture('methods')['explr']:
        config = case['config']
        recurrence = ExpLrRecurrence(config['weightDecay'], case['momentum'], config['form'])
        plan = RenormPlan(recurrence, config['renormMaxRate'])
        last = case['steps'][-1]
        for t in range(last + 1):
            recurrence.push(schedule_rate(case['schedule'], t))
        for k, t in enumerate(case['steps']):
            assert recurrence.rate(t) == pytest.approx(case['rates'][k], rel=1e-12)
            assert recurrence.scale(t) == pytest.approx(case['scales'][k], rel=1e-12)
            assert plan.rate(t) == pytest.approx(case['engineRates'][k], rel=1e-12)
            assert plan.exponent(t) == case['exponents'][k]
        # the controller over PyTorch's own scheduler gives the same engine rates
        optimizer = sgd()
        scheduler = ExpLR(optimizer, torch_scheduler(optimizer, case['schedule']), weight_decay=config['weightDecay'],
                          form=config['form'], renorm_max_rate=config['renormMaxRate'], momentum=case['momentum'])
        got = rates_of(optimizer, scheduler, last + 1)
        assert [got[t] for t in case['steps']] == pytest.approx(case['engineRates'], rel=1e-11)


def test_autodrop_decisions_equal_the_engine(fixture):
    for case in fixture('methods')['autodrop']:
        decider = AutoDropDecider(snake(case['config'], AUTODROP_KEYS), case['initialRate'])
        for dots, want in zip(case['dots'], case['decisions']):
            angle = None if dots is None else angle_from_dots(dots['dot'], dots['normSq'], dots['prevNormSq'], case['config']['epsilon'])
            got = decider.observe_angle(angle)
            assert got['dropped'] == want['dropped'] and got['lr'] == pytest.approx(want['lr'], rel=1e-14)
            for key in ('angle', 'smoothed', 'change'):
                assert (got[key] is None) == (want[key] is None) and (got[key] is None or got[key] == pytest.approx(want[key], abs=1e-9))
        assert any(d['dropped'] for d in case['decisions'])


def test_autodrop_drop_applies_from_window_end_plus_delay():
    optimizer = sgd(0.1)
    autodrop = AutoDrop(optimizer, window=1, buffer=2, delay=3, rho=0.5, threshold=1e9)
    rates = rates_of(optimizer, autodrop, 12)
    first = autodrop.drops[0][0]
    assert rates[first - 1] == 0.1 and rates[first] == 0.05
    decided_at = next(end for end, decision in autodrop.decisions if decision['dropped'])
    assert autodrop.drop_steps()[0] == first + 1 == decided_at + 3


def test_controllers_nest_in_the_engine_order_and_compose_with_pytorch_schedulers():
    optimizer = sgd(0.1)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, 50, 0.01)
    ralr = RALR(optimizer, cosine, amplify_prob=0.5, resample='step', seed=3)
    autodrop = AutoDrop(optimizer, ralr, window=2, buffer=2, delay=1, threshold=1e9)
    rates = rates_of(optimizer, autodrop, 40)
    reference = sgd(0.1)
    plain = torch.optim.lr_scheduler.CosineAnnealingLR(reference, 50, 0.01)
    base = rates_of(reference, plain, 40)
    for t, rate in enumerate(rates):
        amplified, factor = ralr.draw(t)
        drops = sum(1 for from_step, _ in autodrop.drops if from_step <= t)
        assert rate == pytest.approx(base[t] * (factor if amplified else 1) * 0.95 ** drops, rel=1e-12)
    assert autodrop.drops and any(ralr.draw(t)[0] for t in range(40))


def test_per_group_rates_follow_their_own_base():
    a, b = torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([{'params': [a], 'lr': 0.1}, {'params': [b], 'lr': 0.01}], lr=1.0)
    step = torch.optim.lr_scheduler.StepLR(optimizer, 5, 0.5)
    ralr = RALR(optimizer, step, amplify_prob=1.0, resample='step', factor_low=2, factor_high=2, seed=1)
    rates_of(optimizer, ralr, 7)
    assert ralr.get_last_lr() == pytest.approx([0.1 * 0.5 * 2, 0.01 * 0.5 * 2])
