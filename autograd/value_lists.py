"""Whether data given where numbers go holds Values: a micrograd model's outputs (a Value, or a list
of them per example) handed to a function of Tensors, which an error then names with what serves."""

from __future__ import annotations

from itertools import islice
from typing import Any

import numpy as np

from .graph import Node

# entries read at most: a hostile or huge list costs no more than this (a list that holds itself ends too)
_MOST_READ = 1 << 16


def is_value(x: Any) -> bool:
    """Whether x is a Value: a node without a shape (graph cannot import value.py, which derives from it)."""
    return isinstance(x, Node) and not hasattr(x, "shape")


def holds_values(data: Any) -> bool:
    """Whether `data` is a Value, or a list, tuple or numpy object array with a Value among its entries,
    at any depth and in rows of any lengths. An object array's own entries are all read (they are in
    memory: reading them all costs what making the array did); inside lists, entries are read
    first to last, depth first, and at most 65536 of them, so that a huge list stays cheap and a list that
    holds itself ends: a Value further on is not seen (the data is refused all the same, in general words)."""
    if isinstance(data, np.ndarray) and data.dtype == object and any(map(is_value, data.flat)):
        return True
    pending, budget = [data], _MOST_READ
    while pending:
        entry = pending.pop()
        if is_value(entry):
            return True
        if isinstance(entry, list | tuple) or (isinstance(entry, np.ndarray) and entry.dtype == object):
            read = list(islice(entry.flat if isinstance(entry, np.ndarray) else entry, budget))
            budget -= len(read)
            pending.extend(reversed(read))  # the first entry on top: read next
    return False
