"""The scalar floor: the least a Python scalar autodiff can do per op, as a reference.

A node is a slot object holding its value, its gradient, and up to two parents each with the
local derivative computed in the forward pass; every op appends its node to one tape, and
backward replays the tape in reverse. No graph walk, no sorting, no checks, no closures: what
is left is the cost of making one Python object per op, which no design in pure Python avoids.
Only the ops benchmarks/scalar.py's MLP uses (+, *, relu, with floats on either side).
"""

from __future__ import annotations

from typing import Any

TAPE: list[TapeValue] = []  # every non-leaf node made since the last backward, in order
_new = object.__new__


class TapeValue:
    __slots__ = ("data", "grad", "a", "da", "b", "db")

    def __init__(self, data: float) -> None:
        """A leaf: an input or a parameter (never on the tape)."""
        self.data, self.grad, self.a, self.b = data, 0.0, None, None

    def __add__(self, other: Any) -> TapeValue:
        if other.__class__ is TapeValue:
            return _record(self.data + other.data, self, 1.0, other, 1.0)
        return _record(self.data + other, self, 1.0, None, 0.0)

    def __mul__(self, other: Any) -> TapeValue:
        if other.__class__ is TapeValue:
            return _record(self.data * other.data, self, other.data, other, self.data)
        return _record(self.data * other, self, other, None, 0.0)

    __radd__, __rmul__ = __add__, __mul__

    def relu(self) -> TapeValue:
        positive = self.data > 0
        return _record(self.data if positive else 0.0, self, 1.0 if positive else 0.0, None, 0.0)

    def backward(self) -> None:
        """Gradients of self for every node on the tape, then an empty tape."""
        self.grad = 1.0
        for node in reversed(TAPE):
            g = node.grad
            node.a.grad += node.da * g
            if node.b is not None:
                node.b.grad += node.db * g
        TAPE.clear()

    @property
    def parents(self) -> tuple[TapeValue, ...]:
        return tuple(p for p in (self.a, self.b) if p is not None)


def _record(data: float, a: TapeValue, da: float, b: TapeValue | None, db: float) -> TapeValue:
    node = _new(TapeValue)
    node.data, node.grad, node.a, node.da, node.b, node.db = data, 0.0, a, da, b, db
    TAPE.append(node)
    return node


def forget() -> None:
    """Drop the tape of a forward pass that will not be differentiated."""
    TAPE.clear()
