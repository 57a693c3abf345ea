"""Where a NaN or an infinity first appeared in a graph, and the way it went to the root: what a
drawing colours so that a learner sees the op to blame, as detect_anomaly names it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd import Node, pullback

from .long_names import Names
from .lost_words import lost_note
from .number_text import finite, float_name, kind, summary
from .rules import op_name
from .text import visible
from .widened import wide_gradients, wide_value

if TYPE_CHECKING:  # steps reads this module's first_nonfinite_from
    from .steps import Pass


@dataclass(frozen=True)
class Trail:
    """The first node whose value (in the forward pass) or gradient (in backward) is NaN or infinite,
    the path that carried it between that node and the root (node ids, and edges as (input id, output
    id, input position)), and a sentence saying what happened."""

    node: Node
    nodes: frozenset[int]
    edges: frozenset[tuple[int, int, int]]
    story: str


def first_nonfinite(
    order: list[Node], grads: dict[int, Any], names: Names, flows: list[list[Any]] | None = None
) -> Trail | None:
    """The first NaN or infinity: in the forward pass (inputs first), else in backward (root first,
    with `grads`, d root / d node by id, those shown); None when every number is finite. `flows`: backward's
    edges (graph.Edge), where a caller has them, whose values on paper the story reads rather than work out again
    (a user's op would run once more a drawing)."""
    children: dict[int, list[tuple[Node, int]]] = {}
    for n in order:
        for i, p in enumerate(n.parents):
            children.setdefault(id(p), []).append((n, i))
    for node in reversed(order):
        if not finite(node.data):
            inputs = " and ".join(summary(p.data, signed_zero=True) for p in node.parents)  # 1 / -0 = -inf
            given = "a constant" if id(node) not in names else "a leaf"
            lost = lost_note(node.data, wide_value(node))  # exp(800): it overflowed, 2.726e+347 on paper
            made = (
                f"made by {op_name(node, names)} from {inputs}{'; ' + lost if lost else ''}"
                if node.op
                else f"{given} given so"
            )
            # a constant is not numbered: its label as drawn (one of one number whole: drawn nowhere), or its value
            name = names[id(node)] if id(node) in names else names.label(node) or visible(node.label)
            shown = f"{name} = {summary(node.data)}" if name else summary(node.data)
            story = f"the first NaN or infinity of the forward pass: {shown} ({made})"
            return _trail(node, children, story, lambda n: not finite(n.data))
    sent = _first_sent(order, grads)
    found = sent[:3] if sent else _first_summed(order, grads, children)
    if found is None:
        return None
    node, sender, index = found
    grad = grads[id(node)]
    # a rule's doing (told as the forward pass's is, with its value on paper where the float's range lost it: 1e200
    # arriving times a local 1e200 overflowed, 1e+400 on paper), or finite shares whose sum passed the largest float
    # (no rule sent the infinity)
    lost = _sent_lost(sender, index, grads[id(sender)], sent[3], flows) if sent else ""
    how = (
        f"from the rule of {op_name(sender, names)} at {names[id(sender)]}{'; ' + lost if lost else ''}"
        if sent
        else f"its {len(children[id(node)])} shares, each finite, summed past the largest {float_name(kind(grad))}"
    )
    story = f"the first NaN or infinity of backward: the gradient of {names[id(node)]}, {summary(grad)}, {how}"
    trail = _trail(sender, children, story, lambda n: True)
    return Trail(node, trail.nodes | {id(node)}, trail.edges | {(id(node), id(sender), index)}, story)


def first_nonfinite_from(run: Pass) -> tuple[Trail, int] | None:
    """The first NaN or infinity of a backward pass as `draw` marks it (constants have no gradient), and the first
    step that draws it, as the player's slider counts them (step s shows backward's s-th step done): the forward
    pass's from step 0, a gradient's from the step of backward that makes it non-finite. The player and the frames
    (backward_steps) show its note from there; None if every number is finite."""
    values = {i: g for i, g in run.grads.items() if i not in run.graph.consts}
    trail = first_nonfinite(run.graph.order, values, run.names, run.flows)
    if trail is None:
        return None
    node = trail.node
    if not finite(node.data):  # a value of the forward pass: there from the start
        return trail, 0
    made = (  # a gradient: from the step its sum turns non-finite
        s
        for s, (_, got, changed, _) in enumerate(run.filling(), 1)
        if any(n is node for n in changed) and not finite(got[id(node)])
    )
    return trail, next(made, len(run.steps))  # backward's own sum (run.grads) is non-finite: by its end at the latest


def _sent_lost(sender: Node, index: int, arriving: Any, sent: Any, flows: list[list[Any]] | None) -> str:
    """What the rule of `sender` lost to its float's range in the gradient `sent` to its `index`-th input for the
    `arriving` one, in words ("overflowed: on paper 1e+400, ..."); "" where nothing did (an infinity or a NaN as on
    paper) or the op cannot be worked out again. Read from the edge of `flows` where given."""
    edges = (e for flow in flows or [] for e in flow if e.child is sender and e.index == index)
    if (edge := next(edges, None)) is not None:
        return lost_note(edge.passed, edge.wide_passed)
    with np.errstate(all="ignore"):
        wide = wide_gradients(sender, index, arriving, sent, None)[0]
    return lost_note(sent, wide)


def _first_sent(order: list[Node], grads: dict[int, Any]) -> tuple[Node, Node, int, Any] | None:
    """The first rule, in backward's order (root first), that sent a NaN or infinity: (the input that
    got it, the op's node, the input's position, what it sent); a node's gradient is non-finite from that step on."""
    for sender in order:
        if sender.op is None or id(sender) not in grads or not finite(grads[id(sender)]):
            continue  # a leaf sends nothing; a non-finite gradient arriving is an earlier rule's doing
        with np.errstate(all="ignore"):  # the rules' NaNs and infinities are the story, not warnings
            sent = pullback(sender, grads[id(sender)])
        for i, (p, g) in enumerate(zip(sender.parents, sent)):
            if g is not None and id(p) in grads and not finite(g):
                return p, sender, i, g
    return None


def _first_summed(
    order: list[Node], grads: dict[int, Any], children: dict[int, list[tuple[Node, int]]]
) -> tuple[Node, Node, int] | None:
    """A gradient every rule sent finite but whose sum is not (finite parts overflowing): the first
    such node, with its first consumer."""
    for node in order:
        if id(node) in grads and not finite(grads[id(node)]) and children.get(id(node)):
            sender, index = children[id(node)][0]
            return node, sender, index
    return None


def _trail(start: Node, children: dict[int, list[tuple[Node, int]]], story: str, prefer: Any) -> Trail:
    """The path from `start` to the root, through a child `prefer` picks where one does."""
    nodes, edges, node = {id(start)}, set(), start
    while id(node) in children:
        options = children[id(node)]
        child, index = next(((c, i) for c, i in options if prefer(c)), options[0])
        edges.add((id(node), id(child), index))
        nodes.add(id(child))
        node = child
    return Trail(start, frozenset(nodes), frozenset(edges), story)
