"""Python's protocols on a Value (a mixin of Value): identity `==` (micrograd's) and hashing, pickle and copy
of a leaf (a computed Value refused), the truth of its number, `.item()`, conversions to a number refused,
format() with a spec, round(), and the conjugate and real part numpy's var and std call."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from . import modes
from .graph import Node
from .graph_errors import NodeAsNumber
from .graph_order import BRANCH, refuse_number_of_lifted
from .type_names import repr_of

_NOT_A_NUMBER = (
    ": a Value is a node of the graph, not a number. Its number is v.data (a constant, not "
    "differentiated); math that keeps the gradient is its methods and autograd's functions "
    "(v.exp(), v.sqrt(), autograd.log(v), v ** 0.5)"
)


class ValueProtocols:
    """What Python and numpy ask of a number, answered for a Value."""

    __slots__ = ()
    data: float

    def item(self) -> float:
        refuse_number_of_lifted(self, "a number (.item())")
        return self.data

    # `==` is identity, as micrograd's (Values key dicts and sets). Inside a transform a number argument
    # is traced as a Value, so `x != 1.0` and `x in (0.0, 1.0)` would take another branch than f(x) does:
    # against a number they are refused there, as float(x) is
    def __eq__(self, other: object) -> Any:
        if isinstance(other, np.ndarray):  # numpy's side: each element by identity (numpy_ufuncs)
            return NotImplemented
        if modes.current.lifted and isinstance(other, numbers.Number | np.number):
            refuse_number_of_lifted(self, "== with a number", BRANCH)
        return self is other

    def __ne__(self, other: object) -> Any:
        if isinstance(other, np.ndarray):
            return NotImplemented
        if modes.current.lifted and isinstance(other, numbers.Number | np.number):
            refuse_number_of_lifted(self, "!= with a number", BRANCH)
        return self is not other

    __hash__ = Node.__hash__

    # Python's conversions to a number: refused with a way out, since the number would leave the graph
    # without a word (math.sqrt(v) asks for float(v)); Python's own TypeError named neither way out,
    # and int() went through __trunc__ (deprecated) to "returned non-Integral"
    def __float__(self) -> float:
        raise NodeAsNumber(f"float() of a Value (the math module's functions ask for it too){_NOT_A_NUMBER}")

    def __int__(self) -> int:
        raise NodeAsNumber(f"int() of a Value{_NOT_A_NUMBER}")

    def __complex__(self) -> complex:
        raise NodeAsNumber(f"complex() of a Value{_NOT_A_NUMBER}")

    def __format__(self, spec: str) -> str:
        """f"{v:.4f}" formats its number, as PyTorch's f"{t:.4f}" of a one-number tensor (it was Python's
        bare TypeError, "unsupported format string"): a string takes no number out of the graph, so it is
        not refused inside a transform as v.item() is (a printed loss). With no spec, f"{v}" is str(v)."""
        return format(self.data, spec) if spec else super().__format__(spec)

    def __round__(self, ndigits: Any = None) -> Any:
        """round(v): the round op (to the nearest integer, ties to even, as np.round), as math.floor(v)
        is the floor op; with digits, refused (no op of it)."""
        if ndigits is None:
            return self.round()  # type: ignore[attr-defined]
        raise TypeError(
            f"round(v, {repr_of(ndigits)}) of a Value: only round(v), to the nearest integer, is an op; for digits "
            "round its number, round(v.data, ndigits) (a constant, not differentiated)"
        )

    def __getstate__(self) -> Any:
        """What pickle and copy take of a leaf Value (its slots). A computed one is refused with RuntimeError, as a
        Tensor's pickle, copy and deepcopy are (PyTorch's deepcopy refuses one too): pickle failed on its op's
        rule with PicklingError ("Can't pickle <function <lambda>>"), and copy.copy's copy fed a backward into the
        original's leaves. Its label, kept beside the node (value_labels), goes with its slots."""
        if self._made_by is not None:  # type: ignore[attr-defined]
            raise RuntimeError(
                "pickle or copy of a Value computed in a graph (an op's output) is not supported: its copy's graph "
                "would not be this one. Copy the leaves it came from, or Value(v.data) for its number"
            )
        state = super().__getstate__()  # type: ignore[misc]
        if self.label:  # type: ignore[attr-defined]
            state[1]["label"] = self.label  # type: ignore[attr-defined]
        return state

    def __bool__(self) -> bool:
        """Whether the data is nonzero, as a number's truth and PyTorch's `bool(t)`: `if x:` branches as
        it would on the float (in a transform too, as `<` does: the branch f takes on the number)."""
        return self.data != 0

    # a real number is its own conjugate and its own real part: numpy's var and std of a list of
    # Values call these on each element (x * x.conjugate(), then .real), and sqrt for std
    def conjugate(self) -> Any:
        return self

    @property
    def real(self) -> Any:
        return self
