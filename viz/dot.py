"""A graph as a graphviz drawing: values with their data and gradients, ops between them, and
in backward mode the gradient each edge carries."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import graphviz
import numpy as np

from autograd import Node, Tensor

from .graph import (
    MAX_NODES,
    Edge,
    Graph,
    backward_flow,
    check_size,
    magnitude,
    module_order,
    read_graph,
    shown_grads,
    summary,
)

NOT_COMPUTED = "not computed"


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
) -> graphviz.Digraph:
    """The graph that made `root`, as a graphviz Digraph (shown inline in Jupyter).

    One record per value: its label, data and grad (a grad no backward has reached reads
    "not computed"); tensors show shape, dtype and min/mean/max, and after a backward the
    gradient that flowed through each of them, leaves or not. One oval per op. Constants
    (numbers in expressions, tensors that do not require grad) are small dashed boxes holding
    their data only: nothing reads their gradient.
    `backward=True` keeps the layout, turns the arrows toward the inputs, and labels each with
    the local derivative and the gradient it passes; every op is numbered with its step of
    backward (the topological order, root first). `number` numbers values that way too;
    `color_by_grad` shades values by grad, red positive and blue negative, deeper for larger
    |grad|; `modules=model` names the parameters as the model does (`layers.0.W`) and groups nodes
    into one labelled cluster per module call that computed them (nn records its calls), or with
    `collapse` draws each module's nodes as one box.
    A graph of more than `max_nodes` nodes raises GraphTooLarge, saying how to proceed.
    """
    graph = read_graph(root, modules, None if collapse and modules is not None else max_nodes)
    if collapse and graph.owner:
        return _collapsed(_digraph(rankdir), graph, module_order(modules), max_nodes)
    check_size(graph.order, max_nodes)  # nothing to collapse: every node is drawn
    shown = shown_grads(root, graph.order, graph.consts)
    flows = backward_flow(root, graph.order, graph.consts)[1] if backward else None
    return build(graph, shown, flows, None, rankdir=rankdir, show_grads=show_grads, number=number,
                 color_by_grad=color_by_grad)  # fmt: skip


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
) -> graphviz.Digraph:
    """The drawing of `graph` with the gradients `grads` (by node id; absent: not computed).
    `flows` (the edges each node has sent, by position in order, None for a forward drawing)
    draws backward; edges not yet sent are grey. `current` is highlighted. In the SVG, the value at
    position k of order is the element "vk", its op "ok", the edge from its i-th input "ek_i"."""
    g = _digraph(rankdir)
    order, consts = graph.order, graph.consts
    pos = {id(n): k for k, n in enumerate(order)}
    step = {id(n): i + 1 for i, n in enumerate(n for n in order if id(n) not in consts)}  # backward's steps
    top = max((magnitude(x) for x in grads.values()), default=0.0) or 1.0 if color_by_grad else 1.0
    boxes: dict[str, graphviz.Digraph] = {}
    for node in order:
        target = _cluster(g, boxes, graph.owner.get(id(node)))
        grad = grads.get(id(node), _MISSING)
        fill = _shade(grad, top) if color_by_grad and grad is not _MISSING else "white"
        style = {"penwidth": "3", "color": "royalblue"} if node is current else {}
        if id(node) in consts:
            target.node(_id(node), _constant(node), id=f"v{pos[id(node)]}", shape="record", style="rounded,dashed",
                        **_CONSTANT)  # fmt: skip
        else:
            shown = grad if show_grads else _HIDDEN
            record = _record(node, graph.names[id(node)], shown, step[id(node)] if number else None)
            target.node(_id(node), record, id=f"v{pos[id(node)]}", shape="record", style="filled", fillcolor=fill,
                        **style)  # fmt: skip
        if node.op is not None:
            label = (
                f"{node.op.name}\\nstep {step[id(node)]}" if flows is not None and id(node) in step else node.op.name
            )
            target.node(_id(node) + "op", label, id=f"o{pos[id(node)]}", shape="ellipse", **style)
            g.edge(_id(node) + "op", _id(node), dir="back" if flows is not None else "forward")
    for subgraph in boxes.values():
        g.subgraph(subgraph)
    sent = {(id(e.parent), id(e.child), e.index): e for flow in flows or [] for e in flow}
    for e in _edges(order):
        ends = (_id(e.parent), _id(e.child) + "op")
        name = f"e{pos[id(e.child)]}_{e.index}"
        if flows is None:
            g.edge(*ends, id=name)
        elif id(e.parent) in consts:  # no gradient goes to a constant
            g.edge(*ends, id=name, dir="none", style="dashed", color="gray70")
        elif (id(e.parent), id(e.child), e.index) in sent:
            bold = {"penwidth": "2.5"} if e.child is current else {}
            label = _edge_label(sent[(id(e.parent), id(e.child), e.index)])
            g.edge(*ends, id=name, dir="back", label=label, fontsize="9", color="firebrick", **bold)
        else:
            g.edge(*ends, id=name, dir="back", color="gray70")
    return g


def render(root: Node, path: str | os.PathLike, **options: Any) -> Path:
    """Draw (with `draw`'s options) and write an .svg, .png or .pdf, by the path's suffix."""
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in ("svg", "png", "pdf"):
        raise ValueError(f"render writes .svg, .png or .pdf, not {path.name!r}")
    write_atomically(path, draw(root, **options).pipe(format=fmt))
    return path


def write_atomically(path: Path, content: bytes) -> None:
    """Write beside the destination and rename, so a reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; a new file is normally not
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _id(node: Node) -> str:
    return str(id(node))


def _edges(order: list[Node]) -> list[Edge]:
    return [Edge(p, n, i, None, None) for n in order for i, p in enumerate(n.parents)]


_MISSING = object()  # no gradient has reached the node
_HIDDEN = object()  # gradients are not drawn


def _digraph(rankdir: str) -> graphviz.Digraph:
    return graphviz.Digraph(graph_attr={"rankdir": rankdir}, node_attr={"fontname": "Helvetica", "fontsize": "11"})


def _record(node: Node, name: str, grad: Any, step: int | None) -> str:
    name = _escape(name)
    fields = [f"#{step} {name}".strip() if step else name] if (name or step) else []
    if isinstance(node, Tensor):
        fields.append(f"{node.shape} {node.dtype}")
    fields.append("data " + _escape(summary(node.data)))
    if grad is not _HIDDEN:
        fields.append("grad " + (NOT_COMPUTED if grad is _MISSING else _escape(summary(grad))))
    return "{ " + " | ".join(fields) + " }"


_CONSTANT = {"color": "gray55", "fontcolor": "gray35", "fontsize": "9", "height": "0.2", "margin": "0.04,0.02"}


def _constant(node: Node) -> str:
    """A constant's data only: a number, or a tensor's label, shape, dtype and summary."""
    if not isinstance(node, Tensor) or np.size(node.data) == 1:
        return _escape(summary(node.data))
    fields = [_escape(node.label)] if node.label else []
    return "{ " + " | ".join([*fields, f"{node.shape} {node.dtype}", _escape(summary(node.data))]) + " }"


def _edge_label(e: Edge) -> str:
    """The local derivative and the gradient passed: "× -3 → -1.5" (tensors: what is passed)."""
    local = f"× {e.local:.4g} " if e.local is not None else ""
    return f"{local}→ {summary(e.passed)}"


def _escape(text: str) -> str:
    for ch in '\\{}|<>"':
        text = text.replace(ch, "\\" + ch)
    return text


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
        g.node("module " + m, f"{_escape(m)}\\n{members} node{'s' if members > 1 else ''}", shape="box3d")
    for n in loose:
        if id(n) in consts:
            g.node(_id(n), _constant(n), shape="record", style="rounded,dashed", **_CONSTANT)
        else:
            g.node(_id(n), _record(n, graph.names[id(n)], _HIDDEN, None), shape="record")
        if n.op is not None:
            g.node(_id(n) + "op", n.op.name, shape="ellipse")
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
