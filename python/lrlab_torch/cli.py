"""The command line of an exported experiment script (``npm run experiment -- cfg.json --pytorch train.py``).

``python train.py [--out FILE.csv] [--device cpu|cuda] [--ddp N] [--steps N] [--data-dir DIR]``
trains every run of the experiment and writes the engine's CSV. ``--ddp N`` starts N processes with
``torch.multiprocessing.spawn`` (gloo on the CPU, NCCL on CUDA, rendezvous on tcp://127.0.0.1) and
splits each global batch across them. ``--params FILE`` also saves the final parameters of every run,
AutoDrop's decisions of every rank and the LRD masks of ``--mask-steps`` (for the agreement tests).
"""
import argparse
import os
import re
import socket
import sys
import time

import torch
import torch.distributed as dist

from .csvout import runs_csv, runs_csv_path, to_csv
from .data import load_dataset
from .experiment import Distributed, train_run


def parse_args(plan, argv):
    """The options of the script; ``plan`` names the default output file."""
    slug = re.sub(r'[^\w-]+', '-', plan['config']['name']).strip('-').lower() or 'experiment'
    parser = argparse.ArgumentParser(description=f"LR Lab experiment \"{plan['config']['name']}\" in PyTorch: "
                                     'the engine\'s runs, initial weights, minibatch order and draws.')
    parser.add_argument('--out', default=f'{slug}.csv', help='the metrics CSV (the engine\'s columns; the runs table goes beside it as .runs.csv); default %(default)s')
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'], help='where to train (default cpu)')
    parser.add_argument('--ddp', type=int, default=1, metavar='N', help='N processes with DistributedDataParallel (default 1: none)')
    parser.add_argument('--steps', type=int, default=None, metavar='N', help='train at most N optimizer steps')
    parser.add_argument('--data-dir', default=None, metavar='DIR',
                        help='folder of the MNIST / Fashion-MNIST IDX files (default: public/data, or ./data)')
    parser.add_argument('--params', default=None, metavar='FILE', help='also save final parameters, AutoDrop decisions and LRD masks (torch.save)')
    parser.add_argument('--mask-steps', default='', metavar='LIST', help='steps whose LRD masks --params saves, e.g. 1,50,200')
    parser.add_argument('--runs', default='', metavar='LIST', help='train only these runs: indices or labels, comma-separated')
    parser.add_argument('--port', type=int, default=0, help='rendezvous port of --ddp (default: a free one)')
    options = parser.parse_args(argv)
    if options.ddp < 1 or (options.steps is not None and options.steps < 1):
        parser.error('--ddp and --steps must be positive integers')
    if options.device == 'cuda' and not torch.cuda.is_available():
        parser.error('--device cuda: torch.cuda.is_available() is False on this machine')
    if options.device == 'cuda' and options.ddp > torch.cuda.device_count():
        parser.error(f'--ddp {options.ddp} on CUDA needs as many GPUs (found {torch.cuda.device_count()})')
    options.mask_steps = [int(s) for s in options.mask_steps.split(',') if s.strip()]
    labels = [run['label'] for run in plan['runs']]
    chosen = [s.strip() for s in options.runs.split(',') if s.strip()]
    unknown = [c for c in chosen if c not in labels and not (c.isdigit() and int(c) < len(labels))]
    if unknown:
        parser.error(f"--runs: no run {', '.join(unknown)} (runs: {', '.join(f'{i} {label}' for i, label in enumerate(labels))})")
    options.runs = sorted({labels.index(c) if c in labels else int(c) for c in chosen}) or list(range(len(labels)))
    return options


def default_data_dir():
    """public/data (an LR Lab checkout) or ./data, whichever exists."""
    for candidate in ('public/data', 'data', os.path.join(os.path.dirname(os.path.abspath(sys.argv[0])), 'public', 'data')):
        if os.path.isdir(candidate):
            return candidate
    return 'public/data'


