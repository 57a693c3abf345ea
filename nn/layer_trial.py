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
    at each call, refuses bad ones as the layer is made; unless that input, or the `output` size asked
    (an adaptive pool's), would be large (a padding of 20,000: gigabytes): then at the first call only. A
    kernel that is not `dims` sizes of at least 1 counts as 1s here: the functional refuses it."""
    sizes = (kernel, kernel) if is_int(kernel) else tuple(kernel) if isinstance(kernel, tuple | list) else ()
    if not (len(sizes) == dims and all(is_int(k) and k >= 1 for k in sizes)):
        sizes = (1,) * dims
    trial = (1, channels, *_fitting(sizes, options))
    asked = output if isinstance(output, tuple | list) else (output,) * dims
    if max(math.prod(trial), math.prod(n for n in asked if is_int(n))) <= TRIAL_ENTRIES:
        with no_grad():
            layer.forward(Tensor(np.zeros(trial, dtype)))


def _fitting(kernel: tuple[int, ...], options: dict[str, Any]) -> tuple[int, ...]:
    """An input size that valid options fit: the dilated kernel's span plus the padding on both sides
    (an option that is no int or tuple of them counts as its default here: the functional refuses it)."""

    def per_axis(name: str) -> tuple[int, ...]:
        value, default = options.get(name, OPTION_DEFAULTS[name]), OPTION_DEFAULTS[name]
        values = tuple(value) if isinstance(value, tuple | list) else (value,) * len(kernel)
        valid = len(values) == len(kernel) and all(is_int(v) and v >= 0 for v in values)
        return values if valid else (default,) * len(kernel)

    return tuple(d * (k - 1) + 1 + 2 * p for k, d, p in zip(kernel, per_axis("dilation"), per_axis("padding")))
