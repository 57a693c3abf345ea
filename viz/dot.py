"""A graph as a graphviz drawing: values with their data and gradients, ops between them, and
in backward mode the chain rule on each edge; optionally each leaf's gradient checked by finite
differences, and the first NaN or infinity with the path that carried it."""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import graphviz

from autograd import Node, Tensor

from .arguments import as_path, require_flags, require_format, require_modules, require_rankdir, require_root
from .collapsed import collapsed, require_collapsible
from .colours import FIRST_NONFINITE_FILL, colour_key, fill
from .graph import (
    MAX_NODES,
    Edge,
    Graph,
    all_gradients,
    backward_flow,
    check_size,
    module_order,
    numbered_names,
    read_graph,
    record_name,
    require_backward_root,
)
from .kept import changed_since_forward, kept_by_passes, kept_grads, shown_grads
from .labels import (
    CONSTANT_LOOK,
    HIDDEN,
    MISSING,
    NOT_COMPUTED,
    STALE_NOTE,
    chain_rule,
    check_summary,
    constant,
    kept_note,
    node_key,
    record,
    shape_label,
)
from .nonfinite import Trail, first_nonfinite
from .number_text import finite, magnitude
from .numeric import Check
from .numeric_leaves import finite_difference_checks
from .rules import op_title
from .text import escape, visible
from .writing import require_folder, write_atomically

