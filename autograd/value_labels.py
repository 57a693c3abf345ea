"""A Value's `label`, kept beside the node rather than in it: most nodes (every op's output, every lifted
number) never get one, so a slot on each would cost every node 8 bytes and a store as it is made. The few
labels given live in a table keyed by the node's id, each entry dropped when its node is freed (a weak
reference's callback), so that a new node taking a freed one's id never inherits its label."""

from __future__ import annotations

import weakref
from typing import Any

_LABELS: dict[int, tuple[str, weakref.ref[Any]]] = {}  # id(node): (its label, a weak reference to it)


def _forget(key: int) -> Any:
    """The callback of a labelled node's weak reference: its entry goes with it."""
    return lambda _ref: _LABELS.pop(key, None)


class ValueLabel:
    """`label`: a name for drawings and printing ("" unless given), read and written as an attribute."""

    __slots__ = ()

    @property
    def label(self) -> str:
        entry = _LABELS.get(id(self))
        return "" if entry is None else entry[0]

    @label.setter
    def label(self, label: str) -> None:
        key = id(self)
        entry = _LABELS.get(key)
        if entry is not None:
            _LABELS[key] = (label, entry[1])
        elif label != "":
            _LABELS[key] = (label, weakref.ref(self, _forget(key)))
