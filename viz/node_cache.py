"""What viz works out for a node once for its data, not again at each drawing, edge and step: by node id, kept while
the node lives and its data and its inputs' stay as they were (`digest`). widened.py keeps values on paper in one,
redo_calls.py its judgement of a user's op (which runs the op) in another."""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np

from autograd import Node


def digest(node: Node) -> bytes:
    """What tells `node`'s data and its inputs' from any other: their dtypes, shapes and bytes, hashed (an input
    changed in place, as an optimizer's step changes a weight, leaves a 0 it made 0 but its value on paper not)."""
    digest = hashlib.blake2b(digest_size=16)
    for data in (node.data, *(p.data for p in node.parents)):
        a = np.ascontiguousarray(data)
        digest.update(f"{a.dtype}{a.shape}".encode() + a.tobytes())
    return digest.digest()


class NodeCache:
    """By node id: the node (weakly, so that an entry goes with its node and a later node of the same id finds
    none), the stamp it was worked out for (a `digest`, with whatever else it depends on) and what was worked out;
    not a copy of the data: a model's activations would be kept twice."""

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref, Hashable, Any]] = {}

    def has(self, node: Node, stamp: Hashable) -> bool:
        """Whether what `node` has kept was worked out for `stamp`, its data as it is now."""
        entry = self._entries.get(id(node))
        return entry is not None and entry[0]() is node and entry[1] == stamp

    def get(self, node: Node) -> Any:
        """What was kept for `node` (`has` tells whether it is for its data now)."""
        return self._entries[id(node)][2]

    def put(self, node: Node, stamp: Hashable, value: Any) -> None:
        key = id(node)
        gone = weakref.ref(node, lambda _, key=key: self._entries.pop(key, None))
        self._entries[key] = (gone, stamp, value)

    def kept(self, node: Node, stamp: Hashable, make: Callable[[], Any]) -> Any:
        """What was kept for `node` at `stamp`, else `make()`, kept."""
        if not self.has(node, stamp):
            self.put(node, stamp, make())
        return self.get(node)