__all__ = ["NOT_COMPUTED", "build", "draw", "render", "write_atomically"]


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

    One record per value: label, data and grad ("not computed" before a backward reaches it);
    tensors show shape, dtype and min/mean/max, after a backward the gradient that flowed through
    each, and edges their input's shape, orange where broadcast (its gradient summed back). One oval per
    op. Constants (numbers in expressions, tensors that do not require grad) are small dashed boxes of
    their data only.
    `backward=True` (a one-number root) turns the arrows toward the inputs and writes the chain rule
    on each edge, `∂L/∂w = ∂L/∂n · ∂n/∂w = 0.5 × 2 = 1`, with the op's rule; a value used more than
    once gets a share along each edge ("share of ∂L/∂x via input 1 of *"), the shares adding up to
    its gradient. Ops are numbered with their step of backward, unnamed values by theirs ("#3");
    `number` numbers every value so. `color_by_grad`: red positive, blue negative, purple both, NaN or infinite
    grey with corner marks. `modules=model` names parameters as the model does and draws a cluster
    per module call, or with `collapse` one box per module (no values: refused with backward, check,
    color_by_grad, number, tensor_detail). `check=True` puts a central finite difference beside each
    leaf's gradient (tensors: element by element, or in blocks of 32): green agrees, red disagrees, grey cannot
    judge (a kink, too small a gradient, an undefined root). A `.grad` other than the gradient drawn
    (earlier backward passes added to it) is shown beside it, with a note; a graph whose data changed after
    its forward pass (a parameter update) shows each `.grad` as backward left it, with a note, and is
    refused (a ValueError) where gradients would be computed from it. The first NaN or infinity
    is always drawn red with the path that carried it. `tensor_detail` adds histograms of a tensor's
    data and grad. `format` ("svg", "png", ...) is the Digraph's. More than `max_nodes` nodes raises
    GraphTooLarge, saying how to proceed.
    """
    require_root(root, "draw")
    require_rankdir(rankdir)
    require_flags(show_grads=show_grads, backward=backward, number=number, color_by_grad=color_by_grad,
                  collapse=collapse, check=check, tensor_detail=tensor_detail)  # fmt: skip
    require_modules(modules)
    require_format(format)
    require_collapsible(collapse, modules, backward=backward, check=check, color_by_grad=color_by_grad,
                         number=number, tensor_detail=tensor_detail)  # fmt: skip
    if backward or check:  # before any gradient is computed
        require_backward_root(root, "backward drawings need a one-number root" if backward else "check=True compares "
                           "gradients of one number")  # fmt: skip
    graph = read_graph(root, modules, None if collapse else max_nodes, collapsible=True)  # collapse: modules given
    # gradients computed from data that changed after the forward pass would be made up: refused where a
    # drawing computes them (a tensor's always: its values keep no .grad), else backward's .grad drawn as it is
    stale = changed_since_forward(graph, _computes(root, graph.order, backward, check, show_grads))
    if collapse and not graph.owner:  # the model given computed none of it: collapsing would do nothing
        raise ValueError(
            "collapse=True draws one box per module, and no module of modules=model computed this graph: give "
            "the model whose call made it"
        )
    if collapse:
        shown = shown_grads(root, graph.order, graph.consts, stale) if show_grads else {}
        drawing = collapsed(_digraph(rankdir), graph, module_order(modules), max_nodes, shown, show_grads)
        if stale:
            drawing.attr(label=escape(STALE_NOTE), labelloc="b", fontsize="11")
    else:
        check_size(graph.order, max_nodes, collapsible=True)  # nothing to collapse: every node is drawn
        grads, flows = backward_flow(root, graph.order, graph.consts) if backward else (None, None)
        if check and grads is None:
            grads = all_gradients(root, graph.order)
        # a drawing that computed every gradient shows them all, as its edges and checks use them
        shown = shown_grads(root, graph.order, graph.consts, stale) if grads is None else _values(grads, graph)
        checks = finite_difference_checks(root, graph.order, graph.consts, grads) if check else None
        trail = first_nonfinite(graph.order, shown, numbered_names(graph))
        options = {"rankdir": rankdir, "show_grads": show_grads, "number": number, "color_by_grad": color_by_grad}
        kept = kept_grads(graph, shown) if show_grads else None
        by_passes = not kept or kept_by_passes(kept, shown)  # the words said of the .grads drawn beside
        drawing = build(graph, shown, flows, None, checks=checks, trail=trail, tensor_detail=tensor_detail,
                        kept=kept, kept_by_passes=by_passes, stale=stale, **options)  # fmt: skip
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
    kept: dict[int, Any] | None = None,
    kept_by_passes: bool = True,
    stale: bool = False,
    data: dict[int, str] | None = None,
    partial: dict[int, tuple[int, int]] | None = None,
) -> graphviz.Digraph:
    """The drawing of `graph` with the gradients `grads` (by node id; absent: not computed; `partial`: sums of
    some of a value's shares, how many of how many, by id); `data` (by id)
    the text of a value's data field where not its own (a page's widest, which its steps write over).
    `flows` (the edges each node has sent, by position in order, None for a forward drawing)
    draws backward; edges not yet sent are grey. `current` is highlighted. `checks` (by leaf id)
    colours leaves by their finite-difference check; `trail` marks the first NaN or infinity;
    `kept` (by id) is the `.grad` of values whose `.grad` differs from `grads`, added up by earlier passes
    (`kept_by_passes`) or else set by hand or another root's backward;
    `stale`: the graph's data changed after its forward pass, said in a note.
    In the SVG, the value at position k of order is the element "vk", its op "ok", the edge from its
    i-th input "ek_i"."""
    g = _digraph(rankdir)
    order, consts, checks, kept = graph.order, graph.consts, checks or {}, kept or {}
    names = numbered_names(graph)
    pos = {id(n): k for k, n in enumerate(order)}
    step = {id(n): i + 1 for i, n in enumerate(n for n in order if id(n) not in consts)}  # backward's steps
    # the colour scale: a NaN or infinite gradient is drawn apart (colours.fill), not on it
    top = max((magnitude(x) for x in grads.values() if finite(x)), default=0.0) or 1.0 if color_by_grad else 1.0
    marked = trail.nodes if trail is not None else frozenset()
    notes = [trail.story] if trail is not None else []
    notes += [STALE_NOTE] if stale else []
    notes += [check_summary(checks, names)] if checks else []
    notes += [kept_note(kept, grads, names, kept_by_passes)] if kept else []
    notes += [colour_key(grads, top, id(trail.node) if trail is not None else None)] if color_by_grad else []
    # unnamed values are called "#k" by the chain rule on edges and by the notes: then their records say so
    told = " ".join(notes)
    named_in_notes = {i for i, n in names.items() if n.startswith("#") and re.search(re.escape(n) + r"(?!\d)", told)}
    boxes: dict[str, graphviz.Digraph] = {}
    for node in order:
        target = _cluster(g, boxes, graph.owner.get(id(node)))
        grad = grads.get(id(node), MISSING)
        style = {"penwidth": "3", "color": "royalblue"} if node is current else {}
        if id(node) in marked:
            style = {"penwidth": "2.5", "color": "red"}
        first = trail is not None and node is trail.node
        if id(node) in consts:  # drawn red where it is the first NaN or infinity, as a value is
            red = {"style": "rounded,dashed,filled", "fillcolor": FIRST_NONFINITE_FILL} if first else {}
            target.node(
                node_key(node), constant(node), id=f"v{pos[id(node)]}", shape="record", **CONSTANT_LOOK | style | red
            )
        else:
            name = record_name(graph, names, node)
            # a name told apart by its step ("x#3", numbered_names) says its number already: not "#3 x#3"
            wanted = number or (not name and (flows is not None or id(node) in named_in_notes))
            numbered = step[id(node)] if wanted and name == graph.names[id(node)] else None
            shown = grad if show_grads else HIDDEN
            check, held = checks.get(id(node)), kept.get(id(node), MISSING)
            label = record(node, name, shown, numbered, check, tensor_detail, held, kept_by_passes,
                           (data or {}).get(id(node)), (partial or {}).get(id(node)))  # fmt: skip
            look = fill(grad, top, color_by_grad, check, first)
            target.node(node_key(node), label, id=f"v{pos[id(node)]}", shape="record", **look, **style)
        if node.op is not None:
            title = escape(op_title(node))  # a user's op may be named anything
            label = f"{title}\\nstep {step[id(node)]}" if flows is not None and id(node) in step else title
            target.node(node_key(node) + "op", label, id=f"o{pos[id(node)]}", shape="ellipse", **style)
            g.edge(
                node_key(node) + "op",
                node_key(node),
                dir="back" if flows is not None else "forward",
                **_red(id(node) in marked),
            )
    for subgraph in boxes.values():
        g.subgraph(subgraph)
    sent = {(id(e.parent), id(e.child), e.index): e for flow in flows or [] for e in flow}
    on_trail = trail.edges if trail is not None else frozenset()
    edges = _edges(order)
    uses = Counter(id(e.parent) for e in edges)  # a value used more than once gets a share along each edge
    for e in edges:
        ends = (node_key(e.parent), node_key(e.child) + "op")
        key = (id(e.parent), id(e.child), e.index)
        name = f"e{pos[id(e.child)]}_{e.index}"
        red = _red(key in on_trail)
        if flows is None:
            shape = shape_label(e) if isinstance(e.child, Tensor) else {}
            g.edge(*ends, id=name, **{**shape, **red})
        elif id(e.parent) in consts:  # no gradient goes to a constant
            g.edge(*ends, id=name, dir="none", style="dashed", **{"color": "gray70", **red})
        elif key in sent:
            bold = {"penwidth": "2.5"} if e.child is current else {}
            label = chain_rule(sent[key], names, order[0], shared=uses[id(e.parent)] > 1)
            g.edge(*ends, id=name, dir="back", label=label, fontsize="9", **{"color": "firebrick", **bold, **red})
        else:
            g.edge(*ends, id=name, dir="back", color="gray70")
    if notes:
        g.attr(label="\\n".join(escape(n) for n in notes), labelloc="b", fontsize="11")
    return g


def render(root: Node, path: str | os.PathLike, **options: Any) -> Path:
    """Draw (with `draw`'s options) and write an .svg, .png or .pdf, by the path's suffix."""
    path = as_path(path, "render")
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in ("svg", "png", "pdf"):
        raise ValueError(f"render writes .svg, .png or .pdf, not {path.name!r}")
    if options.get("format", fmt) != fmt:  # the file's suffix says what is written: a second answer would be lost
        raise ValueError(f"render writes {path.name!r} as .{fmt}, its suffix: drop format={options['format']!r}")
    require_folder(path)  # before drawing, which may take long
    write_atomically(path, draw(root, **options).pipe(format=fmt))
    return path


def _computes(root: Node, order: list[Node], backward: bool, check: bool, show_grads: bool) -> str | None:
    """What a drawing computes from the graph's data, as its refusal of changed data says it; None: nothing."""
    if backward:
        return "backward=True computes each edge's gradient from the graph's data"
    if check:
        return "check=True compares gradients computed from the graph's data with finite differences"
    # backward keeps a tensor's .grad on leaves only: a drawing that shows gradients computes the rest,
    # once a backward has run (before, or with show_grads=False, it shows none)
    if isinstance(root, Tensor) and show_grads and any(n.op is None and n.grad is not None for n in order):
        return "a drawing of tensors computes the gradient that flowed through each from the graph's data"
    return None


def _values(grads: dict[int, Any], graph: Graph) -> dict[int, Any]:
    """The gradients (by id) of the values, leaving out the constants: nothing reads theirs."""
    return {i: g for i, g in grads.items() if i not in graph.consts}


def _edges(order: list[Node]) -> list[Edge]:
    return [Edge(p, n, i, None, None) for n in order for i, p in enumerate(n.parents)]


def _digraph(rankdir: str) -> graphviz.Digraph:
    font = {"fontname": "Helvetica", "fontsize": "11"}
    return graphviz.Digraph(graph_attr={"rankdir": rankdir, **font}, node_attr=font, edge_attr=font)


def _red(on: bool) -> dict[str, str]:
    return {"color": "red", "penwidth": "2.5"} if on else {}


def _cluster(g: graphviz.Digraph, boxes: dict[str, graphviz.Digraph], path: str | None) -> graphviz.Digraph:
    if path is None:
        return g
    if path not in boxes:
        boxes[path] = graphviz.Digraph(
            name=f"cluster_{len(boxes)}",
            graph_attr={"label": escape(visible(path)), "style": "rounded", "color": "gray50"},
        )
    return boxes[path]
