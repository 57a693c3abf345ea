"""The arguments of the creation functions, checked: a shape given as `(2, 3)` or `2, 3` (as
PyTorch), a dtype chainrule holds (bool, integer or floating point), numbers as Python's, and
values that fit the dtype they are stored in (dtype_fits)."""

from __future__ import annotations

import numbers
import sys
from typing import Any

import numpy as np

from .dtypes import dtype_of
from .graph import Node
from .modes import is_number
from .ordered import check_ordered
from .shape_args import TEXT, is_int
from .tensor_data import numbers_array, refuse_value
from .type_names import repr_of, type_name


def shape_of(sizes: tuple[Any, ...], name: str) -> tuple[int, ...]:
    """`zeros(2, 3)`, `zeros((2, 3))` and `zeros([2, 3])` all give (2, 3); `zeros(())` is 0-d."""
    if not sizes:
        raise TypeError(f"{name}() needs a shape: {name}(2, 3) or {name}((2, 3)); {name}(()) is 0-d")
    if len(sizes) == 1 and not (is_int(sizes[0]) or isinstance(sizes[0], numbers.Number)):
        refuse_text(sizes[0], name, "sizes are ints, one by one or as one sequence")
        check_ordered(name, "the shape", sizes[0])  # zeros({3, 2}) was (2, 3); numpy refuses a set too
        try:
            sizes = tuple(sizes[0])
        except TypeError:
            raise TypeError(f"{name}: a shape is ints or one sequence of ints, got {repr_of(sizes[0])}") from None
    for n in sizes:
        if not is_int(n):
            raise TypeError(f"{name}: sizes are ints, got {repr_of(n)} in {repr_of(sizes)}")
        if n < 0:
            raise ValueError(f"{name}: sizes are non-negative, got {n} in {tuple(sizes)!r}")
    return tuple(int(n) for n in sizes)


def refuse_text(x: Any, name: str, expected: str) -> None:
    """TypeError for text where a sequence of numbers or tensors is expected (`expected` says which):
    iterable, but bytes would be read as small ints (b"\\x02\\x03" as the shape (2, 3), b"ab" as the
    tensors 97 and 98) and a str as its letters. PyTorch refuses both."""
    if isinstance(x, TEXT):
        raise TypeError(f"{name}: {expected}, got {type_name(x)} {repr_of(x)}")


def like(t: Any, dtype: Any, name: str) -> tuple[tuple[int, ...], np.dtype]:
    """The shape and dtype (or `dtype`) of a `_like` function's t: a Tensor, or data Tensor() takes
    (refused as it refuses it: a ragged list, text, None; a Value does not mix with Tensors)."""
    refuse_value(t, name)
    data = t.data if isinstance(t, Node) else numbers_array(t, name)
    return data.shape, dtype_of(data.dtype if dtype is None else dtype, name)


def float_dtype(dtype: Any, name: str) -> np.dtype:
    """A floating-point dtype, for random draws from continuous distributions."""
    kind = dtype_of(dtype, name)
    if kind.kind != "f":
        raise TypeError(f"{name} draws real numbers: it needs a floating-point dtype, not {kind}")
    return kind


def real_number(value: Any, name: str) -> int | float:
    """A real argument as a Python int or float. numpy scalars are converted first, so that the
    arithmetic on them is exact (ints) or float64, never numpy's fixed width: np.uint8(5) - 6 wraps
    and np.float32 steps round."""
    if not is_number(value):
        raise TypeError(f"{name}: needs a real number, got {repr_of(value)}")
    return int(value) if isinstance(value, numbers.Integral) else float(value)


def check_count(count: int, name: str) -> None:
    """Refuse more values than an array can have (numpy's own error would not name the function)."""
    if count > sys.maxsize // 8:  # 8: the bytes of each float64 or int64 value computed
        raise ValueError(f"{name}: too many values: more than {sys.maxsize // 8} would not fit in memory")
