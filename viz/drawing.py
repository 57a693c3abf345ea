"""draw and render: the checks of a drawing's arguments, what it computes (gradients, backward's flow, finite
differences, the first NaN or infinity), and the drawing dot.build makes of them, written to a file by render."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import graphviz
import numpy as np

from autograd import Node, Tensor

from .arguments import (
    as_path,
    require_flags,
    require_format,
    require_max_nodes,
    require_modules,
    require_rankdir,
    require_root,
)
from .collapsed import collapsed, require_collapsible
from .dot import build, digraph
from .graph import (
    MAX_NODES,
    Graph,
    all_gradients,
    backward_flow,
    check_size,
    module_order,
    read_graph,
    require_backward_root,
)
from .kept import changed_since_forward, kept_cause, kept_grads, shown_grads
from .labels import PASSES
from .long_names import drawn_names
from .lost_masks import suspect
from .lost_words import gradient_tags
from .nonfinite import first_nonfinite
from .numeric_leaves import finite_difference_checks
from .writing import require_folder, write_atomically

__all__ = ["draw", "render"]


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
    (earlier backward passes added to it, a hand set it, another root's backward) is shown beside it, with a
    note (checked: red where the finite difference disagrees with it); a graph whose data changed after
    its forward pass (a parameter update) shows each `.grad` as backward left it, with a note, and is
    refused (a ValueError) where gradients would be computed from it. The first NaN or infinity
    is always drawn red with the path that carried it. `tensor_detail` adds histograms of a tensor's
    data and grad. `format` ("svg", "png", ...) is the Digraph's. More than `max_nodes` nodes raises
    GraphTooLarge, saying how to proceed.
    """
    require_root(root, "draw")
    require_rankdir("draw", rankdir)
    require_flags("draw", show_grads=show_grads, backward=backward, number=number, color_by_grad=color_by_grad,
                  collapse=collapse, check=check, tensor_detail=tensor_detail)  # fmt: skip
    require_modules("draw", modules)
    require_max_nodes("draw", max_nodes)
    require_format("draw", format)
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
        shown = shown_grads(root, graph.order, graph.consts, bool(stale)) if show_grads else {}
        drawing = collapsed(digraph(rankdir), graph, module_order(modules), max_nodes, shown, show_grads, stale)
    else:
        check_size(graph.order, max_nodes, collapsible=True)  # nothing to collapse: every node is drawn
        grads, flows = backward_flow(root, graph.order, graph.consts) if backward else (None, None)
        if check and grads is None:
            grads = all_gradients(root, graph.order)
        # a drawing that computed every gradient shows them all, as its edges and checks use them
        shown = shown_grads(root, graph.order, graph.consts, bool(stale)) if grads is None else _values(grads, graph)
        checks = finite_difference_checks(root, graph.order, graph.consts, grads) if check else None
        trail = first_nonfinite(graph.order, shown, drawn_names(graph), flows)
        options = {"rankdir": rankdir, "show_grads": show_grads, "number": number, "color_by_grad": color_by_grad}
        kept = kept_grads(graph, shown) if show_grads else None
        cause = kept_cause(kept, shown) if kept else PASSES  # the words said of the .grads drawn beside
        tags = _lost_tags(root, graph, shown, flows) if show_grads and not stale else {}
        drawing = build(graph, shown, flows, None, checks=checks, trail=trail, tensor_detail=tensor_detail,
                        kept=kept, kept_cause=cause, stale=stale, tags=tags, step_key=True,
                        **options)  # fmt: skip
    drawing.format = format or drawing.format
    return drawing


def _lost_tags(root: Node, graph: Graph, shown: dict[int, Any], flows: Any) -> dict[int, str]:
    """What the float's range did to each gradient drawn (lost_words.gradient_tags): y's "grad 0 (underflowed)" of
    exp(x) * y at x = -1000; backward's flow worked out for it where a forward drawing shows a gradient of 0 or an
    infinity (of a one-number root: no other has one)."""
    if flows is None:
        if np.size(root.data) != 1 or not any(suspect(g) for g in shown.values() if g is not None):
            return {}
        flows = backward_flow(root, graph.order, graph.consts)[1]
    return gradient_tags(flows, shown)


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
