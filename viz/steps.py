"""The backward pass as a sequence of drawings, one per step, each with a caption doing the chain
rule's arithmetic; and the forward pass before it, told in one caption."""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import graphviz
import numpy as np

from autograd import Node, Tensor

from .arguments import require_flags, require_known, require_rankdir, require_root
from .dot import build
from .graph import MAX_NODES, Edge, Graph, backward_flow, numbered_names, read_graph, require_backward_root
from .kept import changed_since_forward
from .number_text import summary
from .rules import applied, broadcast_words, constant_label, local_rule, op_name, shown_params, symbol, term
from .story import rounded_away, sum_of
from .text import escape

_FRAME_OPTIONS = ("modules", "max_nodes", "rankdir", "show_grads", "number", "color_by_grad")
_ELSEWHERE = (
    "its frames draw backward already, step by step; viz.draw(root, ...) takes the others (check=True, "
    "tensor_detail=True, collapse=True) in one drawing"
)
FORWARD_LINES = 12  # the forward caption lists this many ops, then counts the rest
UPDATE_LINES = 24  # the update's caption lists this many parameters, then counts the rest


@dataclass
class Frame:
    """One step of backward: its drawing and what happened, in lines of arithmetic. In Jupyter it
    shows as the drawing with the caption above it."""

    drawing: graphviz.Digraph
    caption: str

    def _repr_svg_(self) -> str:
        titled = self.drawing.copy()
        lines = [escape(line) for line in self.caption.split("\n")]  # graphviz reads \\ and & as escapes
        titled.attr(label="\\l".join(lines) + "\\l", labelloc="t", labeljust="l", fontsize="11")
        return titled.pipe(format="svg", encoding="utf-8")


@dataclass
class Pass:
    """Backward over a graph, computed once (nobody's `.grad` changes): d root / d node by id, the
    edges each node sends (by position in order), and the steps: the positions of the nodes backward
    takes in turn (constants take none), each with its caption; each value's name, as captions say it."""

    graph: Graph
    grads: dict[int, Any]
    flows: list[list[Edge]]
    steps: list[int]
    captions: list[str]
    names: dict[int, str]

    def filling(self) -> Iterator[tuple[int, dict[int, Any], list[Node], dict[int, tuple[int, int]]]]:
        """For each step: its node's position, the gradients filled in so far (by id; one dict,
        updated in place), the nodes whose gradient changed at this step, and the values whose gradient
        is still a sum of some of their shares (by id: how many arrived, of how many; one dict too)."""
        root = self.graph.order[0]
        running: dict[int, Any] = {id(root): self.grads[id(root)]}
        shares = Counter(id(e.parent) for flow in self.flows for e in flow)  # one per use
        partial: dict[int, tuple[int, int]] = {}
        for k in self.steps:
            changed = [root] if k == 0 else []
            for e in self.flows[k]:
                running[id(e.parent)] = (running[id(e.parent)] + e.passed) if id(e.parent) in running else e.passed
                changed.append(e.parent)
                got = partial.pop(id(e.parent), (0, 0))[0] + 1
                if got < shares[id(e.parent)]:
                    partial[id(e.parent)] = (got, shares[id(e.parent)])
            yield k, running, changed, partial


def backward_pass(root: Node, modules: Any = None, max_nodes: int | None = MAX_NODES) -> Pass:
    """The steps of backward from `root`, with `draw`'s `modules` and `max_nodes`."""
    require_root(root, "backward_steps")
    require_backward_root(root, "backward drawings need a one-number root")
    graph = read_graph(root, modules, max_nodes)
    changed_since_forward(graph, "the player and backward_steps compute each step's gradient from the graph's data")
    grads, flows = backward_flow(root, graph.order, graph.consts)
    steps = [k for k, node in enumerate(graph.order) if id(node) not in graph.consts]
    names = numbered_names(graph)
    uses = Counter(id(p) for node in graph.order for p in node.parents)  # a value used twice gets two shares
    received: dict[int, list[Any]] = {id(root): [grads[id(root)]]}  # each value's contributions so far
    captions = []
    for s, k in enumerate(steps):
        node = graph.order[k]
        head = _head(s, len(steps), node, flows[k], grads[id(node)], names)
        told = _arithmetic(node, flows[k], names, symbol(names[id(root)]), received, uses)
        captions.append("\n".join([head, *told]))
    return Pass(graph, grads, flows, steps, captions, names)


