"""AutoDrop (Wang, Teng, Choromanska; UAI 2024): drops the rate when the angular velocity saturates.

Twin of ``src/optim/autodrop.ts`` (the decision) and ``shaders/angle.wgsl`` (the windows). Per window
of k optimizer steps, y_i is the mean parameter vector over the window (all parameters of the
optimizer, concatenated), s_i = y_i - y_{i-1} and omega_i = angle(s_i, s_{i-1}) in degrees from the
three dot products (s_i.s_{i-1}, |s_i|^2, |s_{i-1}|^2). 'uai2024' (default)::

    B.push(omega); if |B| >= m: sigma = min(std0(B), m/2); C = smooth(B, sigma); B.shift()
      if C_prev exists and C - C_prev < thr (|.| when 'absolute'): alpha <- max(lr_min, rho alpha); B = []; C_prev = none
      else C_prev = C

'v1': with D the last m changes |omega_i - omega_{i-1}|, once |D| = m: mean(D) < theta drops, theta <- min(theta_max, theta/rho).
A decision taken at the window that ends at (1-based) step e applies from step e + delay on, so
the result never depends on timing. Under DistributedDataParallel every rank holds the same
parameters; the dot products of rank 0 are broadcast anyway, so all ranks take the same decisions.
"""
import math

import torch
import torch.distributed as dist

from .controllers import Controller

DEFAULTS = dict(mode='uai2024', window=64, buffer=10, rho=0.95, threshold=0.1, threshold_mode='signed', smoothing='value',
                lr_min=0.0, epsilon=1e-12, delay=8, theta=0.1, theta_max=1.0)


def angle_from_dots(dot, norm_sq, prev_norm_sq, epsilon=1e-12):
    """(180/pi) acos(clamp(s.s_prev / (|s| |s_prev| + eps), -1, 1)) in degrees."""
    cosine = dot / (math.sqrt(norm_sq) * math.sqrt(prev_norm_sq) + epsilon)
    return 180 / math.pi * math.acos(min(1.0, max(-1.0, cosine)))


def std0(values):
    """Population standard deviation (ddof 0); 0 for fewer than two values."""
    n = len(values)
    if n < 2:
        return 0.0
    mean = 0.0
    for v in values:
        mean += v
    mean /= n
    squares = 0.0
    for v in values:
        squares += (v - mean) * (v - mean)
    return math.sqrt(squares / n)


def smooth_angles(buffer, sigma, mode='value'):
    """C = b + sum_j w_j (B_j - b) / sum_j w_j around the newest b; w_j Gaussian in value or in index distance."""
    n = len(buffer)
    newest = buffer[-1]
    two_sigma_sq = 2 * sigma * sigma
    if not two_sigma_sq > 0:
        return newest
    weighted = total = 0.0
    for j, value in enumerate(buffer):
        deviation = value - newest
        distance = deviation if mode == 'value' else j - (n - 1)
        weight = math.exp(-(distance * distance) / two_sigma_sq)
        weighted += weight * deviation
        total += weight
    return newest + weighted / total


class AutoDropDecider:
    """The per-run state machine of autodrop.ts: ``observe_angle(omega or None)`` once per window."""

    def __init__(self, config, initial_rate):
        """``config``: DEFAULTS' keys; ``initial_rate``: alpha_0 (reported alpha only; drops are factors)."""
        self.config = {**DEFAULTS, **config}
        self.state = {'windows': 0, 'lr': initial_rate, 'drops': 0, 'buffer': [], 'previous_smoothed': None,
                      'previous_angle': None, 'theta': self.config['theta']}

    def observe_angle(self, angle):
        """One window; returns the decision dict (window, angle, smoothed, change, dropped, lr)."""
        state, config = self.state, self.config
        window = state['windows']
        state['windows'] += 1
        decision = {'window': window, 'angle': None, 'smoothed': None, 'change': None, 'dropped': False, 'lr': state['lr']}
        if angle is None or not math.isfinite(angle):
            return decision
        decision['angle'] = angle
        if config['mode'] == 'v1':
            self._observe_v1(angle, decision)
        else:
            self._observe_uai(angle, decision)
        decision['lr'] = state['lr']
        return decision

    def _drop(self):
        """alpha <- max(lr_min, rho alpha)."""
        self.state['lr'] = max(self.config['lr_min'], self.config['rho'] * self.state['lr'])
        self.state['drops'] += 1

    def _observe_uai(self, angle, decision):
        """The 'uai2024' rule of the module docstring, after omega is known."""
        state, config = self.state, self.config
        state['buffer'].append(angle)
        if len(state['buffer']) < config['buffer']:
            return
        sigma = min(std0(state['buffer']), config['buffer'] / 2)
        smoothed = smooth_angles(state['buffer'], sigma, config['smoothing'])
        state['buffer'].pop(0)
        decision['smoothed'] = smoothed
        if state['previous_smoothed'] is not None:
            change = smoothed - state['previous_smoothed']
            decision['change'] = change
            tested = abs(change) if config['threshold_mode'] == 'absolute' else change
            if tested < config['threshold']:
                self._drop()
                state['buffer'] = []
                state['previous_smoothed'] = None
                decision['dropped'] = True
                return
        state['previous_smoothed'] = smoothed

    def _observe_v1(self, angle, decision):
        """The 'v1' rule: mean of the last m |omega_i - omega_{i-1}| against a growing theta."""
        state, config = self.state, self.config
        previous = state['previous_angle']
        state['previous_angle'] = angle
        if previous is None:
            return
        state['buffer'].append(abs(angle - previous))
        if len(state['buffer']) > config['buffer']:
            state['buffer'].pop(0)
        if len(state['buffer']) < config['buffer']:
            return
        mean_change = sum(state['buffer']) / len(state['buffer'])
        decision['smoothed'] = mean_change
        if mean_change < state['theta']:
            self._drop()
            state['theta'] = min(config['theta_max'], state['theta'] / config['rho'])
            state['buffer'] = []
            decision['dropped'] = True


