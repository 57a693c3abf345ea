"""The backward pass as a sequence of drawings, one per step, each with a caption doing the chain
rule's arithmetic (captions.py writes it): backward computed once, and the frames drawn from it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import graphviz
import numpy as np

from autograd import Node

from .arguments import require_flags, require_known, require_max_nodes, require_modules, require_rankdir, require_root
from .captions import arithmetic, step_head
from .dot import build, paragraphs
from .graph import MAX_NODES, Edge, Graph, backward_flow, read_graph, require_backward_root
from .kept import changed_since_forward, kept_cause, kept_grads, kept_note
from .long_names import Names, drawn_names
from .nonfinite import first_nonfinite_from
from .rules import symbol
from .sum_figures import Shares, added_up, share_figures

_FRAME_OPTIONS = ("modules", "max_nodes", "rankdir", "show_grads", "number", "color_by_grad")
_ELSEWHERE = (
    "its frames draw backward already, step by step; viz.draw(root, ...) takes the others (check=True, "
    "tensor_detail=True, collapse=True) in one drawing"
)


@dataclass
class Frame:
    """One step of backward: its drawing and what happened, in lines of arithmetic. In Jupyter it
    shows as the drawing with the caption above it."""

    drawing: graphviz.Digraph
    caption: str

    def _repr_svg_(self) -> str:
        titled = self.drawing.copy()
        titled.attr(label=paragraphs([self.caption]), labelloc="t", labeljust="l", fontsize="11")
        return titled.pipe(format="svg", encoding="utf-8")


@dataclass
class Pass:
    """Backward over a graph, computed once (nobody's `.grad` changes): d root / d node by id, the
    edges each node sends (by position in order), and the steps: the positions of the nodes backward
    takes in turn (constants take none), each with its caption; each value's name and user's text, as captions say
    them (drawn_names); the figures each value's shares are written with (share_figures, by id), in its frames,
    captions and page alike."""

    graph: Graph
    grads: dict[int, Any]
    flows: list[list[Edge]]
    steps: list[int]
    captions: list[str]
    names: Names
    shares: Shares

    @cached_property
    def positions(self) -> dict[int, int]:
        """Each node's position in the graph's order, by id: how the page and its notes name a value."""
        return {id(n): k for k, n in enumerate(self.graph.order)}

    @cached_property
    def added(self) -> tuple[dict[int, int], list[Node]]:
        """The figures each sum's inputs are drawn with, by id, and the sums none make add up (`added_up`): how the
        page's boxes, its forward caption and its notes write them."""
        return added_up(self.graph.order)

    @cached_property
    def edges(self) -> list[Edge]:
        """Every edge a gradient flows along, in the order the steps send them: how the page numbers them."""
        return [e for flow in self.flows for e in flow]

    def filling(self) -> Iterator[tuple[int, dict[int, Any], list[Node], dict[int, tuple[int, int]]]]:
        """For each step: its node's position, the gradients filled in so far (by id; one dict,
        updated in place), the nodes whose gradient changed at this step, and the values whose gradient
        is still a sum of some of their shares (by id: how many arrived, of how many; one dict too)."""
        root = self.graph.order[0]
        running: dict[int, Any] = {id(root): self.grads[id(root)]}
        shares = Counter(id(e.parent) for e in self.edges)  # one per use
        partial: dict[int, tuple[int, int]] = {}
        for k in self.steps:
            changed = [root] if k == 0 else []
            for e in self.flows[k]:
                with np.errstate(all="ignore"):  # finite shares summing to inf: drawn and told, not warned about
                    running[id(e.parent)] = (running[id(e.parent)] + e.passed) if id(e.parent) in running else e.passed
                changed.append(e.parent)
                got = partial.pop(id(e.parent), (0, 0))[0] + 1
                if got < shares[id(e.parent)]:
                    partial[id(e.parent)] = (got, shares[id(e.parent)])
            yield k, running, changed, partial


def backward_pass(root: Node, modules: Any = None, max_nodes: int | None = MAX_NODES) -> Pass:
    """The steps of backward from `root`, with `draw`'s `modules` and `max_nodes`."""
    require_root(root, "backward_steps")
    require_backward_root(root, "backward drawings need a one-number root")
    graph = read_graph(root, modules, max_nodes)
    changed_since_forward(graph, "the player and backward_steps compute each step's gradient from the graph's data")
    grads, flows = backward_flow(root, graph.order, graph.consts)
    steps = [k for k, node in enumerate(graph.order) if id(node) not in graph.consts]
    names = drawn_names(graph)
    uses = Counter(id(p) for node in graph.order for p in node.parents)  # a value used twice gets two shares
    received: dict[int, list[Any]] = {id(root): [grads[id(root)]]}  # each value's contributions so far
    shares = share_figures(flows)  # the figures that make each value's shares add up to its gradient as written
    captions = []
    for s, k in enumerate(steps):
        node = graph.order[k]
        head = step_head(s, len(steps), node, flows[k], grads[id(node)], names, shares)
        told = arithmetic(node, flows[k], names, symbol(names[id(root)]), received, uses, shares)
        captions.append("\n".join([head, *told]))
    kept = kept_grads(graph, grads)  # .grads this pass is not (two backwards without zero_grad): said where it starts
    if kept and captions:
        captions[0] += "\n" + kept_note(kept, grads, names, kept_cause(kept, grads))
    return Pass(graph, grads, flows, steps, captions, names, shares)


def backward_steps(
    root: Node, *, modules: Any = None, max_nodes: int | None = MAX_NODES, **options: Any
) -> Iterator[Frame]:
    """A Frame per node of the graph but constants, in the order backward takes them (root first):
    the node being processed is highlighted, the gradients filled in so far are shown, and
    the edges it sends gradient along are labelled. Nobody's `.grad` changes. Options as for `draw`
    (rankdir, show_grads, number, color_by_grad). The arguments are checked and backward computed at
    the call (the frames are drawn as they are taken), so a wrong one raises here, not at the first frame."""
    require_known("backward_steps", options, _FRAME_OPTIONS, _ELSEWHERE)
    require_rankdir("backward_steps", options.get("rankdir", "LR"))
    require_flags("backward_steps", **{name: value for name, value in options.items() if name != "rankdir"})
    require_modules("backward_steps", modules)
    require_max_nodes("backward_steps", max_nodes)
    run = backward_pass(root, modules, max_nodes)
    trail, start = first_nonfinite_from(run) or (None, 0)  # told from the step that draws it, as the player tells it
    return (
        Frame(
            build(
                run.graph,
                dict(running),
                run.flows[: k + 1],
                run.graph.order[k],
                trail=trail if s >= start else None,
                partial=partial,
                shares=run.shares,  # as the captions write them: each frame's shares add up at every later one
                **options,
            ),
            caption,
        )
        for s, (caption, (k, running, _, partial)) in enumerate(zip(run.captions, run.filling()), 1)
    )
