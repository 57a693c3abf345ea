"""The operator block that Value and Tensor share, made from the op table.

A node type names its engine's ops, how it makes a method from an op (the hot path is each
type's own) and how it compares, and receives the comparisons `< <= > >=` and, for every
elementwise entry of the table: `__add__`/`__radd__`-style operator
methods for ops with a symbol, and a named method for the others (`x.exp()`), with `-x` and
`abs(x)` for neg and abs. Powers are each type's own: both tell a constant exponent (`x ** 2`)
from a node one.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from .op import Op
from .op_table import ELEMENTWISE, OPERATORS

UNARY = object()  # the `other` a method applying a one-input op is called without (None stays a wrong operand)
# `__add__`, `__radd__`, ... named after Python's operator functions; `**` is each type's own
_STEMS = {symbol: f.__name__ for symbol, f in OPERATORS.items() if symbol != "**"}
_ALSO = {"neg": "__neg__", "abs": "__abs__"}
# `==` stays identity on both node types, so that nodes remain usable as dict keys and set members
COMPARISONS = {"__lt__": operator.lt, "__le__": operator.le, "__gt__": operator.gt, "__ge__": operator.ge}


class Operators:
    """Mixin: `class Value(Node, Operators, ops=..., method=..., reflected=..., compare=...)`."""

    __slots__ = ()

    def __init_subclass__(
        cls,
        ops: Mapping[str, Op] | None = None,
        method: Callable[[Op], Callable[..., Any]] | None = None,
        reflected: Callable[[Op], Callable[..., Any]] | None = None,
        compare: Callable[[Callable[[Any, Any], Any]], Callable[..., Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        if ops is None:  # a subclass of a node type (Value's Constant) inherits its methods
            return
        for name, test in COMPARISONS.items():
            setattr(cls, name, compare(test))
        for d in ELEMENTWISE:
            op = ops[d.name]
            if d.symbol in _STEMS:
                stem = _STEMS[d.symbol]
                setattr(cls, f"__{stem}__", method(op))
                setattr(cls, f"__r{stem}__", reflected(op))
            elif not d.symbol:
                setattr(cls, d.name, method(op))
                if d.name in _ALSO:
                    setattr(cls, _ALSO[d.name], method(op))
