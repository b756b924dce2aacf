"""lrlab_torch: LR Lab's learning-rate methods as torch.optim components, with the engine's draws.

Optimizers (``torch.optim`` conventions, each with LRD and LEAP): :class:`SGD` (plain, momentum,
Nesterov), :class:`Adam` (both epsilon placements), :class:`AdamW`, :class:`RMSprop`.
Global-rate controllers (``torch.optim.lr_scheduler`` style, each wrapping any base scheduler):
:class:`RALR`, :class:`AutoDrop`, :class:`ExpLR` (exact or TEXP); the base schedules map to
PyTorch's own (:func:`torch_scheduler`). The LRD masks and LEAP noise come from Philox-4x32-10
keyed by (seed, run_key, tensor, step, element): the same bits as the engine's WGSL kernels.
"""
from .autodrop import AutoDrop
from .controllers import RALR, Controller, ExpLR
from .optim import SGD, Adam, AdamW, EngineOptimizer, RMSprop
from .schedules import schedule_rate, torch_scheduler

__version__ = '0.1.0'
__all__ = ['SGD', 'Adam', 'AdamW', 'RMSprop', 'EngineOptimizer', 'RALR', 'AutoDrop', 'ExpLR', 'Controller',
           'schedule_rate', 'torch_scheduler']