class AutoDrop(Controller):
    """AutoDrop as a scheduler: watches the optimizer's parameters and drops the rate of every group.

    Per step (after ``optimizer.step()``): sum += theta - y_prev; at the end of each window of k steps
    s = sum / k, y_prev += s, and the dots of (s, s_prev) go to the decider. A drop decided at window
    end e multiplies the rate by rho from step e + delay on (floored at lr_min once dropped).
    ``decisions`` lists (window-end step, decision); ``angles`` maps window-end steps to omega.
    """

    def __init__(self, optimizer, base=None, *, window=64, buffer=10, rho=0.95, threshold=0.1, threshold_mode='signed',
                 smoothing='value', lr_min=0.0, epsilon=1e-12, delay=8, mode='uai2024', theta=0.1, theta_max=1.0,
                 params=None, process_group=None):
        """See the class docstring (the engine's autodrop config in snake_case); ``params`` default: the optimizer's."""
        config = dict(mode=mode, window=window, buffer=buffer, rho=rho, threshold=threshold, threshold_mode=threshold_mode,
                      smoothing=smoothing, lr_min=lr_min, epsilon=epsilon, delay=delay, theta=theta, theta_max=theta_max)
        if not (isinstance(window, int) and window >= 1 and isinstance(delay, int) and delay >= 1):
            raise ValueError(f'window and delay must be integers >= 1 (got {window}, {delay})')
        if not 0 < rho < 1:
            raise ValueError(f'rho must be in (0, 1), got {rho}')
        self.config = config
        self.params = list(params) if params is not None else [p for g in optimizer.param_groups for p in g['params']]
        self.process_group = process_group
        self.decider = AutoDropDecider(config, optimizer.param_groups[0]['lr'])
        self.sums = [torch.zeros_like(p) for p in self.params]
        self.y_prev = [torch.zeros_like(p) for p in self.params]
        self.s_prev = [torch.zeros_like(p) for p in self.params]
        self.windows_done = 0
        self.drops = []
        self.decisions = []
        self.angles = {}
        super().__init__(optimizer, base)

    def rates(self, t, base_lrs):
        """eta_base(t) times rho per drop in effect at t, floored at lr_min once dropped."""
        out = []
        for base in base_lrs:
            rate, dropped = base, False
            for from_step, factor in self.drops:
                if from_step <= t:
                    rate *= factor
                    dropped = True
            out.append(max(rate, self.config['lr_min']) if dropped else rate)
        return out

    def step(self):
        """After optimizer step s = last_epoch + 1: accumulate, close the window at s % k == 0, then the rates."""
        finished = self.last_epoch + 1
        with torch.no_grad():
            for total, p, y in zip(self.sums, self.params, self.y_prev):
                total.add_(p.detach() - y)
            if finished % self.config['window'] == 0:
                self._close_window(finished)
        super().step()

    @torch.no_grad()
    def _close_window(self, end_step):
        """s = sum / k, y_prev += s, the dots of (s, s_prev) (rank 0's under DDP), then the decision."""
        k = self.config['window']
        dots = torch.zeros(3, dtype=torch.float64, device=self.sums[0].device if self.sums else None)
        first = self.windows_done == 0
        for total, y, s_prev in zip(self.sums, self.y_prev, self.s_prev):
            s = total / k
            y.add_(s)
            total.zero_()
            if first:
                s_prev.zero_()
                continue
            s64, old64 = s.double(), s_prev.double()
            dots += torch.stack([(s64 * old64).sum(), (s64 * s64).sum(), (old64 * old64).sum()])
            s_prev.copy_(s)
        if dist.is_available() and dist.is_initialized() and dist.get_world_size(self.process_group) > 1:
            dist.broadcast(dots, 0, group=self.process_group)
        self.windows_done += 1
        angle = None
        if self.windows_done >= 3:
            dot, norm_sq, prev_norm_sq = dots.tolist()
            angle = angle_from_dots(dot, norm_sq, prev_norm_sq, self.config['epsilon'])
        decision = self.decider.observe_angle(angle)
        if decision['angle'] is not None:
            self.angles[end_step] = decision['angle']
        if decision['dropped']:
            self.drops.append((end_step + self.config['delay'] - 1, self.config['rho']))
        self.decisions.append((end_step, decision))

    def drop_steps(self):
        """The 1-based steps from which each drop applies (window end + delay)."""
        return [from_step + 1 for from_step, _ in self.drops]

    def _extra_state(self):
        """The decider, the windows, the drops and the running sums."""
        return {'decider': self.decider.state, 'windows_done': self.windows_done, 'drops': list(self.drops),
                'decisions': list(self.decisions), 'angles': dict(self.angles),
                'sums': self.sums, 'y_prev': self.y_prev, 's_prev': self.s_prev}

    def _load_extra_state(self, state):
        """Restores :meth:`_extra_state` (the tensors in place)."""
        self.decider.state = state['decider']
        self.windows_done, self.drops = state['windows_done'], [tuple(d) for d in state['drops']]
        self.decisions, self.angles = list(state['decisions']), dict(state['angles'])
        with torch.no_grad():
            for name in ('sums', 'y_prev', 's_prev'):
                for mine, saved in zip(getattr(self, name), state[name]):
                    mine.copy_(saved)
