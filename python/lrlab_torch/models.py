"""The engine's networks in PyTorch, built from a resolved model (``src/nn/spec.ts`` resolveModel).

A resolved model lists the layers (dense, conv2d, maxpool2, batchnorm, activation, flatten) with
their shapes and the indices of their parameter tensors, and the tensors in the engine's order with
their init (he_uniform, glorot_uniform, zeros, ones), fans, ``trainable`` and ``decay`` flags. Each
tensor keeps the engine's element order, so that the per-element draws line up: a dense weight is
[in, out] (y = x W + b, unlike nn.Linear), a conv weight [filters, channels, k, k] (as nn.Conv2d).
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .philox import STREAM_PURPOSE, RandomStream, stream_id

LEAKY_SLOPE = 0.01


def activate(kind, x):
    """The engine's activations: none, relu, tanh, sigmoid, leaky_relu (0.01), gelu (tanh approximation)."""
    if kind == 'relu':
        return F.relu(x)
    if kind == 'tanh':
        return torch.tanh(x)
    if kind == 'sigmoid':
        return torch.sigmoid(x)
    if kind == 'leaky_relu':
        return F.leaky_relu(x, LEAKY_SLOPE)
    if kind == 'gelu':
        return F.gelu(x, approximate='tanh')
    return x


def init_tensor(tensor, index, seed, replicate):
    """Initial values of engine tensor ``index`` for a replicate (float64, then stored as float32).

    He-uniform U(+-sqrt(6/fan_in)), Glorot-uniform U(+-sqrt(6/(fan_in + fan_out))), zeros or ones;
    element i = (2u_i - 1) limit with u from RandomStream(seed, stream_id(init, replicate, index)).
    """
    size = int(np.prod(tensor['shape'])) if tensor['shape'] else 1
    if tensor['init'] == 'zeros':
        return np.zeros(size)
    if tensor['init'] == 'ones':
        return np.ones(size)
    fan = tensor['fanIn'] if tensor['init'] == 'he_uniform' else tensor['fanIn'] + tensor['fanOut']
    limit = math.sqrt(6 / fan)
    words = np.asarray(RandomStream(seed, stream_id(STREAM_PURPOSE['init'], replicate, index)).uint32_list(size), dtype=np.uint64)
    uniform = (words >> np.uint64(8)).astype(np.float64) * 2.0 ** -24
    return (2 * uniform - 1) * limit


class Dense(nn.Module):
    """y = act(x W + b) with W of shape [in, out] (the engine's layout)."""

    def __init__(self, in_features, units, bias, activation):
        """Parameters are filled by :class:`EngineNet` from the engine's init."""
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(in_features, units))
        self.bias = nn.Parameter(torch.zeros(units)) if bias else None
        self.activation = activation

    def forward(self, x):
        """act(x W + b)."""
        y = x @ self.weight
        if self.bias is not None:
            y = y + self.bias
        return activate(self.activation, y)


class Conv(nn.Module):
    """Stride-1 'same' conv2d (padding (k - 1)/2), then the activation."""

    def __init__(self, channels, filters, kernel, bias, activation):
        """Parameters are filled by :class:`EngineNet` from the engine's init."""
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(filters, channels, kernel, kernel))
        self.bias = nn.Parameter(torch.zeros(filters)) if bias else None
        self.padding = (kernel - 1) // 2
        self.activation = activation

    def forward(self, x):
        """act(conv2d(x, W, b))."""
        return activate(self.activation, F.conv2d(x, self.weight, self.bias, padding=self.padding))


class Activation(nn.Module):
    """An activation layer."""

    def __init__(self, kind):
        """``kind``: an engine activation name."""
        super().__init__()
        self.kind = kind

    def forward(self, x):
        """act(x)."""
        return activate(self.kind, x)


class Flatten(nn.Module):
    """[B, ...] -> [B, features] (row-major, as the engine)."""

    def forward(self, x):
        """x reshaped to [B, -1]."""
        return x.reshape(x.shape[0], -1)


def _layer_module(layer):
    """The module of one resolved layer."""
    spec = layer['spec']
    kind = spec['kind']
    if kind == 'dense':
        return Dense(layer['inShape'][0], spec['units'], layer.get('bias') is not None, layer['activation'])
    if kind == 'conv2d':
        return Conv(layer['inShape'][0], spec['filters'], spec['kernelSize'], layer.get('bias') is not None, layer['activation'])
    if kind == 'maxpool2':
        return nn.MaxPool2d(2)
    if kind == 'batchnorm':
        bn = nn.BatchNorm2d if len(layer['inShape']) == 3 else nn.BatchNorm1d
        return bn(layer['inShape'][0], eps=spec.get('eps', 1e-5), momentum=spec.get('momentum', 0.1), affine=spec.get('affine', True))
    if kind == 'activation':
        return Activation(layer['activation'])
    if kind == 'flatten':
        return Flatten()
    raise ValueError(f'unknown layer kind {kind!r}')


class EngineNet(nn.Module):
    """The network of a resolved model; ``tensors[i]`` is the parameter of engine tensor i."""

    def __init__(self, model):
        """Builds the layers (parameters zero until :meth:`initialize`)."""
        super().__init__()
        self.model = model
        self.input_shape = list(model['inputShape'])
        self.layers = nn.ModuleList(_layer_module(layer) for layer in model['layers'])
        tensors = [None] * len(model['tensors'])
        for module, layer in zip(self.layers, model['layers']):
            for key, name in (('weight', 'weight'), ('bias', 'bias'), ('gamma', 'weight'), ('beta', 'bias')):
                if layer.get(key) is not None:
                    tensors[layer[key]] = getattr(module, name)
        self.tensors = tensors
        for param, spec in zip(self.tensors, model['tensors']):
            param.requires_grad_(spec['trainable'])

    @torch.no_grad()
    def initialize(self, seed, replicate):
        """The engine's initial weights of replicate ``replicate`` (float64 draws rounded to float32)."""
        for index, (param, spec) in enumerate(zip(self.tensors, self.model['tensors'])):
            values = init_tensor(spec, index, seed, replicate).astype(np.float32).reshape(param.shape)
            param.copy_(torch.from_numpy(values))

    def forward(self, x):
        """Logits of a batch of rows (flat features are reshaped to the input shape)."""
        x = x.reshape(x.shape[0], *self.input_shape)
        for layer in self.layers:
            x = layer(x)
        return x


def loss_and_correct(kind, logits, labels):
    """(mean loss, correct count): softmax cross-entropy, or MSE against one-hot (or +-1 for one output)."""
    if kind == 'mse':
        width = logits.shape[1]
        if width == 1:
            target = (labels == 1).to(logits.dtype).mul(2).sub(1).unsqueeze(1)
            correct = ((logits[:, 0] > 0) == (labels == 1)).sum()
        else:
            target = F.one_hot(labels, width).to(logits.dtype)
            correct = (logits.argmax(1) == labels).sum()
        return ((logits - target) ** 2).mean(), correct
    return F.cross_entropy(logits, labels), (logits.argmax(1) == labels).sum()


def param_groups(net):
    """Two groups of the trainable tensors: with weight decay (weights) and without (biases, BN affine),
    each with its engine tensor indices as ``tensor_ids`` (the keys of the draws)."""
    groups = []
    for decay in (True, False):
        items = [(i, p) for i, (p, spec) in enumerate(zip(net.tensors, net.model['tensors'])) if spec['trainable'] and spec['decay'] == decay]
        if items:
            group = {'params': [p for _, p in items], 'tensor_ids': [i for i, _ in items]}
            if not decay:
                group['weight_decay'] = 0.0
            groups.append(group)
    return groups
