"""The backward pass as a sequence of drawings, one per step."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import graphviz

from autograd import Node

from .dot import build
from .graph import MAX_NODES, Edge, Graph, backward_flow, read_graph, summary


@dataclass
class Frame:
    """One step of backward: its drawing and a sentence saying what happened."""

    drawing: graphviz.Digraph
    caption: str


@dataclass
class Pass:
    """Backward over a graph, computed once (nobody's `.grad` changes): d root / d node by id, the
    edges each node sends (by position in order), and the steps: the positions of the nodes backward
    takes in turn (constants take none), each with its caption."""

    graph: Graph
    grads: dict[int, Any]
    flows: list[list[Edge]]
    steps: list[int]
    captions: list[str]

    def filling(self) -> Iterator[tuple[int, dict[int, Any], list[Node]]]:
        """For each step: its node's position, the gradients filled in so far (by id; one dict,
        updated in place), and the nodes whose gradient changed at this step."""
        root = self.graph.order[0]
        running: dict[int, Any] = {id(root): self.grads[id(root)]}
        for k in self.steps:
            changed = [root] if k == 0 else []
            for e in self.flows[k]:
                running[id(e.parent)] = running[id(e.parent)] + e.passed if id(e.parent) in running else e.passed
                changed.append(e.parent)
            yield k, running, changed


def backward_pass(root: Node, modules: Any = None, max_nodes: int | None = MAX_NODES) -> Pass:
    """The steps of backward from `root`, with `draw`'s `modules` and `max_nodes`."""
    graph = read_graph(root, modules, max_nodes)
    grads, flows = backward_flow(root, graph.order, graph.consts)
    steps = [k for k, node in enumerate(graph.order) if id(node) not in graph.consts]
    captions = [
        _caption(s, len(steps), graph.order[k], flows[k], grads[id(graph.order[k])], graph.names)
        for s, k in enumerate(steps)
    ]
    return Pass(graph, grads, flows, steps, captions)


def backward_steps(
    root: Node, *, modules: Any = None, max_nodes: int | None = MAX_NODES, **options: Any
) -> Iterator[Frame]:
    """Yield a Frame per node of the graph but constants, in the order backward takes them (root first):
    the node being processed is highlighted, the gradients filled in so far are shown, and
    the edges it sends gradient along are labelled. Nobody's `.grad` changes.
    Options as for `draw` (rankdir, show_grads, number, color_by_grad)."""
    run = backward_pass(root, modules, max_nodes)
    for caption, (k, running, _) in zip(run.captions, run.filling()):
        yield Frame(build(run.graph, dict(running), run.flows[: k + 1], run.graph.order[k], **options), caption)


def _caption(k: int, total: int, node: Node, sent: list, grad: Any, names: dict[int, str]) -> str:
    name = names[id(node)] or (node.op.name if node.op else "a leaf")
    head = f"step {k + 1} of {total}: {name} has its gradient, {summary(grad)}"
    if k == 0:
        head = f"step 1 of {total}: backward starts at {name} with gradient {summary(grad)}"
    if not sent:
        return head + ("; it is a leaf, so nothing flows further" if node.op is None else "")
    parts = [f"{names[id(e.parent)] or 'input ' + str(e.index)} gets {summary(e.passed)}" for e in sent]
    return head + f"; through {node.op.name}, " + ", ".join(parts)
