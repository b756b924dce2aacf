"""Training an exported experiment plan: the engine's runs one after another, with its metrics.

A plan (written by ``src/export/pytorch.ts``) holds the validated config, the resolved model and the
stacked runs (label, method, replicate, draw seed, run key and the CSV columns the engine writes).
Each run trains a fresh :class:`~lrlab_torch.models.EngineNet` with the engine's initial weights on
the engine's minibatches: step t (0-based) takes rows permutation[e][(t mod S) B, (t mod S + 1) B) of
epoch e = t // S, S = floor(train rows / B). Under DDP each rank takes its contiguous slice of those
rows (the global batch is split across ranks) and gradients are averaged.
"""
import math
import time

import numpy as np
import torch
import torch.distributed as dist

from .autodrop import AutoDrop
from .controllers import RALR, ExpLR
from .data import epoch_permutation, steps_per_epoch
from .models import EngineNet, loss_and_correct, param_groups
from .modifiers import leap_band, leap_options, lrd_expected_rate, lrd_options
from .optim import optimizer_from_config
from .schedules import torch_scheduler

AUTODROP_KEYS = {'mode': 'mode', 'window': 'window', 'buffer': 'buffer', 'rho': 'rho', 'threshold': 'threshold',
                 'thresholdMode': 'threshold_mode', 'smoothing': 'smoothing', 'lrMin': 'lr_min', 'epsilon': 'epsilon',
                 'delay': 'delay', 'theta': 'theta', 'thetaMax': 'theta_max'}
RALR_KEYS = {'amplifyProb': 'amplify_prob', 'boundsMode': 'bounds_mode', 'factorLow': 'factor_low', 'factorHigh': 'factor_high',
             'rateLow': 'rate_low', 'rateHigh': 'rate_high', 'resample': 'resample', 'capAtInitialRate': 'cap_at_initial_rate'}


def snake(config, keys):
    """An engine config's camelCase fields as keyword arguments."""
    return {keys[k]: v for k, v in config.items() if k in keys}


def lrd_of(run):
    """LRD options of a run config (engine camelCase -> package snake_case), or None."""
    lrd = run.get('lrd')
    return None if lrd is None else lrd_options({'keep_prob': lrd['keepProb'], 'rescale': lrd.get('rescale', False),
                                                 'mask_decoupled_decay': lrd.get('maskDecoupledDecay', True)})


def leap_of(run):
    """LEAP options of a run config, or None."""
    leap = run.get('leap')
    return None if leap is None else leap_options({'sigma': leap['sigma'], 'granularity': leap.get('granularity', 'element'),
                                                   'form': leap.get('form', 'additive'), 'clip_negative': leap.get('clipNegative', False)})


def build_run(plan_run, net, steps, process_group=None):
    """(optimizer, controller chain) of one stacked run: base schedule -> RALR -> AutoDrop -> exp-LR."""
    run = plan_run['config']
    seed, run_key = plan_run['seed'], plan_run['runKey']
    optimizer = optimizer_from_config(param_groups(net), run.get('optimizer', {'rule': 'sgd'}), 1.0,
                                      lrd=lrd_of(run), leap=leap_of(run), seed=seed, run_key=run_key)
    scheduler = torch_scheduler(optimizer, run['schedule'], steps)
    if run.get('ralr'):
        scheduler = RALR(optimizer, scheduler, steps_per_epoch=steps, seed=seed, run_key=run_key, **snake(run['ralr'], RALR_KEYS))
    if run.get('autodrop'):
        scheduler = AutoDrop(optimizer, scheduler, process_group=process_group, **snake(run['autodrop'], AUTODROP_KEYS))
    if run.get('expLr'):
        exp = run['expLr']
        rule = run.get('optimizer', {}).get('rule', 'sgd')
        momentum = 0.0 if rule == 'sgd' else run['optimizer'].get('momentum', 0.9)
        scheduler = ExpLR(optimizer, scheduler, weight_decay=exp.get('weightDecay', 5e-4), form=exp.get('form', 'exact'),
                          renorm_max_rate=exp.get('renormMaxRate', 1e4), momentum=momentum)
    return optimizer, scheduler


def chart_rates(scheduler, optimizer, lrd, leap):
    """(lr, lr_expected, band low, band high) the engine records for the current step."""
    effective = getattr(scheduler, 'effective_lrs', None)
    rate = effective()[0] if effective else optimizer.param_groups[0]['lr']
    expected = lrd_expected_rate(lrd, rate) if lrd else rate
    low, high = leap_band(leap, expected) if leap else (None, None)
    return rate, expected, low, high


def _as_input(x, scale, shift, device):
    """Rows as float32 on the device: images x * scale + shift (in float32, as the gather kernel)."""
    tensor = torch.from_numpy(np.ascontiguousarray(x)).to(device)
    if tensor.dtype == torch.uint8:
        return tensor.float() * float(np.float32(scale)) + float(np.float32(shift))
    return tensor.float()


@torch.no_grad()
def evaluate(net, kind, split, batch, dataset, device):
    """(mean loss, accuracy) over the whole test split in eval mode, in batches of ``batch``."""
    net.eval()
    total_loss, correct, rows = 0.0, 0, len(split['y'])
    for start in range(0, rows, batch):
        x = _as_input(split['x'][start:start + batch], dataset['scale'], dataset['shift'], device)
        y = torch.from_numpy(split['y'][start:start + batch]).to(device)
        loss, right = loss_and_correct(kind, net(x), y)
        total_loss += float(loss) * len(y)
        correct += int(right)
    net.train()
    return total_loss / rows, correct / rows


