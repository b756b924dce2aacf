"""Global-rate controllers in the ``torch.optim.lr_scheduler`` style: RALR and the exponential LR.

A controller sits on top of a base scheduler (any PyTorch scheduler, another controller, or None for
the optimizer's constant rates) and is stepped once after every ``optimizer.step()``, like a PyTorch
scheduler. Each step it hands the groups back to the base as the base left them, steps the base,
reads the base rates eta_t and writes its own rate for the next step t. Chains nest in the engine's
order: base schedule -> RALR -> AutoDrop's drops -> exponential LR, e.g.
``ExpLR(opt, base=AutoDrop(opt, base=RALR(opt, base=StepLR(opt, 30))))``.
"""
import copy

import torch

from .explr import ExpLrRecurrence, RenormPlan
from .philox import STREAM_PURPOSE, RandomStream, stream_id


class Controller:
    """Base of the controllers: ``step()``, ``get_last_lr()``, ``state_dict()``/``load_state_dict()``.

    ``last_epoch`` is t, the 0-based index of the optimizer step the current rates are for (PyTorch's
    name). Subclasses implement :meth:`rates` (t, base rates per group) -> rates per group.
    """

    def __init__(self, optimizer, base=None):
        """Reads the base rates for step 0 (the base scheduler, if any, was built first) and applies its own."""
        self.optimizer = optimizer
        self.base = base
        self.last_epoch = 0
        self.base_lrs_now = [group['lr'] for group in optimizer.param_groups]
        self._last_lr = self._apply()

    def rates(self, t, base_lrs):
        """The rates of step t from the base rates of step t (one per group)."""
        raise NotImplementedError

    def effective_lrs(self):
        """The rates a chart shows for the current step (exp-LR: the true eta~_t); default the applied rates."""
        return list(self._last_lr)

    def _apply(self):
        """Writes this controller's rates for step last_epoch into the groups; returns them."""
        lrs = self.rates(self.last_epoch, self.base_lrs_now)
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group['lr'] = lr
        return lrs

    def step(self):
        """After an optimizer step: the base's rates for the next step, then this controller's."""
        for group, lr in zip(self.optimizer.param_groups, self.base_lrs_now):
            group['lr'] = lr
        if self.base is not None:
            self.base.step()
        self.last_epoch += 1
        self.base_lrs_now = [group['lr'] for group in self.optimizer.param_groups]
        self._last_lr = self._apply()

    def get_last_lr(self):
        """The rates this controller set for the current step, one per group."""
        return list(self._last_lr)

    def _extra_state(self):
        """A subclass's own state for :meth:`state_dict`."""
        return {}

    def _load_extra_state(self, state):
        """Restores :meth:`_extra_state`."""

    def state_dict(self):
        """Counters, the base's state and the subclass's state (picklable; tensors included)."""
        return {'last_epoch': self.last_epoch, 'base_lrs_now': list(self.base_lrs_now), 'last_lr': list(self._last_lr),
                'base': None if self.base is None else self.base.state_dict(), **copy.deepcopy(self._extra_state())}

    def load_state_dict(self, state):
        """Restores :meth:`state_dict` and writes the restored rates into the optimizer's groups."""
        self.last_epoch = state['last_epoch']
        self.base_lrs_now = list(state['base_lrs_now'])
        self._last_lr = list(state['last_lr'])
        if self.base is not None:
            self.base.load_state_dict(state['base'])
        self._load_extra_state(copy.deepcopy(state))
        for group, lr in zip(self.optimizer.param_groups, self._last_lr):
            group['lr'] = lr


