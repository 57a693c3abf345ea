"""The arguments of the creation functions, checked: a shape given as `(2, 3)` or `2, 3` (as
PyTorch), and a dtype chainrule holds (bool, integer or floating point)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .dtypes import DATA_KINDS


def shape_of(sizes: tuple[Any, ...], name: str) -> tuple[int, ...]:
    """`zeros(2, 3)`, `zeros((2, 3))` and `zeros([2, 3])` all give (2, 3); `zeros(())` is 0-d."""
    if not sizes:
        raise TypeError(f"{name}() needs a shape: {name}(2, 3) or {name}((2, 3)); {name}(()) is 0-d")
    if len(sizes) == 1 and not isinstance(sizes[0], numbers.Number):
        try:
            sizes = tuple(sizes[0])
        except TypeError:
            raise TypeError(f"{name}: a shape is ints or one sequence of ints, got {sizes[0]!r}") from None
    for n in sizes:
        if not isinstance(n, numbers.Integral) or isinstance(n, bool):
            raise TypeError(f"{name}: sizes are ints, got {n!r} in {sizes!r}")
        if n < 0:
            raise ValueError(f"{name}: sizes are non-negative, got {n} in {tuple(sizes)!r}")
    return tuple(int(n) for n in sizes)


def dtype_of(dtype: Any, name: str, default: Any = np.float32) -> np.dtype:
    """A dtype a Tensor holds: bool, integer or floating point; float32 (Tensor's default) if None."""
    try:
        kind = np.dtype(default if dtype is None else dtype)
    except TypeError:
        raise TypeError(f"{name}: {dtype!r} is not a dtype") from None
    if kind.kind not in DATA_KINDS:
        raise TypeError(f"{name}: tensors hold bool, integer or floating-point numbers, not dtype {kind}")
    return kind


def float_dtype(dtype: Any, name: str) -> np.dtype:
    """A floating-point dtype, for random draws from continuous distributions."""
    kind = dtype_of(dtype, name)
    if kind.kind != "f":
        raise TypeError(f"{name} draws real numbers: it needs a floating-point dtype, not {kind}")
    return kind
