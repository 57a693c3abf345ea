"""`explain`: one gradient told as the chain rule. d root / d node is the sum, over every path from
node up to root, of the product of the local derivatives along it; `explain` finds those paths (the
largest first, grouping the rest when there are too many to read), each edge's local derivative
from the op's own rule (`autograd.pullback`), and the total as backward computes it."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd import Node, Tensor, gradients, pullback, repr_of, type_name

from .arguments import require_count
from .graph import read_graph, require_backward_root
from .kept import changed_since_forward
from .long_names import Names, drawn_names, whole_named
from .number_text import summary
from .story import tell
from .text import spaces_told, visible

MAX_PATHS = 24  # more paths than this are grouped: a learner reads a few dozen lines, not millions


@dataclass(frozen=True)
class Step:
    """One edge of a path: `input` is the `index`-th input of `output`."""

    input: Node
    output: Node
    index: int
    local: float | None  # d output / d input, from the op's pullback; None for tensors (a Jacobian, never built)


@dataclass(frozen=True)
class Path:
    """One way from the node up to the root: its steps, and the gradient this path alone carries to
    each node along it (`carried[0]`, what reaches the node, is the path's product)."""

    nodes: tuple[Node, ...]  # the node, the nodes the path goes through, and the root
    steps: tuple[Step, ...]  # the edges between them, from the node up
    carried: tuple[Any, ...]  # per node of `nodes`: the root's seed pulled back along this path to it

    @property
    def product(self) -> Any:
        """The product of the local derivatives along the path (tensors: the gradient it carries)."""
        return self.carried[0]


@dataclass(frozen=True)
class Explanation:
    """d root / d node as a sum over paths: `paths`, the largest contributions first (at most
    `max_paths` of them), `count` paths in all, `rest` what the paths not listed carry together,
    and `total`, the gradient backward computes. `str()` tells it as lines of arithmetic."""

    root: Node
    node: Node
    paths: tuple[Path, ...]
    count: int
    rest: Any
    total: Any
    names: Names  # by node id: its label, parameter name, or "#k" as draw(number=True) numbers it; ops' texts
    added: tuple[int, ...] = ()  # `paths` by index in the order backward adds their shares (its rounding)

    def __str__(self) -> str:
        return tell(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's and Jupyter's echo of `viz.explain(o, x)`: the story, as print() tells it, not the dataclass
        with every node's repr (repr() stays that)."""
        printer.text(str(self))


def explain(root: Node, node: Node, *, max_paths: int = MAX_PATHS, names: dict[int, str] | None = None) -> Explanation:
    """Why d root / d node is what it is: every path from `node` up to `root`, each with the local
    derivative of its edges (from the op's pullback) and their product, and the total, which is the
    gradient backward gives (computed by it). More than `max_paths` paths are counted, not listed:
    the largest are shown and the rest summed. On tensors each path is told by the gradient it
    carries, the pullbacks applied along it. Nobody's `.grad` changes. `names` (by node id) overrides
    the names used (labels, whole where a drawing shortens them, else "#k", the step number `draw(number=True)`
    shows); a drawing's own (drawn_names: the player's) its ops' names and constants' labels too, else whole. A
    graph whose data changed after its forward pass is refused: its gradient cannot be computed again."""
    for name, x in (("root", root), ("node", node)):
        if not isinstance(x, Node):
            raise TypeError(f"explain needs a Value or Tensor as its {name}, got {type_name(x)}")
    require_count("explain", "max_paths", max_paths, "a positive int", 1)
    if names is not None and not isinstance(names, Mapping):
        raise TypeError(
            f"explain: names must be a dict from node ids to names, or None, got {type_name(names)} {repr_of(names)}"
        )
    require_backward_root(root, "explain tells the gradient of one number", "reduce it first (y.sum())")
    _require_gradient(node)
    graph = read_graph(root, None, None)
    changed_since_forward(graph, "explain computes the gradient from the graph's data")
    order = graph.order
    _require_in_graph(node, root, order)
    shown = whole_named(graph, drawn_names(graph))  # text, which no drawing's width bounds: names whole
    with np.errstate(all="ignore"):  # an infinite or NaN gradient is told, not warned about
        (total,) = gradients(root, [node])
        ways = _path_counts(order, node)
        count = ways[id(root)]  # one at least: every node of the graph reaches the root
        if isinstance(root, Tensor):
            paths = _tensor_paths(root, node, ways, max_paths)
        else:
            paths = _largest_scalar_paths(root, node, order, ways, max_paths)
    texts = names.texts if isinstance(names, Names) else shown.texts
    told = Names({**shown, **(names or {})}, texts)
    return explanation(root, node, paths, count, total, told, backward_adds(order))


def explanation(
    root: Node,
    node: Node,
    paths: list[Path],
    count: int,
    total: Any,
    names: Names,
    adds: Callable[[Path], tuple[tuple[int, int], ...]],
) -> Explanation:
    """The Explanation of `paths` (the listed ones) of `count` in all, whose shares backward sums to
    `total`: scalar paths largest first, equals in the order backward adds them (`adds`, backward_adds), so
    that however they were found they are told alike; with what the unlisted paths carry (the total minus
    the listed ones) and that order of adding. `explain` and the player's page both make theirs so."""
    if not isinstance(root, Tensor):  # tensor paths come in the order their search ranks them
        paths = sorted(paths, key=lambda p: (-abs(p.product), adds(p)))
    with np.errstate(all="ignore"):  # an infinite total is told, not warned about
        rest = total - sum(p.product for p in paths) if count > len(paths) else _zero(total)
    added = tuple(sorted(range(len(paths)), key=lambda k: adds(paths[k])))
    return Explanation(root, node, tuple(paths), count, rest, total, names, added)


def backward_adds(order: list[Node]) -> Callable[[Path], tuple[tuple[int, int], ...]]:
    """Where backward adds a path's share: a value's gradient is its consumers' shares summed in the order
    backward takes the consumers (`order`, read_graph's), an op's first input's before its second's; so
    paths sort by their steps from the node up, each by (its consumer's place, input)."""
    place = {id(n): k for k, n in enumerate(order)}
    return lambda path: tuple((place[id(s.output)], s.index) for s in path.steps)


def _zero(total: Any) -> Any:
    """Nothing, in the total's kind (0 * total would be NaN for an infinite one)."""
    return np.zeros_like(total) if isinstance(total, np.ndarray) else 0.0


def _require_gradient(node: Node) -> None:
    """Refuse a constant: backward gives it no gradient, so no total could be "the gradient backward
    gives" (PyTorch's autograd.grad refuses a tensor that does not require grad too). Values and
    tensors alike: a number an operator lifted is a constant as a tensor without grad is."""
    if not node.is_constant:
        return
    if isinstance(node, Tensor):
        name = f"{visible(node.label)}{spaces_told(node.label)}" if node.label else f"of shape {node.shape}"
        raise ValueError(
            f"explain: the tensor {name} does not require grad, so backward gives it no gradient; make it "
            "with requires_grad=True (before computing the root) to see d root / d it"
        )
    raise ValueError(
        f"explain: {node.data!r} is a constant, a number an operator lifted into the graph (as the 2 of x * 2), so "
        f"backward gives it no gradient; make it a Value of its own (Value({node.data!r}) * x) to see d root / d it"
    )


def _require_in_graph(node: Node, root: Node, order: list[Node]) -> None:
    """Refuse a node the root was not computed from: backward never reaches it, so it has no gradient to
    tell (a drawing says "not computed" of such a value, never 0; PyTorch's autograd.grad refuses an unused
    input). Most often a value of an earlier forward pass, run again since."""
    if any(n is node for n in order):
        return
    name = visible(node.label) if node.label else f"of data {summary(node.data)}"  # as a drawing shows it
    of = f"the graph of {visible(root.label)}" if root.label else "the root's graph"
    kind, told = "tensor" if isinstance(node, Tensor) else "Value", spaces_told(node.label, root.label)
    raise ValueError(
        f"explain: the {kind} {name} is not in {of}{told}: no recorded op on the way to the root took it, so backward "
        "never reaches it. Give a node of this graph: a value of an earlier forward pass (run again since) is "
        "another node, and one used only through an op without a gradient (a comparison, argmax) is not in it"
    )


def _carries(parent: Node) -> bool:
    """Whether backward sends a gradient along an edge into `parent`: tensors only to those that require grad."""
    return not isinstance(parent, Tensor) or parent.requires_grad


def _path_counts(order: list[Node], target: Node) -> dict[int, int]:
    """By node id, how many paths lead from `target` up to the node (absent: none). Counted once per
    node, inputs before the nodes made from them, so millions of paths cost nothing to count."""
    ways: dict[int, int] = {}
    for n in reversed(order):
        if n is target:
            ways[id(n)] = 1
            continue
        total = sum(ways.get(id(p), 0) for p in n.parents if _carries(p))
        if total:
            ways[id(n)] = total
    return ways


def largest_products(start: Node, goal: Node, moves: Any, best: dict[int, float], k: int) -> list[tuple[list, float]]:
    """The k walks from `start` to `goal` of largest |product| of their factors, largest first, each
    as (the labels of its edges from `start` on, its product). `moves(node)` gives (next node, factor,
    label) per edge out of a node; `best[id(node)]`, the largest |product| from that node on to the
    goal, bounds exactly what a partial walk can still gain, so each walk popped complete is the next
    largest: a best-first search of about k times the depth steps however many walks there are.
    Among equals the newest is extended first, finishing one walk before starting another."""
    tie = itertools.count()
    frontier: list[tuple[float, int, Node, float, Any]] = [(-best[id(start)], 0, start, 1.0, None)]
    found: list[tuple[list, float]] = []
    while frontier and len(found) < k:
        _, _, at, product, trail = heapq.heappop(frontier)
        if at is goal:
            labels = []
            while trail is not None:
                labels.append(trail[0])
                trail = trail[1]
            found.append((labels[::-1], product))
            continue
        for nxt, factor, label in moves(at):
            step = product * factor
            heapq.heappush(frontier, (-abs(step) * best[id(nxt)], -next(tie), nxt, step, (label, trail)))
    # the bounds are products taken in another order, so two walks whose products differ in the last bit
    # can come out swapped: sorted by their own products (stable: the search's order among equals)
    found.sort(key=lambda walk: -abs(walk[1]))
    return found


def _largest_scalar_paths(root: Node, target: Node, order: list[Node], ways: dict[int, int], k: int) -> list[Path]:
    """The k paths of largest |product|, largest first (`largest_products` from the root down to the
    target, bounded by the largest |product| still reachable from each node down to the target)."""
    local: dict[int, list[Any]] = {id(n): pullback(n, 1.0) for n in order if id(n) in ways and n is not target}
    best: dict[int, float] = {}
    for n in reversed(order):
        if n is target:
            best[id(n)] = 1.0
        elif id(n) in ways:
            reachable = [
                abs(d) * best[id(p)] for p, d in zip(n.parents, local[id(n)]) if id(p) in ways and d is not None
            ]
            best[id(n)] = max(reachable, default=0.0)

    def moves(n: Node) -> list[tuple[Node, float, Step]]:
        return [
            (p, float(d), Step(p, n, i, float(d)))
            for i, (p, d) in enumerate(zip(n.parents, local[id(n)]))
            if id(p) in ways and d is not None
        ]

    return [scalar_path(target, steps) for steps, _ in largest_products(root, target, moves, best, k)]


def scalar_path(target: Node, down: list[Step]) -> Path:
    """A path from its steps from the root down: what it carries to each node is the product of
    the local derivatives from the root to that node."""
    carried = [1.0]
    for step in down:
        carried.append(carried[-1] * step.local)
    up = down[::-1]
    return Path((target, *(s.output for s in up)), tuple(up), tuple(carried[::-1]))


def _tensor_paths(root: Tensor, target: Node, ways: dict[int, int], k: int) -> list[Path]:
    """Up to k paths, each with the gradient it carries (the seed pulled back along it), largest
    (by norm) first. When there are more than k, the search follows the larger gradient first at
    every node and keeps the first k complete paths it finds."""
    stack: list[tuple[Node, Any, Any]] = [(root, np.ones(root.shape, root.dtype), None)]
    found: list[Path] = []
    while stack and len(found) < k:
        n, carried, trail = stack.pop()
        if n is target:
            found.append(_unwind(n, trail, carried))
            continue
        nexts = []
        for i, (p, g) in enumerate(zip(n.parents, pullback(n, carried))):
            if id(p) in ways and _carries(p):
                g = np.zeros(p.shape, p.dtype) if g is None else g
                nexts.append((p, g, (Step(p, n, i, None), carried, trail)))
        stack.extend(sorted(nexts, key=lambda x: float(np.linalg.norm(x[1]))))  # the largest on top
    return sorted(found, key=lambda path: -float(np.linalg.norm(path.product)))


def _unwind(target: Node, trail: Any, carried: Any) -> Path:
    """A path from the search's linked trail ((step, what arrived at its output, rest), ..., None)."""
    nodes, steps, arrived = [target], [], [carried]
    while trail is not None:
        step, at_output, trail = trail
        nodes.append(step.output)
        steps.append(step)
        arrived.append(at_output)
    return Path(tuple(nodes), tuple(steps), tuple(arrived))
