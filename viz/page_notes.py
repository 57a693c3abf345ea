"""What the HTML page tells beside each step's numbers (html.py): the explanation of every value's
gradient as a sum over paths, for clicking, and the first NaN or infinity with the step it appears
at, to draw red as `draw` does."""

from __future__ import annotations

from typing import Any

from autograd import Node, Tensor

from .explain import MAX_PATHS, explain, largest_products
from .graph import finite, summary
from .labels import term
from .nonfinite import first_nonfinite
from .steps import Pass


def first_nonfinite_shown(run: Pass) -> dict[str, Any] | None:
    """The first NaN or infinity as `draw` marks it (`first_nonfinite`; constants have no gradient), for
    the page to draw red from the step it appears at: the forward pass's from step 0, a gradient's
    from the step of backward that makes it non-finite. The positions of the values (and their ops) on
    its path, its edges as [output's position, input index], and its story; None if every number is finite."""
    order = run.graph.order
    values = {i: g for i, g in run.grads.items() if i not in run.graph.consts}
    trail = first_nonfinite(order, values, run.names)
    if trail is None:
        return None
    node, position = trail.node, {id(n): k for k, n in enumerate(order)}
    start = 0  # a value of the forward pass: there from the start
    if finite(node.data):  # a gradient: from the step its sum turns non-finite
        made = (
            s
            for s, (_, got, changed) in enumerate(run.filling(), 1)
            if any(n is node for n in changed) and not finite(got[id(node)])
        )
        start = next(made, len(run.steps))  # backward's own sum (run.grads) is non-finite: by its end at the latest
    return {
        "node": position[id(node)],
        "nodes": sorted(position[i] for i in trail.nodes),
        "edges": sorted([position[child], index] for _, child, index in trail.edges),
        "story": trail.story,
        "from": start,
    }


def explanations(root: Node, run: Pass) -> dict:
    """Per value (by position): [number of paths up to the root, total (its gradient), what the
    unlisted paths carry, what the listed ones carry, [[edge numbers from the value up, product], ...]].
    Scalars from the edges' local derivatives, all values at once; tensors by `explain`, value by
    value (a tensor graph has few nodes)."""
    position = {id(n): k for k, n in enumerate(run.graph.order)}
    number = {(position[id(e.child)], e.index): k for k, e in enumerate(e for flow in run.flows for e in flow)}
    if not isinstance(root, Tensor):
        return _scalar_explanations(run, number, position)
    found = {}
    for k in run.steps:
        e = explain(root, run.graph.order[k], names=run.names)
        paths = [[[number[(position[id(s.output)], s.index)] for s in p.steps], term(p.product)] for p in e.paths]
        found[k] = [e.count, summary(e.total), summary(e.rest), summary(e.total - e.rest), paths]
    return found


def _scalar_explanations(run: Pass, number: dict[tuple[int, int], int], position: dict[int, int]) -> dict:
    """`explain`'s paths for every value of a scalar graph at once: per value, the MAX_PATHS paths up to
    the root of largest |product| (`largest_products`, guided by the largest product still reachable
    above each node), each as the edges' numbers and its product; paths are counted, never enumerated."""
    order = run.graph.order
    moves: dict[int, list[tuple[Node, float, int]]] = {}  # by value id: (child, local derivative, edge number)
    count: dict[int, int] = {id(order[0]): 1}  # paths from each value up to the root
    best: dict[int, float] = {id(order[0]): 1.0}  # the largest |product| of those paths
    for k in run.steps:
        for e in run.flows[k]:
            if e.local is not None:
                moves.setdefault(id(e.parent), []).append((e.child, e.local, number[(k, e.index)]))
            count[id(e.parent)] = count.get(id(e.parent), 0) + count[id(e.child)]
            reach = abs(e.local) * best[id(e.child)] if e.local is not None else 0.0
            best[id(e.parent)] = max(best.get(id(e.parent), 0.0), reach)
    found = {}
    for k in run.steps:
        node = order[k]
        paths = largest_products(node, order[0], lambda at: moves.get(id(at), []), best, MAX_PATHS)
        listed = sum((p[1] for p in paths), 0.0)
        total = run.grads[id(node)]
        rest = total - listed if count[id(node)] > len(paths) else 0.0
        found[k] = [count[id(node)], summary(total), summary(rest), summary(listed), [[e, term(p)] for e, p in paths]]
    return found
