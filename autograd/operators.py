"""The operator block that Value and Tensor share, made from the op table.

A node type names its engine's ops, how it makes a method from an op (the hot path is each
type's own), how it compares and how it tests its data, and receives the comparisons
`< <= > >=`, the predicates `isnan isinf isfinite` (not differentiable: a bool, or a constant bool
Tensor) and, for every elementwise entry of the table: a named method (`x.exp()`, `a.maximum(b)`,
`x.leaky_relu(0.2)` with the op's parameters, also under its aliases), and for an op with a
symbol its operator methods (`__add__`, `__radd__`) with the named method spelling the operator
(`a.add(b)` is `a + b`, PyTorch's names), with `-x` and `abs(x)` for neg and abs, and `+x` (x itself). Powers are
each type's own: both tell a constant exponent (`x ** 2`) from a node one.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .op import Op
from .op_table import ELEMENTWISE, OPERATORS, OpDef

UNARY = object()  # the `other` a method applying a one-input op is called without (None stays a wrong operand)
# `__add__`, `__radd__`, ... named after Python's operator functions; `**` is each type's own
_STEMS = {symbol: f.__name__ for symbol, f in OPERATORS.items() if symbol != "**"}
_ALSO = {"neg": "__neg__", "abs": "__abs__"}
# `==` is not made here: a Value keeps micrograd's identity, a Tensor compares elementwise (tensor_class.py);
# both hash by identity, so nodes remain usable as dict keys and set members
COMPARISONS = {"__lt__": operator.lt, "__le__": operator.le, "__gt__": operator.gt, "__ge__": operator.ge}
TESTS = {"isnan": np.isnan, "isinf": np.isinf, "isfinite": np.isfinite}  # of the data, elementwise


def _operator_method(d: OpDef) -> Callable[[Any, Any], Any]:
    """`a.add(b)`: the operator, so the node type's own operator method decides (`x.power(2)` is `x ** 2`)."""
    apply = OPERATORS[d.symbol]

    def method(self: Any, other: Any) -> Any:
        return apply(self, other)

    method.__name__ = d.name
    method.__doc__ = f"self {d.symbol} other."
    return method


def _with_parameters(d: OpDef, op: Op, fast: Callable[..., Any]) -> Callable[..., Any]:
    """The method of an op with parameters: `x.leaky_relu()`, `x.leaky_relu(0.2)`, `x.hardtanh(max_val=2.0)`.
    Without any, the op runs with its defaults on the type's hot path."""

    def method(self: Any, *args: Any, **given: Any) -> Any:
        params = d.parameters(args, given)
        return op(self, **params) if params else fast(self)

    method.__name__ = d.name
    method.__doc__ = f"Apply {d.name} ({', '.join(f'{k}={v!r}' for k, v in d.params.items())}), recording it."
    return method


class Operators:
    """Mixin: `class Value(Node, Operators, ops=..., method=..., reflected=..., compare=..., predicate=...)`."""

    __slots__ = ()

    def __pos__(self) -> Any:
        """`+x`: x itself, as PyTorch's `+t` (the same tensor, in the same graph) and a number's `+`; it was
        Python's TypeError ("bad operand type for unary +"). A bool tensor's is refused, as PyTorch and
        numpy refuse it: `+` of a truth value is no number."""
        if getattr(self, "dtype", None) == np.bool_:
            raise TypeError("+t of a bool tensor is not supported (as in PyTorch and numpy): t.astype(np.int64) first")
        return self

    def __init_subclass__(
        cls,
        ops: Mapping[str, Op] | None = None,
        method: Callable[[Op], Callable[..., Any]] | None = None,
        reflected: Callable[[Op], Callable[..., Any]] | None = None,
        compare: Callable[[Callable[[Any, Any], Any]], Callable[..., Any]] | None = None,
        predicate: Callable[[Callable[[Any], Any]], Callable[..., Any]] | None = None,
        unary: Callable[[Op], Callable[..., Any]] | None = None,
        operator: Callable[[Op], Callable[..., Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        if ops is None:  # a subclass of a node type (Value's Constant) inherits its methods
            return
        for name, comparison in COMPARISONS.items():
            setattr(cls, name, compare(comparison))
        for name, of_data in TESTS.items() if predicate is not None else ():
            setattr(cls, name, predicate(of_data))
        for d in ELEMENTWISE:
            op = ops[d.name]
            if d.symbol in _STEMS:
                stem = _STEMS[d.symbol]
                setattr(cls, f"__{stem}__", (operator or method)(op))  # `operator`: the dunders' own, if any
                setattr(cls, f"__r{stem}__", reflected(op))
            if d.symbol:
                named = _operator_method(d)
            else:  # a one-input op's own factory, if the type has one, takes no second operand
                named = (unary or method)(op) if d.arity == 1 else method(op)
            if d.no_derivative:  # through the Op's call, which refuses a gradient it has no rule for
                named = _refusing(op, d.name)
            if d.params:
                named = _with_parameters(d, op, named)
            for name in (d.name, *d.aliases):
                setattr(cls, name, named)
            if d.name in _ALSO:
                setattr(cls, _ALSO[d.name], named)


def _refusing(op: Op, name: str) -> Callable[..., Any]:
    """The method of an op with inputs it has no derivative for (OpDef.no_derivative): the Op's own call,
    which refuses a node that needs a gradient there, where a method's fast path records it unchecked."""

    def method(self: Any, *others: Any) -> Any:
        return op(self, *others)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"Apply {name}, recording it in the graph."
    return method
