"""In-place arithmetic on nodes (mixins of Tensor and Value): `x += y`, `-=`, `*=`, `/=`, `**=`, `%=`, `//=`,
and a Tensor's `&=`, `|=`, `^=`, `<<=`, `>>=`.

Without these methods Python would run `x = x - y` and rebind the name, so PyTorch's update
`with no_grad(): for p in params: p -= lr * p.grad` would leave the model's parameters as they
were, without a word. Here, as in PyTorch:
- outside the graph (under no_grad, or a Tensor when no side wants a gradient), the node's data
  changes in place (a Tensor's version counts the change: a graph that used it can no longer
  backward);
- a Tensor leaf that requires grad cannot be changed in place while the graph is recorded: that
  would lose its gradient, so it raises and names the fix; nor can a Value leaf that holds a
  gradient (a parameter after backward: `p -= lr * p.grad` outside no_grad would make a new node
  and train nothing), while a Value leaf without one may be a running total (`total += loss`);
- while the graph is recorded, a node made in it gives a new node, `x = x + y` (`loss += term`),
  unless it views the memory of another node something still holds (a slice or reshape of `h`):
  PyTorch would change both, so that is refused rather than left to give other numbers. Another
  name for the same tensor, and a view of it taken before (`first = h[0]`, `h.detach()`), keep the
  old values, as after `x = x + y`, where PyTorch's would change: which views a name still holds
  cannot be told from those only a graph holds (which change nothing), so that is not refused.
Each result is the operator's own, so `x -= y` rounds as `x - y` does.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from . import compile_record, modes
from .compile_record import RECORDING
from .graph_order import MANY
from .tensor_comparisons import MASK_OPERATORS
from .tensor_ops import ShapeError
from .tensor_versions import check_writable

# the in-place operator, the operator whose result it keeps, and its symbol for messages
IN_PLACE = {
    "__iadd__": ("__add__", "+="),
    "__isub__": ("__sub__", "-="),
    "__imul__": ("__mul__", "*="),
    "__itruediv__": ("__truediv__", "/="),
    "__ipow__": ("__pow__", "**="),
    "__imod__": ("__mod__", "%="),
    "__ifloordiv__": ("__floordiv__", "//="),  # without it Python rebinds the name: t = t // x
}
# a Tensor's mask and integer operators in place, as PyTorch's (`keep &= y > 0` changes the mask a module holds)
MASKS_IN_PLACE = {f"__i{name}__": (f"__{name}__", f"{symbol}=") for name, symbol in MASK_OPERATORS.items()}


def _tensor_method(name: str, operator: str, symbol: str) -> Callable[[Any, Any], Any]:
    def method(self: Any, other: Any) -> Any:
        compute = getattr(self, operator)
        return change_in_place(self, lambda: compute(other), f"t {symbol} x", f"t = t {symbol[:-1]} x")

    method.__name__ = name
    return method


def change_in_place(t: Any, compute: Callable[[], Any], what: str, rewrite: str, method: bool = False) -> Any:
    """t changed to `compute()` in place outside the graph; `what` is the call as written (`t += x`,
    `t.add_(x)`), `rewrite` its out-of-place form. In the graph the operator's result is a new node
    (Python binds the name to it); a method (`method`: `t.add_(x)`) cannot rebind the caller's name,
    so t would keep its old values without a word: refused."""
    if t.requires_grad and t._made_by is None and modes.current.grad_enabled:
        if compile_record.from_inputs(t):  # an input of a step being compiled: in place, as eagerly
            with modes.no_grad():
                return change_in_place(t, compute, what, rewrite, method)
        raise RuntimeError(
            f"{what} on a leaf tensor that requires grad, while the graph is recorded, would lose "
            f"its gradient: update parameters under `with autograd.no_grad():` (as optimizers do) or "
            f"through t.data, or write `{rewrite}` for a new tensor"
        )
    result = compute()
    if result.requires_grad and RECORDING and compile_record.from_inputs(result):
        # made from a compiled step's inputs alone, which need no gradient eagerly: in place, as eagerly
        compile_record.write_as_eagerly(t)
        with modes.no_grad():
            return change_in_place(t, compute, what, rewrite, method)
    if result.requires_grad and method:
        raise RuntimeError(
            f"{what} while the graph is recorded, where t or x requires grad: chainrule records no change in "
            "place (`t += x` gives a new node, which Python binds to the name t; a method cannot rebind it, "
            f"so t would keep its old values): write `{rewrite}` for the new tensor, or change t under "
            "`with autograd.no_grad():`"
        )
    if result.requires_grad:  # in the graph: a new node, as `t = t + x`
        if _viewed_elsewhere(t):
            raise RuntimeError(
                f"{what} on a tensor that views another's memory (a slice, .T, a reshape), while the "
                f"graph is recorded: PyTorch would change both, chainrule makes a new node and the other keeps "
                f"its values; write `{rewrite}` for a new tensor, or build the changed whole "
                "with autograd.where or concatenate"
            )
        return result
    check_writable(t, what, f"write `{rewrite}` for a new tensor")
    if result.shape != t.shape:
        raise ShapeError(
            f"{what}: t has shape {t.shape} and the result {result.shape}; in place, the result "
            f"must keep t's shape (write `{rewrite}` for a new tensor)"
        )
    if not np.can_cast(result.dtype, t.dtype, casting="same_kind"):
        raise TypeError(
            f"{what}: the result is {result.dtype}, which t's dtype {t.dtype} cannot hold in place "
            f"(write `{rewrite}` for a new tensor)"
        )
    np.copyto(t._data, result._data, casting="same_kind")
    t._version += 1
    return t


def _viewed_elsewhere(t: Any) -> bool:
    """Whether t views the memory of a node that something besides a view's own record still holds (a
    name, another op), through any chain of views: PyTorch's `+=` would change that node too. A
    constant view (`c[0:2]`, no record) may view anything. A node only its views' records hold
    (`out = layer(x).reshape(...)`, a clone inside tile) can no longer be seen: nothing differs."""
    if t._made_by is None:
        return t._data.base is not None
    base = _viewed(t)
    while base is not None:
        if sys.getrefcount(base) > _HELD_BY_RECORD_ONLY:
            return True
        base = _viewed(base)
    return False


def _viewed(t: Any) -> Any:
    """The parent whose memory t views (it shares t's version count), or None."""
    if t._made_by is None:
        return None
    if t._b is MANY:
        return next((p for p in t._a if p._counter is t._counter), None)
    for p in (t._a, t._b):
        if p is not None and p._counter is t._counter:
            return p
    return None


# CPython's count of references to a node that only its one consumer's record holds, as counted in
# _viewed_elsewhere: the record's slot (or tuple), its name `base`, and getrefcount's own argument
_HELD_BY_RECORD_ONLY = 3


def _value_method(name: str, operator: str, symbol: str) -> Callable[[Any, Any], Any]:
    def method(self: Any, other: Any) -> Any:
        result = getattr(self, operator)(other)
        if result is NotImplemented:  # a numpy array: `v = v + arr`, numpy's answer (Value._method)
            return result
        if result._made_by is not None:  # recorded: a new node, as `v = v + x`
            if self._made_by is None and self.grad_computed:  # a parameter after backward, not a running total
                raise RuntimeError(
                    f"v {symbol} x on a Value that holds a gradient (a parameter), while the graph is recorded, "
                    f"would make a new node and leave the parameter as it is: update it through v.data "
                    f"(micrograd's p.data -= lr * p.grad) or under `with autograd.no_grad():`, or write "
                    f"`v = v {symbol[:-1]} x` for a new node"
                )
            return result
        self.data = result.data  # under no_grad (a Value has no version to count it: see Tensor)
        return self

    method.__name__ = name
    return method


class InPlaceArithmetic:
    """A Tensor's `t op= x`: in place outside the graph, a new node inside it, an error on a leaf being recorded."""

    __slots__ = ()


class ValueInPlaceArithmetic:
    """A Value's `v op= x`: in place under no_grad, a new node while the graph is recorded."""

    __slots__ = ()


for _name, (_operator, _symbol) in IN_PLACE.items():
    setattr(InPlaceArithmetic, _name, _tensor_method(_name, _operator, _symbol))
    setattr(ValueInPlaceArithmetic, _name, _value_method(_name, _operator, _symbol))
for _name, (_operator, _symbol) in MASKS_IN_PLACE.items():
    setattr(InPlaceArithmetic, _name, _tensor_method(_name, _operator, _symbol))
