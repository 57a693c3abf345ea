"""What a derivative rule of your own is written with beyond the ops themselves: `unbroadcast`, a
broadcasting op's gradient summed back to its input's shape (PyTorch's `sum_to_size`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .graph import raw
from .modes import short
from .op_table_tensor import unbroadcast as _unbroadcast
from .shape_args import broadcasts_to, is_int


def unbroadcast(g: Any, shape: Any) -> Any:
    """g summed over the axes broadcasting added or stretched, back to `shape` (an input's: `np.shape(x)`):
    the gradient of an input that an op of yours broadcast, `unbroadcast(g * b, np.shape(a))` in the
    rule of `a * b`. An array in a plain backward, a Tensor, recorded, under create_graph; a number
    (a Value's op) as it is. A shape g was not broadcast from is a ValueError."""
    if isinstance(shape, int | np.integer) or not all(is_int(n) for n in shape):
        raise TypeError(f"unbroadcast: shape must be a tuple of ints (np.shape(x)), got {short(shape)}")
    shape = tuple(int(n) for n in shape)
    if isinstance(g, list | tuple):  # numbers as a rule may give them: summed as their array
        g = np.asarray(g)
    got = np.shape(raw(g))
    if not broadcasts_to(shape, got):
        raise ValueError(f"unbroadcast: a gradient of shape {got} is no broadcast of an input of shape {shape}")
    if not hasattr(g, "shape"):  # a number: its shape is ()
        return g
    return _unbroadcast(g, shape)
