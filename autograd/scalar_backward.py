"""Value's backward pass: the graph ordered by counting consumers, and the chain rule with the
hottest rules written out (tests/test_scalar_fast_paths.py checks each against the table's rule).

Two sweeps from the root, no sorting: the first counts, for each node, the edges reaching it from
nodes of the graph (in `_visit`) and starts its gradient sum (`_grad_sum`) at this pass's own zero,
which also marks it as reached; the second takes a node once all its consumers have sent it their
gradients (Kahn's algorithm, last in first out) and runs its rule. `.grad` is added to once the
whole pass has succeeded, so a pass that raises changes no `.grad`. Stale scratch from an earlier
or interrupted pass is harmless: a node counts as reached only by this pass's zero.
"""

from __future__ import annotations

from typing import Any

from . import modes
from . import scalar_ops as ops
from .graph import MANY, Node, check_backward, infinite_derivative, vjp_at

# the ops whose rules the plain pass runs written out, in the order it unpacks them
WRITTEN_OUT = (ops.add, ops.mul, ops.relu, ops.tanh, ops.power_const)


class PassStart(float):
    """One pass's 0.0, where every reached node's gradient sum starts: the first gradient added to it
    gives a plain float, and a sum still holding it got nothing."""

    __slots__ = ()


def scalar_pass(root: Node, seed: Any, create_graph: bool, accumulate: bool) -> PassStart:
    """d(root)/d(node) into `_grad_sum` of every node reachable from root (and into `.grad` with
    `accumulate`), seeded with `seed`; returns the pass's start, which unreached sums never hold."""
    start = PassStart(0.0)
    _count_consumers(root, start)
    if create_graph:  # the rules record their graphs even inside no_grad
        with modes.enable_grad():
            _chain_rule(root, seed, create_graph, accumulate)
    else:
        _chain_rule(root, seed, create_graph, accumulate)
    return start


def _count_consumers(root: Node, start: PassStart) -> None:
    """The first sweep: each reachable node's consumers counted in `_visit`, its sum started at `start`
    (the two parents of a binary op are written out rather than looped over: this is the hot loop)."""
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


def _chain_rule(root: Node, seed: Any, create_graph: bool, accumulate: bool) -> None:
    """Each node once all its consumers are done, root first. Under create_graph or detect_anomaly
    every rule goes through the op (`vjp_at`), so the written-out ones serve plain passes only."""
    plain = not (create_graph or modes.current.anomaly)
    add, mul, relu, tanh, power_const = WRITTEN_OUT if plain else (None,) * len(WRITTEN_OUT)
    check = modes.current.anomaly
    root._grad_sum = seed
    stack, done = [root], []
    pop, push, finished = stack.pop, stack.append, done.append
    node = root
    try:
        while stack:
            node = pop()
            g = node._grad_sum
            if accumulate:
                finished(node)
            op = node._made_by
            if op is None:
                continue
            a, b = node._a, node._b
            if b is None:
                if op is relu:
                    ga = g * (a.data > 0)
                elif op is tanh:
                    out = node.data
                    ga = g * (1 - out * out)
                else:
                    gs = vjp_at(op, node, g, create_graph)
                    if check:
                        check_backward(op, node, gs)
                    (ga,) = gs
                if ga is not None:
                    a._grad_sum += ga
                left = a._visit - 1
                a._visit = left
                if not left:
                    push(a)
            elif b is not MANY:
                if op is mul:
                    a._grad_sum += g * b.data
                    b._grad_sum += g * a.data
                elif op is add:
                    a._grad_sum += g
                    b._grad_sum += g
                else:
                    if op is power_const:
                        c = b.data
                        ga, gb = g * c * a.data ** (c - 1 if c != 0 else 0.0), None
                    else:
                        gs = vjp_at(op, node, g, create_graph)
                        if check:
                            check_backward(op, node, gs)
                        ga, gb = gs
                    if ga is not None:
                        a._grad_sum += ga
                    if gb is not None:
                        b._grad_sum += gb
                left = a._visit - 1
                a._visit = left
                if not left:
                    push(a)
                left = b._visit - 1
                b._visit = left
                if not left:
                    push(b)
            else:
                gs = vjp_at(op, node, g, create_graph)
                if check:
                    check_backward(op, node, gs)
                for p, gp in zip(a, gs):
                    if gp is not None:
                        p._grad_sum += gp
                    left = p._visit - 1
                    p._visit = left
                    if not left:
                        push(p)
    except ZeroDivisionError:
        raise infinite_derivative(node) from None
    if accumulate:  # only now: an error above leaves every .grad as it was
        for node in done:
            node.grad += node._grad_sum
