"""A Value backward writes each node's `.grad` as it takes it: what it holds afterwards must be what
adding the whole pass's sums at the end gave, and a pass that raises must leave every `.grad` (its
value, its object, and whether it counts as computed) as it was."""

from __future__ import annotations

import random

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
    # the root's sum is the seed itself: it is written first, so its put-back cannot be confused
    x = Value(2.0)
    f = _failing([0])
    y = f(x * x)
    seed = 3.0
    with pytest.raises(RuleFailed):
        y.backward(seed)
    assert not y.grad_computed and not x.grad_computed


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
