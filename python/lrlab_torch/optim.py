"""The engine's update rules as ``torch.optim`` optimizers, each with LRD and LEAP.

Every element of every parameter follows the fused update of ``shaders/update.wgsl`` (float64 twin
``src/reference/optim.ts``), in the same order of operations::

    d = g + lambda_c * theta                          coupled L2 (PyTorch's weight_decay)
    rule -> increment u (the state sees the FULL d):
      sgd       u = d
      momentum  b = d (first step) | gamma * b + (1 - tau) * d;   u = b
      nesterov  b as momentum;                                    u = d + gamma * b
      adam      m = beta1 m + (1 - beta1) d;  v = beta2 v + (1 - beta2) d^2
                'standard'     u = c1 m / (c2 sqrt(v) + eps),  c1 = 1/(1 - beta1^t), c2 = 1/sqrt(1 - beta2^t)
                'lrd_official' u = c1 m / (sqrt(v) + eps),     c1 = sqrt(1 - beta2^t)/(1 - beta1^t)
      rmsprop   v = alpha v + (1 - alpha) d^2;  u = n / (sqrt(v) + eps),  n = g ('lrd_official') or d ('clean')
    per element: lr_i = LEAP(lr) (or lr), k_i = LRD keep factor (or 1), k'_i = k_i if LRD masks decoupled decay
    theta <- theta - lr_i k_i u - lr_i k'_i lambda_d theta        lambda_d: decoupled decay (AdamW, SGDW)

The draws of LRD and LEAP come from Philox keyed by (seed, run_key, tensor id, step, element)
(``draws.py``): the tensor id of a parameter is its position among all parameters of the optimizer
(``tensor_ids`` of a group overrides it), the step is the parameter's own step count, the element
its index in the flattened tensor. In float32 the hyperparameters are rounded to float32 as the
engine's per-run words are, so a parameter updates as the engine's kernel updates it.
"""
import numpy as np
import torch
from torch.optim import Optimizer

from .draws import leap_normal, lrd_keep_mask
from .modifiers import leap_options, lrd_keep_scale, lrd_options

RULES = ('sgd', 'momentum', 'nesterov', 'adam', 'rmsprop')


def _const(value, dtype):
    """A hyperparameter as the kernel sees it: rounded to float32 for float32 parameters."""
    return float(np.float32(value)) if dtype == torch.float32 else float(value)


def _one_minus(value, dtype):
    """1 - value computed in the parameter's precision (the kernel computes 1.0 - beta in f32)."""
    if dtype == torch.float32:
        return float(np.float32(1.0) - np.float32(value))
    return 1.0 - value


def _product(a, b, dtype):
    """a * b in the parameter's precision (rate * decay as the kernel multiplies them)."""
    if dtype == torch.float32:
        return float(np.float32(a) * np.float32(b))
    return a * b


def adam_constants(beta1, beta2, step, placement):
    """Adam's (c1, c2) at 1-based step t in float64: see the module docstring."""
    bias1 = 1 - beta1 ** step
    bias2 = 1 - beta2 ** step
    if placement == 'standard':
        return 1 / bias1, 1 / bias2 ** 0.5
    return bias2 ** 0.5 / bias1, 1.0