class RALR(Controller):
    """RALR, random amplification of the global rate (Deng et al., Appl. Sci. 12(1):268), on any base.

    The rule is the spec's reconstruction (UNCONFIRMED; the defaults are the project's choice). At each
    resampling period j (the epoch, or the step with ``resample='step'``), u, v ~ U[0, 1) are the first
    two uniforms of RandomStream(seed, stream_id(ralr, run_key, resample, j)); when u < amplify_prob:
    eta_t = eta_base(t) r with r = factor_low + (factor_high - factor_low) v ('factor'), or
    eta_t = max(eta_base(t), rate_low + (rate_high - rate_low) v) ('absolute'); capped at
    max(eta_base(0), eta_base(t)) with ``cap_at_initial_rate``. One draw for all groups (a global rate).
    """

    def __init__(self, optimizer, base=None, *, amplify_prob=0.1, bounds_mode='factor', factor_low=1.0, factor_high=10.0,
                 rate_low=None, rate_high=None, resample='epoch', cap_at_initial_rate=False, steps_per_epoch=None,
                 seed=0, run_key=0):
        """See the class docstring (the engine's ralr config in snake_case, plus the draw keys)."""
        if not 0 <= amplify_prob <= 1:
            raise ValueError(f'amplify_prob must be in [0, 1], got {amplify_prob}')
        if bounds_mode not in ('factor', 'absolute') or resample not in ('epoch', 'step'):
            raise ValueError(f'bounds_mode must be factor|absolute and resample epoch|step (got {bounds_mode!r}, {resample!r})')
        if bounds_mode == 'factor' and not 1 <= factor_low <= factor_high:
            raise ValueError(f'need 1 <= factor_low <= factor_high (got {factor_low}, {factor_high})')
        if bounds_mode == 'absolute' and (rate_low is None or rate_high is None or not 0 < rate_low <= rate_high):
            raise ValueError(f'absolute bounds need 0 < rate_low <= rate_high (got {rate_low}, {rate_high})')
        if resample == 'epoch' and not steps_per_epoch:
            raise ValueError("steps_per_epoch is required when resample is 'epoch'")
        self.amplify_prob, self.bounds_mode, self.resample = amplify_prob, bounds_mode, resample
        self.bounds = (factor_low, factor_high) if bounds_mode == 'factor' else (rate_low, rate_high)
        self.cap_at_initial_rate, self.steps_per_epoch = cap_at_initial_rate, steps_per_epoch
        self.seed, self.run_key = seed, run_key
        self.initial_lrs = [group['lr'] for group in optimizer.param_groups]
        super().__init__(optimizer, base)

    def draw(self, j):
        """(amplified, value) of resampling period j: value is r ('factor') or eta ('absolute')."""
        resample_code = 0 if self.resample == 'epoch' else 1
        stream = RandomStream(self.seed, stream_id(STREAM_PURPOSE['ralr'], self.run_key, resample_code, j))
        u = stream.uniform()
        v = stream.uniform()
        low, high = self.bounds
        return u < self.amplify_prob, low + (high - low) * v

    def period(self, t):
        """j of step t: t // steps_per_epoch, or t."""
        return t // self.steps_per_epoch if self.resample == 'epoch' else t

    def rates(self, t, base_lrs):
        """eta_base r or max(eta_base, eta_drawn) when amplified, then the cap; else eta_base."""
        amplified, value = self.draw(self.period(t))
        if not amplified:
            return list(base_lrs)
        out = []
        for base, initial in zip(base_lrs, self.initial_lrs):
            rate = base * value if self.bounds_mode == 'factor' else max(base, value)
            out.append(min(rate, max(initial, base)) if self.cap_at_initial_rate else rate)
        return out


def _momentum_of(group):
    """gamma of a group's rule: 0 for plain SGD (the engine's rule 'sgd'), else its momentum."""
    if group.get('rule') == 'sgd':
        return 0.0
    return float(group.get('momentum', 0.0))


class ExpLR(Controller):
    """Li & Arora's exponential LR (exact recurrence or TEXP) replacing weight decay, with renormalization.

    Train WITHOUT weight decay; ``weight_decay`` is the lambda of the run being reproduced. The rate
    applied at step t is eta~_t 4^-k_t; when k grows, the parameters are divided and the momentum
    buffers multiplied by 2^(k_t - k_{t-1}) (exact: powers of two), as the engine does.
    ``effective_lrs()`` gives eta~_t itself. ``momentum`` defaults to the group's (0 for rule 'sgd').
    """

    def __init__(self, optimizer, base=None, *, weight_decay=5e-4, form='exact', renorm_max_rate=1e4, momentum=None,
                 renormalize=True):
        """See the class docstring (the engine's expLr config in snake_case)."""
        groups = optimizer.param_groups
        self.recurrences = [ExpLrRecurrence(weight_decay, _momentum_of(g) if momentum is None else momentum, form) for g in groups]
        self.plans = [RenormPlan(r, renorm_max_rate) for r in self.recurrences]
        self.renormalize = renormalize
        self.config = dict(weight_decay=weight_decay, form=form, renorm_max_rate=renorm_max_rate, momentum=momentum)
        super().__init__(optimizer, base)

    def rates(self, t, base_lrs):
        """Pushes eta_t into each group's recurrence; renormalizes state on a new k_t; returns eta~_t 4^-k_t."""
        out = []
        for group, recurrence, plan, eta in zip(self.optimizer.param_groups, self.recurrences, self.plans, base_lrs):
            if len(recurrence.etas) == t:
                recurrence.push(eta)
            if self.renormalize:
                out.append(plan.rate(t))
                if t > 0:
                    self._rescale(group, *plan.transition(t))
            else:
                out.append(recurrence.rate(t))
        return out

    @torch.no_grad()
    def _rescale(self, group, theta_factor, momentum_factor):
        """theta *= theta_factor and momentum buffers *= momentum_factor (powers of two: exact)."""
        if theta_factor == 1:
            return
        for p in group['params']:
            p.mul_(theta_factor)
            buffer = self.optimizer.state.get(p, {}).get('momentum_buffer')
            if buffer is not None:
                buffer.mul_(momentum_factor)

    def effective_lrs(self):
        """eta~_t per group (before renormalization)."""
        return [r.rate(self.last_epoch) for r in self.recurrences]

    def _extra_state(self):
        """The base rates seen so far (the recurrences are rebuilt from them)."""
        return {'etas': [list(r.etas) for r in self.recurrences]}

    def _load_extra_state(self, state):
        """Rebuilds the recurrences and renormalization plans from the saved base rates."""
        for recurrence, plan, etas in zip(self.recurrences, self.plans, state['etas']):
            recurrence.__init__(recurrence.lam, recurrence.gamma, recurrence.form)
            plan.exponents = []
            for eta in etas:
                recurrence.push(eta)
