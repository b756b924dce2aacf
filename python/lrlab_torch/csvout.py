"""The engine's CSV exports (``src/experiment/export.ts``), two tables that join on ``run``: the
metrics in long format (one row per run per logged step, in step then run order, each row holding
only the run's identity and that step's numbers) and the runs (one row each, with every parameter).

Same columns in the same order; numbers printed as JavaScript prints them (shortest round trip,
integers without '.0', exponents as 1e-7); a cell a spreadsheet would run as a formula gets a leading
apostrophe; fields with a comma, a quote or a line break are quoted.
"""
import math

METRIC_COLUMNS = ('run', 'label', 'method', 'replicate', 'step', 'epoch', 'train_loss', 'train_accuracy', 'test_loss',
                  'test_accuracy', 'lr', 'lr_expected', 'lr_band_low', 'lr_band_high', 'angle', 'diverged', 'wall_ms')
RUN_COLUMNS = ('experiment', 'run', 'label', 'method', 'replicate', 'seed', 'run_key', 'optimizer', 'schedule', 'methods',
               'params')

FORMULA_START = ('=', '+', '-', '@', '\t', '\r')


def js_number(value):
    """A number as JavaScript's String(x) writes it ('' for None or NaN, as the engine's cell())."""
    if value is None:
        return ''
    if isinstance(value, bool):
        return '1' if value else '0'
    if isinstance(value, int):
        return str(value)
    value = float(value)
    if math.isnan(value):
        return ''
    if math.isinf(value):
        return 'Infinity' if value > 0 else '-Infinity'
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if 'e' in text:
        mantissa, exponent = text.split('e')
        exponent = int(exponent)
        if -7 < exponent < 21:
            sign, digits = ('-', mantissa[1:]) if mantissa.startswith('-') else ('', mantissa)
            digits = digits.replace('.', '')
            point = 1 + exponent
            if point <= 0:
                return f"{sign}0.{'0' * -point}{digits}"
            return f'{sign}{digits[:point]}.{digits[point:]}' if point < len(digits) else sign + digits + '0' * (point - len(digits))
        return f"{mantissa}e{'+' if exponent > 0 else '-'}{abs(exponent)}"
    return text


def _cell(value):
    """One CSV cell: strings formula-escaped and quoted when needed, numbers as JavaScript writes them."""
    if isinstance(value, str):
        text = "'" + value if value.startswith(FORMULA_START) else value
        quote = text != value or any(c in text for c in ',"\n\r') or text[:1] == ' ' or text[-1:] == ' '
        return '"' + text.replace('"', '""') + '"' if quote else text
    return js_number(value)


def to_csv(runs, records):
    """The metrics CSV text of ``records`` (dicts with 'run' and the MetricRecord fields), sorted by step then run.

    ``runs``: the plan's runs (label, method, replicate, ...).
    """
    lines = [','.join(METRIC_COLUMNS)]
    for r in sorted(records, key=lambda record: (record['step'], record['run'])):
        run = runs[r['run']]
        row = [r['run'], run['label'], run['method'], run['replicate'], r['step'], r['epoch'], r['trainLoss'],
               r['trainAccuracy'], r.get('testLoss'), r.get('testAccuracy'), r['lr'], r['lrExpected'], r.get('lrBandLow'),
               r.get('lrBandHigh'), r.get('angle'), 1 if r['diverged'] else 0, int(round(r['wallMs']))]
        lines.append(','.join(_cell(value) for value in row))
    return '\n'.join(lines) + '\n'


def runs_csv(experiment, runs):
    """The runs CSV text: one row per stacked run (its identity, seed, run key and the engine's cells for
    optimizer, schedule, methods and params)."""
    lines = [','.join(RUN_COLUMNS)]
    for index, run in enumerate(runs):
        meta = run['csv']
        row = [experiment, index, run['label'], run['method'], run['replicate'], run['seed'], run['runKey'],
               meta['optimizer'], meta['schedule'], meta['methods'], meta['params']]
        lines.append(','.join(_cell(value) for value in row))
    return '\n'.join(lines) + '\n'


def runs_csv_path(path):
    """Where the runs table goes beside the metrics CSV ``path``: x.csv → x.runs.csv (as the engine's CLI)."""
    return path[:-4] + '.runs.csv' if path.lower().endswith('.csv') else path + '.runs.csv'