class EngineOptimizer(Optimizer):
    """Base of the engine's optimizers: param groups, per-parameter state, LRD/LEAP, Philox draws.

    Subclasses set the rule of a group (:meth:`_rule`) and its defaults. ``draw_override``, when set,
    is called as ``draw_override(tensor_id, step, param)`` and may return ``{'mask': M, 'rate': R}``
    tensors that replace the drawn LRD mask and LEAP rate (the spec's injected test vectors).
    """

    def __init__(self, params, defaults):
        """Common defaults of every group: LRD/LEAP options, draw keys and decay mode."""
        self._next_tensor_id = 0
        self.draw_override = None
        super().__init__(params, defaults)

    def add_param_group(self, param_group):
        """Adds a group (torch.optim semantics) and numbers its tensors for the draws."""
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        count = len(group['params'])
        if group.get('tensor_ids') is None:
            group['tensor_ids'] = list(range(self._next_tensor_id, self._next_tensor_id + count))
        elif len(group['tensor_ids']) != count:
            raise ValueError(f"tensor_ids has {len(group['tensor_ids'])} entries for {count} parameters")
        self._next_tensor_id = max([self._next_tensor_id - 1, *group['tensor_ids']]) + 1
        group['lrd'] = lrd_options(group.get('lrd'))
        group['leap'] = leap_options(group.get('leap'))
        for key in ('seed', 'run_key'):
            if not isinstance(group[key], int) or not 0 <= group[key] < 2 ** 32:
                raise ValueError(f'{key} must be an integer in [0, 2^32), got {group[key]!r}')
        if group['lr'] < 0 or group['weight_decay'] < 0:
            raise ValueError(f"lr and weight_decay must be >= 0 (got {group['lr']}, {group['weight_decay']})")
        self._rule(group)

    def _rule(self, group):
        """The rule code of a group (one of RULES)."""
        raise NotImplementedError

    def _increment(self, group, p, grad, d, state):
        """u of the rule; updates the per-parameter state with the full d."""
        raise NotImplementedError

    @torch.no_grad()
    def step(self, closure=None):
        """One optimizer step over every parameter with a gradient; ``closure`` re-evaluates the loss."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p, tensor_id in zip(group['params'], group['tensor_ids']):
                if p.grad is None:
                    continue
                if p.grad.is_sparse:
                    raise RuntimeError(f'{type(self).__name__} does not support sparse gradients')
                self._update(group, p, tensor_id)
        return loss

    def _update(self, group, p, tensor_id):
        """The fused update of one parameter (module docstring), in place."""
        dtype = p.dtype
        state = self.state[p]
        state['step'] = state.get('step', 0) + 1
        grad = p.grad
        decoupled = group['decoupled_weight_decay']
        l2 = 0.0 if decoupled else _const(group['weight_decay'], dtype)
        d = grad + l2 * p if l2 != 0 else grad
        u = self._increment(group, p, grad, d, state)
        lr = _const(group['lr'], dtype)
        rate, keep = self._modifiers(group, p, tensor_id, state['step'], lr)
        decay = _const(group['weight_decay'], dtype) if decoupled else 0.0
        if rate is None and keep is None:
            decay_term = p * _product(lr, decay, dtype) if decay != 0 else None
            p.sub_(u * lr)
        else:
            rate_t = lr if rate is None else rate
            applied = rate_t * keep if keep is not None else rate_t
            decay_keep = keep if keep is not None and group['lrd']['mask_decoupled_decay'] else None
            decay_term = None
            if decay != 0:
                decay_rate = rate_t * decay_keep if decay_keep is not None else rate_t
                decay_term = decay_rate * decay * p if torch.is_tensor(decay_rate) else p * _product(decay_rate, decay, dtype)
            p.sub_(applied * u)
        if decay_term is not None:
            p.sub_(decay_term)

    def _modifiers(self, group, p, tensor_id, step, lr):
        """(LEAP rate tensor or None, LRD keep-factor tensor or None) of this step."""
        lrd, leap = group['lrd'], group['leap']
        injected = self.draw_override(tensor_id, step, p) if self.draw_override else None
        injected = injected or {}
        dtype, count = p.dtype, p.numel()
        rate = keep = None
        if leap is not None or 'rate' in injected:
            if 'rate' in injected:
                rate = injected['rate'].to(dtype).reshape(p.shape)
            else:
                z = leap_normal(group['seed'], group['run_key'], tensor_id, step, count, leap['granularity'], p.device).to(dtype)
                sigma = _const(leap['sigma'], dtype)
                rate = (z * sigma + 1.0) * lr if leap['form'] == 'multiplicative' else z * sigma + lr
                if leap['clip_negative']:
                    rate = rate.clamp_min(0.0)
                rate = rate.reshape(p.shape) if rate.numel() == count else rate.reshape([1] * p.dim())
        if lrd is not None:
            if 'mask' in injected:
                mask = injected['mask'].to(dtype).reshape(p.shape)
            else:
                mask = lrd_keep_mask(group['seed'], group['run_key'], tensor_id, step, count, lrd['keep_prob'], p.device)
                mask = mask.to(dtype).reshape(p.shape)
            keep = mask * _const(lrd_keep_scale(lrd), dtype)
        return rate, keep


def _common_defaults(lr, weight_decay, decoupled_weight_decay, lrd, leap, seed, run_key):
    """The defaults every optimizer's groups share."""
    return dict(lr=lr, weight_decay=weight_decay, decoupled_weight_decay=decoupled_weight_decay,
                lrd=lrd, leap=leap, seed=seed, run_key=run_key, tensor_ids=None)


