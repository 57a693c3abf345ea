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
    sizes = (kernel, kernel) if is_int(kernel) else tuple(kernel) if isinstance(kernel, tuple | list) else ()
    if not (len(sizes) == dims and all(is_int(k) and k >= 1 for k in sizes)):
        sizes = (1,) * dims
    fitting = _fitting(sizes, options)
    trial = (1, channels, *fitting)
    asked = output if isinstance(output, tuple | list) else (output,) * dims
    outputs = [math.prod(max(n, 1) for n in asked if is_int(n)), _output_bound(layer, sizes, fitting, options)]
    if max(math.prod(trial), *outputs) <= TRIAL_ENTRIES:
        with no_grad():
            layer.forward(Tensor(np.zeros(trial, dtype)))


def _per_axis(options: dict[str, Any], name: str, axes: int) -> tuple[int, ...]:
    """Option `name` for each of `axes` axes (one that is no int or tuple of them counts as its default
    here: the functional refuses it)."""
    value, default = options.get(name, OPTION_DEFAULTS[name]), OPTION_DEFAULTS[name]
    values = tuple(value) if isinstance(value, tuple | list) else (value,) * axes
    valid = len(values) == axes and all(is_int(v) and v >= 0 for v in values)
    return values if valid else (default,) * axes


def _fitting(kernel: tuple[int, ...], options: dict[str, Any]) -> tuple[int, ...]:
    """An input size that valid options fit: the dilated kernel's span plus the padding on both sides."""
    dilation, padding = _per_axis(options, "dilation", len(kernel)), _per_axis(options, "padding", len(kernel))
    return tuple(d * (k - 1) + 1 + 2 * p for k, d, p in zip(kernel, dilation, padding))


def _output_bound(layer: Module, kernel: tuple[int, ...], fitting: tuple[int, ...], options: dict[str, Any]) -> int:
    """At most how many entries the trial's output has: its output channels over the input padded again,
    each entry spread over a stride by a transposed layer."""
    axes = len(kernel)
    padding, dilation = _per_axis(options, "padding", axes), _per_axis(options, "dilation", axes)
    stride = _per_axis(options, "stride", axes) if getattr(layer, "transposed", False) else (1,) * axes
    extra = _per_axis(options, "output_padding", axes) if getattr(layer, "transposed", False) else (0,) * axes
    spans = [
        (n + 2 * p) * max(s, 1) + d * k + e
        for n, p, s, d, k, e in zip(fitting, padding, stride, dilation, kernel, extra)
    ]
    channels = getattr(layer, "out_channels", 1)
    return math.prod(spans) * (channels if is_int(channels) and channels > 0 else 1)