def backward_steps(
    root: Node, *, modules: Any = None, max_nodes: int | None = MAX_NODES, **options: Any
) -> Iterator[Frame]:
    """A Frame per node of the graph but constants, in the order backward takes them (root first):
    the node being processed is highlighted, the gradients filled in so far are shown, and
    the edges it sends gradient along are labelled. Nobody's `.grad` changes. Options as for `draw`
    (rankdir, show_grads, number, color_by_grad). The arguments are checked and backward computed at
    the call (the frames are drawn as they are taken), so a wrong one raises here, not at the first frame."""
    require_known("backward_steps", options, _FRAME_OPTIONS, _ELSEWHERE)
    require_rankdir(options.get("rankdir", "LR"))
    require_flags(**{name: value for name, value in options.items() if name != "rankdir"})
    run = backward_pass(root, modules, max_nodes)
    return (
        Frame(
            build(run.graph, dict(running), run.flows[: k + 1], run.graph.order[k], partial=partial, **options), caption
        )
        for caption, (k, running, _, partial) in zip(run.captions, run.filling())
    )


def forward_caption(run: Pass) -> str:
    """Step 0, the forward pass: every op's value from its inputs (inputs first, the first few ops)."""
    order, names = run.graph.order, run.names
    ops = [n for n in reversed(order) if n.op is not None]
    lines = [
        "step 0, the forward pass: each op computes its value from its inputs, inputs first. "
        "No gradient exists yet: backward starts at the next step."
    ]
    for node in ops[:FORWARD_LINES]:
        inputs = [names.get(id(p)) or constant_label(p) or term(p.data, signed_zero=True) for p in node.parents]
        written, name = applied(node.op.name, inputs + shown_params(node)), names[id(node)]
        shown = [name] if name.replace(" ", "") == written.replace(" ", "") else [name, written]  # "x*w = x * w"
        lines.append(" = ".join([*shown, summary(node.data, signed_zero=True)]))  # 1 / -0 = -inf
    if len(ops) > FORWARD_LINES:
        lines.append(f"… and {len(ops) - FORWARD_LINES:,} more ops")
    return "\n".join(lines)


@dataclass
class Update:
    """The step after backward: the optimizer's update of each parameter the graph uses (by position
    in order: its new data), and a caption with the arithmetic."""

    data: dict[int, Any]
    caption: str