class SGD(EngineOptimizer):
    """SGD, momentum (PyTorch convention: the buffer starts at the first d) and Nesterov, with LRD/LEAP.

    ``SGD(params, lr, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, decoupled_weight_decay=False,
    lrd=None, leap=None, seed=0, run_key=0)``: torch.optim.SGD's arguments plus the engine's. momentum 0
    is plain SGD (dampening unused), else the momentum rule (``nesterov`` for Nesterov's).
    """

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, *,
                 decoupled_weight_decay=False, lrd=None, leap=None, seed=0, run_key=0, rule=None):
        """See the class docstring; ``rule`` forces 'sgd', 'momentum' or 'nesterov' (the engine's rule names)."""
        if not 0 <= momentum < 1 or not 0 <= dampening <= 1:
            raise ValueError(f'momentum must be in [0, 1) and dampening in [0, 1] (got {momentum}, {dampening})')
        defaults = _common_defaults(lr, weight_decay, decoupled_weight_decay, lrd, leap, seed, run_key)
        defaults.update(momentum=momentum, dampening=dampening, nesterov=nesterov, rule=rule)
        super().__init__(params, defaults)

    def _rule(self, group):
        """'sgd' for momentum 0, else 'momentum' or 'nesterov' (or the forced rule)."""
        rule = group.get('rule')
        if rule is None:
            if group['nesterov'] and group['momentum'] <= 0:
                raise ValueError('Nesterov momentum requires a momentum > 0')
            rule = 'sgd' if group['momentum'] == 0 else 'nesterov' if group['nesterov'] else 'momentum'
        if rule not in ('sgd', 'momentum', 'nesterov'):
            raise ValueError(f"SGD rule must be 'sgd', 'momentum' or 'nesterov', got {rule!r}")
        return rule

    def _increment(self, group, p, grad, d, state):
        """b = d on the first step, else gamma b + (1 - tau) d; u = b, d + gamma b (Nesterov), or d."""
        rule = self._rule(group)
        if rule == 'sgd':
            return d
        gamma = _const(group['momentum'], p.dtype)
        buf = state.get('momentum_buffer')
        if buf is None:
            buf = d.clone()
            state['momentum_buffer'] = buf
        else:
            buf.mul_(gamma).add_(d, alpha=_one_minus(group['dampening'], p.dtype))
        return d.add(buf, alpha=gamma) if rule == 'nesterov' else buf


class Adam(EngineOptimizer):
    """Adam with both epsilon placements of the spec, coupled L2 or decoupled decay, LRD and LEAP.

    ``eps_placement='standard'`` is PyTorch's Adam (lr m_hat / (sqrt(v_hat) + eps));
    ``'lrd_official'`` is the official LRD code's (old PyTorch) form, lr sqrt(1 - beta2^t)/(1 - beta1^t) m / (sqrt(v) + eps).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, *, eps_placement='standard',
                 decoupled_weight_decay=False, lrd=None, leap=None, seed=0, run_key=0):
        """See the class docstring."""
        if not (0 <= betas[0] < 1 and 0 <= betas[1] < 1) or not eps > 0:
            raise ValueError(f'betas must be in [0, 1) and eps > 0 (got {betas}, {eps})')
        if eps_placement not in ('standard', 'lrd_official'):
            raise ValueError(f"eps_placement must be 'standard' or 'lrd_official', got {eps_placement!r}")
        defaults = _common_defaults(lr, weight_decay, decoupled_weight_decay, lrd, leap, seed, run_key)
        defaults.update(betas=tuple(betas), eps=eps, eps_placement=eps_placement)
        super().__init__(params, defaults)

    def _rule(self, group):
        """Adam (AdamW is Adam with decoupled decay)."""
        return 'adam'

    def _increment(self, group, p, grad, d, state):
        """m, v with the full d; u = c1 m / (c2 sqrt(v) + eps)."""
        dtype = p.dtype
        beta1, beta2 = group['betas']
        if 'exp_avg' not in state:
            state['exp_avg'] = torch.zeros_like(p, memory_format=torch.preserve_format)
            state['exp_avg_sq'] = torch.zeros_like(p, memory_format=torch.preserve_format)
        m, v = state['exp_avg'], state['exp_avg_sq']
        m.mul_(_const(beta1, dtype)).add_(d, alpha=_one_minus(beta1, dtype))
        v.mul_(_const(beta2, dtype)).addcmul_(d, d, value=_one_minus(beta2, dtype))
        c1, c2 = adam_constants(beta1, beta2, state['step'], group['eps_placement'])
        return (m * _const(c1, dtype)) / (v.sqrt() * _const(c2, dtype) + _const(group['eps'], dtype))


class AdamW(Adam):
    """Adam with decoupled weight decay (theta -= lr lambda theta, masked by LRD by default); PyTorch's defaults."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, *, eps_placement='standard',
                 lrd=None, leap=None, seed=0, run_key=0):
        """See :class:`Adam`; the decay is always decoupled."""
        super().__init__(params, lr, betas, eps, weight_decay, eps_placement=eps_placement, decoupled_weight_decay=True,
                         lrd=lrd, leap=leap, seed=seed, run_key=run_key)


