"""The backward pass as a sequence of drawings, one per step."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import graphviz

from autograd import Node

from .dot import build
from .graph import backward_flow, module_of, nodes_in_order, summary


@dataclass
class Frame:
    """One step of backward: its drawing and a sentence saying what happened."""

    drawing: graphviz.Digraph
    caption: str


def backward_steps(root: Node, *, modules: Any = None, max_nodes: int | None = 300, **options: Any) -> Iterator[Frame]:
    """Yield a Frame per node of the graph, in the order backward takes them (root first):
    the node being processed is highlighted, the gradients filled in so far are shown, and
    the edges it sends gradient along are labelled. Nobody's `.grad` changes.
    Options as for `draw` (rankdir, show_grads, number, color_by_grad)."""
    order = nodes_in_order(root, max_nodes)
    owner = module_of(order, modules) if modules is not None else {}
    grads, flows = backward_flow(root, order)
    running: dict[int, Any] = {id(root): grads[id(root)]}
    for k, node in enumerate(order):
        for e in flows[k]:
            running[id(e.parent)] = running[id(e.parent)] + e.passed if id(e.parent) in running else e.passed
        drawing = build(order, owner, dict(running), flows[: k + 1], node, **options)
        yield Frame(drawing, _caption(k, len(order), node, flows[k], grads[id(node)]))


def _caption(k: int, total: int, node: Node, sent: list, grad: Any) -> str:
    name = node.label or (node.op.name if node.op else "a leaf")
    head = f"step {k + 1} of {total}: {name} has its gradient, {summary(grad)}"
    if k == 0:
        head = f"step 1 of {total}: backward starts at {name} with gradient {summary(grad)}"
    if not sent:
        return head + ("; it is a leaf, so nothing flows further" if node.op is None else "")
    parts = [f"{e.parent.label or 'input ' + str(e.index)} gets {summary(e.passed)}" for e in sent]
    return head + f"; through {node.op.name}, " + ", ".join(parts)
