"""micrograd's internals on Value (a mixin): `_op`, `_prev` and `_backward`, which its lecture's code
reads, computed when read from what the node stores, so that no node pays for them; and a node built
by hand, micrograd's way (`Value(data, (a, b), "+")`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from . import modes
from . import scalar_ops as ops
from .graph import Node
from .graph_order import MANY, NO_GRAPH
from .hand_built import HandWritten, hand_built_op
from .type_names import repr_of, type_name
from .value_modes import in_mode

_MICROGRAD_NAMES = {ops.relu: "ReLU"}  # where micrograd's name differs from the op's


class MicrogradInternals:
    """micrograd's `_op`, `_prev` and `_backward` (before Node in Value's bases: its `_backward` wins)."""

    __slots__ = ()
    _made_by: Any
    _a: Any
    _b: Any
    label: str
    parents: Any

    def _build_by_hand(self, children: Iterable[Any] | str, name: str) -> None:
        """Make this node one built by hand, micrograd's way: `name` (its `_op`) over `children`, its gradient
        given by the `_backward` its author assigns (see `HandWritten`). A string in place of the children
        is chainrule's older `Value(data, label)`."""
        if isinstance(children, str) and not name:
            self.label = children
            return
        parents = tuple(children)
        for p in parents:
            if not isinstance(p, MicrogradInternals):  # a base of Value's alone: p is a Value
                raise TypeError(f"the children of a Value must be Values, got {type_name(p)} {repr_of(p)}")
        self._made_by = hand_built_op(self, name)
        self._a, self._b = parents, MANY
        if modes.entered:
            in_mode(self)

    @property
    def _op(self) -> str:
        """The op that made this node as micrograd names it ('+', '*', 'tanh', 'ReLU', '**2'); '' for a leaf."""
        op = self._made_by
        if op is None:
            return ""
        if op is ops.power_const:
            return "**" + repr(self._b.data).removesuffix(".0")
        return _MICROGRAD_NAMES.get(op, op.name)

    @property
    def _prev(self) -> set[Any]:
        """micrograd's children: the set of nodes this one was computed from (the 2 of `x ** 2` is no node there)."""
        return {self._a} if self._made_by is ops.power_const else set(self.parents)

    @property
    def _backward(self) -> Callable[[], None]:
        """micrograd's per-node step: add `.grad` times each local derivative into the children's
        `.grad`. On a node built by hand, `Value(data, children, op)`, it is the function its author
        assigned (`out._backward = _backward`), which `backward()` then calls too; until then it
        does nothing, as in micrograd."""
        rule = getattr(self._made_by, "vjp", None)
        return rule.backward if rule.__class__ is HandWritten else Node._backward.__get__(self)

    @_backward.setter
    def _backward(self, backward: Callable[[], None]) -> None:
        if not callable(backward):
            raise TypeError(f"_backward must be a function of no arguments, got {type_name(backward)}")
        rule = getattr(self._made_by, "vjp", None)
        if rule is None and self._b is NO_GRAPH:  # built by hand under no_grad: no graph, so nothing to call
            return
        if rule.__class__ is not HandWritten:
            why = "a leaf has no children to pass a gradient to" if rule is None else "this one follows its op's rule"
            raise AttributeError(
                f"only a node built by hand, Value(data, (children...), 'op'), takes a _backward of yours: {why}"
            )
        rule.backward = backward
