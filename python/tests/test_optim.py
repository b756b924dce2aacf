"""The optimizers on their own: torch.optim's results without modifiers, groups, closures, checkpoints."""
import io

import pytest
import torch

from lrlab_torch import RALR, SGD, Adam, AdamW, AutoDrop, ExpLR, RMSprop


def trajectory(make, steps=25, dtype=torch.float64, seed=0):
    """Parameters after ``steps`` steps on fixed random gradients."""
    generator = torch.Generator().manual_seed(seed)
    theta = torch.randn(50, generator=generator, dtype=dtype).requires_grad_()
    optimizer = make([theta])
    for _ in range(steps):
        theta.grad = torch.randn(50, generator=generator, dtype=dtype)
        optimizer.step()
    return theta.detach()


@pytest.mark.parametrize('ours, theirs', [
    (lambda p: SGD(p, lr=0.1, weight_decay=1e-2), lambda p: torch.optim.SGD(p, lr=0.1, weight_decay=1e-2)),
    (lambda p: SGD(p, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=1e-2),
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=1e-2)),
    (lambda p: SGD(p, lr=0.1, momentum=0.9, nesterov=True), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True)),
    (lambda p: Adam(p, lr=1e-2, weight_decay=1e-2), lambda p: torch.optim.Adam(p, lr=1e-2, weight_decay=1e-2)),
    (lambda p: AdamW(p, lr=1e-2, weight_decay=0.1), lambda p: torch.optim.AdamW(p, lr=1e-2, weight_decay=0.1)),
    (lambda p: RMSprop(p, lr=1e-2, weight_decay=1e-2, form='clean'), lambda p: torch.optim.RMSprop(p, lr=1e-2, weight_decay=1e-2)),
])
def test_without_modifiers_each_rule_is_pytorchs(ours, theirs):
    assert torch.allclose(trajectory(ours), trajectory(theirs), rtol=1e-10, atol=1e-12)


def test_groups_have_their_own_rates_draws_and_tensor_ids():
    a = torch.zeros(1000, requires_grad=True)
    b = torch.zeros(1000, requires_grad=True)
    optimizer = SGD([{'params': [a], 'lr': 0.1}, {'params': [b], 'lr': 0.01, 'lrd': 0.25}], lrd=0.5, seed=3)
    a.grad, b.grad = -torch.ones(1000), -torch.ones(1000)
    optimizer.step()
    assert a.unique().tolist() == pytest.approx([0.0, 0.1]) and abs((a > 0).float().mean().item() - 0.5) < 0.06
    assert b.unique().tolist() == pytest.approx([0.0, 0.01]) and abs((b > 0).float().mean().item() - 0.25) < 0.06
    assert [g['tensor_ids'] for g in optimizer.param_groups] == [[0], [1]]
    # tensor ids key the draws: the same element of two tensors gets independent masks
    assert not torch.equal(a > 0, b > 0)


def test_step_with_a_closure_returns_its_loss():
    theta = torch.tensor([3.0], requires_grad=True)
    optimizer = Adam([theta], lr=0.1, lrd=0.5, leap=0.01)

    def closure():
        """The loss, with gradients."""
        optimizer.zero_grad()
        loss = (theta ** 2).sum()
        loss.backward()
        return loss
    losses = [optimizer.step(closure).item() for _ in range(100)]
    assert losses[0] == 9.0 and losses[-1] < 1.0


def test_a_users_model_in_a_dozen_lines():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(10, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))
    optimizer = Adam([{'params': model[0].parameters(), 'lr': 3e-3}, {'params': model[2].parameters()}],
                     lr=1e-3, lrd={'keep_prob': 0.8}, seed=1)
    scheduler = AutoDrop(optimizer, torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=400), window=10, delay=2)
    x = torch.randn(256, 10)
    y = x[:, :1] * 2 - x[:, 1:2]
    first = torch.nn.functional.mse_loss(model(x), y).item()
    for _ in range(200):
        loss = torch.nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
    assert loss.item() < first / 4
    assert scheduler.get_last_lr()[0] > scheduler.get_last_lr()[1] > 0


