"""The captions of the player and of backward_steps' frames: the forward pass in one, and each step of
backward as a sentence and the chain rule's arithmetic on each edge it sends along, with the sums of a value
used more than once."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd import Node, Tensor

from .graph import Edge
from .long_names import Names
from .lost_words import gradient_lost, lost_note, lost_tag
from .number_text import summary
from .paper import forward_value, product_equation
from .rules import (
    applied,
    broadcast_words,
    local_rule,
    op_name,
    shown_params,
    symbol,
    term,
)
from .share_notes import shares_added
from .widened import wide_sum, wide_value

if TYPE_CHECKING:
    from .steps import Pass
    from .sum_figures import Shares

FORWARD_LINES = 12  # the forward caption lists this many ops, then counts the rest


def forward_caption(run: Pass) -> str:
    """Step 0, the forward pass: every op's value from its inputs (inputs first, the first few ops)."""
    order, names = run.graph.order, run.names
    ops = [n for n in reversed(order) if n.op is not None]
    lines = [
        "step 0, the forward pass: each op computes its value from its inputs, inputs first. No gradient exists "
        f"yet: backward starts at {names[id(order[0])]}, outlined in dashes, at the next step (→ or play)."
    ]
    for node in ops[:FORWARD_LINES]:
        inputs = [names.get(id(p)) or names.label(p) or term(p.data, signed_zero=True) for p in node.parents]
        written, name = applied(node.op.name, inputs + shown_params(node, names.text), names.text), names[id(node)]
        shown = [name] if name.replace(" ", "") == written.replace(" ", "") else [name, written]  # "x*w = x * w"
        parents = [p.data for p in node.parents]  # 1 / -0: -inf; written as its box (s = 1e16 + 3: 10000000000000004)
        value = forward_value(node.op.name, parents, node.data, wide_value(node), run.added[0].get(id(node)))
        lines.append(" = ".join([*shown, value]))
    if len(ops) > FORWARD_LINES:
        lines.append(f"… and {len(ops) - FORWARD_LINES:,} more ops")
    return "\n".join(lines)


def step_head(k: int, total: int, node: Node, sent: list[Edge], grad: Any, names: Names, shares: Shares) -> str:
    """What the step does, in a sentence: whose gradient is complete, and what it sends to whom (each share with
    its figures in `shares`, by the id of the value it goes to: share_figures)."""
    name = names[id(node)]
    if k == 0:
        head = f"step 1 of {total}: backward starts at {name} with gradient {summary(grad)}"
    else:
        head = f"step {k + 1} of {total}: {name} has its gradient, {summary(grad)}"
    if not sent:
        return head + ("; it is a leaf, so nothing flows further" if node.op is None else "")
    figures = shares.figures.get
    parts = [
        f"{names[id(e.parent)]} gets {summary(e.passed, n=figures(id(e.parent)))}{lost_tag(e.passed, e.wide_passed)}"
        for e in sent
    ]
    return head + f"; through {op_name(node, names)}, " + ", ".join(parts)


def arithmetic(
    node: Node,
    sent: list[Edge],
    names: Names,
    root: str,
    received: dict[int, list[Any]],
    uses: Counter,
    shares: Shares,
) -> list[str]:
    """The chain rule on each edge the node sends along (`root`: the root's name as a symbol), with its
    numbers, and the sum where a value used more than once (`uses`, by id) gets another share, each share with
    its figures in `shares` (by the id of the value it goes to). Updates `received`."""
    if not sent:
        return []
    n = symbol(names[id(node)])
    lines = [
        f"chain rule: each input of {op_name(node, names)} gets ∂{root}/∂{n} × ∂{n}/∂input, the gradient arriving here "
        "times the op's local derivative (how much its output moves when that input does)"
    ]
    for e in sent:
        figures = shares.figures.get(id(e.parent))
        lines.append(_edge_equation(e, names, root, uses[id(e.parent)] > 1, figures))
        contributions = received.setdefault(id(e.parent), [])
        contributions.append(e.passed)
        if len(contributions) > 1:
            lines.append(_sum_line(names[id(e.parent)], contributions, uses[id(e.parent)], figures))
    return lines


def _edge_equation(e: Edge, names: Names, root: str, shared: bool, figures: int | None) -> str:
    """∂L/∂w = ∂L/∂n · ∂n/∂w = 0.5 × 2 = 1, and the op's rule for this input (tensors: what the rule gave);
    for a value used more than once (`shared`), its share along this edge, said so, written with `figures` figures."""
    n, w = symbol(names[id(e.child)]), symbol(names[id(e.parent)])
    rule = (
        local_rule(e.child, e.index, names) or f"the local derivative comes from {op_name(e.child, names)}'s own rule"
    )
    if shared:
        chain = f"share of ∂{root}/∂{w} via input {e.index + 1} of {op_name(e.child, names)}: ∂{root}/∂{n} · local"
    else:
        chain = f"∂{root}/∂{w} = ∂{root}/∂{n} · ∂{n}/∂{w}"
    if e.local is not None:
        return f"{chain} = {product_equation([e.arriving, e.local], e.passed, figures)}    ({rule}{gradient_lost(e)})"
    return (
        f"{chain}: on tensors the local derivative is a Jacobian, which backward never builds; "
        f"{op_name(e.child, names)}'s rule maps the arriving {summary(e.arriving)} to {summary(e.passed, n=figures)}, "
        f"shape {e.parent.shape}{broadcast_words(e.parent, e.child, w, names)}    ({rule}{gradient_lost(e)})"
    )


def _sum_line(name: str, contributions: list[Any], uses: int, n: int | None) -> str:
    """A value used more than once: its gradient is the sum of what each use sent, "a.grad = 2 + 2 = 4",
    so far while some of its `uses` have not sent theirs yet; each share written with `n` figures, as on its edge."""
    with np.errstate(all="ignore"):  # finite shares summing to inf: told, not warned about
        total = sum(contributions[1:], contributions[0])
    done = len(contributions)
    told = (
        f"{name} is used {uses} times: all {uses} shares added"
        if done == uses
        else f"{name} is used {uses} times: {done} shares added so far"
    )
    if isinstance(total, Tensor) or getattr(total, "size", 1) != 1:
        lost = lost_note(total, wide_sum(contributions, total))  # finite shares, inf sums
        lost = f" ({lost})" if lost else ""
        now = "now" if done == uses else "so far"
        return f"{name}.grad: {done} shares added, {now} {summary(total)}{lost}    ({told})"
    # as the edges write them: summary's figures where share_figures gives none (a whole rounded along the way too)
    return f"{shares_added(name, contributions, total, n)}    ({told})"


def lost_lines(run: Pass) -> list[str]:
    """Each value and gradient of the pass that its float's range changed (widened.py), a line each, inputs first
    and then backward's order: what the command line tells beside "exp(x) * y = 0; ∂/∂x = 0", whose zeros would
    otherwise read as the values on paper."""
    names, lines = run.names, []
    for node in reversed(run.graph.order):
        if node.op is not None and (note := lost_note(node.data, wide_value(node))):
            lines.append(f"{names[id(node)]} = {summary(node.data, signed_zero=True)} ({note})")
    for e in run.edges:
        if told := gradient_lost(e):
            sent = (
                f"{names[id(e.parent)]} gets {summary(e.passed)} from {op_name(e.child, names)} at {names[id(e.child)]}"
            )
            lines.append(f"{sent} ({told.removeprefix('; ')})")
    return lines
