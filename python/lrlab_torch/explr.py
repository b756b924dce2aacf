"""Li & Arora's exponential learning rate (arXiv 1910.07454), the math (twin of ``src/optim/explr.ts``).

On a scale-invariant loss, SGD with PyTorch momentum gamma, coupled weight decay lambda and rates
eta_t follows the trajectory, up to a positive scale theta_t = c_t theta~_t, of SGD with momentum
gamma, NO weight decay and rates eta~_t = eta_t / (c_t c_{t+1}) (exact recurrence)::

    c_{-1} = c_0 = 1,  r_t = eta_t / eta_{t-1} (r_0 = 1)
    'exact': c_{t+1} = (1 + gamma r_t - eta_t lambda) c_t - gamma r_t c_{t-1}
    'texp':  c_{t+1} = alpha(eta_t) c_t     alpha = the larger root of x^2 - (1 + gamma - lambda eta) x + gamma

eta~ grows exponentially; the engine renormalizes by powers of two (exact in floating point):
k_t = max(0, k_{t-1}, ceil((log2 eta~_t - log2 max_rate) / 2)); it steps with eta~_t 4^-k_t and holds
theta~/2^k and the momentum buffer times 2^k. Everything here is float64 and online: eta~_t needs
only eta_0 .. eta_t.
"""
import math

RESCALE_BITS = 128
RESCALE_LOW = 2.0 ** -RESCALE_BITS
RESCALE_HIGH = 2.0 ** RESCALE_BITS


def exp_lr_roots(eta, lam, gamma):
    """(alpha, beta): alpha = (b + sqrt(b^2 - 4 gamma)) / 2 with b = 1 + gamma - lambda eta, beta = gamma / alpha."""
    if not (math.isfinite(eta) and eta > 0):
        raise ValueError(f'lr must be a finite number > 0 (got {eta})')
    b = 1 + gamma - lam * eta
    discriminant = b * b - 4 * gamma
    if discriminant < 0:
        raise ValueError(f'exp-LR has no real root for lr={eta}, weight_decay={lam}, momentum={gamma} '
                         '(needs weight_decay * lr <= (1 - sqrt(momentum))^2)')
    alpha = (b + math.sqrt(discriminant)) / 2
    if not alpha > 0:
        raise ValueError(f'exp-LR needs weight_decay * lr < 1 + momentum (got lr={eta}, weight_decay={lam})')
    return alpha, gamma / alpha


def closed_form_rate(eta, lam, gamma, t):
    """The theorem's closed form eta~_t = alpha^(-2t - 1) eta."""
    return eta * exp_lr_roots(eta, lam, gamma)[0] ** (-2 * t - 1)


def texp_boundary_multiplier(eta_before, eta_after, lam, gamma):
    """TEXP's multiplier at a phase boundary: (eta_I / eta_{I-1}) / (alpha_{I-1} alpha_I)."""
    return eta_after / eta_before / (exp_lr_roots(eta_before, lam, gamma)[0] * exp_lr_roots(eta_after, lam, gamma)[0])


def ldexp(x, n):
    """x 2^n without intermediate overflow of 2^n (as ldexp in explr.ts)."""
    while n > 1000:
        x *= 2.0 ** 1000
        n -= 1000
    while n < -1000:
        x *= 2.0 ** -1000
        n += 1000
    return x * 2.0 ** n