class RMSprop(EngineOptimizer):
    """RMSprop without momentum, the official LRD code's form or the clean (PyTorch) form, with LRD/LEAP.

    ``form='lrd_official'`` (the engine's default): u = g / (sqrt(v) + eps), the decay only in v;
    ``form='clean'``: u = (g + lambda theta) / (sqrt(v) + eps), torch.optim.RMSprop's rule.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, *, form='lrd_official',
                 decoupled_weight_decay=False, lrd=None, leap=None, seed=0, run_key=0):
        """See the class docstring."""
        if not 0 <= alpha < 1 or not eps > 0:
            raise ValueError(f'alpha must be in [0, 1) and eps > 0 (got {alpha}, {eps})')
        if form not in ('lrd_official', 'clean'):
            raise ValueError(f"form must be 'lrd_official' or 'clean', got {form!r}")
        defaults = _common_defaults(lr, weight_decay, decoupled_weight_decay, lrd, leap, seed, run_key)
        defaults.update(alpha=alpha, eps=eps, form=form)
        super().__init__(params, defaults)

    def _rule(self, group):
        """RMSprop."""
        return 'rmsprop'

    def _increment(self, group, p, grad, d, state):
        """v with the full d; u = n / (sqrt(v) + eps)."""
        dtype = p.dtype
        if 'square_avg' not in state:
            state['square_avg'] = torch.zeros_like(p, memory_format=torch.preserve_format)
        v = state['square_avg']
        v.mul_(_const(group['alpha'], dtype)).addcmul_(d, d, value=_one_minus(group['alpha'], dtype))
        numerator = d if group['form'] == 'clean' else grad
        return numerator / (v.sqrt() + _const(group['eps'], dtype))


def optimizer_from_config(param_groups, config, lr, *, lrd=None, leap=None, seed=0, run_key=0):
    """The optimizer of an engine config ``{'rule', 'momentum', ...}`` (camelCase, defaults filled).

    ``param_groups``: dicts with 'params' (and 'weight_decay' 0 for tensors without decay, 'tensor_ids').
    """
    rule = config['rule']
    common = dict(lrd=lrd, leap=leap, seed=seed, run_key=run_key)
    decay = config.get('weightDecay', 0.0)
    decoupled = config.get('weightDecayMode') == 'decoupled' or (rule == 'adamw' and config.get('weightDecayMode') is None)
    if rule in ('sgd', 'momentum', 'nesterov'):
        return SGD(param_groups, lr, config.get('momentum', 0.9), config.get('dampening', 0.0), decay,
                   decoupled_weight_decay=decoupled, rule=rule, **common)
    if rule in ('adam', 'adamw'):
        return Adam(param_groups, lr, (config.get('beta1', 0.9), config.get('beta2', 0.999)), config.get('eps', 1e-8), decay,
                    eps_placement=config.get('adamEps', 'standard'), decoupled_weight_decay=decoupled, **common)
    if rule == 'rmsprop':
        return RMSprop(param_groups, lr, config.get('rmsAlpha', 0.99), config.get('eps', 1e-8), decay,
                       form=config.get('rmspropForm', 'lrd_official'), decoupled_weight_decay=decoupled, **common)
    raise ValueError(f'unknown optimizer rule {rule!r}')
