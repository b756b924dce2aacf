"""The engine's base schedules: the closed form, and PyTorch's own schedulers that give the same rates.

A schedule config is the engine's (``src/optim/schedules.ts``, camelCase keys): ``kind`` constant,
step, multistep, exponential, cosine (optionally with restarts) or onecycle, its ``unit`` ('step':
the index is the optimizer step t; 'epoch': i = t // steps_per_epoch) and an optional linear
``warmup``. :func:`schedule_rate` is the closed form eta_t (0-based step t) in float64;
:func:`torch_scheduler` builds PyTorch's own scheduler for it (StepLR, MultiStepLR, ExponentialLR,
CosineAnnealingLR, CosineAnnealingWarmRestarts, OneCycleLR, LinearLR + SequentialLR), wrapped so
that it is stepped once per optimizer step like every scheduler of this package.
"""
import math

from torch.optim import lr_scheduler

SCHEDULE_KINDS = ('constant', 'step', 'multistep', 'exponential', 'cosine', 'onecycle')


def _restart_cycle(index, first, mult):
    """(i_cur, T_i) in SGDR cycles of length first * mult^k."""
    if mult == 1:
        return index % first, first
    current, cycle = index, first
    while current >= cycle:
        current -= cycle
        cycle *= mult
    return current, cycle


def _one_cycle(c, index):
    """OneCycleLR at index i (PyTorch's phases); past total_steps - 1 the final rate holds."""
    initial = c['maxLr'] / c.get('divFactor', 25)
    minimum = initial / c.get('finalDivFactor', 1e4)
    total = c['totalSteps']
    if index >= total - 1:
        return minimum
    pct = c.get('pctStart', 0.3)
    ramp_end = pct * total - 1
    if c.get('threePhase', False):
        phases = [(ramp_end, initial, c['maxLr']), (2 * pct * total - 2, c['maxLr'], initial), (total - 1, initial, minimum)]
    else:
        phases = [(ramp_end, initial, c['maxLr']), (total - 1, c['maxLr'], minimum)]
    start = 0
    for k, (end, low, high) in enumerate(phases):
        if index <= end or k == len(phases) - 1:
            frac = (index - start) / (end - start)
            if c.get('anneal', 'cos') == 'cos':
                return high + (low - high) / 2 * (math.cos(math.pi * frac) + 1)
            return (high - low) * frac + low
        start = end
    return minimum


