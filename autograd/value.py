"""`Value`: a scalar node holding one Python float, with operator overloading.

Every operator method is made by `_method(op)` (two inputs) or `_unary(op)` (one), so that neither asks
which kind it is on every call. The whole hot path (lift a number operand, run the op's forward,
record the node in a few slot stores) in one Python frame, with no closure per node, so a graph
is small and makes no reference cycles. The ops come from the op table (`op_table`, built for
floats in `scalar_ops`).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from . import modes
from . import scalar_ops as ops
from .floor_division import floor_division, value_floor_divide, value_floor_divide_reflected
from .graph import Node
from .graph_errors import NOT_BOTH, VALUE_DATA, MixedNodes
from .graph_order import MANY, NO_GRAPH
from .in_place import ValueInPlaceArithmetic
from .modes import is_number, too_large
from .op import Op
from .operators import Operators
from .subnormals import refuse_flushed
from .type_names import repr_of, type_name
from .user_writes import value_op
from .value_gradient import NOT_COMPUTED, ValueGradient
from .value_hooks import ValueHooks
from .value_labels import ValueLabel
from .value_micrograd import MicrogradInternals
from .value_modes import in_mode
from .value_numpy import ValueNumpy
from .value_protocols import ValueProtocols

Number = int | float
# `_new(*_VALUE)`: a node made without `__init__`, its one-element argument tuple made once (below) rather than
# at every call, as `_new(Value)` would (about 290 of the 1,500 machine instructions a node costs to make and free)
_new = object.__new__
_EXACT = 2**53  # ints up to this size convert to floats exactly, without overflow


def _method(op: Op, operator: bool = False) -> Callable[[Value, Any], Value]:
    """The method applying a two-input `op` to self and other. An `operator`'s (`x * arr`) gives a numpy
    array operand back to numpy (NotImplemented), which answers as for `arr * x`: each element's op."""
    forward = op.forward

    def method(self: Value, other: Any) -> Value:
        if other.__class__ is not Value:
            try:  # a float, the common number, lifted without _lift's call
                other = _leaf(_new(*_CONSTANT), other) if other.__class__ is float else _lift(other, op)
            except MixedNodes:
                if operator and isinstance(other, np.ndarray):
                    return NotImplemented
                raise
        try:
            data = forward(self.data, other.data)
        except (ArithmeticError, ValueError) as e:
            raise op.domain_error([self.data, other.data], e) from None
        v = _new(*_VALUE)
        v.data = data
        v.grad = NOT_COMPUTED
        v._made_by = op
        v._a = self
        v._b = other
        v._grad_sum = None
        if modes.entered:
            in_mode(v)
        return v

    return _named(method, op)


def _unary(op: Op) -> Callable[[Value], Value]:
    """The method applying a one-input `op` to self (the same steps as `_method`'s, for one input)."""
    forward = op.forward

    def method(self: Value) -> Value:
        try:
            data = forward(self.data)
        except (ArithmeticError, ValueError) as e:
            raise op.domain_error([self.data], e) from None
        v = _new(*_VALUE)
        v.data = data
        v.grad = NOT_COMPUTED
        v._made_by = op
        v._a = self
        v._b = None
        v._grad_sum = None
        if modes.entered:
            in_mode(v)
        return v

    return _named(method, op)


def _named(method: Callable[..., Value], op: Op) -> Callable[..., Value]:
    method.__name__ = op.name
    method.__doc__ = f"Apply {op.name}, recording it in the graph."
    return method


def _reflected(op: Op) -> Callable[[Value, Number], Value]:
    """`number <op> value`: the number becomes the left operand (an array, numpy's, as `_method`'s)."""
    forward_method = _method(op)

    def reflected(self: Value, other: Any) -> Value:
        try:
            lifted = _lift(other, op)
        except MixedNodes:
            if isinstance(other, np.ndarray):
                return NotImplemented
            raise
        return forward_method(lifted, self)

    return reflected


