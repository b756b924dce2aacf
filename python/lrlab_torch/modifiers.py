"""LRD and LEAP, the per-element learning-rate modifiers, as options of a parameter group.

Learning Rate Dropout (Lin et al., arXiv 1912.00144): each element keeps its rate this step with
probability ``keep_prob``, else its update is skipped: theta -= lr * (M * u), M_i ~ Bernoulli(keep_prob).
LEAP (Liu et al., arXiv 2208.11873; the rule is the spec's UNCONFIRMED reconstruction):
lr_i = lr + sigma * z (additive) or lr * (1 + sigma * z) (multiplicative), z ~ N(0, 1) per element
(or per tensor, or one per run), optionally clipped at 0. The optimizer state always sees the full
gradient; only the applied increment is modified. Names follow the engine's config in snake_case.
"""

LRD_DEFAULTS = {'keep_prob': 0.5, 'rescale': False, 'mask_decoupled_decay': True}
LEAP_DEFAULTS = {'sigma': 0.01, 'granularity': 'element', 'form': 'additive', 'clip_negative': False}
LEAP_GRANULARITIES = ('element', 'tensor', 'global')
LEAP_FORMS = ('additive', 'multiplicative')


def _merge(kind, value, defaults, shorthand):
    """A full options dict from None/False (off), True (defaults), a number (the shorthand key) or a dict."""
    if value is None or value is False:
        return None
    if value is True:
        return dict(defaults)
    if isinstance(value, (int, float)):
        return {**defaults, shorthand: float(value)}
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(defaults))
        if unknown:
            raise ValueError(f'{kind}: unknown option(s) {", ".join(unknown)} (known: {", ".join(defaults)})')
        return {**defaults, **value}
    raise TypeError(f'{kind}: expected None, True, a number or a dict, got {type(value).__name__}')


def lrd_options(value):
    """LRD options: None (off), True, a keep probability, or a dict of keep_prob / rescale / mask_decoupled_decay."""
    options = _merge('lrd', value, LRD_DEFAULTS, 'keep_prob')
    if options is not None and not 0 < options['keep_prob'] <= 1:
        raise ValueError(f"lrd.keep_prob must be in (0, 1], got {options['keep_prob']}")
    return options


def leap_options(value):
    """LEAP options: None (off), True, a sigma, or a dict of sigma / granularity / form / clip_negative."""
    options = _merge('leap', value, LEAP_DEFAULTS, 'sigma')
    if options is None:
        return None
    if not options['sigma'] >= 0:
        raise ValueError(f"leap.sigma must be >= 0, got {options['sigma']}")
    if options['granularity'] not in LEAP_GRANULARITIES:
        raise ValueError(f"leap.granularity must be one of {', '.join(LEAP_GRANULARITIES)}, got {options['granularity']!r}")
    if options['form'] not in LEAP_FORMS:
        raise ValueError(f"leap.form must be one of {', '.join(LEAP_FORMS)}, got {options['form']!r}")
    return options


def lrd_keep_scale(options):
    """The factor of a kept element: 1, or 1/keep_prob when rescaling."""
    return 1.0 / options['keep_prob'] if options['rescale'] else 1.0


def lrd_expected_rate(options, rate):
    """E[lr * M * scale] = lr * keep_prob (lr when rescaled): the rate the charts plot for LRD."""
    return rate if options['rescale'] else rate * options['keep_prob']


def leap_band(options, rate):
    """The +-1 sigma band of LEAP's per-element rate around ``rate``: (low, high)."""
    spread = options['sigma'] if options['form'] == 'additive' else options['sigma'] * rate
    low = rate - spread
    return (max(0.0, low) if options['clip_negative'] else low), rate + spread
