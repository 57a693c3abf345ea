"""The arguments of shape methods and reductions made plain and checked: dims (PyTorch) or axes
(numpy) given one by one or as one sequence, counted from the end when negative, and sizes. The one
rule for an int argument (an int or a numpy integer: not a bool, a float or text) and for a
sequence of them (not bytes, whose items are ints). Each bad argument is one error naming the
method, the argument and the tensor's number of dims."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .modes import short
from .ordered import check_ordered
from .type_names import type_name

AxisError = np.exceptions.AxisError
# text: iterable, but no sequence of sizes or tensors (bytes and their kin iterate as ints, b"\x02\x03"
# as 2, 3; a str as its letters): given as one, a slip, refused
TEXT = (str, bytes, bytearray, memoryview)


def is_int(x: Any) -> bool:
    """Whether x is an int argument: a Python or numpy integer, or a 0-d integer array (numpy takes one
    for an axis), not a bool (True is no axis or size)."""
    if isinstance(x, int | np.integer):
        return not isinstance(x, bool | np.timedelta64)  # numpy makes a duration an np.integer
    return isinstance(x, np.ndarray) and x.ndim == 0 and x.dtype.kind in "iu"


def ints(args: Sequence[Any], what: str, items: str = "its arguments", ordered: bool = True) -> tuple[int, ...]:
    """Ints given one by one (`t.permute(1, 0)`) or as one sequence (`t.permute((1, 0))`); `items`
    names them in the error. A set is refused (check_ordered) unless not `ordered`: where their order does
    not count (flip's dims, as np.flip takes them)."""
    given = args
    if len(args) == 1 and not is_int(args[0]):
        if ordered:
            check_ordered(what, items, args[0])  # t.permute({1, 0}) would permute in its hashes' order
        try:
            args = None if isinstance(args[0], TEXT) else tuple(args[0])
        except TypeError:  # one thing, neither an int nor a sequence: say so, not "not iterable"
            args = None
    if args is None or not all(is_int(a) for a in args):
        shown = given[0] if len(given) == 1 else given
        raise TypeError(f"{what}: {items} must be ints (one by one or as one sequence), got {short(shown)}")
    return tuple(int(a) for a in args)


def dim(d: Any, ndim: int, what: str, name: str = "dim") -> int:
    """One dim of a tensor of `ndim` dims, in [0, ndim); a 0-d tensor takes 0 and -1 (as PyTorch).
    `name` is the argument's word in the errors (numpy's "axis")."""
    if not is_int(d):
        raise TypeError(f"{what}: {name} must be an int, got {type_name(d)} {short(d)}")
    n = max(ndim, 1)
    if not -n <= d < n:
        bounds = "out of bounds" if name == "axis" else "out of range"  # numpy's words for an axis, PyTorch's for a dim
        raise AxisError(f"{what}: {name} {short(int(d))} is {bounds} for a {ndim}-d tensor (it takes {-n} to {n - 1})")
    return int(d) % n


def dims(ds: Sequence[Any], ndim: int, what: str, name: str = "dim") -> tuple[int, ...]:
    """Distinct dims, each in [0, ndim)."""
    out = tuple(dim(d, ndim, what, name) for d in ds)
    if len(set(out)) != len(out):
        article = "an" if name == "axis" else "a"
        raise ValueError(f"{what}: {article} {name} appears more than once in {short(tuple(ds))}")
    return out


def dim_or_dims(given: Any, ndim: int, what: str, name: str = "dim") -> tuple[int, ...]:
    """One dim or a sequence of distinct ones (squeeze's, roll's, a reduction's), each in [0, ndim)."""
    plural = "axes" if name == "axis" else f"{name}s"
    return dims(ints((given,), what, plural), ndim, what, name)


def permutation(axes: Sequence[int], ndim: int, what: str) -> tuple[int, ...]:
    """Every dim of a tensor of `ndim` dims once, in a new order."""
    if len(axes) != ndim:
        raise ValueError(
            f"{what} needs an order of all {ndim} dims, got {len(axes)}: {short(tuple(axes))} "
            "(to swap two dims use swapaxes(a, b))"
        )
    return dims(axes, ndim, what)


def sizes(args: Sequence[Any], what: str) -> tuple[int, ...]:
    """A shape given one by one or as one sequence: ints of at least -1 (-1: worked out or kept)."""
    out = ints(args, what, "sizes")
    if any(n < -1 for n in out):
        raise ValueError(f"{what}: sizes are non-negative (or -1), got {short(out)}")
    return out


def broadcasts_to(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """Whether an array of `shape` broadcasts to `target` without growing it (a gradient of shape `target`
    can then be summed back to `shape`)."""
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False