def _train(model, optimizer, scheduler, steps, start):
    """Steps start .. start+steps-1 on batches seeded by the step (the same data whatever the process)."""
    for step in range(start, start + steps):
        generator = torch.Generator().manual_seed(step)
        x = torch.randn(16, 6, generator=generator)
        loss = (model(x) - x.sum(1, keepdim=True)).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()


def _adam_chain(model):
    """Adam + LRD + LEAP under AutoDrop(RALR(StepLR))."""
    optimizer = Adam(model.parameters(), lr=1e-2, weight_decay=1e-3, lrd=0.6, leap={'sigma': 1e-3}, seed=5, run_key=2)
    step = torch.optim.lr_scheduler.StepLR(optimizer, 15, 0.5)
    return optimizer, AutoDrop(optimizer, RALR(optimizer, step, amplify_prob=0.3, resample='step', seed=5), window=3, buffer=3, delay=2)


def _exp_chain(model):
    """Momentum SGD + LRD under ExpLR(MultiStepLR) with renormalizations."""
    optimizer = SGD(model.parameters(), lr=0.05, momentum=0.9, lrd=0.7, seed=5)
    multistep = torch.optim.lr_scheduler.MultiStepLR(optimizer, [20], 0.1)
    return optimizer, ExpLR(optimizer, multistep, weight_decay=0.01, renorm_max_rate=0.06)


@pytest.mark.parametrize('chain', [_adam_chain, _exp_chain])
def test_a_checkpoint_saved_mid_training_continues_bit_for_bit(chain):
    def fresh():
        """The same model, optimizer and scheduler, newly built."""
        torch.manual_seed(1)
        model = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
        return (model, *chain(model))
    model, optimizer, scheduler = fresh()
    _train(model, optimizer, scheduler, 25, 0)
    saved = io.BytesIO()
    torch.save({'model': model.state_dict(), 'optimizer': optimizer.state_dict(), 'scheduler': scheduler.state_dict()}, saved)
    _train(model, optimizer, scheduler, 25, 25)
    model2, optimizer2, scheduler2 = fresh()
    saved.seek(0)
    state = torch.load(saved, weights_only=False)  # our own file; 1.13's weights-only unpickler has no floats
    model2.load_state_dict(state['model'])
    optimizer2.load_state_dict(state['optimizer'])
    scheduler2.load_state_dict(state['scheduler'])
    _train(model2, optimizer2, scheduler2, 25, 25)
    for p, q in zip(model.parameters(), model2.parameters()):
        assert torch.equal(p, q)
    assert scheduler.get_last_lr() == scheduler2.get_last_lr()


def test_float32_rounds_hyperparameters_like_the_kernel():
    # 1 - beta1 in float32 is 0.100000024, not float32(0.1): the engine's words
    assert not torch.equal(trajectory(lambda p: Adam(p, lr=1e-2), dtype=torch.float32),
                           trajectory(lambda p: torch.optim.Adam(p, lr=1e-2), dtype=torch.float32))
    assert torch.allclose(trajectory(lambda p: Adam(p, lr=1e-2), dtype=torch.float32),
                          trajectory(lambda p: torch.optim.Adam(p, lr=1e-2), dtype=torch.float32), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('granularity', ['element', 'tensor', 'global'])
def test_leap_granularity_shares_one_rate_per_tensor_or_per_run(granularity):
    a, b = torch.zeros(64, requires_grad=True), torch.zeros(64, requires_grad=True)
    optimizer = SGD([a, b], lr=0.1, leap={'sigma': 0.05, 'granularity': granularity}, seed=2)
    a.grad, b.grad = -torch.ones(64), -torch.ones(64)
    optimizer.step()
    distinct = (a.unique().numel(), b.unique().numel(), a[0].item() == b[0].item())
    assert distinct == {'element': (64, 64, False), 'tensor': (1, 1, False), 'global': (1, 1, True)}[granularity]
