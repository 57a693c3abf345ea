"""`a // b` on Tensors and Values, as PyTorch's `//` (torch.floor_divide): the quotient rounded down, numpy's
np.floor_divide on a Tensor's data and Python's `//` on a Value's number (1.0 // 0.1 is 9.0, as in both, where
floor(1.0 / 0.1) is 10). PyTorch has no derivative for it (its backward raises "derivative for
aten::floor_divide is not implemented"), so an operand a gradient would flow to is refused when applied,
with NotImplementedError, PyTorch's type, never given a silent 0; for operands that need none the quotient
is a constant, as a comparison is (integer tensors, a detached tensor, under no_grad)."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from . import modes
from .dtypes import holds_numbers
from .graph import Node, raw
from .modes import short
from .op import needs_gradient


def tensor_floor_divide(a: Any, b: Any) -> Any:
    """np.floor_divide of arrays (or numbers, lists), refusing a zero divisor of integers that meets an element as
    Python's `//` and PyTorch's do (numpy makes 0 of it, with a warning; an empty quotient divides nothing, as
    PyTorch's): floats give ±inf or NaN there, as both (with numpy's warning, as `/`)."""
    # a list as numpy's ufunc reads it (np.result_type would read one as a record dtype's fields)
    if np.result_type(*(np.asarray(x) if isinstance(x, list | tuple) else x for x in (a, b))).kind == "f":
        return np.floor_divide(a, b)
    with np.errstate(divide="ignore"):  # numpy's 0 for a zero divisor: refused below
        quotient = np.floor_divide(a, b)
    if np.size(quotient) and not np.all(b):  # a non-empty quotient meets every divisor
        raise ZeroDivisionError("floor division of integers by zero is undefined: a zero divisor needs floats (inf)")
    return quotient


def tensor_floor_divide_reflected(a: Any, b: Any) -> Any:
    """`b // a`: the tensor on the right (its own function, so that a compiled step's replay keys it apart)."""
    return tensor_floor_divide(b, a)


def value_floor_divide(a: Any, b: Any) -> Any:
    return operator.floordiv(a, b)


def value_floor_divide_reflected(a: Any, b: Any) -> Any:
    return operator.floordiv(b, a)


def floor_division(
    cls: type, constant: Callable[[Callable[[Any, Any], Any]], Callable[[Any, Any], Any]], forward: Any, reflected: Any
) -> None:
    """Give `cls` `__floordiv__` and `__rfloordiv__` and PyTorch's method `floor_divide`: `constant(f)` is the
    type's constant of f applied to its operands' numbers (a Tensor's is a comparison's)."""
    quotients = {"__floordiv__": constant(forward), "__rfloordiv__": constant(reflected)}
    for name, quotient in quotients.items():
        setattr(cls, name, _refusing_gradients(quotient, cls, reflected=name == "__rfloordiv__"))
    cls.floor_divide = _floor_divide  # type: ignore[attr-defined]


def _floor_divide(self: Any, other: Any) -> Any:
    """PyTorch's `t.floor_divide(other)`: `self // other`, through Python's operator, so that a Tensor given to a
    Value's method is the Tensor's to divide, and what neither takes is a TypeError (the bare method returned
    NotImplemented as the quotient)."""
    return operator.floordiv(self, other)


def _refusing_gradients(quotient: Callable[[Any, Any], Any], cls: type, reflected: bool) -> Callable[[Any, Any], Any]:
    def method(self: Any, other: Any) -> Any:
        if isinstance(other, Node) and hasattr(other, "shape") and not isinstance(other, cls):
            return NotImplemented  # a Value and a Tensor: the Tensor's method takes the Value's number
        if not isinstance(other, cls) and not holds_numbers(raw(other)):
            return NotImplemented  # a string, None: Python's own TypeError
        if modes.current.grad_enabled:
            for side, x in zip(("right", "left") if reflected else ("left", "right"), (self, other)):
                if needs_gradient(x):
                    raise NotImplementedError(_no_derivative(side, x))
        return quotient(self, other)

    method.__name__ = "__rfloordiv__" if reflected else "__floordiv__"
    return method


def _no_derivative(side: str, x: Any) -> str:
    node = f"a Tensor of shape {x.shape} that requires grad" if hasattr(x, "shape") else f"Value {short(raw(x))}"
    return (
        f"a // b: its {side} operand, {node}, needs a gradient, but floor division has no derivative (as PyTorch's "
        "//, whose backward refuses it). For the numbers divide its data (t.detach() // b, v.data // b); for the "
        "gradient of a step, 0, as floor's: (a / b).floor(), which can differ from a // b by 1 where a / b rounds "
        "up to a whole number (1.0 // 0.1 is 9.0, floor(1.0 / 0.1) is 10.0)"
    )
