"""What the HTML page tells beside each step's numbers (html.py): the explanation of every value's
gradient as a sum over paths, for clicking, as `explain` tells it; and the first NaN or infinity with
the step it appears at, to draw red as `draw` does."""

from __future__ import annotations

from typing import Any

from autograd import Node, Tensor

from .explain import (
    MAX_PATHS,
    Explanation,
    Step,
    backward_adds,
    explain,
    explanation,
    largest_products,
    scalar_path,
)
from .nonfinite import first_nonfinite_from
from .steps import Pass
from .story import tell


def first_nonfinite_shown(run: Pass) -> dict[str, Any] | None:
    """The first NaN or infinity as `draw` marks it (`first_nonfinite_from`), for the page to draw red from the step it
    appears at: the positions of the values (and their ops) on its path, its edges as [output's position, input
    index], its story and that step; None if every number is finite."""
    found = first_nonfinite_from(run)
    if found is None:
        return None
    trail, start = found
    position = run.positions
    return {
        "node": position[id(trail.node)],
        "nodes": sorted(position[i] for i in trail.nodes),
        "edges": sorted([position[child], index] for _, child, index in trail.edges),
        "story": trail.story,
        "from": start,
    }


def explanations(root: Node, run: Pass) -> tuple[list[str], list[list[list[int]]]]:
    """Per value (in the order of `run.steps`): its explanation told as `viz.explain` tells it (story.tell,
    the one wording, with explain's paths in explain's order and sums in backward's), and its listed paths,
    each as the numbers of its edges from the value up, for the page to highlight. Scalars from the edges'
    local derivatives, all values at once; tensors by `explain`, value by value (a tensor graph has few nodes)."""
    position = run.positions
    number = {(position[id(e.child)], e.index): k for k, e in enumerate(run.edges)}
    if isinstance(root, Tensor):
        told = [explain(root, run.graph.order[k], names=run.names) for k in run.steps]
    else:
        told = _scalar_explanations(root, run)
    paths = [[[number[(position[id(s.output)], s.index)] for s in p.steps] for p in e.paths] for e in told]
    lines: dict[tuple[int, int], str] = {}  # each edge's line, told once for the page (its nodes live in run)
    return [tell(e, lines) for e in told], paths


def _scalar_explanations(root: Node, run: Pass) -> list[Explanation]:
    """`explain` of every value of a scalar graph at once: per value, the MAX_PATHS paths up to the root of
    largest |product| (`largest_products`, guided by the largest product still reachable above each node),
    the total backward gives; paths are counted, never enumerated."""
    order = run.graph.order
    moves: dict[int, list[tuple[Node, float, Step]]] = {}  # by value id: (child, local derivative, the edge)
    count: dict[int, int] = {id(order[0]): 1}  # paths from each value up to the root
    best: dict[int, float] = {id(order[0]): 1.0}  # the largest |product| of those paths
    for k in run.steps:
        for e in run.flows[k]:
            if e.local is not None:
                step = Step(e.parent, e.child, e.index, e.local)
                moves.setdefault(id(e.parent), []).append((e.child, e.local, step))
            count[id(e.parent)] = count.get(id(e.parent), 0) + count[id(e.child)]
            reach = (abs(e.local) * best[id(e.child)]) if e.local is not None else 0.0
            best[id(e.parent)] = max(best.get(id(e.parent), 0.0), reach)
    told, adds = [], backward_adds(order)
    for k in run.steps:
        node = order[k]
        walks = largest_products(node, order[0], lambda at: moves.get(id(at), []), best, MAX_PATHS)
        listed = [scalar_path(node, steps[::-1]) for steps, _ in walks]  # from the root down, as explain multiplies
        told.append(explanation(root, node, listed, count[id(node)], run.grads[id(node)], run.names, adds))
    return told
