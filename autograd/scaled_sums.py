"""Sums, means and running sums whose partial sums overflow where the result fits: [1e308, 1e308, 1, 2]'s
mean is 5e307, and [1e308, 1e308, -1e308]'s sum 1e308, where numpy's (and PyTorch's) are inf.

The fast result is kept wherever it is finite (one check on the small result); the entries that are not are
computed again on x·2**-k, k the bits of the count and one more, so that no partial sum of n entries of at
most the largest float can overflow. Multiplying by a power of two is exact but for entries below
2**(k - 1022), whose lost bits are far under one rounding of a sum that overflowed; dividing the result by
the power again rounds once, to inf where the exact result is beyond the float range (which inf rounds)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np


def _finite(out: Any) -> bool:
    """Whether every entry of a float result is finite, in well under a microsecond: a 0-d one by math.isfinite,
    an array by its sum (finite entries whose sum overflows are a false alarm: the second try gives them again)."""
    return math.isfinite(out if out.ndim == 0 else np.add.reduce(out, axis=None))


def unless_overflowed(out: Any, x: np.ndarray, axis: Any, keepdims: bool | None, reduce: Callable[..., Any]) -> Any:
    """`out` = reduce(x over axis) (np.sum, np.mean, np.cumsum; keepdims None: cumsum's, which takes none), with
    its non-finite entries computed again on scaled entries (a NaN or inf among x's gives the same there: inf -
    inf is NaN on either scale)."""
    if out.dtype.kind != "f" or _finite(out):
        return out
    axes = range(x.ndim) if axis is None else (axis,) if isinstance(axis, int | np.integer) else axis
    power = np.ldexp(np.ones((), x.dtype), -(math.prod(x.shape[a] for a in axes).bit_length() + 1))
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = reduce(x * power, axis) if keepdims is None else reduce(x * power, axis, keepdims=keepdims)
        again = scaled / power
    return np.where(np.isfinite(out), out, again)