def _main_rate(c, index):
    """The main schedule (no warm-up) at its own index i."""
    kind = c['kind']
    if kind == 'constant':
        return c['lr']
    if kind == 'step':
        return c['lr'] * c.get('gamma', 0.1) ** (index // c['stepSize'])
    if kind == 'multistep':
        passed = sum(1 for m in c['milestones'] if m <= index)
        return c['lr'] * c.get('gamma', 0.1) ** passed
    if kind == 'exponential':
        return c['lr'] * c['gamma'] ** index
    if kind == 'cosine':
        restarts = c.get('restarts')
        current, period = _restart_cycle(index, c['length'], restarts.get('cycleMult', 1)) if restarts else (index, c['length'])
        low = c.get('minLr', 0.0)
        return low + (c['lr'] - low) * (1 + math.cos(math.pi * current / period)) / 2
    if kind == 'onecycle':
        return _one_cycle(c, index)
    raise ValueError(f'schedule.kind must be one of {", ".join(SCHEDULE_KINDS)}, got {kind!r}')


def _index(t, unit, steps_per_epoch):
    """The schedule's index of step t: t, or t // steps_per_epoch for unit 'epoch'."""
    if unit == 'epoch':
        if steps_per_epoch is None:
            raise ValueError("steps_per_epoch is required when a schedule's unit is 'epoch'")
        return t // steps_per_epoch
    return t


def schedule_rate(config, t, steps_per_epoch=None):
    """eta_t of a schedule config at 0-based optimizer step t (twin of scheduleRate in schedules.ts).

    With warm-up of W units (W_s steps): eta_t = eta_main(0) (s + (1 - s) i / W) for t < W_s, else
    the main schedule at step t - W_s.
    """
    unit = config.get('unit', 'step')
    warmup = config.get('warmup')
    if warmup:
        warm_unit = warmup.get('unit') or unit
        warm_steps = warmup['length'] * (steps_per_epoch if warm_unit == 'epoch' else 1)
        if t < warm_steps:
            start = warmup.get('startFactor', 1 / 3)
            return _main_rate(config, 0) * (start + (1 - start) * _index(t, warm_unit, steps_per_epoch) / warmup['length'])
        t -= warm_steps
    return _main_rate(config, _index(t, unit, steps_per_epoch))


def initial_rate(config):
    """The rate a schedule starts from (what the optimizer's lr is set to before the scheduler)."""
    return config['maxLr'] / config.get('divFactor', 25) if config['kind'] == 'onecycle' else config['lr']


class EveryN:
    """Steps a PyTorch scheduler once every ``n`` optimizer steps (a schedule counted in epochs).

    Called after every optimizer step; the inner scheduler's index is then t // n for step t.
    ``stop_after`` stops stepping the inner scheduler once its index reaches that value (OneCycleLR
    raises past its last step; the engine holds the final rate there).
    """

    def __init__(self, scheduler, n=1, stop_after=None):
        """Wraps ``scheduler``; ``n`` optimizer steps per inner step."""
        self.scheduler, self.n, self.stop_after = scheduler, n, stop_after
        self.optimizer = scheduler.optimizer
        self.calls = 0

    def step(self):
        """After an optimizer step: steps the inner scheduler when a new unit starts."""
        self.calls += 1
        if self.calls % self.n == 0 and (self.stop_after is None or self.calls // self.n <= self.stop_after):
            self.scheduler.step()

    def get_last_lr(self):
        """The rates of the groups now."""
        return [group['lr'] for group in self.optimizer.param_groups]

    def state_dict(self):
        """Counters and the inner scheduler's state."""
        return {'calls': self.calls, 'scheduler': self.scheduler.state_dict()}

    def load_state_dict(self, state):
        """Restores :meth:`state_dict`."""
        self.calls = state['calls']
        self.scheduler.load_state_dict(state['scheduler'])


def _torch_main(optimizer, c):
    """PyTorch's scheduler for the main schedule (None for constant), the optimizer's lr set first."""
    kind = c['kind']
    for group in optimizer.param_groups:
        group['lr'] = initial_rate(c)
        group.pop('initial_lr', None)
    if kind == 'constant':
        return lr_scheduler.LambdaLR(optimizer, lambda index: 1.0)
    if kind == 'step':
        return lr_scheduler.StepLR(optimizer, c['stepSize'], c.get('gamma', 0.1))
    if kind == 'multistep':
        return lr_scheduler.MultiStepLR(optimizer, c['milestones'], c.get('gamma', 0.1))
    if kind == 'exponential':
        return lr_scheduler.ExponentialLR(optimizer, c['gamma'])
    if kind == 'cosine':
        if c.get('restarts'):
            return lr_scheduler.CosineAnnealingWarmRestarts(optimizer, c['length'], c['restarts'].get('cycleMult', 1), c.get('minLr', 0.0))
        return lr_scheduler.CosineAnnealingLR(optimizer, c['length'], c.get('minLr', 0.0))
    if kind == 'onecycle':
        return lr_scheduler.OneCycleLR(
            optimizer, c['maxLr'], total_steps=c['totalSteps'], pct_start=c.get('pctStart', 0.3),
            anneal_strategy=c.get('anneal', 'cos'), cycle_momentum=False, div_factor=c.get('divFactor', 25),
            final_div_factor=c.get('finalDivFactor', 1e4), three_phase=c.get('threePhase', False))
    raise ValueError(f'schedule.kind must be one of {", ".join(SCHEDULE_KINDS)}, got {kind!r}')


class ClosedForm(lr_scheduler.LambdaLR):
    """The closed form :func:`schedule_rate` as a LambdaLR (where PyTorch has no equivalent chain)."""

    def __init__(self, optimizer, config, steps_per_epoch=None):
        """Sets every group's lr to eta_t for t = 0, 1, ... (stepped once per optimizer step)."""
        first = initial_rate(config)
        for group in optimizer.param_groups:
            group['lr'] = first
            group.pop('initial_lr', None)
        super().__init__(optimizer, lambda t: schedule_rate(config, t, steps_per_epoch) / first)


def torch_scheduler(optimizer, config, steps_per_epoch=None):
    """PyTorch's own scheduler for a schedule config, stepped once per optimizer step.

    Sets the optimizer's lr. Mapped: constant (LambdaLR 1), step, multistep, exponential, cosine
    (with restarts: CosineAnnealingWarmRestarts), onecycle (cycle_momentum off, held at its final
    rate past total_steps - 1), and a warm-up as LinearLR + SequentialLR when the warm-up counts the
    schedule's unit. A warm-up in another unit than the schedule, or before onecycle, has no
    PyTorch chain: the closed form (:class:`ClosedForm`) is used then.
    """
    unit = config.get('unit', 'step')
    per = steps_per_epoch if unit == 'epoch' else 1
    if unit == 'epoch' and steps_per_epoch is None:
        raise ValueError("steps_per_epoch is required when a schedule's unit is 'epoch'")
    warmup = config.get('warmup')
    stop = config['totalSteps'] - 1 if config['kind'] == 'onecycle' else None
    if warmup is None:
        return EveryN(_torch_main(optimizer, config), per, stop)
    if (warmup.get('unit') or unit) != unit or config['kind'] == 'onecycle':
        return EveryN(ClosedForm(optimizer, config, steps_per_epoch), 1)
    main = _torch_main(optimizer, config)
    for group in optimizer.param_groups:
        group['lr'] = group['initial_lr']
    warm = lr_scheduler.LinearLR(optimizer, warmup.get('startFactor', 1 / 3), 1.0, warmup['length'])
    return EveryN(lr_scheduler.SequentialLR(optimizer, [warm, main], [warmup['length']]), per)
