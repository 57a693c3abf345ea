"""Comparisons and predicates of tensors (`t < u`, `t == u`, `isnan`, and PyTorch's `t.lt(u)`,
`t.eq(u)`): constant boolean Tensors, no graph, their operands' numbers read (which a compiled step
being recorded notes)."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from . import compile_masks, compile_read_hooks
from .compile_record import RECORDING
from .dtypes import comparable, holds_numbers
from .graph import raw
from .modes import short
from .subnormals import refuse_flushed
from .type_names import type_name


def compare(test: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """A comparison of tensors: a constant boolean Tensor (not differentiable), its operands' numbers
    read (which a compiled step being recorded notes). Beside what numpy compares no numbers with (text,
    None, a date: dtypes.comparable), NotImplemented, as `==`: Python's TypeError then answers in PyTorch's
    words, where numpy's would name a ufunc's loop."""

    def method(self: Any, other: Any) -> Any:
        if not isinstance(other, type(self) | float | int) and not comparable(raw(other)):
            return NotImplemented
        refuse_flushed("a comparison")  # 1e-310 > 0 is False there
        if RECORDING:
            made = compile_masks.compared(test, self, other)  # made again by each replay, where it can be
            if made is not None:
                return made
            for x in (self, other):
                if isinstance(x, type(self)):
                    compile_read_hooks.read_data(x)
        try:
            return type(self)(test(self._data, raw(other)))
        except ValueError as e:  # numpy's "operands could not be broadcast together", naming neither side
            from .tensor_ops import ShapeError  # here: tensor_ops is built on the Tensor this module serves

            shapes = f"shapes {self.shape} and {np.shape(raw(other))}"
            raise ShapeError(f"{_symbol(test)}: {shapes} do not fit ({e})") from None
        except TypeError:  # numpy's "ufunc 'bitwise_and' not supported for the input types": a mask operator on floats
            symbol = _symbol(test)
            if symbol in NAMED.values():  # `t < torch.tensor(2.0)`: numpy's array gave up on the other's class
                raise TypeError(
                    f"{symbol}: cannot compare a Tensor with {type_name(other)}: give a number, an array or a Tensor"
                ) from None
            given = np.asarray(raw(other)).dtype  # not np.result_type: it reads a list as a structured dtype's fields
            raise TypeError(
                f"{symbol}: no {symbol} of {self.dtype} and {given}: it takes bools or integers, as PyTorch's"
                + ("" if symbol in ("<<", ">>") else " (a mask: (t > 0) & m)")
            ) from None
        except OverflowError as e:  # an int of 400 digits: "int too large to convert to float"
            raise OverflowError(f"{_symbol(test)}: {type_name(other)} {short(other)} is beyond a float ({e})") from None

    return method


def _symbol(test: Callable[[Any, Any], Any]) -> str:
    """The operator a comparison's `test` is (operator.lt: "<"), for its errors."""
    name = getattr(test, "__name__", "").strip("_")
    return {**NAMED, **MASK_OPERATORS}.get(name, "a comparison")


def _reflected(test: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """`test` with its operands swapped (`1.5 & m` is m.__rand__(1.5)), under test's name, which its errors give."""

    def swapped(a: Any, b: Any) -> Any:
        return test(b, a)

    swapped.__name__ = test.__name__
    return swapped


def equality(test: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """`t == u`, `t != u`: elementwise, a constant boolean Tensor, as numpy's and PyTorch's (accuracy is
    `(pred == labels).mean()`); beside something that is no number or array (None, a string), what
    Python's default gives. A Python number is compared as given, in the tensor's dtype as `<` compares
    it (numpy's and PyTorch's weak scalar: float32 0.1 == 0.1), not made a float64 array first. Hashing
    stays by identity, so tensors remain dict keys and set members (Values keep micrograd's identity `==`)."""
    compared = compare(test)

    def method(self: Any, other: Any) -> Any:
        if not isinstance(other, type(self)):
            other = raw(other)  # a Value's number, as `<` reads it
            if not holds_numbers(other):
                return NotImplemented
        return compared(self, other)

    return method


def predicate(of_data: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A predicate of a tensor's data (`isnan`): a constant boolean Tensor (not differentiable)."""

    def method(self: Any) -> Any:
        if RECORDING:
            made = compile_masks.compared(of_data, self)
            if made is not None:
                return made
            compile_read_hooks.read_data(self)
        return type(self)(of_data(self._data))

    return method


# the mask and integer operators a Tensor has (`__and__` ... `__rshift__`), and their symbols; in_place.py gives
# each its in-place form (`&=`)
MASK_OPERATORS = {"and": "&", "or": "|", "xor": "^", "lshift": "<<", "rshift": ">>"}


def mask_operators(cls: type) -> None:
    """Give `cls` (Tensor) PyTorch's and numpy's mask operators, `m & (y == 1)`, `|`, `^`, `~m`, and the
    integers' shifts `<<`, `>>`: constants, as comparisons are (on bools the logical ones; numpy refuses
    floats, as PyTorch does)."""
    for name in MASK_OPERATORS:
        test = getattr(operator, f"__{name}__")
        setattr(cls, f"__{name}__", compare(test))
        setattr(cls, f"__r{name}__", compare(_reflected(test)))
    cls.__invert__ = predicate(np.invert)  # type: ignore[attr-defined]


# PyTorch's method names of the comparison operators, and the operators they are
NAMED = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def named(name: str) -> Callable[[Any, Any], Any]:
    """PyTorch's `t.lt(u)`: the operator method `__lt__` itself. Where the operator gives up
    (NotImplemented, after which Python's `==` would fall back on identity: `t.eq(None)` would be
    False), a TypeError, as PyTorch's: a method call has no other operand to ask."""

    def method(self: Any, other: Any) -> Any:
        result = getattr(type(self), f"__{name}__")(self, other)
        if result is NotImplemented:
            raise TypeError(f"{name}(): compares with a number, an array or a Tensor, got {type_name(other)}")
        return result

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"PyTorch's t.{name}(other): `t {NAMED[name]} other`, a constant boolean Tensor."
    return method
