"""The chain rule as a backward pass calls it: an op's rule on a node (`vjp_at`), detect_anomaly's test of
what it gave (`check_backward`), one node's step by hand (`pullback`), and the generic pass over a sorted
graph (`_propagate`, for node types without a pass of their own; Value's is scalar_backward's). Split from
graph.py, which keeps the node itself."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import modes
from .dtypes import DATA_KINDS
from .graph import HOOKS, USER_CODE, WRITES, Node, raw, require_node
from .graph_errors import NodeAsNumber, infinite_derivative
from .graph_order import MANY
from .modes import short
from .type_names import type_name

if TYPE_CHECKING:
    from .op import Op


def check_backward(op: Op, node: Node, gs: Sequence[Any]) -> None:
    """detect_anomaly's test of the gradients a rule gave. A constant parent's goes nowhere (a number lifted
    into a Value: gammainc's a, whose rule gives NaN there), so it is no anomaly."""
    for i, (g, parent) in enumerate(zip(gs, node.parents)):
        if g is not None and not parent.is_constant and not modes.is_finite(raw(g)):
            shown = op.show([p.data for p in node.parents])
            raise modes.AnomalyError(
                f"backward of {shown} gave {modes.not_finite(raw(g))} as the gradient of input {i} (detect_anomaly)"
            )


def _propagate(order: list[Node], seed: Any, create_graph: bool, reads: Any) -> None:
    """The chain rule over `order` (root first, as `topological_order` gives it): leaves
    d(root)/d(node) in each node's `_grad_sum` (the empty sum where none arrives). Gradients are added
    without writing into any rule's array (a rule may hand the same array to two inputs): in place only
    into a buffer the pass made itself (graph_sums)."""
    order[0]._grad_sum = seed
    check = modes.current.anomaly
    # a plain pass adds in place, and a slice's gradient at its index (graph_sums); detect_anomaly reads each
    # rule's gradients whole, and under create_graph the sums are nodes: `a + b`
    plain = type(order[0])._gradient_sums
    sums = None if create_graph or check or plain is None else plain()
    hooks = HOOKS if HOOKS and not modes.current.tangents else None  # jvp's pass of its pullback runs none
    # the graph was checked at this tick (_check_graph, noting in `reads` what rules' keyword arguments hold): where a
    # hook or a user's rule ran since, a rule's reads are checked again before it runs (`_check_again`) where a tensor
    # was changed in place since (WRITES) or it reads keyword arguments again (an array read again once a tick of user
    # code, a list's or dict's items compared before each: user_rereads.PassReads)
    user, writes = USER_CODE, WRITES
    checked_at = user.ran
    wrote_at = writes.at
    check_again = type(order[0])._check_again
    # Rules build graphs only from nodes, which they get only under create_graph, so a plain
    # pass needs no no_grad block (entering one would send every thread's ops down the slow path).
    with modes.enable_grad() if create_graph else contextlib.nullcontext():
        for node in order:
            if node._grad_sum is node._grad_sum_start:
                # no gradient reached the node (each rule that could send one gave None: a constant operand
                # such as a loss's weights): d root / d node is 0, so its hooks and its rule have nothing to
                # work on, and the rule is never called with the empty sum, which is no gradient (nor checked: what
                # it would read changes no gradient)
                continue
            if hooks is not None and id(node) in hooks:
                from .hooks import run_hooks  # here: hooks imports the compile modules, built on this one

                node._grad_sum = run_hooks(node, node._grad_sum, create_graph)
            op = node._made_by
            if op is None:
                continue
            if user.ran != checked_at and (writes.at != wrote_at or op.options):
                check_again(node, reads)
            try:
                if sums is not None and op.scatters:  # g added at the index: the input's zeros never formed
                    a = node._a
                    a._grad_sum = sums.added_at(id(a), a._grad_sum, op.params["index"], node._grad_sum, a.data)
                    continue
                gs = vjp_at(op, node, node._grad_sum, create_graph)
                a, b = node._a, node._b
                for p, gp in zip(a if b is MANY else (a,) if b is None else (a, b), gs):
                    if gp is None:
                        continue
                    if p._grad_sum is not p._grad_sum_start:
                        p._grad_sum = p._grad_sum + gp if sums is None else sums.added(id(p), p._grad_sum, gp)
                    else:  # the first share: itself, for a Tensor (its empty sum adds as that); a Value's 0.0 + gp
                        p._grad_sum = gp if sums is not None else p._grad_sum + gp
            except ZeroDivisionError:
                raise infinite_derivative(node) from None
            if check:
                check_backward(op, node, gs)


def vjp_at(op: Op, node: Node, g: Any, create_graph: bool) -> Sequence[Any]:
    """The gradients op's rule sends from `node` to its parents when d(root)/d(node) is g, called as
    a backward pass calls it: on the data, or on the nodes themselves under create_graph."""
    a, b = node._a, node._b
    data = node._data_of
    try:
        if b is None:
            gs, inputs = (op.vjp(g, node, a) if create_graph else op.vjp(g, data(node), data(a))), 1
        elif b is not MANY:
            gs, inputs = (op.vjp(g, node, a, b) if create_graph else op.vjp(g, data(node), data(a), data(b))), 2
        else:
            gs, inputs = (op.vjp(g, node, *a) if create_graph else op.vjp(g, data(node), *map(data, a))), len(a)
    except NodeAsNumber as e:  # a rule on numbers alone (math.cos), run on nodes for a second derivative
        if not create_graph:  # on numbers, the node is one the rule holds itself: Value's own words
            raise
        raise NodeAsNumber(
            f"the derivative rule of op {op.name!r} runs on the nodes themselves for a second derivative "
            f"(create_graph, hessian, grad of grad), and it asked for a number: {e}. Write the rule with "
            "autograd's functions (autograd.cos(x), not math.cos(x)), which run on numbers and nodes alike"
        ) from None
    if not isinstance(gs, (tuple, list)) or len(gs) != inputs:  # a bare array would be read row by row
        got = f"{len(gs)} gradients" if isinstance(gs, (tuple, list)) else f"{type_name(gs)} {short(gs)}, not a tuple,"
        raise TypeError(
            f"the derivative rule of op {op.name!r} returned {got} for {inputs} input(s); it must return a "
            "tuple with one gradient per input (None where none flows): `return (g * ...,)` for one input"
        )
    return gs


def pullback(node: Node, grad: Any) -> list[Any]:
    """What backward sends from `node` to each of its parents when d(root)/d(node) is `grad`: the
    op it recorded, its rule called as a backward pass calls it (on raw data, with the op's
    keyword arguments; None for a parent that gets no gradient). Empty for a leaf. For drawing
    the backward pass, and for stepping through it by hand."""
    require_node(node, "pullback: node")
    if node._made_by is None:
        return []
    if np.asarray(raw(grad)).dtype.kind not in DATA_KINDS:  # a rule would drop an imaginary part, or fail in numpy
        raise TypeError(
            f"pullback: grad must be real numbers (d root / d node: a float for a Value, an array of the "
            f"node's shape for a Tensor), got {type_name(grad)} {short(grad)}"
        )
    return list(vjp_at(node._made_by, node, grad, False))
