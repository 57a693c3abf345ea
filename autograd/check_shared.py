"""Ops of the user's own checked alone, at the numbers f gave them. One given an input element through several of its
arguments (`op(x, x)`, `op(x, 2 * x)`): the check of f sees the sum of the op's rules for them alone, so a rule off by
+e for one argument and -e for the other passed (x * y, its rule (g y + e, g x - e), called as op(x, x)), and is wrong
wherever the op is given two numbers: each such op (each Op once, at the first node of it from f's output down) is
checked with each argument moved apart from the others, as a user testing the op with gradcheck(op, [x, y]) would.
And one whose rule takes `needs` (takes_needs=True): the check of f runs it with every gradient wanted, so a rule wrong
only on its path that skips one (a * b's gradient of a as g * a where b's is not wanted) passed, and was wrong wherever
b is data: each is checked with each argument held constant in turn (`check_needs`). Ops of the op table are not:
their rules are checked per argument, and with each input alone, already."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .check_entries import your_rule
from .check_numeric import GradcheckError
from .check_refusals import is_refusal
from .check_scales import own_op
from .check_table import UNDECIDED
from .graph import Node, raw
from .graph_order import topological_order
from .tensor_class import Tensor
from .value import Value


def check_shared_arguments(
    out: Any, leaves: Sequence[Node], names: Sequence[str], check: Callable[[Callable[..., Any], list[Any]], Any]
) -> None:
    """Check alone (`check(op_of_its_arguments, their values)`: gradcheck with the caller's settings) every op
    of the user's own in out's graph that two or more of its arguments bring the same element of `leaves`
    to (`names` name them). Raises GradcheckError where such an op's rules fail alone, and an undecided one where
    some cannot be judged alone (rules off by +e and -e would pass unseen there); where they only kink or jump
    there alone (no row fails outright), f's own check stands."""
    if not isinstance(out, Node) or out.is_constant:
        return
    order = topological_order(out)  # out first, every node before its parents
    position = {id(leaf): k for k, leaf in enumerate(leaves)}
    reaching: dict[int, frozenset[int]] = {}  # the leaves each node depends on
    checked_ops: set[tuple[int, str]] = set()
    for node in reversed(order):  # parents first (from out down, op(x, 2 * x) saw no leaf in 2 * x)
        from_parents = frozenset().union(*(reaching[id(p)] for p in node.parents))
        reaching[id(node)] = from_parents | ({position[id(node)]} if id(node) in position else frozenset())
    for node in order:
        if not own_op(node) or identity(node) in checked_ops or not reruns(node):
            continue
        slots = [reaching[id(p)] for p in node.parents if not p.is_constant]
        shared = sorted({k for i, s in enumerate(slots) for k in s if any(k in t for t in slots[i + 1 :])})
        if shared:
            checked_ops.add(identity(node))
            _check_alone(node, [names[k] for k in shared], check)
    check_needs(order, check, {i for i, r in reaching.items() if r})


_HOLDING = [False]  # inside check_needs' own checks: an op checked with an argument held is not held again


def check_needs(order: list[Node], check: Callable[[Callable[..., Any], list[Any]], Any], reached: set[int]) -> None:
    """Check alone every op of the user's own among f's nodes (`order`) whose rule takes `needs`, once for each of its
    Tensor arguments that needs a gradient held constant (its needs False), moving the others the checked inputs
    reach (`reached`: their nodes' ids; a weight f closes over is not moved: gradcheck(f, [x]) through a 48 x 48 one
    took 26 times as long, checking what was not asked): GradcheckError naming the op and that argument where its
    rules fail so; nothing where they pass or cannot be judged (f's own check stands)."""
    if _HOLDING[0]:
        return
    seen: set[tuple[int, str]] = set()
    for node in order:
        if not your_rule(node) or not node.op.takes_needs or identity(node) in seen or not reruns(node):
            continue
        seen.add(identity(node))
        moving = [i for i in _moving(node) if isinstance(node.parents[i], Tensor)]
        for held in moving:
            moved = [i for i in _moving(node) if i != held and id(node.parents[i]) in reached]
            if not moved:
                continue
            _HOLDING[0] = True
            try:
                failed = check_op_alone(node, check, held, moved)
            finally:
                _HOLDING[0] = False
            if failed is not None and not failed.undecided:
                raise GradcheckError(
                    f"gradcheck: the op {node.op.name!r} takes needs, and f's check runs its rule with every gradient "
                    f"wanted; alone, at the numbers f gave it, with its argument {held} held constant (needs[{held}] "
                    f"False), as where that argument is data, its rules disagree:\n{failed}"
                )


def identity(node: Node) -> tuple[int, str]:
    """The id of the forward of node's op, bound or not, and its keyword arguments: each op is checked once
    for each (a rule may be wrong for k=3 alone)."""
    forward = node.op.forward
    while isinstance(forward, functools.partial):
        forward = forward.func
    return id(forward), repr(sorted(node.op_params.items()))


def reruns(node: Node) -> bool:
    """Whether node's forward runs again on its inputs' numbers: a node built by hand, micrograd's way, keeps
    none (its children cannot be moved apart), nor may an op some transform made for one call."""
    try:
        with np.errstate(all="ignore"):  # no warnings.catch_warnings(): it resets the registries (check_bends.quiet)
            node.op.forward(*(raw(p) for p in node.parents), **node.op_params)
    except Exception:  # noqa: BLE001 (any failure: the op cannot be checked alone, and f's check stands)
        return False
    return True


def _check_alone(node: Node, shared: list[str], check: Callable[[Callable[..., Any], list[Any]], Any]) -> None:
    """gradcheck of node's op at its arguments' numbers, the constant ones (a target) kept as they were."""
    failed = check_op_alone(node, check)
    if failed is None:
        return
    # undecided: no row fails alone. A kink or a jump alone blames no rule (|x - y| at x = y); a row that cannot
    # be judged alone vouches for none: f's check, of their sum, passed rules off by +-1e12 beside a pole
    # (1 / (x - y + eps / 2))
    unjudged = failed.undecided and UNDECIDED in str(failed)
    if failed.undecided and not unjudged:
        return
    verdict = "finite differences cannot judge its rules here" if unjudged else "its rules disagree"
    raise GradcheckError(
        f"gradcheck: the op {node.op.name!r} is given {', '.join(shared)} through {len(_moving(node))} of its "
        "arguments, where the check of the whole sees only the sum of its rules for them; alone, at the numbers "
        "it was given, each argument moved by itself (input i below: its i-th argument that is not a constant), "
        f"{verdict}:\n{failed}",
        unjudged,
    ) from None


def check_op_alone(
    node: Node,
    check: Callable[[Callable[..., Any], list[Any]], Any],
    held: int | None = None,
    moved: list[int] | None = None,
) -> GradcheckError | None:
    """`check` (gradcheck with the caller's settings) of node's op alone, at the numbers its arguments hold, each
    float one that is not a constant moved by itself, or those `moved` lists (a target kept as it was; the argument
    `held` too, a Tensor that needs no gradient), with the keyword arguments node's call gave it: its failure
    (undecided where gradcheck refuses the op's numbers), or None where it passes."""
    moving = [i for i in _moving(node) if i != held] if moved is None else moved

    def alone(*args: Any) -> Any:
        given = list(node.parents)
        if held is not None:
            given[held] = Tensor(np.array(raw(given[held])))
        for i, a in zip(moving, args):
            given[i] = a
        return node.op(*given, **node.op_params)  # with the keyword arguments f gave it (k=3), not the defaults

    points = [
        float(raw(p)) if isinstance(p, Value) else np.array(raw(p), dtype=np.float64)
        for p in (node.parents[i] for i in moving)
    ]
    try:
        check(alone, points)
    except GradcheckError as failed:
        return failed
    except (ValueError, TypeError) as refused:  # gradcheck's refusal of the op's own numbers (x + eps rounds to x at
        # 3e11, given a * 1e12): no telling alone, not a refusal of f's inputs (it named "input 0[0] = 3e11")
        if not is_refusal(refused):
            raise
        return GradcheckError(f"{UNDECIDED}{refused}", undecided=True)
    return None


def _moving(node: Node) -> list[int]:
    """The positions of node's arguments a check of its op alone moves: float ones that are not constants."""
    return [i for i, p in enumerate(node.parents) if not p.is_constant and np.asarray(raw(p)).dtype.kind == "f"]
