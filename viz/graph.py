"""What viz reads of a graph, through autograd's public API: its nodes, the gradient each edge
carries in backward, and the module each node belongs to."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd import AnomalyError, Node, Tensor, backward_order, gradients, pullback, topological_order

from .arguments import require_max_nodes, require_modules
from .repeats import copies_drawn
from .text import drawn, quoted, shortened, spaces_told, visible, visible_path
from .widened import arrived_lost, wide_gradients

# the default limit of a drawing: micrograd's lecture graph of a 4-sample loss (about 1,400
# values and ops) draws; far larger graphs take graphviz minutes and are refused with a way out
MAX_NODES = 2000


class GraphTooLarge(ValueError):
    """The graph has more nodes than a drawing allows (`max_nodes`)."""


@dataclass
class Edge:
    """What backward sends from `child` to its input `parent` (the `index`-th)."""

    parent: Node
    child: Node
    index: int
    local: float | None  # d child / d parent, for scalars
    passed: Any  # the gradient sent along: d root / d child times the local derivative
    arriving: Any = None  # d root / d child, the gradient the child passes on
    # `passed` and `local` worked out in long doubles where a float's range lost them (widened.py), else None
    wide_passed: Any = None
    wide_local: Any = None


@dataclass
class Graph:
    """What a drawing needs of a graph, read once: its nodes (in the order backward takes them: root
    first, each before its parents),
    and by node id the constants, the module that computed each node, and the name given it, whole (drawn
    shortened where long: numbered_names)."""

    order: list[Node]
    consts: set[int]
    owner: dict[int, str]
    names: dict[int, str]


def read_graph(root: Node, modules: Any, max_nodes: int | None, collapsible: bool = False) -> Graph:
    """The graph of `root` (refused when larger than `max_nodes`; `collapsible`: the caller can draw
    modules as boxes), its nodes grouped by the modules of `modules` (a model, or None), each named by
    its label or else its parameter name in the model, as viz writes names (`visible`: a line break as ⏎; a
    parameter's path as `visible_path`)."""
    require_modules("viz", modules)  # checked before, naming it, by each public function
    order = nodes_in_order(root, max_nodes, collapsible)
    consts = constants(order)
    owner = module_of(order, modules, consts) if modules is not None else {}
    params = {id(p): name for name, p in modules.named_parameters()} if modules is not None else {}
    return Graph(order, consts, owner, {id(n): visible(n.label) or visible_path(params.get(id(n), "")) for n in order})


def nodes_in_order(root: Node, max_nodes: int | None, collapsible: bool = False) -> list[Node]:
    """Every node of the graph in the order backward takes them (`taken_order`); refuses too large a
    graph before any drawing starts or any pass runs (`check_size`)."""
    require_max_nodes("viz", max_nodes)  # so too
    order = topological_order(root)
    check_size(order, max_nodes, collapsible)
    return taken_order(root, order)


def taken_order(root: Node, order: list[Node]) -> list[Node]:
    """The nodes of `order` (root first, each before its parents) in the order backward takes them,
    `autograd.backward_order`: the one place viz learns it, so that steps, their sums and numbers add
    each value's shares as backward does and round as it does (1e16 - 1e16 + 1 is 1, 1 + 1e16 - 1e16 is
    0). It runs no rule, so a graph whose backward cannot run (a rule raises, as sqrt's at 0; detect_anomaly
    stops at a NaN) still has it; whatever needs the gradients raises backward's own error there (`all_gradients`)."""
    return backward_order(root) if root.parents else order


def check_size(order: list[Node], max_nodes: int | None, collapsible: bool = False) -> None:
    """Raise GraphTooLarge when drawing `order` takes more than `max_nodes` nodes (values, constants,
    ops, and the copies of values drawn again beside far uses, repeats.py), saying the ways out:
    `collapse=True` only where the caller has it (`collapsible`, draw)."""
    if max_nodes is None:
        return
    ops = sum(1 for n in order if n.op is not None)
    again = copies_drawn(order)  # counted where the graph is past the limit too: the limit offered must be enough
    total = len(order) + ops + again
    if total <= max_nodes:
        return
    way = (
        "collapse what modules compute into one box each (modules=model, collapse=True), or draw a smaller graph"
        if collapsible
        else "or use a smaller graph (viz.draw(root, modules=model, collapse=True) draws one box per module)"
    )
    copies = {0: "", 1: ", and 1 copy of a value drawn again beside a far use"}.get(
        again, f", and {again} copies of values drawn again beside far uses (such as an unrolled loop's weights)"
    )
    raise GraphTooLarge(
        f"this graph has {tally(order, constants(order))}{copies}, {total} nodes to draw, more than "
        f"max_nodes={max_nodes}. Raise the limit (max_nodes={total}; graphviz may take long), {way}."
    )


def tally(nodes: list[Node], consts: set[int]) -> str:
    """What drawing `nodes` takes, a record per value and an oval per op: "4 values and 2 ops", the constants
    (by id, `consts`) apart, "3 values, 1 constant and 2 ops". check_size and a collapsed module's box say it."""
    ops = sum(1 for n in nodes if n.op is not None)
    held = sum(1 for n in nodes if id(n) in consts)
    counts = [(len(nodes) - held, "value"), (held, "constant")] if held else [(len(nodes), "value")]
    words = [f"{k} {word}{'' if k == 1 else 's'}" for k, word in [*counts, (ops, "op")]]
    return ", ".join(words[:-1]) + " and " + words[-1]


def require_backward_root(root: Node, needs: str, fix: str = "draw y.sum()") -> None:
    """Refuse a root that backward cannot start from where the caller computes its gradients: a tensor of
    more than one element where `needs` (what the caller does) takes one number (a gradient or a finite
    difference is of one number), or one that requires no grad, for which no graph was recorded."""
    if isinstance(root, Tensor) and root.size != 1:
        raise ValueError(f"{needs}: the root has shape {root.shape}; {fix}")
    if root.is_constant:
        name = f" {visible(root.label)}{spaces_told(root.label)}" if root.label else ""  # as a drawing shows it
        # a leaf has no inputs to give requires_grad: the fix is the tensor's own
        fix = "create it with requires_grad=True" if not root.parents else "give its inputs requires_grad=True"
        raise ValueError(
            f"the root{name} does not require grad: no graph was recorded for it, so it has no backward to draw "
            f"({fix}, outside no_grad); viz.draw(root) draws its value"
        )


def constants(order: list[Node]) -> set[int]:
    """Ids of the nodes that are constants rather than values with a gradient (`node.is_constant`):
    numbers an operator lifted (the 2 of `x ** 2`, the 1 of `1 - x`), tensors that do not require grad."""
    return {id(n) for n in order if n.is_constant}


def backward_flow(root: Node, order: list[Node], consts: set[int]) -> tuple[dict[int, Any], list[list[Edge]]]:
    """d root / d node for every node (by id), and for each node in `order` the edges backward
    sends from it to its inputs that are not constants, computed from each op's rule; nobody's
    `.grad` changes."""
    grads = all_gradients(root, order)
    flows, shares = [], {}  # shares: by id, the edges into each value, all sent before backward takes it
    with np.errstate(all="ignore"):  # a NaN or infinity is drawn red with its story, not warned about
        for node in order:
            if node.op is None:
                flows.append([])
                continue
            parents, arriving = node.parents, grads[id(node)]
            passed = pullback(node, arriving)
            unit = pullback(node, 1.0) if not isinstance(node, Tensor) else [None] * len(parents)
            edges = zip(range(len(parents)), parents, unit, passed)
            kept = [(i, p, _scalar(u), g) for i, p, u, g in edges if id(p) not in consts]
            lost = arrived_lost(shares.get(id(node), []), arriving)  # 1e200 * 1e200 upstream: its inf is no given one
            widened = [wide_gradients(node, i, arriving, g, u, lost) for i, _, u, g in kept]
            flows.append([Edge(p, node, i, u, g, arriving, *w) for (i, p, u, g), w in zip(kept, widened)])
            for e in flows[-1]:
                shares.setdefault(id(e.parent), []).append(e)
    return grads, flows


def all_gradients(root: Node, order: list[Node]) -> dict[int, Any]:
    """d root / d node for every node of `order` (root first), by id, as backward computes them.
    Under detect_anomaly backward stops at the first NaN, which a drawing must show instead: the
    gradients are then summed from each op's pullback, the same rules in the same order. A NaN or
    infinity is drawn red with its story, not warned about. A leaf root (a Value computed under
    no_grad, whose backward is refused) is its own gradient, 1."""
    seed = np.ones(root.shape, root.dtype) if isinstance(root, Tensor) else 1.0
    if not root.parents:
        return {id(root): seed}
    try:
        with np.errstate(all="ignore"):
            return dict(zip(map(id, order), gradients(root, order)))
    except AnomalyError:
        pass
    grads: dict[int, Any] = {id(root): seed}
    with np.errstate(all="ignore"):
        for node in order:
            if id(node) not in grads:
                grads[id(node)] = np.zeros(node.shape, node.dtype) if isinstance(node, Tensor) else 0.0
                continue
            for p, g in zip(node.parents, pullback(node, grads[id(node)])):
                if g is not None:
                    grads[id(p)] = (grads[id(p)] + g) if id(p) in grads else g
    return grads


def numbered_names(graph: Graph) -> dict[int, str]:
    """Each value's name (by id) as records, equations and stories write it: its own name (`shortened` where long),
    or else "#k", its step in backward (root first, constants skipped), as `draw(number=True)` shows it. A name
    other values have too (x in each sample; a label "#2" beside the value numbered #2; a constant tensor drawn by
    that label; two long names shortened alike, or shortened as an op's name or word is) gets the value's "#k" after
    it, "x#3": drawn alike, x1 * x2 would read x * x, whose derivative is 2x."""
    step = value_steps(graph)
    names = {i: shortened(graph.names[i]) or f"#{k}" for i, k in step.items()}
    drawn = Counter(filter(None, (constant_label(n) for n in graph.order if id(n) in graph.consts)))
    drawn += Counter({short for text in op_texts(graph.order) if (short := shortened(text)) != text})  # ops' too
    while shared := [i for i, count in _name_counts(names, drawn).items() if count > 1 and graph.names[i]]:
        for i in shared:  # each "#k" is the value's own: renamed ones differ, until one meets another's name
            names[i] += f"#{step[i]}"
    return names


def value_steps(graph: Graph) -> dict[int, int]:
    """Each value's step in backward (by id), its "#k": the root's 1, constants skipped."""
    return {id(n): k for k, n in enumerate((n for n in graph.order if id(n) not in graph.consts), 1)}


def op_texts(nodes: list[Node]) -> set[str]:
    """The user's texts the ops of `nodes` show, `visible` (a drawing shortens them): their names, their calls'
    keywords and words, quoted, as `rules.shown_params` writes them."""
    texts = set()
    for n in (n for n in nodes if n.op is not None):
        words = [quoted(v) for v in n.op_params.values() if isinstance(v, str)]
        texts.update(visible(str(t)) for t in (n.op.name, *n.op_params, *words))
    return texts


def constant_label(node: Node) -> str:
    """Whether a constant is drawn by a name: a tensor's label (`shortened` where long; Names.label writes it, two
    shortened alike numbered apart), where it holds more than one number (one is drawn as its number); "" for a
    number an operator lifted and an unlabelled tensor."""
    return drawn(node.label) if isinstance(node, Tensor) and np.size(node.data) != 1 and node.label else ""


def record_name(graph: Graph, names: dict[int, str], node: Node) -> str:
    """The name a value's record shows: its own, told apart from other values' (`numbered_names`), or "" for a
    value with none (a drawing numbers it where it says "#k")."""
    return graph.names[id(node)] and names[id(node)]


def _name_counts(names: dict[int, str], constants: Counter) -> dict[int, int]:
    """How many values (by id), and constants drawn by a label (`constants`: how many by each), bear each
    value's name."""
    counts = Counter(names.values()) + constants
    return {i: counts[name] for i, name in names.items()}


def broadcast(e: Edge) -> bool:
    """Whether the op broadcast this edge's input (`op.broadcasts`: elementwise ops, where) to a larger output."""
    return isinstance(e.child, Tensor) and e.child.op.broadcasts and e.parent.shape != e.child.shape


def broadcast_summed(e: Edge) -> bool:
    """Whether backward summed this edge's gradient back to its input's shape, the op having broadcast it:
    not a constant's, which takes no gradient."""
    return broadcast(e) and not e.parent.is_constant


def module_of(order: list[Node], modules: Any, consts: set[int]) -> dict[int, str]:
    """The dotted path of the module whose call computed each node, by id, from what each module
    recorded of its calls (`recorded_calls()`, nn's Module.__call__). A call computed what lies
    between its outputs and what existed when it started (the outputs of calls ended before, and
    leaves): its nodes, and the leaves it used that are its parameters or numbers (scalar constants,
    as in `w * 2`; a tensor constant is data given to it). Inside nested calls, the innermost wins.
    Nodes no call computed (a loss, the data) are left out."""
    present = {id(n): n for n in order}
    numbers = {i for i in consts if not isinstance(present[i], Tensor)}
    calls = []
    for path, module in modules.named_modules():
        own = {id(p) for p in module.parameters()} | numbers
        for start, end, found in module.calls_among(present):  # the nodes themselves: an id may be a dead one's
            calls.append((start, end, path or type(module).__name__, found, own))
    calls.sort(key=lambda call: call[0])  # outer calls start first: inner ones overwrite them
    owner: dict[int, str] = {}
    for start, _, name, found, own in calls:
        before = {id(n) for s, end, _, outputs, _ in calls if end < start for n in outputs}
        for node in _computed(found, before, own):
            owner[id(node)] = name
    return owner


def module_order(modules: Any) -> dict[str, int]:
    """Each module's name as `module_of` gives it, by position in the model (layer 2 before layer 10)."""
    return {path or type(m).__name__: k for k, (path, m) in enumerate(modules.named_modules())}


def _computed(outputs: list[Node], before: set[int], own: set[int]) -> list[Node]:
    """The nodes reachable from `outputs` without entering those of `before` (ids), leaves only if in `own`."""
    seen = {id(n): n for n in outputs}
    stack = list(outputs)
    while stack:
        for p in stack.pop().parents:
            if id(p) not in seen and id(p) not in before and (p.op is not None or id(p) in own):
                seen[id(p)] = p
                stack.append(p)
    return list(seen.values())


def _scalar(x: Any) -> float | None:
    return None if x is None else float(np.asarray(x))
