"""The first sweep of Value's backward pass (scalar_backward.py): each node reached from the root has its
consumers counted and its gradient sum started at the pass's own zero, which also marks it as reached."""

from __future__ import annotations

import math

from .graph import Node
from .graph_order import MANY


def pass_start(accumulate: bool) -> float:
    """A new zero for one pass, where every reached node's gradient sum starts, which also marks the node as
    reached in this pass (tested by identity: no other live float is this object, and a stale sum from an
    earlier pass holds that pass's, still alive, never this one). A plain float, so that the first gradient
    added to it runs the interpreter's float fast path (a float subclass took the slow one at every node's
    first sum: 2.5% of a step's instructions). `gradients`' is -0.0, the additive identity: a -0.0 gradient
    stays -0.0, as a Tensor's and PyTorch's (0.0 + -0.0 is 0.0: mul's to b at a = -0.0 came out 0.0 there); a
    backward's is 0.0, where `.grad` starts, as micrograd's `+=` (scalar_pass). A sum still holding it got
    nothing, and is written as 0.0 (scalar_writes.added)."""
    return math.copysign(0.0, 1.0 if accumulate else -1.0)  # a new object each call, never a shared constant


def count_consumers(root: Node, start: float) -> None:
    """The first sweep: each reachable node's consumers counted in `_visit`, its sum started at `start`
    (the two parents of a binary op are written out rather than looped over: this is the hot loop).
    Depth first, on a stack: a node's parents were made just before it, so they lie near it in
    memory; a breadth-first walk (a `for` over a growing list) takes fewer instructions but more time.
    Of the parents a node reaches first, the one it would push last is taken next directly rather than
    pushed and popped again (the same order, with less list work), as the second sweep does."""
    root._grad_sum, root._visit = start, 0
    stack: list[Node] = []
    node = root
    try:  # until the stack is empty: its pop's IndexError ends the sweep (no test of the stack per node)
        while True:
            a = node._a
            if a is None:
                node = stack.pop()
                continue
            b = node._b
            if b is None:
                if a._grad_sum is start:
                    a._visit += 1
                    node = stack.pop()
                else:
                    a._grad_sum, a._visit = start, 1
                    node = a
                continue
            if b is MANY:
                for p in a:
                    if p._grad_sum is start:
                        p._visit += 1
                    else:
                        p._grad_sum, p._visit = start, 1
                        stack.append(p)
                node = stack.pop()
                continue
            if a._grad_sum is start:
                a._visit += 1
                if b._grad_sum is start:
                    b._visit += 1
                    node = stack.pop()
                else:
                    b._grad_sum, b._visit = start, 1
                    node = b
            else:
                a._grad_sum, a._visit = start, 1
                if b._grad_sum is start:  # b is a: reached just now, counted twice
                    b._visit += 1
                    node = a
                else:
                    b._grad_sum, b._visit = start, 1
                    stack.append(a)
                    node = b
    except IndexError:  # nothing else in the loop raises one: the slots read hold nodes, None or MANY
        pass
