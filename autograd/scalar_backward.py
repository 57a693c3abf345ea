"""Value's backward pass: the graph ordered by counting consumers, and the chain rule with the
hottest rules written out (tests/test_scalar_fast_paths.py checks each against the table's rule).

Two sweeps from the root, no sorting: the first counts, for each node, the edges reaching it from
nodes of the graph (in `_visit`) and starts its gradient sum (`_grad_sum`) at this pass's own zero,
which also marks it as reached; the second takes a node once all its consumers have sent it their
gradients (Kahn's algorithm, last in first out) and runs its rule. A backward writes a node's `.grad`
as it takes it (its sum is complete then), and a pass that raises puts every `.grad` back as it was
(see `_put_back`), so the written `.grad`s are all or nothing without a second loop over the graph
to add them in at the end. Stale scratch from an earlier
or interrupted pass is harmless: a node counts as reached only by this pass's zero, and the second
sweep leaves a node's count as it is once it reaches zero (nothing reads it again in the pass).

Both sweeps are the hot loops of a training step, so they are written for the interpreter: the
parents of a binary op spelled out rather than looped over, and in the second `mul` and `add`
tested first (their nodes always have two Value parents) and a ready parent taken next without a
trip through the stack.
"""

from __future__ import annotations

import contextlib
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import modes
from . import scalar_ops as ops
from .dtypes import REAL_KINDS
from .elementwise_forwards import CANCELS, scalar_pow_or_inf, tanh_tail
from .graph import Node, check_backward, infinite_derivative, vjp_at
from .graph_order import MANY, _reachable

# the ops whose rules the plain pass runs written out, in the order it unpacks them
WRITTEN_OUT = (ops.add, ops.mul, ops.relu, ops.tanh, ops.power_const)
BUILT_IN = frozenset(ops.OPS.values())  # the engine's own ops, whose rules' gradients are not checked per call


class PassStart(float):
    """One pass's 0.0, where every reached node's gradient sum starts: the first gradient added to it
    gives a plain float, and a sum still holding it got nothing."""

    __slots__ = ()


def scalar_pass(root: Node, seed: Any, create_graph: bool, accumulate: bool) -> PassStart:
    """d(root)/d(node) into `_grad_sum` of every node reachable from root (and into `.grad` with
    `accumulate`), seeded with `seed`; returns the pass's start, which unreached sums never hold."""
    start = PassStart(0.0)
    _count_consumers(root, start)
    overwritten: list[tuple[Node, Any]] | None = [] if accumulate else None
    # under create_graph the rules (and the sums into .grad) record their graphs even inside no_grad
    with modes.enable_grad() if create_graph else contextlib.nullcontext():
        try:
            _chain_rule(root, seed, create_graph, None, overwritten)
        except BaseException:
            if overwritten is not None:
                _put_back(root, overwritten)
            raise
    return start


def _put_back(root: Node, overwritten: list[tuple[Node, Any]]) -> None:
    """Every `.grad` a failed pass wrote as it was before: those it added to from the log, those that
    were not computed known by holding their node's own sum object, which no `.grad` from before the
    pass can be (each sum is a new float made by this pass, and the root, whose seed may be a float
    from elsewhere, is always written)."""
    for node in _reachable(root):
        if node.grad is node._grad_sum:
            node.grad = node._grad_zero
    for node, held in overwritten:
        node.grad = held


def scalar_order(root: Node, seed: Any) -> list[Node]:
    """The nodes in the order `scalar_pass` takes them (its rules run, `.grad` left alone): what the
    sums of the consumers' shares follow, for drawings that show them."""
    _count_consumers(root, PassStart(0.0))
    taken: list[Node] = []
    _chain_rule(root, seed, False, taken.append)
    return taken


def _count_consumers(root: Node, start: PassStart) -> None:
    """The first sweep: each reachable node's consumers counted in `_visit`, its sum started at `start`
    (the two parents of a binary op are written out rather than looped over: this is the hot loop).
    Depth first, on a stack: a node's parents were made just before it, so they lie near it in
    memory; a breadth-first walk (a `for` over a growing list) takes fewer instructions but more time."""
    root._grad_sum, root._visit = start, 0
    stack = [root]
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        a = node._a
        if a is None:
            continue
        b = node._b
        if b is MANY:
            for p in a:
                if p._grad_sum is start:
                    p._visit += 1
                else:
                    p._grad_sum, p._visit = start, 1
                    push(p)
            continue
        if a._grad_sum is start:
            a._visit += 1
        else:
            a._grad_sum, a._visit = start, 1
            push(a)
        if b is None:
            continue
        if b._grad_sum is start:
            b._visit += 1
        else:
            b._grad_sum, b._visit = start, 1
            push(b)


