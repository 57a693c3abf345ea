"""The derivative rule of a node built by hand, micrograd's way: `Value(data, (a, b), "+")` and then
`out._backward = _backward`, a function adding into the children's `.grad`. Made a rule, it is called by
`backward()` like any op's, so gradients accumulate across calls as for every other node."""

from __future__ import annotations

from typing import Any

from .graph import Node
from .op import Op


def hand_built_op(node: Node, name: str) -> Op:
    """The op recorded by a node built by hand: the name its author gave (its `_op`), no forward to
    rerun (its data was given), and for rule the `_backward` its author assigns."""
    return Op(name, _no_forward, HandWritten(node), "a node built by hand keeps no forward to rerun")


def _no_forward(*args: float) -> float:
    raise ValueError("built by hand")


def _nothing() -> None:
    """micrograd's `_backward` of a node whose author gave none."""


class HandWritten:
    """The derivative rule of a node built by hand: its author's `_backward`, which adds into the
    children's `.grad` as micrograd's do, run as a rule. While it runs, the node's `.grad` holds the
    pass's gradient and each child's `.grad` reads "not computed" (0.0); what the children hold
    afterwards is returned as their gradients (None for one it left alone), and every `.grad` is
    restored, so backward accumulates as for any node. Such a rule works on numbers:
    `backward(create_graph=True)` through it is refused."""

    __slots__ = ("node", "backward")

    def __init__(self, node: Node) -> None:
        self.node, self.backward = node, _nothing

    def __call__(self, g: Any, out: Any, *inputs: Any) -> tuple[float | None, ...]:
        node = self.node
        if isinstance(out, Node):
            raise TypeError(f"create_graph: {node._op!r} was built by hand; its _backward gives no second derivatives")
        children = list(dict.fromkeys(node.parents))  # once each, however often it is an input
        saved = node.grad, [c.grad for c in children]
        node.grad = g
        for c in children:
            c.grad = c._grad_zero
        try:
            self.backward()
            grads = {c: c.grad for c in children if c.grad is not c._grad_zero}
        finally:
            node.grad = saved[0]
            for c, grad in zip(children, saved[1]):
                c.grad = grad
        return tuple(grads.pop(p, None) for p in node.parents)  # a repeated input's total goes to its first place