class ExpLrRecurrence:
    """c_t as mantissa 2^(-E_t) (rescaled by 2^+-128), fed one base rate eta_t per step, in order.

    ``push(eta_t)`` extends c to c_{t+1}; then :meth:`rate` (eta~_t), :meth:`log2_rate` and
    :meth:`scaled_rate` are known for t. The float operations are those of ScaleRecurrence in explr.ts.
    """

    def __init__(self, lam, gamma, form='exact'):
        """lambda (the weight decay being reproduced), gamma (momentum), form 'exact' or 'texp'."""
        if not (math.isfinite(lam) and lam >= 0):
            raise ValueError(f'weight_decay must be a finite number >= 0 (got {lam})')
        if not 0 <= gamma < 1:
            raise ValueError(f'momentum must be in [0, 1) (got {gamma})')
        if form not in ('exact', 'texp'):
            raise ValueError(f"form must be 'exact' or 'texp', got {form!r}")
        self.lam, self.gamma, self.form = lam, gamma, form
        self.etas = []
        self.mantissas = [1.0]
        self.exponents = [0]
        self._alpha_cache = (math.nan, math.nan)

    def _coefficients(self, t, eta):
        """(a_t, b_t) of c_{t+1} = a_t c_t - b_t c_{t-1}."""
        if self.form == 'texp':
            if eta != self._alpha_cache[0]:
                self._alpha_cache = (eta, exp_lr_roots(eta, self.lam, self.gamma)[0])
            return self._alpha_cache[1], 0.0
        ratio = eta / (eta if t == 0 else self.etas[t - 1])
        return 1 + self.gamma * ratio - eta * self.lam, self.gamma * ratio

    def push(self, eta):
        """Adds eta_t for the next t and computes c_{t+1}."""
        if not (math.isfinite(eta) and eta > 0):
            raise ValueError(f'exp-LR: the base LR eta_{len(self.etas)} must be a finite number > 0 (got {eta})')
        t = len(self.etas)
        self.etas.append(eta)
        a, b = self._coefficients(t, eta)
        exponent = self.exponents[t]
        previous = 1.0 if t == 0 else ldexp(self.mantissas[t - 1], exponent - self.exponents[t - 1])
        nxt = a * self.mantissas[t] - b * previous
        if not (nxt > 0) or not math.isfinite(nxt):
            raise ValueError(f'exp-LR: c_{t + 1} = {nxt} is not positive: the LR ratio is too large for an equivalent run')
        next_exponent = exponent
        if nxt < RESCALE_LOW:
            nxt, next_exponent = nxt * RESCALE_HIGH, exponent + RESCALE_BITS
        elif nxt > RESCALE_HIGH:
            nxt, next_exponent = nxt * RESCALE_LOW, exponent - RESCALE_BITS
        self.mantissas.append(nxt)
        self.exponents.append(next_exponent)

    def _parts(self, t):
        """eta_t / (m_t m_{t+1}) and E_t + E_{t+1}: eta~_t = that * 2^(E_t + E_{t+1})."""
        return self.etas[t] / (self.mantissas[t] * self.mantissas[t + 1]), self.exponents[t] + self.exponents[t + 1]

    def rate(self, t):
        """eta~_t (after push of eta_t)."""
        mantissa, exponent = self._parts(t)
        return ldexp(mantissa, exponent)

    def scale(self, t):
        """c_t."""
        return ldexp(self.mantissas[t], -self.exponents[t])

    def log2_rate(self, t):
        """log2 eta~_t, finite for every t."""
        mantissa, exponent = self._parts(t)
        return math.log2(mantissa) + exponent

    def scaled_rate(self, t, k):
        """eta~_t 4^-k without intermediate overflow."""
        mantissa, exponent = self._parts(t)
        return ldexp(mantissa, exponent - 2 * k)


class RenormPlan:
    """The engine's power-of-two renormalization of an exp-LR run over an :class:`ExpLrRecurrence`."""

    def __init__(self, recurrence, max_rate=1e4):
        """k_t = max(0, k_{t-1}, ceil((log2 eta~_t - log2 max_rate) / 2))."""
        if not (math.isfinite(max_rate) and max_rate > 0):
            raise ValueError(f'renorm_max_rate must be a finite number > 0 (got {max_rate})')
        self.recurrence = recurrence
        self.log2_max = math.log2(max_rate)
        self.exponents = []

    def exponent(self, t):
        """k_t (needs eta_t pushed)."""
        while len(self.exponents) <= t:
            known = len(self.exponents)
            needed = math.ceil((self.recurrence.log2_rate(known) - self.log2_max) / 2)
            self.exponents.append(max(0, self.exponents[-1] if known else 0, needed))
        return self.exponents[t]

    def rate(self, t):
        """The rate the engine steps with at t: eta~_t 4^-k_t."""
        return self.recurrence.scaled_rate(t, self.exponent(t))

    def transition(self, t):
        """(theta factor, momentum factor) from k_{t-1} to k_t, applied at the end of step t - 1."""
        factor = 2.0 ** (self.exponent(t) - (self.exponent(t - 1) if t > 0 else 0))
        return 1 / factor, factor
