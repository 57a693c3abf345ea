"""How gradcheck reads its inputs: each a point to check, in float64 (a number, a Value, an array, a Tensor
that requires grad), or a constant passed to f as it is; and the fresh copies f is given of them."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .dtypes import REAL_KINDS
from .graph import Node
from .modes import is_real
from .tensor import Tensor
from .value import Value


def _point(x: Any, name: str) -> Any:
    """The input as float64: a float for a Value or number, an array for a Tensor or array (of real
    numbers: text, a bool or a complex number is refused, not read as a number). A Tensor that does
    not require grad (a target) and an array of integers or bools (labels, indices, a mask) are a
    constant, a Tensor copy of them as they are: PyTorch's gradcheck passes what does not require grad
    to f unchecked (a rule gives it None), and as floats labels could index nothing."""
    if isinstance(x, Tensor | np.ndarray):
        data = np.asarray(x.data if isinstance(x, Tensor) else x)
        if data.dtype.kind in "biu" or (isinstance(x, Tensor) and not x.requires_grad and data.dtype.kind == "f"):
            return Tensor(data.copy(), dtype=data.dtype)
        if data.dtype.kind not in REAL_KINDS:
            raise TypeError(f"gradcheck: {name} is an array of dtype {data.dtype}; give real numbers (floats)")
        if data.dtype != np.float64:
            warnings.warn(
                f"gradcheck: {name} is {data.dtype}; checking in float64 (finite differences need its precision)",
                stacklevel=3,
            )
        return data.astype(np.float64)
    if isinstance(x, Value):
        return x.data
    if not is_real(x):
        raise TypeError(f"gradcheck: {name} is {type(x).__name__} {x!r}; give a number, a Value, an array or a Tensor")
    return float(x)


def _is_constant(point: Any) -> bool:
    """Whether `_point` made this input a constant (a Tensor), passed to f as it is and not checked."""
    return isinstance(point, Tensor)


def unchecked(points: list[Any], names: list[str]) -> str:
    """The lines a failed check's table ends with naming the inputs passed to f as constants (no rows)."""
    return "".join(
        f"\n{name}: not checked, passed to f as it is ({_CONSTANTS.get(p.dtype.kind, 'integers')})"
        for p, name in zip(points, names)
        if _is_constant(p)
    )


_CONSTANTS = {"f": "a Tensor that does not require grad; requires_grad=True checks it", "b": "bools"}


def _copy(point: Any) -> Any:
    if isinstance(point, Tensor):  # a constant: f gets a copy of its own, which it must leave as it is
        return Tensor(point.data.copy(), dtype=point.dtype)
    return point.copy() if isinstance(point, np.ndarray) else point


def _leaf(point: Any, name: str = "") -> Node:
    if isinstance(point, Tensor):
        point.label = name
        return point
    if isinstance(point, np.ndarray):
        return Tensor(point, requires_grad=True, label=name)
    return Value(point, name)
