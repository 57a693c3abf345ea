"""A graph as a graphviz drawing: values with their data and gradients, ops between them, and
in backward mode the chain rule on each edge; optionally each leaf's gradient checked by finite
differences, and the first NaN or infinity with the path that carried it."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import graphviz

from autograd import Node, Tensor

from .check_verdicts import Check
from .colours import FIRST_NONFINITE_FILL, colour_key, fill
from .graph import Edge, Graph, record_name
from .kept import held_slips, kept_note
from .labels import (
    AGAIN_LOOK,
    CONSTANT_LOOK,
    HIDDEN,
    MISSING,
    NOT_COMPUTED,
    PASSES,
    again,
    chain_rule,
    check_figures,
    check_summary,
    constant,
    data_text,
    node_key,
    record,
    shape_label,
)
from .long_names import Names, drawn_names, module_names, note, tip, told_tip, whole_names
from .nonfinite import Trail
from .number_text import finite, magnitude
from .repeats import CHAIN_WEIGHT, far_uses
from .rules import op_title
from .share_notes import sum_notes, unsummed_notes
from .sum_figures import Shares, added_up, share_figures
from .text import NOTE_COLUMNS, escape, shortened, wrapped
from .writing import write_atomically

__all__ = ["NOT_COMPUTED", "build", "write_atomically"]

LISTED_LEAVES = 8  # a backward drawing's step key names this many leaves whose steps the ops skip, then counts


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
    kept_cause: str = PASSES,
    stale: str = "",
    data: dict[int, str] | None = None,
    partial: dict[int, tuple[int, int]] | None = None,
    tags: dict[int, str] | None = None,
    step_key: bool = False,
    tooltips: bool = True,
    shares: Shares | None = None,
    unsummed: bool = True,
) -> graphviz.Digraph:
    """The drawing of `graph` with the gradients `grads` (by node id; absent: not computed; `partial`: sums of
    some of a value's shares, how many of how many, by id); `data` (by id)
    the text of a value's data field where not its own (a page's widest, which its steps write over).
    `flows` (the edges each node has sent, by position in order, None for a forward drawing)
    draws backward; edges not yet sent are grey. `current` is highlighted. `checks` (by leaf id)
    colours leaves by their finite-difference check; `trail` marks the first NaN or infinity;
    `kept` (by id) is the `.grad` of values whose `.grad` differs from `grads`, added up by earlier passes
    (`kept_cause` PASSES) or else set by hand or another root's backward (a leaf's drawn red, its `.grad`
    crossed, where its check disagrees with that `.grad`: kept.held_slips);
    `stale`: the note saying the graph's data changed after its forward pass, and where ("": it did not).
    `tags` (by id): what the float's range did to a gradient, after it (" (underflowed)"). `step_key`: a
    drawing of backward alone (no player's legend, no frame's caption) says what its ops' step numbers count,
    and whose steps they skip (`_step_key`). A name drawn shortened (long_names) is whole in a note under the
    drawing and in the tooltips of the SVG (`tooltips`; the player's page, whose script styles the SVG's parts,
    gives it on hover its own way). `shares`: the figures of each value's shares (share_figures, by id) where
    the drawing is a step of a longer backward, whose later sums they add up to as well; else from `flows`.
    `unsummed`: a note under the drawing for each sum of shares drawn (with `show_grads`) that does not add up as
    written (rounded along the way: share_notes; the player shows them beside its drawing, step by step).
    In the SVG, the value at position k of order is the element "vk", its op "ok", the edge from its
    i-th input "ek_i", and the j-th copy of value k, drawn again beside a far use (repeats.py), "vk_j"."""
    g = digraph(rankdir)
    order, consts, checks, kept = graph.order, graph.consts, checks or {}, kept or {}
    names = drawn_names(graph)
    pos = {id(n): k for k, n in enumerate(order)}
    step = {id(n): i + 1 for i, n in enumerate(n for n in order if id(n) not in consts)}  # backward's steps
    # the colour scale: a NaN or infinite gradient is drawn apart (colours.fill), not on it
    top = max((magnitude(x) for x in grads.values() if finite(x)), default=0.0) or 1.0 if color_by_grad else 1.0
    marked = trail.nodes if trail is not None else frozenset()
    notes = [trail.story] if trail is not None else []
    has_ops = any(n.op is not None for n in order)
    notes += [_step_key(order, step, names)] if step_key and flows is not None and has_ops else []
    notes += [stale] if stale else []
    notes += [check_summary(checks, names)] if checks else []
    slips = held_slips(kept, checks, kept_cause)  # .grads set by hand that the finite differences disagree with
    notes += [kept_note(kept, grads, names, kept_cause, slips)] if kept else []
    notes += [colour_key(grads, top, id(trail.node) if trail is not None else None)] if color_by_grad else []
    # the shares into a value written with the figures that add up to its grad as drawn (a checked one's, too)
    shown = {i: check_figures(c) for i, c in checks.items() if not c.compared}
    shares = share_figures(flows or [], shown) if shares is None else shares
    notes += unsummed_notes(flows, grads, names, shares, shown) if unsummed and flows and show_grads else []
    if data is None:  # a sum's inputs written with the figures that add up to it as drawn (b 6.8814 + (-6) = 0.8814)
        added, off = added_up(order)
        data = {id(n): data_text(n, added[id(n)]) for n in order if id(n) in added}
        notes += sum_notes(off, added, names)  # where none do, the float having rounded
    # unnamed values are called "#k" by the chain rule on edges and by the notes: then their records say so
    told = " ".join(notes)
    named_in_notes = {i for i, n in names.items() if n.startswith("#") and re.search(re.escape(n) + r"(?!\d)", told)}
    whole = whole_names(graph, names) if tooltips else {}
    notes += [note(whole)] if whole else []
    copies = far_uses(order)  # uses drawn from a copy of the value beside them, which keeps every edge short
    repeated = {parent for parent, _, _ in copies}
    straight = {"weight": CHAIN_WEIGHT} if copies else {}  # on edges between computed values and their ops

    def head(node: Node) -> tuple[str, int | None]:
        """A value's name as its record says it, and its step where numbered: a value drawn again is always named
        (#k where it has no name), so that its copies can say which it is."""
        name = record_name(graph, names, node)
        # a name told apart by its step ("x#3", numbered_names) says its number already: not "#3 x#3"
        told = flows is not None or id(node) in named_in_notes or id(node) in repeated
        wanted = number or (not name and told)
        return name, step[id(node)] if wanted and name == shortened(graph.names[id(node)]) else None

    boxes: dict[str, graphviz.Digraph] = {}
    paths = module_names(graph, names)
    for node in order:
        target = _cluster(g, boxes, graph.owner.get(id(node)), paths)
        grad = grads.get(id(node), MISSING)
        style = {"penwidth": "3", "color": "royalblue"} if node is current else {}
        if id(node) in marked:
            style = {"penwidth": "2.5", "color": "red"}
        first = trail is not None and node is trail.node
        if id(node) in consts:  # drawn red where it is the first NaN or infinity, as a value is
            red = {"style": "rounded,dashed,filled", "fillcolor": FIRST_NONFINITE_FILL} if first else {}
            look = CONSTANT_LOOK | style | red | tip(names.label(node), whole)
            target.node(node_key(node), constant(node, names), id=f"v{pos[id(node)]}", shape="record", **look)
        else:
            name, numbered = head(node)
            shown = grad if show_grads else HIDDEN
            check, held = checks.get(id(node)), kept.get(id(node), MISSING)
            slip = id(node) in slips
            label = record(node, name, shown, numbered, check, tensor_detail, held, kept_cause,
                           (data or {}).get(id(node)), (partial or {}).get(id(node)),
                           (tags or {}).get(id(node), ""), slip)  # fmt: skip
            look = fill(grad, top, color_by_grad, check, first, slip) | tip(name, whole)
            target.node(node_key(node), label, id=f"v{pos[id(node)]}", shape="record", **look, **style)
        if node.op is not None:
            title = op_title(node, names)  # a user's op may be named anything
            label = (
                f"{escape(title)}\\nstep {step[id(node)]}" if flows is not None and id(node) in step else escape(title)
            )
            said = told_tip(title, whole)
            target.node(node_key(node) + "op", label, id=f"o{pos[id(node)]}", shape="ellipse", **style, **said)
            g.edge(
                node_key(node) + "op",
                node_key(node),
                dir="back" if flows is not None else "forward",
                **_red(id(node) in marked),
                **straight,
            )
        for index, parent in enumerate(node.parents):  # the copies of far inputs, beside their use
            again_here = all(p is not parent for p in node.parents[:index])  # s * s: its copy drawn once
            if (number_of := copies.get((id(parent), id(node), index))) is not None and again_here:
                key, look = _copy_key(parent, number_of), {"id": f"v{pos[id(parent)]}_{number_of}", "shape": "record"}
                red = _red(id(parent) in marked)  # on the first NaN's path, as its own box
                if id(parent) in consts:
                    target.node(
                        key, constant(parent, names), **look, **CONSTANT_LOOK | red | tip(names.label(parent), whole)
                    )
                else:
                    target.node(key, again(*head(parent)), **look, **AGAIN_LOOK | red | tip(head(parent)[0], whole))
    for path, subgraph in boxes.items():
        subgraph.attr(**tip(paths[path], whole))
        g.subgraph(subgraph)
    sent = {(id(e.parent), id(e.child), e.index): e for flow in flows or [] for e in flow}
    on_trail = trail.edges if trail is not None else frozenset()
    edges = _edges(order)
    uses = Counter(id(e.parent) for e in edges)  # a value used more than once gets a share along each edge
    for e in edges:
        key = (id(e.parent), id(e.child), e.index)
        tail = _copy_key(e.parent, copies[key]) if key in copies else node_key(e.parent)
        ends = (tail, node_key(e.child) + "op")
        name = f"e{pos[id(e.child)]}_{e.index}"
        red, pull = _red(key in on_trail), straight if e.parent.op is not None else {}
        if flows is None:
            shape = shape_label(e) if isinstance(e.child, Tensor) else {}
            g.edge(*ends, id=name, **{**shape, **red}, **pull)
        elif id(e.parent) in consts:  # no gradient goes to a constant
            g.edge(*ends, id=name, dir="none", style="dashed", **{"color": "gray70", **red})
        elif key in sent:
            bold = {"penwidth": "2.5"} if e.child is current else {}
            label = chain_rule(sent[key], names, order[0], uses[id(e.parent)] > 1, shares.figures.get(id(e.parent)))
            look = {"color": "firebrick", **bold, **red, **pull, **_edge_tip(e, names, order[0], whole)}
            g.edge(*ends, id=name, dir="back", label=label, fontsize="9", **look)
        else:
            g.edge(*ends, id=name, dir="back", color="gray70", **pull)
    g.attr(**notes_label(notes))
    return g


def notes_label(notes: list[str]) -> dict[str, str]:
    """The graph attributes writing `notes` under a drawing (`paragraphs`); {} for none."""
    return {"label": paragraphs(notes), "labelloc": "b", "fontsize": "11"} if notes else {}


def paragraphs(notes: list[str]) -> str:
    """`notes` as a graphviz label: each of their lines a paragraph in lines of NOTE_COLUMNS, flush left, so that a
    note never makes a small graph wide (a 276-character note drew a 406-point graph 1,573 points wide)."""
    lines = [escape(line) for n in notes for paragraph in n.split("\n") for line in wrapped(paragraph, NOTE_COLUMNS)]
    return "\\l".join(lines) + "\\l"


def _step_key(order: list[Node], step: dict[int, int], names: dict[int, str]) -> str:
    """What a backward drawing's "step k" on each op means: backward takes one value a step, the root first,
    and an op shows the step of the value it makes. The leaves take the steps between (the ops of micrograd's
    neuron read 1, 2, 4, 5, 8), which a reader of a picture would take for missing ops: the note names them."""
    last_op = max(step[id(n)] for n in order if n.op is not None)
    skipped = [n for n in order if n.op is None and step.get(id(n), last_op) < last_op]
    root = names[id(order[0])]
    key = f"step k: backward takes one value a step, {root} first; an op shows the step of the value it makes"
    if not skipped:
        return key
    listed = [f"{step[id(n)]}" + ("" if names[id(n)].startswith("#") else f" ({names[id(n)]})") for n in skipped]
    if len(skipped) == 1:
        return f"{key}. Step {listed[0]} is a leaf: it gets its gradient at its step and sends none on"
    more = len(skipped) - LISTED_LEAVES
    shown = (
        f"{', '.join(listed[:LISTED_LEAVES])} and {more:,} more"
        if more > 0
        else f"{', '.join(listed[:-1])} and {listed[-1]}"
    )
    return f"{key}. Steps {shown} are leaves: a leaf gets its gradient at its step and sends none on"


def _edge_tip(e: Edge, names: Names, root: Node, whole: dict[str, str]) -> dict[str, Any]:
    """An edge's chain rule's tooltip: the names it shows shortened (the root's, the op's, its operands'), whole."""
    shown = [names.get(id(x)) or names.label(x) for x in (root, e.child, *e.child.parents)]
    return told_tip(" ".join([*shown, op_title(e.child, names)]), whole, "labeltooltip")


def _edges(order: list[Node]) -> list[Edge]:
    return [Edge(p, n, i, None, None) for n in order for i, p in enumerate(n.parents)]


def _copy_key(node: Node, number: int) -> str:
    """The DOT name of a value's `number`-th copy (repeats.py), after its own: html.py renames both by position."""
    return f"{node_key(node)}_{number}"


def digraph(rankdir: str) -> graphviz.Digraph:
    font = {"fontname": "Helvetica", "fontsize": "11"}
    return graphviz.Digraph(graph_attr={"rankdir": rankdir, **font}, node_attr=font, edge_attr=font)


def _red(on: bool) -> dict[str, str]:
    return {"color": "red", "penwidth": "2.5"} if on else {}


def _cluster(
    g: graphviz.Digraph, boxes: dict[str, graphviz.Digraph], path: str | None, paths: dict[str, str]
) -> graphviz.Digraph:
    """The cluster of the module at `path` (None: the graph itself), labelled as `paths` (module_names) says."""
    if path is None:
        return g
    if path not in boxes:
        boxes[path] = graphviz.Digraph(
            name=f"cluster_{len(boxes)}",
            graph_attr={"label": escape(paths[path]), "style": "rounded", "color": "gray50"},
        )
    return boxes[path]