def optimizer_update(run: Pass, optimizer: Any) -> Update:
    """What `optimizer.step()` would do with the gradients of `run`, computed on a copy of the
    optimizer and its parameters: neither they nor the optimizer's state change."""
    if not all(hasattr(optimizer, a) for a in ("params", "lr", "step")):
        raise TypeError(
            f"optimizer must be an optimizer such as nn.optim.SGD or Adam (params, lr, step()), got {optimizer!r}"
        )
    position = {id(n): k for k, n in enumerate(run.graph.order)}
    trial = copy.deepcopy(optimizer)  # its params are copies, in the same order
    used = [(p, twin) for p, twin in zip(optimizer.params, trial.params) if id(p) in position]
    for p, twin in zip(optimizer.params, trial.params):
        unused = None if isinstance(twin, Tensor) else 0.0  # a Tensor no backward reached is left alone
        twin.grad = run.grads[id(p)] if id(p) in position else unused
    trial.step()
    name, lr = type(optimizer).__name__, optimizer.lr
    plain = all(np.allclose(twin.data, p.data - lr * np.asarray(run.grads[id(p)])) for p, twin in used)
    rule = "w ← w − lr·grad" if plain else f"each by {name}'s own rule from its gradient, not plainly lr·grad"
    senses = [_senses(np.asarray(twin.data) - p.data, run.grads[id(p)]) for p, twin in used]
    lines = [f"step {len(run.steps) + 1}, the update: {name} (lr {lr:g}) {_direction(used, senses, run.names)}: {rule}"]
    for (p, twin), sense in zip(used[:UPDATE_LINES], senses):
        old, new, grad = p.data, twin.data, run.grads[id(p)]
        change = f"{summary(old)} → {summary(new)}, a change of {summary(np.asarray(new) - old)}"
        w = run.names[id(p)]
        if plain:
            lines.append(f"{w} ← {w} − {lr:g} × {term(grad)}: {change}")
        else:  # momentum, weight decay, Adam: the optimizer's own rule, which may move w either way
            told = _sense_text(sense, np.size(grad))
            lines.append(f"{w} ← {w} + ({name}'s step from the gradient {summary(grad)}): {change}, {told}")
    if len(used) > UPDATE_LINES:
        lines.append(f"… and {len(used) - UPDATE_LINES:,} more parameters")
    if len(used) < len(optimizer.params):
        lines.append(f"({len(optimizer.params) - len(used)} parameters of the optimizer are not in this graph)")
    return Update({position[id(p)]: twin.data for p, twin in used}, "\n".join(lines))


def _senses(change: Any, grad: Any) -> tuple[int, int, int]:
    """How many of a parameter's numbers the update moves against their gradient, how many with it, and
    how many it moves where their gradient is 0 (momentum, weight decay)."""
    change, grad = np.asarray(change, dtype=float), np.asarray(grad, dtype=float)
    product = change * grad
    return int(np.sum(product < 0)), int(np.sum(product > 0)), int(np.sum((change != 0) & (grad == 0)))


def _direction(used: list[tuple[Node, Node]], senses: list[tuple[int, int, int]], names: dict[int, str]) -> str:
    """Which way the update moves the parameters, as measured (`_senses`): against the gradient is the way
    the root falls fastest near here; momentum or weight decay can move a parameter with it, up the slope,
    or where its gradient is 0, and then the step promises no descent."""

    def listed(which: list[str]) -> str:
        return ", ".join(which[:6]) + (f" and {len(which) - 6} more" if len(which) > 6 else "")

    named = [(names[id(p)], sense) for (p, _), sense in zip(used, senses)]
    rising = [name for name, (_, up, _) in named if up]
    flat = [name for name, (_, up, still) in named if still and not up]
    falling = [name for name, (down, up, still) in named if down and not (up or still)]
    unmoved = [name for name, sense in named if not any(sense)]
    if rising or flat:
        ways = [f"{listed(rising)} with the gradient, up the slope"] if rising else []
        ways += [f"{listed(flat)} where the gradient is 0"] if flat else []
        others = f"; it moves {listed(falling)} against the gradient" if falling else ""
        return f"moves {' and '.join(ways)}, so this step need not lower the root{others}"
    if not falling:
        return "moves no parameter"
    if unmoved:
        downhill = f"moves {listed(falling)} against the gradient, downhill for the root near here"
        return f"{downhill}, and leaves {listed(unmoved)} where it is"
    return "moves each parameter against its gradient, downhill for the root near here"


def _sense_text(sense: tuple[int, int, int], size: int) -> str:
    """A parameter's move beside its gradient: "against its gradient", "with its gradient" (up the slope),
    or where it is 0; a tensor's by how many of its numbers go each way."""
    down, up, flat = sense
    if size > 1:
        where_flat = f", {flat} where it is 0" if flat else ""
        return f"of its {size} numbers {down} moved against its gradient, {up} with it{where_flat}"
    if flat:
        return "moved though its gradient is 0"
    return "against its gradient" if down else "with its gradient, up the slope" if up else "not moved"