def _progress(label):
    """A progress line on stderr when it is a terminal (every 2 s and at the end)."""
    if not sys.stderr.isatty():
        return None
    last = [time.perf_counter()]

    def report(step, total):
        """Called after every step."""
        now = time.perf_counter()
        if step == total or now - last[0] > 2:
            last[0] = now
            end = '\r\033[K' if step == total else ''
            print(f'\r  {label}: step {step}/{total}', end=end, file=sys.stderr, flush=True)
    return report


def train_all(plan, options, rank=0, world=1):
    """Trains every run of the plan in this process; rank 0 writes the CSV (and --params)."""
    device = torch.device(f'cuda:{rank}' if options.device == 'cuda' else 'cpu')
    if options.device == 'cuda':
        torch.cuda.set_device(device)
        # float32 as the engine computes it: no TF32 in matmuls and convolutions (cuDNN allows it by default)
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    distributed = Distributed(rank, world, [rank] if options.device == 'cuda' and world > 1 else None)
    config = plan['config']
    dataset = load_dataset(config['dataset'], config['seed'], options.data_dir or default_data_dir())
    records, saved = [], []
    for index in options.runs:
        plan_run = plan['runs'][index]
        report = _progress(plan_run['label']) if rank == 0 else None
        run_records, tensors, extras = train_run(plan, plan_run, dataset, device=device, total_steps=options.steps,
                                                 distributed=distributed, mask_steps=options.mask_steps, on_step=report)
        records.extend({**record, 'run': index} for record in run_records)
        decisions = extras['decisions']
        if world > 1:
            gathered = [None] * world
            dist.all_gather_object(gathered, decisions)
            decisions = gathered
        else:
            decisions = [decisions]
        saved.append({'label': plan_run['label'], 'tensors': tensors, 'drops': extras['drops'], 'decisions': decisions,
                      'masks': extras['masks']})
        if rank == 0:
            last = run_records[-1]
            test = next((r for r in reversed(run_records) if 'testAccuracy' in r), None)
            accuracy = f"{test['testAccuracy']:.4f}" if test else '-'
            status = f"diverged at step {extras['diverged_at']}" if extras['diverged_at'] else 'ok'
            print(f"  {plan_run['label']:<24} train loss {last['trainLoss']:.4g}  test acc {accuracy}  {status}", file=sys.stderr)
    if rank == 0:
        with open(options.out, 'w', encoding='utf-8', newline='') as handle:
            handle.write(to_csv(plan['runs'], records))
        with open(runs_csv_path(options.out), 'w', encoding='utf-8', newline='') as handle:
            handle.write(runs_csv(config['name'], plan['runs']))
        written = [options.out, runs_csv_path(options.out)]
        if options.params:
            torch.save({'world': world, 'runs': saved}, options.params)
            written.append(options.params)
        print(f"wrote {' and '.join(written)}", file=sys.stderr)


def _worker(rank, plan, options, port):
    """One DDP process: joins the group (gloo on CPU, NCCL on CUDA) and trains."""
    world = options.ddp
    backend = 'nccl' if options.device == 'cuda' else 'gloo'
    torch.set_num_threads(max(1, (os.cpu_count() or 1) // world))
    dist.init_process_group(backend, init_method=f'tcp://127.0.0.1:{port}', rank=rank, world_size=world)
    try:
        train_all(plan, options, rank, world)
    finally:
        dist.destroy_process_group()


def free_port():
    """A free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def main(plan, argv=None):
    """Entry point of an exported script: returns the exit status."""
    options = parse_args(plan, argv)
    config = plan['config']
    runs = len(options.runs)
    where = options.device + (f' x {options.ddp} processes (DDP)' if options.ddp > 1 else '')
    print(f"{config['name']}: {runs} run{'s' if runs != 1 else ''} on {config['dataset']['name']}, {where}, torch {torch.__version__}",
          file=sys.stderr)
    if options.ddp > 1:
        import torch.multiprocessing as mp
        mp.spawn(_worker, args=(plan, options, options.port or free_port()), nprocs=options.ddp, join=True)
    else:
        train_all(plan, options)
    return 0
