"""A graph as a graphviz drawing: values with their data and gradients, ops between them, and
in backward mode the chain rule on each edge; optionally each leaf's gradient checked by finite
differences, and the first NaN or infinity with the path that carried it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import graphviz
import numpy as np

from autograd import Node, Tensor

from .graph import (
    MAX_NODES,
    Edge,
    Graph,
    all_gradients,
    backward_flow,
    check_size,
    magnitude,
    module_order,
    numbered_names,
    read_graph,
    shown_grads,
)
from .labels import HIDDEN, MISSING, NOT_COMPUTED, chain_rule, constant, escape, op_title, record, shape_label
from .nonfinite import Trail, first_nonfinite
from .numeric import Check, finite_difference_checks, require_one_number
from .writing import require_folder, write_atomically

__all__ = ["NOT_COMPUTED", "build", "draw", "render", "require_root", "write_atomically"]


def draw(
    root: Node,
    *,
    rankdir: str = "LR",
    show_grads: bool = True,
    backward: bool = False,
    number: bool = False,
    color_by_grad: bool = False,
    modules: Any = None,
    collapse: bool = False,
    max_nodes: int | None = MAX_NODES,
    check: bool = False,
    tensor_detail: bool = False,
    format: str | None = None,
) -> graphviz.Digraph:
    """The graph that made `root`, as a graphviz Digraph (shown inline in Jupyter).

    One record per value: its label, data and grad (a grad no backward has reached reads
    "not computed"); tensors show shape, dtype and min/mean/max, and after a backward the
    gradient that flowed through each of them, leaves or not; tensor edges show the input's shape,
    in orange where the op broadcast it. One oval per op. Constants (numbers in expressions, tensors
    that do not require grad) are small dashed boxes holding their data only.
    `backward=True` keeps the layout, turns the arrows toward the inputs, and writes the chain rule on
    each edge, `∂L/∂w = ∂L/∂n · ∂n/∂w = 0.5 × 2 = 1`, with the op's rule for that input; every op is
    numbered with its step of backward (root first), and values without a name are called by theirs
    ("#3"). `number` numbers every value that way; `color_by_grad` shades values by grad, red positive
    and blue negative; `modules=model` names parameters as the model does and draws one cluster per
    module call, or with `collapse` one box per module. `check=True` puts a central finite difference
    beside each leaf's gradient (tensors: along a random direction), green where they agree and red
    where not. The first NaN or infinity, forward or backward, is always drawn red with the path that
    carried it. `tensor_detail` adds a histogram of each tensor's data and grad. `format` ("svg",
    "png", ...) is the Digraph's, for its `render()`. A graph of more than `max_nodes` nodes raises
    GraphTooLarge, saying how to proceed.
    """
    require_root(root, "draw")
    if format is not None and format not in graphviz.FORMATS:
        raise ValueError(f"format {format!r} is not one graphviz writes; use 'svg', 'png' or 'pdf' (graphviz.FORMATS)")
    if check and collapse and modules is not None:
        raise ValueError(
            "check=True marks each leaf, which collapse=True hides in its module's box: draw one or the other"
        )
    graph = read_graph(root, modules, None if collapse and modules is not None else max_nodes)
    if collapse and graph.owner:
        drawing = _collapsed(_digraph(rankdir), graph, module_order(modules), max_nodes)
    else:
        check_size(graph.order, max_nodes)  # nothing to collapse: every node is drawn
        if check:
            require_one_number(root)
        grads, flows = backward_flow(root, graph.order, graph.consts) if backward else (None, None)
        if check and grads is None:
            grads = all_gradients(root, graph.order)
        # a drawing that computed every gradient shows them all, as its edges and checks use them
        shown = shown_grads(root, graph.order, graph.consts) if grads is None else _values(grads, graph)
        checks = finite_difference_checks(root, graph.order, graph.consts, grads) if check else None
        trail = first_nonfinite(graph.order, shown, numbered_names(graph))
        options = {"rankdir": rankdir, "show_grads": show_grads, "number": number, "color_by_grad": color_by_grad}
        drawing = build(graph, shown, flows, None, checks=checks, trail=trail, tensor_detail=tensor_detail, **options)
    drawing.format = format or drawing.format
    return drawing


def build(
    graph: Graph,
    grads: dict[int, Any],
    flows: list[list[Edge]] | None,
    current: Node | None,
    *,
    rankdir: str = "LR",
    show_grads: bool = True,
    number: bool = False,
    color_by_grad: bool = False,
    checks: dict[int, Check] | None = None,
    trail: Trail | None = None,
    tensor_detail: bool = False,
) -> graphviz.Digraph:
    """The drawing of `graph` with the gradients `grads` (by node id; absent: not computed).
    `flows` (the edges each node has sent, by position in order, None for a forward drawing)
    draws backward; edges not yet sent are grey. `current` is highlighted. `checks` (by leaf id)
    colours leaves by their finite-difference check; `trail` marks the first NaN or infinity.
    In the SVG, the value at position k of order is the element "vk", its op "ok", the edge from its
    i-th input "ek_i"."""
    g = _digraph(rankdir)
    order, consts, checks = graph.order, graph.consts, checks or {}
    names = numbered_names(graph)
    pos = {id(n): k for k, n in enumerate(order)}
    step = {id(n): i + 1 for i, n in enumerate(n for n in order if id(n) not in consts)}  # backward's steps
    top = max((magnitude(x) for x in grads.values()), default=0.0) or 1.0 if color_by_grad else 1.0
    marked = trail.nodes if trail is not None else frozenset()
    boxes: dict[str, graphviz.Digraph] = {}
    for node in order:
        target = _cluster(g, boxes, graph.owner.get(id(node)))
        grad = grads.get(id(node), MISSING)
        style = {"penwidth": "3", "color": "royalblue"} if node is current else {}
        if id(node) in marked:
            style = {"penwidth": "2.5", "color": "red"}
        if id(node) in consts:
            target.node(_id(node), constant(node), id=f"v{pos[id(node)]}", shape="record", style="rounded,dashed",
                        **_CONSTANT)  # fmt: skip
        else:
            name = graph.names[id(node)]
            numbered = step[id(node)] if number or (flows is not None and not name) else None
            shown = grad if show_grads else HIDDEN
            label = record(node, name, shown, numbered, checks.get(id(node)), tensor_detail)
            fill = _fill(node, grad, top, color_by_grad, checks.get(id(node)), trail)
            target.node(_id(node), label, id=f"v{pos[id(node)]}", shape="record", style="filled", fillcolor=fill,
                        **style)  # fmt: skip
        if node.op is not None:
            label = (
                f"{op_title(node)}\\nstep {step[id(node)]}"
                if flows is not None and id(node) in step
                else op_title(node)
            )
            target.node(_id(node) + "op", label, id=f"o{pos[id(node)]}", shape="ellipse", **style)
            g.edge(
                _id(node) + "op", _id(node), dir="back" if flows is not None else "forward", **_red(id(node) in marked)
            )
    for subgraph in boxes.values():
        g.subgraph(subgraph)
    sent = {(id(e.parent), id(e.child), e.index): e for flow in flows or [] for e in flow}
    on_trail = trail.edges if trail is not None else frozenset()
    for e in _edges(order):
        ends = (_id(e.parent), _id(e.child) + "op")
        key = (id(e.parent), id(e.child), e.index)
        name = f"e{pos[id(e.child)]}_{e.index}"
        red = _red(key in on_trail)
        if flows is None:
            shape = shape_label(e) if isinstance(e.child, Tensor) else {}
            g.edge(*ends, id=name, **{**shape, **red})
        elif id(e.parent) in consts:  # no gradient goes to a constant
            g.edge(*ends, id=name, dir="none", style="dashed", color="gray70")
        elif key in sent:
            bold = {"penwidth": "2.5"} if e.child is current else {}
            label = chain_rule(sent[key], names, order[0])
            g.edge(*ends, id=name, dir="back", label=label, fontsize="9", **{"color": "firebrick", **bold, **red})
        else:
            g.edge(*ends, id=name, dir="back", color="gray70")
    notes = ([trail.story] if trail is not None else []) + ([_check_summary(checks, names)] if checks else [])
    if notes:
        g.attr(label="\\n".join(escape(n) for n in notes), labelloc="b", fontsize="11")
    return g


def render(root: Node, path: str | os.PathLike, **options: Any) -> Path:
    """Draw (with `draw`'s options) and write an .svg, .png or .pdf, by the path's suffix."""
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in ("svg", "png", "pdf"):
        raise ValueError(f"render writes .svg, .png or .pdf, not {path.name!r}")
    require_folder(path)  # before drawing, which may take long
    write_atomically(path, draw(root, **options).pipe(format=fmt))
    return path


def require_root(root: Any, caller: str, accepted: tuple[type, ...] = (Node,), also: str = "") -> None:
    """Refuse a root that is not a graph's node (None, a number, an array): a TypeError naming what
    `caller` takes, not an AttributeError from deep inside."""
    if not isinstance(root, accepted):
        raise TypeError(
            f"{caller} takes the Value or Tensor whose graph to draw (the loss, an output){also}, "
            f"got {type(root).__name__}"
        )


def _values(grads: dict[int, Any], graph: Graph) -> dict[int, Any]:
    """The gradients (by id) of the values, leaving out the constants: nothing reads theirs."""
    return {i: g for i, g in grads.items() if i not in graph.consts}


def _id(node: Node) -> str:
    return str(id(node))


def _edges(order: list[Node]) -> list[Edge]:
    return [Edge(p, n, i, None, None) for n in order for i, p in enumerate(n.parents)]


def _digraph(rankdir: str) -> graphviz.Digraph:
    font = {"fontname": "Helvetica", "fontsize": "11"}
    return graphviz.Digraph(graph_attr={"rankdir": rankdir, **font}, node_attr=font, edge_attr=font)


_CONSTANT = {"color": "gray55", "fontcolor": "gray35", "fontsize": "9", "height": "0.2", "margin": "0.04,0.02"}
_AGREE, _DISAGREE, _UNDEFINED, _FIRST_NONFINITE = "#d4efd4", "#f6c4c4", "#e6e6e6", "#ff9c9c"


def _fill(node: Node, grad: Any, top: float, color_by_grad: bool, check: Check | None, trail: Trail | None) -> str:
    """A value's fill: red where the first NaN or infinity appeared; a leaf's check, green or red;
    else the shade of its gradient (`color_by_grad`) or white."""
    if trail is not None and node is trail.node:
        return _FIRST_NONFINITE
    if check is not None:
        return _AGREE if check.agrees else _UNDEFINED if check.numeric is None else _DISAGREE
    return _shade(grad, top) if color_by_grad and grad is not MISSING else "white"


def _red(on: bool) -> dict[str, str]:
    return {"color": "red", "penwidth": "2.5"} if on else {}


def _check_summary(checks: dict[int, Check], names: dict[int, str]) -> str:
    """One line under a checked drawing: how many leaves agree with their finite difference, which do not."""
    wrong = [names[i] for i, c in checks.items() if not c.agrees]
    if not wrong:
        return f"finite differences agree with backward at all {len(checks)} leaves"
    return f"finite differences disagree with backward at {len(wrong)} of {len(checks)} leaves: {', '.join(wrong)}"


def _shade(grad: Any, top: float) -> str:
    """A diverging colour: red for a positive gradient, blue for a negative one (a tensor's: by its
    mean), from white for 0 to saturated for the largest |grad| in the graph (`top`)."""
    hue = "0.0" if np.mean(grad) >= 0 else "0.6"
    return f"{hue} {min(magnitude(grad) / top, 1.0) * 0.85:.3f} 1.0"


def _cluster(g: graphviz.Digraph, boxes: dict[str, graphviz.Digraph], path: str | None) -> graphviz.Digraph:
    if path is None:
        return g
    if path not in boxes:
        boxes[path] = graphviz.Digraph(
            name=f"cluster_{len(boxes)}", graph_attr={"label": path, "style": "rounded", "color": "gray50"}
        )
    return boxes[path]


def _collapsed(g: graphviz.Digraph, graph: Graph, rank: dict[str, int], max_nodes: int | None) -> graphviz.Digraph:
    """Each module's nodes as one box, in the model's order; the nodes of no module as usual, without grads."""
    order, consts = graph.order, graph.consts
    box = {id(n): graph.owner.get(id(n)) for n in order}
    loose = [n for n in order if box[id(n)] is None]
    modules = sorted({m for m in box.values() if m is not None}, key=rank.__getitem__)
    count = len(modules) + len(loose) + sum(1 for n in loose if n.op is not None)
    if max_nodes is not None and count > max_nodes:
        check_size(order, max_nodes)  # raises, with the full count
    for m in modules:
        members = sum(1 for v in box.values() if v == m)
        g.node("module " + m, f"{escape(m)}\\n{members} node{'s' if members > 1 else ''}", shape="box3d")
    for n in loose:
        if id(n) in consts:
            g.node(_id(n), constant(n), shape="record", style="rounded,dashed", **_CONSTANT)
        else:
            g.node(_id(n), record(n, graph.names[id(n)], HIDDEN, None), shape="record")
        if n.op is not None:
            g.node(_id(n) + "op", op_title(n), shape="ellipse")
            g.edge(_id(n) + "op", _id(n))
    seen = set()
    for n in order:
        for p in n.parents:
            head = "module " + box[id(n)] if box[id(n)] else _id(n) + "op"
            tail = "module " + box[id(p)] if box[id(p)] else _id(p)
            if head != tail and (tail, head) not in seen:
                seen.add((tail, head))
                g.edge(tail, head)
    return g