def _head(k: int, total: int, node: Node, sent: list[Edge], grad: Any, names: dict[int, str]) -> str:
    """What the step does, in a sentence: whose gradient is complete, and what it sends to whom."""
    name = names[id(node)]
    if k == 0:
        head = f"step 1 of {total}: backward starts at {name} with gradient {summary(grad)}"
    else:
        head = f"step {k + 1} of {total}: {name} has its gradient, {summary(grad)}"
    if not sent:
        return head + ("; it is a leaf, so nothing flows further" if node.op is None else "")
    parts = [f"{names[id(e.parent)]} gets {summary(e.passed)}" for e in sent]
    return head + f"; through {op_name(node)}, " + ", ".join(parts)


def _arithmetic(
    node: Node,
    sent: list[Edge],
    names: dict[int, str],
    root: str,
    received: dict[int, list[Any]],
    uses: Counter,
) -> list[str]:
    """The chain rule on each edge the node sends along (`root`: the root's name as a symbol), with its
    numbers, and the sum where a value used more than once (`uses`, by id) gets another share. Updates
    `received`."""
    if not sent:
        return []
    n = symbol(names[id(node)])
    lines = [
        f"chain rule: each input of {op_name(node)} gets ∂{root}/∂{n} × ∂{n}/∂input, the gradient arriving here "
        "times the op's local derivative (how much its output moves when that input does)"
    ]
    for e in sent:
        lines.append(_edge_equation(e, names, root, uses[id(e.parent)] > 1))
        contributions = received.setdefault(id(e.parent), [])
        contributions.append(e.passed)
        if len(contributions) > 1:
            lines.append(_sum_line(names[id(e.parent)], contributions, uses[id(e.parent)]))
    return lines


def _edge_equation(e: Edge, names: dict[int, str], root: str, shared: bool) -> str:
    """∂L/∂w = ∂L/∂n · ∂n/∂w = 0.5 × 2 = 1, and the op's rule for this input (tensors: what the rule gave);
    for a value used more than once (`shared`), its share along this edge, said so."""
    n, w, op = symbol(names[id(e.child)]), symbol(names[id(e.parent)]), e.child.op
    rule = local_rule(e.child, e.index, names) or f"the local derivative comes from {op.name}'s own rule"
    if shared:
        chain = f"share of ∂{root}/∂{w} via input {e.index + 1} of {op_name(e.child)}: ∂{root}/∂{n} · local"
    else:
        chain = f"∂{root}/∂{w} = ∂{root}/∂{n} · ∂{n}/∂{w}"
    if e.local is not None:
        return f"{chain} = {term(e.arriving)} × {term(e.local)} = {summary(e.passed)}    ({rule})"
    return (
        f"{chain}: on tensors the local derivative is a Jacobian, which backward never builds; "
        f"{op_name(e.child)}'s rule maps the arriving {summary(e.arriving)} to {summary(e.passed)}, "
        f"shape {e.parent.shape}{broadcast_words(e.parent, e.child, w)}    ({rule})"
    )


def _sum_line(name: str, contributions: list[Any], uses: int) -> str:
    """A value used more than once: its gradient is the sum of what each use sent, "a.grad = 2 + 2 = 4",
    so far while some of its `uses` have not sent theirs yet."""
    total = sum(contributions[1:], contributions[0])
    done = len(contributions)
    told = (
        f"{name} is used {uses} times: all {uses} shares added"
        if done == uses
        else f"{name} is used {uses} times: {done} shares added so far"
    )
    if isinstance(total, Tensor) or getattr(total, "size", 1) != 1:
        return f"{name}.grad: {done} shares added, {'now' if done == uses else 'so far'} {summary(total)}    ({told})"
    sums = f"{sum_of(contributions)} = {summary(total)}{rounded_away(contributions, total)}"  # "-4 + (-4) = -8"
    return f"{name}.grad = {sums}    ({told})"
