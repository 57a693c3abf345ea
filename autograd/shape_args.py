"""The arguments of shape methods made plain and checked: dims (PyTorch) or axes (numpy) given one
by one or as one sequence, counted from the end when negative. Each bad argument is one error
naming the method, the argument and the tensor's shape."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

AxisError = np.exceptions.AxisError


def is_int(x: Any) -> bool:
    return isinstance(x, int | np.integer) and not isinstance(x, bool)


def ints(args: Sequence[Any], what: str, items: str = "its arguments") -> tuple[int, ...]:
    """Ints given one by one (`t.permute(1, 0)`) or as one sequence (`t.permute((1, 0))`); `items`
    names them in the error."""
    given = args
    if len(args) == 1 and not is_int(args[0]):
        try:
            args = tuple(args[0])
        except TypeError:  # one thing, neither an int nor a sequence: say so, not "not iterable"
            args = None
    if args is None or not all(is_int(a) for a in args):
        shown = given[0] if len(given) == 1 else given
        raise TypeError(f"{what}: {items} must be ints (one by one or as one sequence), got {shown!r}")
    return tuple(int(a) for a in args)


def dim(d: Any, ndim: int, what: str) -> int:
    """One dim of a tensor of `ndim` dims, in [0, ndim); a 0-d tensor takes 0 and -1 (as PyTorch)."""
    if not is_int(d):
        raise TypeError(f"{what}: a dim is an int, got {d!r}")
    n = max(ndim, 1)
    if not -n <= d < n:
        raise AxisError(f"{what}: dim {d} is out of range for a tensor of {ndim} dims (it takes {-n} to {n - 1})")
    return int(d) % n


def dims(ds: Sequence[Any], ndim: int, what: str) -> tuple[int, ...]:
    """Distinct dims, each in [0, ndim)."""
    out = tuple(dim(d, ndim, what) for d in ds)
    if len(set(out)) != len(out):
        raise ValueError(f"{what}: a dim appears more than once in {tuple(ds)}")
    return out


def permutation(axes: Sequence[int], ndim: int, what: str) -> tuple[int, ...]:
    """Every dim of a tensor of `ndim` dims once, in a new order."""
    if len(axes) != ndim:
        raise ValueError(
            f"{what} needs an order of all {ndim} dims, got {len(axes)}: {tuple(axes)} "
            "(to swap two dims use swapaxes(a, b))"
        )
    return dims(axes, ndim, what)


def sizes(args: Sequence[Any], what: str) -> tuple[int, ...]:
    """A shape given one by one or as one sequence: ints of at least -1 (-1: worked out or kept)."""
    out = ints(args, what, "sizes")
    if any(n < -1 for n in out):
        raise ValueError(f"{what}: sizes are non-negative (or -1), got {out}")
    return out