def _chain_rule(
    root: Node,
    seed: Any,
    create_graph: bool,
    finished: Callable[[Node], None] | None,
    overwritten: list[tuple[Node, Any]] | None = None,
) -> None:
    """Each node once all its consumers are done, root first, handed to `finished` (if given) as it
    is taken; with `overwritten`, its sum is added into its `.grad` then, and the node and the `.grad`
    it held are logged there, unless that was "not computed" and the sum a float, which it simply
    takes (what `_put_back` relies on). Under create_graph or detect_anomaly every rule goes through
    the op (`vjp_at`), so the written-out ones serve plain passes only.

    Last in first out: of the parents a node makes ready, the one it would push last is taken next
    directly rather than pushed and popped again (the same order, with less list work)."""
    plain = not (create_graph or modes.current.anomaly)
    # outside a plain pass no op is one of these (not None, which is a leaf's)
    add, mul, relu, tanh, power_const = WRITTEN_OUT if plain else (object(),) * len(WRITTEN_OUT)
    check = modes.current.anomaly
    write = overwritten is not None
    not_computed = root._grad_zero
    root._grad_sum = seed
    stack: list[Node] = []
    pop, push = stack.pop, stack.append
    node = root
    try:
        while True:
            g = node._grad_sum
            if write:
                held = node.grad
                if held is not_computed and g.__class__ is float:
                    node.grad = g
                else:
                    # a new sum, not +=: under no_grad a Value's += writes in place, and a .grad that is a node
                    # (create_graph's) may be in a graph; a .grad set to None (PyTorch's zeroing) is none yet
                    overwritten.append((node, held))
                    node.grad = held + g if held is not None else g if g.__class__ is not PassStart else 0.0
            elif finished is not None:
                finished(node)
            op = node._made_by
            if op is mul:  # the commonest ops first, their parents known to be two Values
                a, b = node._a, node._b
                a._grad_sum += g * b.data
                b._grad_sum += g * a.data
            elif op is add:
                a, b = node._a, node._b
                a._grad_sum += g
                b._grad_sum += g
            elif op is None:  # a leaf: on to the next ready node
                if not stack:
                    break
                node = pop()
                continue
            else:
                a, b = node._a, node._b
                if b is None:
                    if op is relu:
                        ga = g if a.data > 0 else 0.0  # selected: an infinite g stays out of the flat piece
                    elif op is tanh:  # tanh_slope's two pieces (op_table_activations)
                        out = node.data
                        slope = 1 - out * out
                        ga = g * (tanh_tail(a.data) if slope < CANCELS else slope)
                    else:
                        gs = _rule(op, node, g, create_graph)
                        if check:
                            check_backward(op, node, gs)
                        (ga,) = gs
                    if ga is not None:
                        a._grad_sum += ga
                    left = a._visit - 1
                    if not left:  # ready: next (a count at zero is never read again in this pass)
                        node = a
                        continue
                    a._visit = left
                    if not stack:
                        break
                    node = pop()
                    continue
                if b is MANY:
                    gs = _rule(op, node, g, create_graph)
                    if check:
                        check_backward(op, node, gs)
                    for p, gp in zip(a, gs):
                        if gp is not None:
                            p._grad_sum += gp
                        left = p._visit - 1
                        p._visit = left
                        if not left:
                            push(p)
                    if not stack:
                        break
                    node = pop()
                    continue
                if op is power_const:
                    c = b.data
                    ga, gb = g * c * scalar_pow_or_inf(a.data, c - 1 if c != 0 else 0.0), None
                else:
                    gs = _rule(op, node, g, create_graph)
                    if check:
                        check_backward(op, node, gs)
                    ga, gb = gs
                if ga is not None:
                    a._grad_sum += ga
                if gb is not None:
                    b._grad_sum += gb
            # a binary op's two parents, a then b, each ready once this was its last consumer
            left_a = a._visit - 1
            if left_a:
                a._visit = left_a
            left_b = b._visit - 1  # after a's: when a is b, the second count is the one that matters
            if left_b:
                b._visit = left_b
                if left_a:
                    if not stack:
                        break
                    node = pop()
                else:
                    node = a
            else:
                if not left_a:
                    push(a)
                node = b
    except ZeroDivisionError:
        raise infinite_derivative(node) from None


def _rule(op: Any, node: Node, g: Any, create_graph: bool) -> Sequence[Any]:
    """The gradients op's rule sends from `node` to its parents (`vjp_at`). A user's rule's are checked
    (the built-ins' are tested, as the tensor engine's): each must be a real number (a 0-d real array,
    np.where's, becomes a float) or, under create_graph, a Value; an array or a complex number would
    otherwise be added into the float sums, and end in `.grad`."""
    gs = vjp_at(op, node, g, create_graph)
    if op in BUILT_IN:
        return gs
    checked = list(gs)
    for i, gi in enumerate(gs):
        if gi is None or gi.__class__ is float or (isinstance(gi, Node) and gi.data.__class__ is float):
            continue
        if isinstance(gi, np.ndarray) and gi.ndim == 0 and gi.dtype.kind in REAL_KINDS:
            checked[i] = float(gi)
        elif not isinstance(gi, numbers.Real) or isinstance(gi, bool):
            raise TypeError(
                f"the derivative rule of op {op.name!r} gave {type(gi).__name__} {gi!r} as the gradient of input "
                f"{i}, a Value: a Value's gradient is a real number (a float; a Value under create_graph)"
            )
    return checked
