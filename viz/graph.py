"""What viz reads of a graph, through autograd's public API: its nodes, the gradient each edge
carries in backward, and the module each node belongs to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd import Node, Tensor, gradients, pullback, topological_order


class GraphTooLarge(ValueError):
    """The graph has more nodes than a drawing allows (`max_nodes`)."""


@dataclass
class Edge:
    """What backward sends from `child` to its input `parent` (the `index`-th)."""

    parent: Node
    child: Node
    index: int
    local: float | None  # d child / d parent, for scalars
    passed: Any  # the gradient sent along: d root / d child times the local derivative


def nodes_in_order(root: Node, max_nodes: int | None) -> list[Node]:
    """Every node of the graph, root first, each before its parents; refuses too large a graph
    before any drawing starts."""
    order = topological_order(root)
    ops = sum(1 for n in order if n.op is not None)
    if max_nodes is not None and len(order) + ops > max_nodes:
        raise GraphTooLarge(
            f"this graph has {len(order)} values and {ops} ops, {len(order) + ops} nodes to draw, more than "
            f"max_nodes={max_nodes}. Raise the limit (max_nodes={len(order) + ops}; graphviz may take long), "
            "collapse what modules compute into one box each (modules=model, collapse=True), or draw a smaller graph."
        )
    return order


def backward_flow(root: Node, order: list[Node]) -> tuple[dict[int, Any], list[list[Edge]]]:
    """d root / d node for every node (by id), and for each node in `order` the edges backward
    sends from it, computed from each op's rule; nobody's `.grad` changes."""
    grads = dict(zip(map(id, order), gradients(root, order)))
    flows = []
    for node in order:
        if node.op is None:
            flows.append([])
            continue
        parents = node.parents
        passed = pullback(node, grads[id(node)])
        unit = pullback(node, 1.0) if not isinstance(node, Tensor) else [None] * len(parents)
        flows.append([Edge(p, node, i, _scalar(u), g) for i, (p, u, g) in enumerate(zip(parents, unit, passed))])
    return grads, flows


def module_of(order: Iterable[Node], modules: Any) -> dict[int, str]:
    """The dotted path of the module each node belongs to, by id: a parameter belongs to the
    module that holds it; an op, to the module of a parameter among its inputs, or else to
    the one module all its computed inputs belong to (so an activation joins the layer before
    it). Nodes of no module are left out."""
    owner: dict[int, str] = {}
    for path, module in modules.named_modules():
        inner = {id(p) for _, child in module.named_modules() if child is not module for p in child.parameters()}
        for p in module.parameters():
            if id(p) not in inner:
                owner[id(p)] = path or type(module).__name__
    for node in reversed(list(order)):  # inputs before the ops that use them
        if id(node) in owner or node.op is None:
            continue
        direct = [owner[id(p)] for p in node.parents if id(p) in owner and p.op is None]
        computed = [owner.get(id(p)) for p in node.parents if p.op is not None]  # constants do not count
        if direct:
            owner[id(node)] = direct[0]
        elif computed and None not in computed and len(set(computed)) == 1:
            owner[id(node)] = computed[0]
    return owner


def summary(x: Any) -> str:
    """A number as 4 significant figures; an array as its min, mean and max."""
    a = np.asarray(x, dtype=float)
    if a.size == 1:
        return f"{a.item():.4g}"
    return f"min {a.min():.3g} mean {a.mean():.3g} max {a.max():.3g}"


def magnitude(x: Any) -> float:
    return float(np.mean(np.abs(np.asarray(x, dtype=float)))) if x is not None else 0.0


def _scalar(x: Any) -> float | None:
    return None if x is None else float(np.asarray(x))
