"""What a recording knows of the data it met: a call's input as its array (`input_array`), the inputs an array
is a view of (`views_of`), and the constants ops made while it ran (`MadeByOp`, with the version counts to tell
them changed since)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


def input_array(x: Any) -> Any:
    """A call's input as its data: a Tensor's array, anything else (an array, a number) as it is (by its
    `_data`, Tensor's own slot: the Tensor class is built on this module's)."""
    return getattr(x, "_data", x)


def views_of(data: Any, arrays: list[tuple[int, Any]]) -> set[int]:
    """The indices of `arrays` ((input index, the input's array)) that `data` (an array, or a Tensor's) is a view
    of, sharing its memory (labels `y[:2]`, `x.T`): numpy made it from that input, where compile does not look.
    The input's array itself is none (it is known as the input)."""
    data = input_array(data)
    if not isinstance(data, np.ndarray) or not data.size:
        return set()
    return {k for k, a in arrays if data is not a and _shares_memory(data, a)}


def _shares_memory(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether `a` and `b` share an element: exactly, not by their bounds alone (columns of one array, features
    and weights, are not views of each other); by their bounds where that is too hard to tell (strides numpy's
    solver gives up on), so that a view is never missed."""
    try:
        return bool(np.shares_memory(a, b, max_work=_MAX_WORK))
    except np.exceptions.TooHardError:
        return bool(np.may_share_memory(a, b))


_MAX_WORK = 10_000  # the work numpy may spend on the exact answer (microseconds for slices of a 1000 x 1000 array)


@dataclass
class MadeByOp:
    """A constant that an op (the table's, or a user's) made while a step was recorded (no parent required
    grad), with the version counts it and its parents had then: changed since, it is not what the op made.
    `held`: the caller's constant Tensors among its parents, which a replay of the op reads as they are then;
    where the op is not replayed (its result read by Python), its replays are pinned to their numbers.
    `of_graph`: made under no_grad of the graph's numbers (a parameter's: an evaluation's loss), whose
    parameters the step's optimizer calls may change afterwards (compile_tape checks the op read them before)."""

    tensor: Any
    op: Any
    params: dict[str, Any]
    parents: list[Any]
    held: list[Any] = field(default_factory=list)
    of_graph: bool = False
    data: np.ndarray = field(init=False)  # the tensor's, when noted
    versions: list[int] = field(init=False)  # the parents', then its own, when noted (`counter`: its own count's list)
    counter: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.data, self.versions, self.counter = self.tensor._data, self._versions(), self.tensor._counter

    def _versions(self) -> list[int]:
        own, parents = self.tensor._counter, [p._counter[0] for p in self.parents]
        if own is not getattr(self, "counter", own):
            # a view (weight.reshape(shape)), noted before tensor_class linked its count to its parent's: as noted
            return parents + [self.versions[-1] if any(p._counter is own for p in self.parents) else -1]
        return parents + [own[0]]

    def unchanged(self) -> bool:
        now = self._versions()
        return self.tensor._data is self.data and (
            now == self.versions or self.of_graph and now[-1] == self.versions[-1]
        )
