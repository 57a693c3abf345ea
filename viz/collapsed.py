"""`draw(modules=model, collapse=True)`: each module's nodes drawn as one box, for graphs too large to
draw value by value; and the refusal of the options such boxes cannot show."""

from __future__ import annotations

from typing import Any

import graphviz

from .dot import notes_label
from .graph import Graph, GraphTooLarge, record_name, tally
from .labels import CONSTANT_LOOK, HIDDEN, MISSING, constant, node_key, record
from .long_names import drawn_names, module_names, named_in, note, tip, whole_names
from .rules import op_title
from .text import escape


def require_collapsible(collapse: bool, modules: Any, **options: bool) -> None:
    """Refuse `collapse=True` without a model (nothing would collapse: the flag would do nothing) and
    with options its boxes cannot show."""
    if collapse and modules is None:
        raise ValueError(
            "collapse=True draws one box per module of modules=model, and none was given: give the model "
            "(viz.draw(root, modules=model, collapse=True)), or drop collapse"
        )
    shown = [f"{name}=True" for name, on in options.items() if on]
    if collapse and shown:
        raise ValueError(
            f"collapse=True draws one box per module, without values, gradients or edges per input, so it "
            f"cannot show {', '.join(shown)}: draw one or the other"
        )


def collapsed(
    g: graphviz.Digraph,
    graph: Graph,
    rank: dict[str, int],
    max_nodes: int | None,
    grads: dict[int, Any],
    show_grads: bool,
    stale: str = "",
) -> graphviz.Digraph:
    """Each module's nodes as one box, in the model's order; the nodes of no module as usual, with the
    gradients a drawing shows (`grads`: the loss's 1 after backward, the data's "not computed"); under them the
    note that the data changed after the forward pass (`stale`), and the whole of each name drawn shortened."""
    order, consts, names = graph.order, graph.consts, drawn_names(graph)
    box = {id(n): graph.owner.get(id(n)) for n in order}
    loose = [n for n in order if box[id(n)] is None]
    # the names inside a box are not drawn, but for those the data-changed note names (a parameter changed)
    whole = whole_names(graph, names, loose) | (named_in(stale, whole_names(graph, names)) if stale else {})
    paths = module_names(graph, names)
    modules = sorted({m for m in box.values() if m is not None}, key=rank.__getitem__)
    count = len(modules) + len(loose) + sum(1 for n in loose if n.op is not None)
    if max_nodes is not None and count > max_nodes:
        raise GraphTooLarge(
            f"collapsed into its modules, this graph still has {count} nodes to draw, more than max_nodes="
            f"{max_nodes}: raise the limit (max_nodes={count}) or draw a smaller graph"
        )
    for m in modules:
        members = [n for n in order if box[id(n)] == m]  # its values and constants, each with its op
        g.node("module " + m, f"{escape(paths[m])}\\n{tally(members, consts)}", shape="box3d", **tip(paths[m], whole))
    for n in loose:
        if id(n) in consts:
            g.node(node_key(n), constant(n, names), shape="record", style="rounded,dashed", **CONSTANT_LOOK)
        else:
            g.node(
                node_key(n),
                record(n, record_name(graph, names, n), grads.get(id(n), MISSING) if show_grads else HIDDEN, None),
                shape="record",
                **tip(record_name(graph, names, n), whole),
            )
        if n.op is not None:
            g.node(node_key(n) + "op", escape(op_title(n, names)), shape="ellipse")
            g.edge(node_key(n) + "op", node_key(n))
    seen = set()
    for n in order:
        for p in n.parents:
            head = ("module " + box[id(n)]) if box[id(n)] else (node_key(n) + "op")
            tail = ("module " + box[id(p)]) if box[id(p)] else node_key(p)
            if head != tail and (tail, head) not in seen:
                seen.add((tail, head))
                g.edge(tail, head)
    g.attr(**notes_label([text for text in (stale, note(whole)) if text]))
    return g