def _operator(op: Op) -> Callable[[Value, Any], Value]:
    return _method(op, operator=True)


_power, _power_const = _operator(ops.OPS["power"]), _operator(ops.power_const)


def _compare(test: Callable[[float, float], bool]) -> Callable[[Value, Any], bool]:
    """A comparison of Values: it looks at .data and gives a plain bool (not differentiable)."""
    return lambda self, other: test(self.data, _data(other))


def _predicate(of_data: Callable[[float], Any]) -> Callable[[Value], bool]:
    """A predicate of a Value's data (`isnan`): a plain bool (not differentiable)."""
    return lambda self: bool(of_data(self.data))


class Value(
    ValueProtocols,
    ValueInPlaceArithmetic,
    ValueHooks,
    ValueLabel,
    ValueGradient,
    ValueNumpy,
    MicrogradInternals,
    Node,
    Operators,
    ops=ops.OPS,
    method=_method,
    operator=_operator,
    unary=_unary,
    reflected=_reflected,
    compare=_compare,
    predicate=_predicate,
):
    """A scalar in a computation graph: `.data` (float), `.grad` (0.0 until a backward reaches it).

    `backward()` adds into `.grad`: a second call adds the same gradients again, as in PyTorch;
    reset with `autograd.zero_grad(values)` between steps. Numbers on either side of an operator
    become constant leaves; the operator and named methods (`exp`, `relu`, ...) come from the op
    table (see `Operators`). micrograd's internals that its lecture reads, `_op`, `_prev` and
    `_backward`, are computed when read.
    """

    __slots__ = ()

    def __init__(self, data: Number, _children: Iterable[Value] = (), _op: str = "", label: str = "") -> None:
        """`Value(data, label="x")`; `Value(data, (a, b), "+")` builds a node by hand, as micrograd's
        own ops do (see `_backward`). `Value(data, "x")`, a label given second, is still read as one."""
        refuse_flushed("Value")
        _leaf(self, _as_float(data))
        if label.__class__ is not str and not isinstance(label, str):  # an array's truth was numpy's ValueError
            if label is not None:  # None: no label, as before these checks
                raise TypeError(
                    f"Value: label must be a str (a name for drawings), got {type_name(label)} {repr_of(label)}"
                )
            label = ""
        if label:
            self.label = label
        if _children or _op:
            self._build_by_hand(_children, _op)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"{type(self).__name__}(data={self.data!r}, grad={self.grad!r}{label})"

    __rpow__ = _reflected(ops.power_base_const)  # `2 ** x`: the base is a constant

    def __pow__(self, other: Value | Number) -> Value:
        """`x ** y` for a Value y differentiates in both; `x ** 2` treats 2 as a constant."""
        return (_power if other.__class__ is Value else _power_const)(self, other)

    # hooks for the graph core
    @staticmethod
    def _apply(op: Op, inputs: Sequence[Any], params: dict[str, Any]) -> Value:
        """Any op on any number of inputs (user-defined ops, rules under create_graph)."""
        parents = tuple(x if x.__class__ is Value else _lift(x, op) for x in inputs)
        op = value_op(op, params, tuple(not p.is_constant for p in parents))  # a lifted number's is never read
        if 0 < len(parents) <= 2:
            v = (_unary(op) if len(parents) == 1 else _method(op))(*parents)
        else:
            v = Value(op.run([p.data for p in parents]))  # no inputs, or three and more
            v._made_by, v._a, v._b = op, parents, MANY
            if modes.entered:
                in_mode(v)
        if v.data.__class__ is not float:
            if isinstance(v.data, numbers.Integral | np.bool_):  # integers and bools make a constant, as on tensors
                v._made_by = v._a = v._b = None
            elif not isinstance(v.data, numbers.Real):
                raise TypeError(f"op {op.name!r}: its forward returned {type_name(v.data)} {v.data!r}, not a number")
            v.data = float(v.data)
        return v

    def _seed(self, grad: Any, create_graph: bool) -> Any:
        if self._b is NO_GRAPH:  # its parameters would keep a gradient of 0, and training would do nothing
            raise RuntimeError(
                "backward() on a Value computed under no_grad: no graph was recorded for it "
                "(compute it outside the no_grad block)"
            )
        if create_graph and isinstance(grad, Value):  # a seed that is a node stays one: its gradient flows too
            return grad
        seed = 1.0 if grad is None else _data(grad)
        return Value(seed) if create_graph else seed

    @staticmethod
    def _as_node(x: Value, g: Any) -> Value:
        return g if isinstance(g, Node) else _leaf(_new(*_CONSTANT), float(g))

    is_constant = False  # a Value of one's own; see Constant


