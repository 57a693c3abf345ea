"""Sums, means and running sums whose partial sums overflow where the result fits: [1e308, 1e308, 1, 2]'s
mean is 5e307, and [1e308, 1e308, -1e308]'s sum 1e308, where numpy's (and PyTorch's) are inf.

The fast result is kept wherever it is finite (one check on the small result); the entries that are not are
computed again on x·2**-k, k the bits of the count and one more, so that no partial sum of n entries of at
most the largest float can overflow. Multiplying by a power of two is exact but for entries below
2**(k - 1022), whose lost bits are far under one rounding of a sum that overflowed; dividing the result by
the power again rounds once, to inf where the exact result is beyond the float range (which inf rounds)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def unless_overflowed(
    out: np.ndarray, x: np.ndarray, count: int, axis: Any, keepdims: bool | None, reduce: Callable[..., Any]
) -> np.ndarray:
    """`out` = reduce(x over axis) (np.sum, np.mean, np.cumsum), with its non-finite entries computed again
    on scaled entries (a NaN or inf among x's gives the same there: inf - inf is NaN on either scale)."""
    if x.dtype.kind != "f" or np.all(np.isfinite(out)):
        return out
    power = np.ldexp(np.ones((), x.dtype), -(int(count).bit_length() + 1))
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = reduce(x * power, axis) if keepdims is None else reduce(x * power, axis, keepdims=keepdims)
        again = scaled / power
    return np.where(np.isfinite(out), out, again)
