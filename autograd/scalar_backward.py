"""Value's backward pass: the graph ordered by one depth-first sweep, and the chain rule with the
hottest rules written out (tests/test_scalar_fast_paths.py checks each against the table's rule).

Two sweeps from the root, no sorting: the first lists every node reached after its parents
(scalar_reach.reach) and starts its gradient sum (`_grad_sum`) at this pass's own zero, which also
marks it as reached; the second takes that list last to first, so a node once all its consumers have
sent it their gradients, and runs its rule. No count of consumers is kept on the node (the pass counted them
before, Kahn's way, in a slot `_visit` that cost every node 8 bytes). Stale scratch from an earlier or
interrupted pass is harmless: a node counts as reached only by this pass's zero.

`.grad` changes all or nothing: a pass that raises leaves every `.grad` as it was. A plain backward
(no create_graph, no detect_anomaly) writes a node's `.grad` as it takes it, when its sum is
complete, and puts them back if it raises (`put_back`): no second loop over the graph. That holds
while only the engine's own rules run: a rule of the user's (an Op of their own, a node built by
hand) may read `.grad` or run a backward of its own, so before the first such rule runs the pass
puts back what it wrote and goes on as every other pass does, adding into `.grad` once it is done.

Both sweeps are a training step's hot loops, written for the interpreter: a binary op's parents
spelled out, not looped over; in the second, `mul` and `add` tested first (their nodes always have
two Value parents).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import modes
from . import scalar_ops as ops
from .dtypes import REAL_KINDS
from .elementwise_forwards import CANCELS, scalar_pow_or_inf, tanh_tail
from .graph import HOOKS, Node
from .graph_errors import infinite_derivative, keeps_g
from .graph_order import MANY
from .graph_rules import check_backward, vjp_at
from .scalar_changes import Watch
from .scalar_reach import pass_start, reach
from .scalar_writes import added, put_back
from .type_names import type_name

# the ops whose rules the plain pass runs written out, in the order it unpacks them
WRITTEN_OUT = (ops.add, ops.mul, ops.relu, ops.tanh, ops.power_const)


def scalar_pass(root: Node, seed: Any, create_graph: bool, accumulate: bool) -> float:
    """d(root)/d(node) into `_grad_sum` of every node reachable from root (and into `.grad` with
    `accumulate`), seeded with `seed`; returns the pass's start, which unreached sums never hold. A
    backward's sums go into `.grad`, 0.0 until a backward reaches it, and start there, as micrograd's `+=`
    (0.0 + -0.0 is 0.0: a -0.0 gradient reads 0.0, as in micrograd); `gradients`' keep -0.0, as
    torch.autograd.grad's and a Tensor's (pass_start)."""
    start = pass_start(accumulate)  # per pass: no test per node
    if accumulate and seed.__class__ is float:
        seed += 0.0  # the root's .grad is its seed added into 0.0 too
    order = reach(root, start)
    done: list[Node] = []
    finished = done.append if accumulate else None
    hooks = HOOKS if HOOKS and not modes.current.tangents else None  # jvp's pass of its pullback runs none
    if hooks is not None:  # the user's Python, which may read .grad: a pass that writes only once it is done
        finished = Watch(order, finished, hooks, create_graph, start)
    # writing as it goes: the root logged first, so that it is put back wherever the pass stops
    writes = accumulate and hooks is None and not (create_graph or modes.current.anomaly)
    written = [(root, root.grad)] if writes else []
    # under create_graph the rules (and the sums into .grad) record their graphs even inside no_grad
    with modes.enable_grad() if create_graph else contextlib.nullcontext():
        try:
            _chain_rule(root, order, seed, start, create_graph, finished, written)
        except BaseException:
            if written:  # still writing (a rule of the user's empties it)
                put_back(root, written)
            raise
        # a pass that did not write as it went, only now that it succeeded; every sum made before any is
        # written, since under create_graph with detect_anomaly a sum can raise (a NaN held in .grad)
        grads = [added(node, node.grad, node._grad_sum, start) for node in done]
        if create_graph:  # a float sum (0 through a flat op) as a constant node, not an op adding it to 0
            grads = [node._as_node(node, g) for node, g in zip(done, grads)]
        for node, grad in zip(done, grads):
            node.grad = grad
    return start


def scalar_order(root: Node) -> list[Node]:
    """The nodes in the order `scalar_pass` takes them, the first sweep's list last to first: what the sums of the
    consumers' shares follow, for drawings that show them. No rule runs (none changes the order): a rule that
    raises (sqrt's at 0) or a user's `_backward` with effects of its own is left to backward."""
    order = reach(root, pass_start(True))
    order.reverse()
    return order


def _chain_rule(
    root: Node,
    order: list[Node],
    seed: Any,
    start: float,
    create_graph: bool,
    finished: Callable[[Node], None] | None,
    written: list[tuple[Node, Any]] | None = None,
) -> None:
    """The nodes of `order` (the first sweep's: each after its parents) last to first, so each once all its
    consumers are done, root first, handed to `finished` (if given) as it is taken. Given a non-empty
    `written` (a plain backward's), the node's sum goes into its `.grad` instead as it is taken: a node "not
    computed" takes a float sum as it is, any other is logged in `written` with what it held (what `put_back`
    relies on); before the first rule of the user's, everything written is put back, handed to `finished`,
    and `written` emptied. Under create_graph or detect_anomaly every rule goes through the op (`vjp_at`),
    so the written-out ones serve plain passes only."""
    plain = not (create_graph or modes.current.anomaly)
    # outside a plain pass no op is one of these (not None, which is a leaf's)
    add, mul, relu, tanh, power_const = WRITTEN_OUT if plain else (object(),) * len(WRITTEN_OUT)
    check = modes.current.anomaly
    write = bool(written)
    watch = finished if isinstance(finished, Watch) else None  # a pass with hooks'; else made by a user's rule
    not_computed = root._grad_zero
    root._grad_sum = seed
    node = root
    try:
        for node in reversed(order):
            if write:
                g = node._grad_sum
                held = node.grad
                if held is not_computed and g.__class__ is float:
                    node.grad = g
                else:
                    written.append((node, held))
                    node.grad = added(node, held, g, start)
            else:
                if finished is not None:
                    finished(node)  # first: it runs the node's gradient hooks, if any (Watch)
                g = node._grad_sum
                if watch is not None and watch.numbers and node._made_by is not None:  # user code ran: its numbers
                    watch.taken(node)
            op = node._made_by
            if op is mul:  # the commonest ops first, their parents known to be two Values
                a, b = node._a, node._b
                a._grad_sum += g * b.data
                b._grad_sum += g * a.data
            elif op is add:
                a, b = node._a, node._b
                a._grad_sum += g
                b._grad_sum += g
            elif op is not None:  # (a leaf passes nothing on)
                if not op.built_in:  # a rule of the user's next: it may set a number a rule still to run reads
                    if write:  # and read .grad: stop writing as it goes
                        for taken in put_back(root, written):
                            finished(taken)
                        written.clear()
                        write = False
                    if watch is None:  # each node taken from now on checked (scalar_changes)
                        watch = Watch(order, None, None, create_graph, start)
                    watch.runs(f"the rule of op {op.name!r}")
                a, b = node._a, node._b
                if b is None:
                    if op is relu:
                        x = a.data  # selected: an infinite g stays out of the flat piece; NaN at NaN (the table's)
                        ga = g if x > 0 else 0.0 if x <= 0 else x
                    elif op is tanh:  # tanh_slope's two pieces (sigmoid_tanh_slopes)
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
                    continue
                if b is MANY:
                    gs = _rule(op, node, g, create_graph)
                    if check:
                        check_backward(op, node, gs)
                    for p, gp in zip(a, gs):
                        if gp is not None:
                            p._grad_sum += gp
                    continue
                if op is power_const:
                    c = b.data
                    if c != 0:  # at an infinite or huge c where the power is 0, ±0 (rule_powers._slope_factor)
                        p = scalar_pow_or_inf(a.data, c - 1)
                        ga, gb = g * (c * p if p or abs(c) <= 2.0**64 else math.copysign(0.0, c)), None
                        if math.isinf(p) and a.data != 0 and math.isfinite(node.data):  # a^(c−1) overflowed, a^c
                            ga = _rule(op, node, g, create_graph)[0]  # did not: the table's rule (rule_powers)
                    else:  # flat, as the table's rule: g * c, a zero signed as b·a^(b−1); 0 for an infinite or NaN g
                        ga, gb = (g * c if g - g == 0 else 0.0), None
                else:
                    gs = _rule(op, node, g, create_graph)
                    if check:
                        check_backward(op, node, gs)
                    ga, gb = gs
                if ga is not None:
                    a._grad_sum += ga
                if gb is not None:
                    b._grad_sum += gb
    except ZeroDivisionError:
        raise infinite_derivative(node) from None


def _rule(op: Any, node: Node, g: Any, create_graph: bool) -> Sequence[Any]:
    """The gradients op's rule sends from `node` to its parents (`vjp_at`). A user's rule's are checked
    (the built-ins' are tested, as the tensor engine's): each must be a real number (a 0-d real array,
    np.where's, becomes a float) or, under create_graph, a Value; an array or a complex number would
    otherwise be added into the float sums, and end in `.grad`."""
    gs = vjp_at(op, node, g, create_graph)
    if op.built_in:  # the engine's own (Op.built_in)
        return gs
    checked, parents = list(gs), node.parents
    for i, gi in enumerate(gs):
        keeps_g(op, i, create_graph and not parents[i].is_constant, gi)  # a lifted number's is never read
        if gi is None or gi.__class__ is float or (isinstance(gi, Node) and gi.data.__class__ is float):
            continue
        if isinstance(gi, np.ndarray) and gi.ndim == 0 and gi.dtype.kind in REAL_KINDS:
            checked[i] = float(gi)
        elif not modes.is_real(gi):
            raise TypeError(
                f"the derivative rule of op {op.name!r} gave {type_name(gi)} {gi!r} as the gradient of input "
                f"{i}, a Value: a Value's gradient is a real number (a float; a Value under create_graph)"
            )
    return checked
