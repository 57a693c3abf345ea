"""Value's backward pass sums each node's gradients in one fixed order (float addition does not
associate, so the order is part of the result): checked bit for bit against a plain statement of
that order, a recursive depth-first walk taken in reverse, with every rule taken from the op table. Also the
forward's fast path for int operands."""

import math
import random

import pytest

import autograd
from autograd import Value, gradients, pullback
from autograd.value import Constant


def _reference_gradients(root: Value, inputs: list[Value]) -> list[float]:
    """d root / d input by the order the pass promises: depth first from the root, a node's parents tried in
    argument order, each node listed once all its parents are (marked when first reached); the list taken
    last to first, each node's sum sent to its parents by the op's rule; sums start at 0.0."""
    order, seen, sums = [], {id(root)}, {id(root): 1.0}

    def visit(node: Value) -> None:
        for p in node.parents:
            if id(p) not in seen:
                seen.add(id(p))
                visit(p)
        order.append(node)

    visit(root)
    for node in reversed(order):
        for p, g in zip(node.parents, pullback(node, sums.get(id(node), 0.0))):
            if g is not None:
                sums[id(p)] = sums.get(id(p), 0.0) + g
    return [sums.get(id(x), 0.0) for x in inputs]


def _same(x: float, y: float) -> bool:
    return (math.isnan(x) and math.isnan(y)) or (x == y and math.copysign(1, x) == math.copysign(1, y))


def _random_graph(rng: random.Random, leaves: list[Value], ops: int) -> Value:
    """Nodes that share parents often (many consumers), use one node twice (`x * x`), take three
    inputs (a node built by hand) and mix the written-out rules with the table's."""
    nodes = list(leaves)
    for _ in range(ops):
        a, b = rng.choice(nodes[-12:]), rng.choice(nodes)
        kind = rng.randrange(9)
        if kind == 0:
            y = a * a
        elif kind == 1:
            y = (a * 0.5).tanh()
        elif kind == 2:
            y = (a - b).relu()
        elif kind == 3:
            y = a**2 * 0.1
        elif kind == 4:
            y = (a * 0.1).exp() + b
        elif kind == 5:
            y = Value(a.data + b.data + a.data, (a, b, a), "+")  # built by hand: its rule is the author's
            y._backward = lambda y=y, a=a, b=b: _add_into(y, a, b)
        else:
            y = a * b + a if kind % 2 else a + b * 0.3
        nodes.append(y.tanh() if abs(y.data) > 10 else y)  # kept small: exp never overflows
    return sum(nodes[-20:], nodes[-21])


def _add_into(y: Value, a: Value, b: Value) -> None:
    a.grad += 2 * y.grad
    b.grad += y.grad


@pytest.mark.parametrize("seed", range(6))
def test_the_pass_sums_in_the_order_it_promises(seed: int) -> None:
    rng = random.Random(seed)
    leaves = [Value(rng.uniform(-2, 2)) for _ in range(5)]
    root = _random_graph(rng, leaves, 300)
    expected = _reference_gradients(root, leaves)
    got = gradients(root, leaves)
    assert all(_same(g, e) for g, e in zip(got, expected)), (got, expected)
    root.backward()
    assert all(_same(x.grad, e) for x, e in zip(leaves, expected))


def test_a_second_pass_over_the_same_graph_gives_the_same_bits() -> None:
    rng = random.Random(9)
    leaves = [Value(rng.uniform(-2, 2)) for _ in range(5)]
    root = _random_graph(rng, leaves, 200)
    first = gradients(root, leaves)
    assert gradients(root, leaves) == first  # the first pass's leftover counts do not matter


def test_a_node_that_is_both_parents_and_has_other_consumers() -> None:
    x = Value(3.0)
    h = x * 2.0
    y = h * h + h  # h: three edges from two consumers
    assert gradients(y, [h, x]) == [13.0, 26.0]


@pytest.mark.parametrize("number", [0, 1, -7, 2**53, -(2**53), 2**60, 10**300, True])
def test_an_int_operand_becomes_the_same_constant_as_before(number: int) -> None:
    x = Value(2.0)
    y = number - x
    const = y.parents[0]
    assert type(const) is Constant and const.data == float(number) and type(const.data) is float
    assert (const.grad_computed, const.label, const.op) == (False, "", None)
    y.backward()
    assert x.grad == -1.0


def test_an_int_too_large_for_a_float_is_still_a_clear_error() -> None:
    with pytest.raises(OverflowError, match="too large for a float"):
        Value(1.0) + 10**400


def test_sum_of_values_starts_from_an_int_zero_constant() -> None:
    xs = [Value(float(i)) for i in range(4)]
    s = sum(xs)
    s.backward()
    assert s.data == 6.0 and [x.grad for x in xs] == [1.0] * 4
    with autograd.no_grad():
        assert sum(xs).op is None