class Distributed:
    """This process's place in a DistributedDataParallel job (rank 0 of 1 without one)."""

    def __init__(self, rank=0, world=1, device_ids=None):
        """``device_ids``: DDP's device_ids (CUDA) or None (CPU)."""
        self.rank, self.world, self.device_ids = rank, world, device_ids

    def all_sum(self, values, device):
        """Sum of a list of floats over ranks."""
        tensor = torch.tensor(values, dtype=torch.float64, device=device)
        if self.world > 1:
            dist.all_reduce(tensor)
        return tensor.tolist()


def train_run(plan, plan_run, dataset, *, device='cpu', total_steps=None, distributed=None, mask_steps=(), on_step=None):
    """Trains one stacked run; returns (records, final tensors by engine index, extras).

    ``records``: one dict per step (the engine's MetricRecord fields). ``extras``: AutoDrop's drop
    steps and decisions, and the LRD masks at ``mask_steps`` ({step: {tensor index: bool array}}).
    """
    distributed = distributed or Distributed()
    config, model = plan['config'], plan['model']
    batch = config['batch']
    train = dataset['train']
    steps = steps_per_epoch(len(train['y']), batch)
    budget = config['budget']['amount'] * (steps if config['budget']['unit'] == 'epochs' else 1)
    total = min(budget, total_steps or budget)
    net = EngineNet(model)
    net.initialize(config['seed'], plan_run['replicate'])
    net.to(device)
    trained = net
    if distributed.world > 1:
        if batch % distributed.world:
            raise ValueError(f'--ddp {distributed.world}: the batch ({batch}) must split evenly across the processes')
        if distributed.device_ids is not None and any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in net.modules()):
            net = torch.nn.SyncBatchNorm.convert_sync_batchnorm(net)
        trained = torch.nn.parallel.DistributedDataParallel(net, device_ids=distributed.device_ids)
    optimizer, scheduler = build_run(plan_run, net, steps)
    lrd, leap = lrd_of(plan_run['config']), leap_of(plan_run['config'])
    masks = {}
    if lrd and mask_steps:
        wanted = set(mask_steps)

        def record_mask(tensor_id, step, p):
            """Keeps the mask of a sampled step; draws nothing itself (returns None)."""
            if step in wanted:
                from .draws import lrd_keep_mask
                group = optimizer.param_groups[0]
                masks.setdefault(step, {})[tensor_id] = lrd_keep_mask(group['seed'], group['run_key'], tensor_id, step, p.numel(),
                                                                      lrd['keep_prob'], p.device).cpu()
            return None
        optimizer.draw_override = record_mask
    local = batch // distributed.world
    lo, hi = distributed.rank * local, (distributed.rank + 1) * local
    records, first_loss, frozen_from, diverged_at = [], None, None, None
    log_every, eval_every, factor = config['logEvery'], config['evalEvery'], config['divergence']['lossFactor']
    autodrop = next((s for s in _chain(scheduler) if isinstance(s, AutoDrop)), None)
    start = time.perf_counter()
    order = None
    for t in range(total):
        if t % steps == 0:
            order = epoch_permutation(len(train['y']), config['seed'], plan_run['replicate'], t // steps)
        rows = order[(t % steps) * batch:(t % steps + 1) * batch][lo:hi]
        x = _as_input(train['x'][rows], dataset['scale'], dataset['shift'], device)
        y = torch.from_numpy(train['y'][rows]).to(device)
        rate, expected, low, high = chart_rates(scheduler, optimizer, lrd, leap)
        loss, correct = loss_and_correct(model['loss'], trained(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        step = t + 1
        if frozen_from is None or step < frozen_from:
            optimizer.step()
        scheduler.step()
        loss_sum, right = distributed.all_sum([float(loss) * len(rows), float(correct)], device)
        value = loss_sum / batch
        first_loss = value if first_loss is None else first_loss
        if diverged_at is None and not value <= factor * max(first_loss, 1e-12):
            diverged_at = step
            frozen_from = (math.ceil(step / log_every) + 1) * log_every + 1
        records.append({'step': step, 'epoch': step / steps, 'trainLoss': value, 'trainAccuracy': right / batch, 'lr': rate,
                        'lrExpected': expected, 'lrBandLow': low, 'lrBandHigh': high,
                        'diverged': frozen_from is not None and step >= frozen_from,
                        'wallMs': (time.perf_counter() - start) * 1000})
        if autodrop is not None and step in autodrop.angles:
            records[-1]['angle'] = autodrop.angles[step]
        if eval_every > 0 and (step % eval_every == 0 or step == budget):
            records[-1]['testLoss'], records[-1]['testAccuracy'] = evaluate(net, model['loss'], dataset['test'], batch, dataset, device)
        if on_step:
            on_step(step, total)
    extras = {'masks': masks, 'drops': autodrop.drop_steps() if autodrop else [],
              'decisions': [(s, d['dropped']) for s, d in autodrop.decisions] if autodrop else [], 'diverged_at': diverged_at}
    return records, [p.detach().cpu().clone() for p in net.tensors], extras


def _chain(scheduler):
    """The controllers of a chain, outermost first."""
    while scheduler is not None:
        yield scheduler
        scheduler = getattr(scheduler, 'base', None)