def _as_float(x: Any) -> float:
    if x.__class__ is float:
        return x
    if is_number(x) or isinstance(x, np.bool_):  # numpy's bool as Python's (a mask's entry): 1.0 or 0.0
        try:
            return float(x)
        except OverflowError:
            raise too_large(x, "Value: ") from None
    hint = " (a Value is already a node: use it as it is)" if isinstance(x, Value) else ""
    raise TypeError(f"Value needs a real number, got {type_name(x)} {repr_of(x)}{hint}")


def _data(x: Value | Number) -> float:
    return x.data if isinstance(x, Value) else _as_float(x)


class Constant(Value):
    """A number that an operator lifted into the graph (the 2 of `x ** 2`, the 1 of `1 - x`): a
    leaf whose gradient nobody can read. Drawings show it as a number, not as a value."""

    __slots__ = ()
    is_constant = True


_VALUE, _CONSTANT = (Value,), (Constant,)  # `_new`'s arguments


def _leaf(v: Value, data: float) -> Value:
    """v made a leaf holding `data` (every slot set: a Value has no defaults)."""
    v.data = data
    v.grad = NOT_COMPUTED
    v._made_by = v._a = v._b = v._grad_sum = None
    return v


def _lift(x: Any, op: Op) -> Value:
    """A number operand becomes a Constant leaf; a Value passes (a Constant taken from a graph);
    anything else is a clear error. A float, the common case, skips the checks and `__init__`."""
    if x.__class__ is float:
        return _leaf(_new(*_CONSTANT), x)
    if x.__class__ is int and -_EXACT <= x <= _EXACT:  # `1 - x`, `sum(values)`'s 0: an exact float
        return _leaf(_new(*_CONSTANT), float(x))
    if isinstance(x, Value):
        return x
    if is_number(x) or isinstance(x, np.bool_):
        try:
            return Constant(x)
        except OverflowError:
            raise too_large(x, f"{op.name}: ") from None  # named by the op, not by the Value it would have made
    mixed = isinstance(x, Node | np.ndarray)  # a Tensor or an array: the transforms retry with tensors
    fix = f": {NOT_BOTH} ({VALUE_DATA})" if isinstance(x, Node) else ""
    raise (MixedNodes if mixed else TypeError)(
        f"{op.name}: cannot combine a Value with {type_name(x)} {repr_of(x)}; use a number or a Value{fix}"
    )


def _quotient_leaf(f: Callable[[Any, Any], Any]) -> Callable[[Value, Any], Any]:
    """`v // b` where no gradient would flow: a new leaf of Python's quotient. Beside an array, numpy's: it
    divides by each element, as it computes `v % array` (Value(numpy array) was "Value needs a real number")."""

    def quotient(a: Value, b: Any) -> Any:
        return NotImplemented if isinstance(b, np.ndarray) else Value(f(a.data, _data(b)))

    return quotient


# `v // 2`: refused where a gradient would flow (PyTorch's // has no derivative), a new leaf of Python's
# quotient where none would (no_grad, lifted numbers)
floor_division(Value, _quotient_leaf, value_floor_divide, value_floor_divide_reflected)
