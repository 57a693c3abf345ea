"""A plain scalar backward's writes (scalar_backward.py): each `.grad` written as the pass takes its
node, and put back where the pass raises, or stops writing before a rule of the user's runs (which
may read `.grad`)."""

from __future__ import annotations

from typing import Any

from .graph import Node
from .graph_order import _reachable


def added(node: Node, held: Any, g: Any, start: float) -> Any:
    """The `.grad` that a node holding `held` gets from a pass's sum g (still its `start` where no gradient
    arrived), a float or (create_graph's) a
    Value. A `.grad` not computed (0.0) or set to None (PyTorch's zeroing) takes 0.0 + g, as micrograd's
    `+=` (a -0.0 from a hook reads 0.0, as the pass's own sums, which start at 0.0; a Value, a new node, so
    that it is never the caller's seed); another is held + g, a new sum, not +=, since under no_grad a
    Value's += writes in place, and a `.grad` that is a node may be in a graph. Always a plain float for
    numbers (never a numpy float that a rule, a hook or a Value's numpy `.data` gave)."""
    if held is None or held is node._grad_zero:
        if g is start:  # no gradient arrived
            return 0.0
        return node._grad_zero + g if isinstance(g, Node) else float(g) + 0.0
    total = held + g
    return total if isinstance(total, Node) else float(total)


def put_back(root: Node, written: list[tuple[Node, Any]]) -> list[Node]:
    """Every `.grad` the pass wrote as it was before; returns those nodes. A node that was "not computed"
    and took its float sum as it was holds its own `_grad_sum` object, which no `.grad` from before the
    pass can be (each sum, and the pass's start, is a new float made by this pass; the root, whose seed may
    be a float from elsewhere, is logged in `written` whether it was written or not, and so is every other
    node the pass added to): those go back to "not computed" first, then the logged ones to what they held."""
    taken = [node for node in _reachable(root) if node.grad is node._grad_sum]
    for node in taken:
        node.grad = node._grad_zero
    for node, held in written:
        node.grad = held
    return list(dict.fromkeys([*taken, *(node for node, _ in written)]))
