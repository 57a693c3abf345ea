"""A layer's options tried as it is made: one call of its functional on zeros of a fitting size, so that a
bad option is refused at construction, as PyTorch's layers refuse theirs, while the functionals stay the
one place that checks them."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, no_grad

from .arguments import is_int
from .module import Module

OPTION_DEFAULTS = {"stride": 1, "padding": 0, "dilation": 1, "output_padding": 0}


TRIAL_ENTRIES = 2**20  # the largest input a layer is tried on when it is made (4 MiB of float32)


def tried(
    layer: Module,
    kernel: Any,
    options: dict[str, Any],
    dims: int = 2,
    channels: int = 1,
    dtype: Any = np.float32,
    output: Any = 1,
) -> None:
    """Call `layer` once on zeros of a size its options all fit, so that the functional, which checks them
    at each call, refuses bad ones as the layer is made; unless that input or its output would be large
    (a padding of 20,000, 10,000 output channels over a padding of 500, a transposed stride of 1,000, an
    adaptive pool's `output` size of 6,000 x 6,000: gigabytes): then at the first call only. A kernel
    that is not `dims` sizes of at least 1 counts as 1s here, and so does a size asked below 1: the
    functional refuses them."""
    sizes = (kernel,) * dims if is_int(kernel) else tuple(kernel) if isinstance(kernel, tuple | list) else ()
    if not (len(sizes) == dims and all(is_int(k) and k >= 1 for k in sizes)):
        sizes = (1,) * dims
    fitting = _fitting(sizes, options)
    trial = (1, channels, *fitting)
    asked = output if isinstance(output, tuple | list) else (output,) * dims
    outputs = math.prod(max(n, 1) for n in asked if is_int(n)) * _output_entries(layer, sizes, fitting, options)
    # an option the functional refuses is refused before anything of the output's size is made
    refused = not all(_valid(options, name, dims) for name in options if name in OPTION_DEFAULTS)
    if math.prod(trial) <= TRIAL_ENTRIES and (refused or outputs <= TRIAL_ENTRIES):
        with no_grad():
            layer.forward(Tensor(np.zeros(trial, dtype), dtype=dtype))


def _valid(options: dict[str, Any], name: str, axes: int) -> bool:
    """Whether option `name` is an int, or one for each of `axes` axes, of at least its default (stride and
    dilation 1, the paddings 0)."""
    value, least = options.get(name, OPTION_DEFAULTS[name]), OPTION_DEFAULTS[name]
    values = tuple(value) if isinstance(value, tuple | list) else (value,) * axes
    return len(values) == axes and all(is_int(v) and v >= least for v in values)


def _per_axis(options: dict[str, Any], name: str, axes: int) -> tuple[int, ...]:
    """Option `name` for each of `axes` axes (one that is not `_valid` counts as its default here: the
    functional refuses it)."""
    if not _valid(options, name, axes):
        return (OPTION_DEFAULTS[name],) * axes
    value = options.get(name, OPTION_DEFAULTS[name])
    return tuple(value) if isinstance(value, tuple | list) else (value,) * axes


def _fitting(kernel: tuple[int, ...], options: dict[str, Any]) -> tuple[int, ...]:
    """An input size that valid options fit: the dilated kernel's span plus the padding on both sides."""
    dilation, padding = _per_axis(options, "dilation", len(kernel)), _per_axis(options, "padding", len(kernel))
    return tuple(d * (k - 1) + 1 + 2 * p for k, d, p in zip(kernel, dilation, padding))


def _output_entries(layer: Module, kernel: tuple[int, ...], fitting: tuple[int, ...], options: dict[str, Any]) -> int:
    """How many entries the trial's output has per entry of an adaptive size: the output channels over
    the output's size, the input padded again (PyTorch's sizes of a convolution and a transposed one)."""
    axes = len(kernel)
    padding, dilation = _per_axis(options, "padding", axes), _per_axis(options, "dilation", axes)
    stride = [max(s, 1) for s in _per_axis(options, "stride", axes)]
    if getattr(layer, "transposed", False):
        extra = _per_axis(options, "output_padding", axes)
        spans = [
            (n - 1) * s - 2 * p + d * (k - 1) + e + 1
            for n, s, p, d, k, e in zip(fitting, stride, padding, dilation, kernel, extra)
        ]
    else:
        spans = [
            (n + 2 * p - d * (k - 1) - 1) // s + 1 for n, s, p, d, k in zip(fitting, stride, padding, dilation, kernel)
        ]
    channels = getattr(layer, "out_channels", 1)
    return math.prod(max(n, 1) for n in spans) * (channels if is_int(channels) and channels > 0 else 1)
