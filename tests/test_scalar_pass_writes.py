"""A Value backward writes each node's `.grad` as it takes it: what it holds afterwards must be what
adding the whole pass's sums at the end gave, and a pass that raises must leave every `.grad` (its
value, its object, and whether it counts as computed) as it was."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

import autograd
from autograd import Op, Value, no_grad


class RuleFailed(Exception):
    pass


def _failing(after: list[int]) -> Op:
    """An identity op whose rule raises once `after[0]` other calls of it have passed."""

    def rule(g, out, x):
        after[0] -= 1
        if after[0] < 0:
            raise RuleFailed
        return (g,)

    return Op("fails", lambda x: x, rule)


def _graph(rng: random.Random, leaves: list[Value], ops: int, fails: Op) -> tuple[Value, list[Value]]:
    """A random graph over leaves (reused nodes, constants, unary and binary ops, some `fails` nodes)."""
    nodes = list(leaves)
    for _ in range(ops):
        a, b = rng.choice(nodes), rng.choice(nodes[-6:])
        kind = rng.randrange(7)
        if kind == 0:
            y = a * b
        elif kind == 1:
            y = a + b
        elif kind == 2:
            y = a.tanh()
        elif kind == 3:
            y = fails(a)
        elif kind == 4:
            y = a * rng.uniform(-2, 2) + 1
        elif kind == 5:
            y = a.relu()
        else:
            y = a**2
        nodes.append(y)
    root = nodes[-1]
    for n in nodes[-8:-1]:
        root = root + n
    return root, nodes


def _grads(nodes: list[Value]) -> list[tuple[object, bool]]:
    return [(n.grad, n.grad_computed) for n in nodes]


@pytest.mark.parametrize("seed", range(40))
def test_a_failed_pass_leaves_every_grad_as_it_was(seed):
    rng = random.Random(seed)
    leaves = [Value(rng.uniform(-1, 1)) for _ in range(4)]
    after = [0]
    root, nodes = _graph(rng, leaves, 30, _failing(after))
    for n in nodes:  # some held a gradient already, some were zeroed PyTorch's way, most never computed
        choice = rng.randrange(4)
        if choice == 0:
            n.grad = rng.uniform(-1, 1)
        elif choice == 1:
            n.grad = None
    before = [n.grad for n in nodes]
    computed = [n.grad_computed for n in nodes]
    calls = sum(n.op is not None and n.op.name == "fails" for n in nodes)
    after[0] = rng.randrange(max(calls, 1))
    try:
        root.backward()
    except RuleFailed:
        assert all(n.grad is b for n, b in zip(nodes, before))
        assert [n.grad_computed for n in nodes] == computed
    else:  # no failing node reached: the usual sums
        assert calls == 0 or after[0] >= 0


@pytest.mark.parametrize("seed", range(40))
def test_written_grads_equal_held_plus_the_pass_gradient(seed):
    rng = random.Random(seed)
    leaves = [Value(rng.uniform(-1, 1)) for _ in range(4)]
    root, nodes = _graph(rng, leaves, 30, _failing([10**9]))
    held = []
    for n in nodes:
        choice = rng.randrange(3)
        n.grad = rng.uniform(-1, 1) if choice == 0 else None if choice == 1 else n.grad
        held.append(n.grad)
    order = autograd.backward_order(root)
    reached = {id(n) for n in order}
    pass_grads = dict(zip((id(n) for n in nodes), autograd.gradients(root, nodes)))
    root.backward()
    for n, h in zip(nodes, held):
        if id(n) not in reached:
            assert n.grad is h
            continue
        g = pass_grads[id(n)]
        expected = g if h is None else h + g
        assert n.grad == expected or (n.grad != n.grad and expected != expected)
        assert n.grad.__class__ is float  # never the pass's own zero (a float subclass)


@pytest.mark.parametrize("held", ["not computed", None])
def test_a_node_no_gradient_reached_holds_a_plain_zero(held):
    stop = Op("stop", lambda x: x, lambda g, out, x: (None,))  # reaches x, sends it nothing
    x = Value(2.0)
    if held is None:
        x.grad = None
    (stop(x) * 3.0).backward()
    assert x.grad == 0.0 and x.grad.__class__ is float and x.grad_computed


def test_a_root_seeded_with_another_nodes_grad_object_is_put_back():
    # the root's sum is the seed object itself, here another node's .grad: it is logged before the pass
    fails = [True]

    def rule(g, out, x):
        if fails[0]:
            raise RuleFailed
        return (g,)

    f = Op("fails", lambda x: x, rule)
    x, z = Value(2.0), Value(0.5)
    (z * 3.0).backward()
    seed = z.grad
    y = f(x * z) + z
    with pytest.raises(RuleFailed):
        y.backward(seed)
    assert z.grad is seed and not x.grad_computed and not y.grad_computed
    fails[0] = False
    y.backward(seed)
    assert (x.grad, z.grad, y.grad) == (1.5, 3.0 + 3.0 + 6.0, 3.0)


def _nested(w: Value, then) -> Op:
    """An identity op whose rule first runs `then` (a backward of its own, a zero_grad...)."""

    def rule(g, out, x):
        then()
        return (g,)

    return Op("nested", lambda x: x, rule)


@pytest.mark.parametrize("held", ["not computed", 5.0])
def test_a_failed_pass_keeps_what_a_backward_inside_a_rule_added(held):
    # w is taken before the rule runs its own backward of w * w (+6): the outer pass fails later and must
    # take back only its own share
    w = Value(3.0)
    if held != "not computed":
        w.grad = held
    inner = _nested(w, lambda: (w * w).backward())
    root = _failing([0])(Value(2.0)) + inner(Value(1.0)) * w
    with pytest.raises(RuleFailed):
        root.backward()
    assert w.grad == (6.0 if held == "not computed" else held + 6.0)


def test_a_rule_that_zeroes_a_gradient_the_pass_already_summed():
    w = Value(3.0)
    root = Value(2.0) * 1.0 + _nested(w, lambda: autograd.zero_grad([w]))(Value(1.0)) * w
    root.backward()
    assert w.grad == 1.0 and w.grad_computed


def test_a_backward_inside_a_rule_adds_first_as_before():
    # the order of the terms shows in the rounding: (held + nested) + outer
    w = Value(-0.5e16)
    root = Value(2.0) * 1.0 + _nested(w, lambda: (w * w).backward())(Value(1.0)) * w
    w.grad = 1e16
    root.backward()
    assert w.grad == 1.0


@pytest.mark.parametrize("nan_first", [False, True])
def test_create_graph_with_detect_anomaly_changes_no_grad_when_a_sum_raises(nan_first):
    # the .grad sums are nodes here, checked by detect_anomaly: a NaN held in one .grad raises there,
    # before or after the others are summed
    x, y = Value(1.0), Value(2.0)
    x.grad = float("nan")
    y.grad = 1.0
    before = (y.grad, x.grad)
    with autograd.detect_anomaly(), pytest.raises(autograd.AnomalyError):
        (x * 2.0 + y * 3.0 if nan_first else y * 3.0 + x * 2.0).backward(create_graph=True)
    assert y.grad is before[0] and x.grad is before[1]


@pytest.mark.parametrize("held", ["not computed", None])
def test_a_first_gradient_adds_to_0_and_is_a_plain_float(held):
    # the root's sum is the seed as given, added into .grad, 0.0 (not computed, or None) as micrograd's:
    # 0.0 += -0.0 gives 0.0 (gradients() keeps -0.0); a numpy float a rule gives ends as a float
    numpy_rule = Op("np", lambda x: 2.0 * x, lambda g, out, x: (g * np.float64(2.0),))
    x = Value(1.0)
    y = numpy_rule(x)
    if held is None:
        x.grad = y.grad = None
    y.backward(-0.0)
    assert math.copysign(1.0, y.grad) == 1.0 and y.grad.__class__ is float
    assert math.copysign(1.0, autograd.gradients(y, [y], -0.0)[0]) == -1.0
    y.backward(1.0)
    assert x.grad == 2.0 and x.grad.__class__ is float


def test_a_seed_value_is_not_the_roots_grad():
    y = Value(1.0) * 2.0
    y.grad = None
    seed = Value(1.0)
    y.backward(seed, create_graph=True)
    assert y.grad is not seed
    with no_grad():
        y.grad *= 10
    assert seed.data == 1.0


def test_a_hand_built_node_reads_the_pass_gradient_while_its_grad_is_written():
    a = Value(3.0)
    out = Value(6.0, (a,), "double")

    def _backward():
        a.grad += 2 * out.grad

    out._backward = _backward
    y = out * out
    y.grad = 5.0  # held from before: the written .grad adds to it, the rule sees the pass's own
    y.backward()
    assert y.grad == 6.0 and out.grad == 12.0 and a.grad == 24.0


def test_create_graph_grads_are_nodes_and_put_back_too():
    x = Value(1.5)
    y = x * x * x
    y.backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == pytest.approx(6.75)
    first = x.grad
    after = [0]
    z = _failing(after)(x * x)
    with pytest.raises(RuleFailed):
        z.backward(create_graph=True)
    assert x.grad is first
    with no_grad():
        assert (x.grad * 1).data == pytest.approx(6.75)
