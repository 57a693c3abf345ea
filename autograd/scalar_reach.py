"""The first sweep of Value's backward pass (scalar_backward.py): every node reached from the root, in an
order where each comes after its parents, its gradient sum started at the pass's own zero, which also marks
it as reached. The second sweep takes them in reverse: a node after all its consumers, so that its sum is
complete when it passes it on, with no count of consumers kept on the node (a slot, 8 bytes a node)."""

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


def reach(root: Node, start: float) -> list[Node]:
    """The first sweep: each node reachable from root, its sum started at `start`, listed after all its
    parents (root last). Depth first, without recursion: a node is marked when first reached and goes back
    on the stack while it has a parent not yet reached, which is taken next; once all are, it is listed.
    Parents before consumers whatever the graph's shape, since a marked node is either listed or one the
    walk is still below (and a node's parent is never below it: a graph has no cycles). A node's parents
    were made just before it, so they lie near it in memory. The two parents of a binary op are written
    out rather than looped over (the hot loop); a node of many parents resumes its parents' iterator."""
    root._grad_sum = start
    order: list[Node] = []
    listed = order.append
    stack: list[Node] = []
    push, pop = stack.append, stack.pop
    resume: dict[int, object] = {}  # a node of MANY parents, back on the stack: the rest of its parents
    node = root
    try:  # until the stack is empty: its pop's IndexError ends the sweep (no test of the stack per node)
        while True:
            a = node._a
            if a is None:
                listed(node)
                node = pop()
                continue
            b = node._b
            if b is None:
                if a._grad_sum is start:
                    listed(node)
                    node = pop()
                else:
                    a._grad_sum = start
                    push(node)
                    node = a
                continue
            if b is MANY:
                rest = resume.pop(id(node), None) or iter(a)
                for p in rest:
                    if p._grad_sum is not start:
                        p._grad_sum = start
                        resume[id(node)] = rest
                        push(node)
                        node = p
                        break
                else:
                    listed(node)
                    node = pop()
                continue
            if a._grad_sum is not start:
                a._grad_sum = start
                push(node)
                node = a
            elif b._grad_sum is not start:
                b._grad_sum = start
                push(node)
                node = b
            else:
                listed(node)
                node = pop()
    except IndexError:  # nothing else in the loop raises one: the slots read hold nodes, None or MANY
        pass
    return order
