"""Value's own backward pass (autograd/scalar_backward.py): the rules it writes out equal the table's,
bit for bit, at random points and at the edges the table's rules handle; its scratch survives an
interrupted pass; what it leaves on nodes it does not reach."""

import math
import random

import pytest

from autograd import Value, detect_anomaly, gradients, pullback, scalar_ops
from autograd.scalar_backward import WRITTEN_OUT

EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, 3.0, -2.5, 1e-300, 1e300, math.inf, -math.inf, math.nan]
SEEDS = [1.0, -0.0, 0.0, 2.5, -1e-300, math.inf, math.nan]


def _points(edges: list[float], count: int) -> list[float]:
    rng = random.Random(16)
    return edges + [rng.uniform(-5, 5) for _ in range(count)]


def _same(x: float, y: float) -> bool:
    """Equal as bits: NaN equals NaN, 0.0 differs from -0.0."""
    return (math.isnan(x) and math.isnan(y)) or (x == y and math.copysign(1, x) == math.copysign(1, y))


def _check(out: Value, inputs: list[Value], seed: float) -> None:
    """The fast pass's gradients of a one-op graph against the op's own rule on the data (pullback),
    started from -0.0 as every gradient sum is (so that a -0.0 gradient stays -0.0), 0.0 where none arrives."""
    got = gradients(out, inputs, seed=seed)
    rule = pullback(out, seed)
    for x, g in zip(inputs, got):
        arrived = [-0.0 + r for p, r in zip(out.parents, rule) if p is x and r is not None]
        expected = sum(arrived, -0.0) if arrived else 0.0
        assert _same(g, expected) and type(g) is float, (out.op, [p.data for p in out.parents], seed, g, expected)


@pytest.mark.parametrize("name", ["add", "mul"])
def test_written_out_binary_rules_equal_the_tables(name: str) -> None:
    apply = getattr(Value, f"__{name}__")
    points = _points(EDGES, 20)
    for seed in SEEDS:
        for x in points:
            for y in points[::3]:
                a, b = Value(x), Value(y)
                _check(apply(a, b), [a, b], seed)
            a = Value(x)
            _check(apply(a, a), [a], seed)  # one node on both sides: both gradients add up


@pytest.mark.parametrize("name", ["relu", "tanh"])
def test_written_out_unary_rules_equal_the_tables(name: str) -> None:
    for seed in SEEDS:
        for x in _points(EDGES, 40):
            a = Value(x)
            _check(getattr(a, name)(), [a], seed)


def test_written_out_constant_power_equals_the_tables() -> None:
    bases = [b for b in _points(EDGES, 20) if not math.isnan(b)] + [math.nan]
    for seed in SEEDS:
        for c in [0.0, 1.0, 2.0, 3.0, -1.0, -2.0, 0.5, 2.5, math.inf, math.nan]:
            for base in bases:
                a = Value(base)
                try:
                    out = a**c
                except (ZeroDivisionError, ValueError, OverflowError):
                    continue  # no forward, nothing to differentiate
                assert out.op is scalar_ops.power_const
                try:
                    pullback(out, seed)
                except ArithmeticError as e:  # the table's rule has no value here: neither has the pass
                    with pytest.raises(type(e)):
                        gradients(out, [a], seed=seed)
                    continue
                _check(out, [a], seed)


def test_every_written_out_rule_is_tested_here() -> None:
    tested = ("add", "mul", "relu", "tanh", "power_const")
    assert WRITTEN_OUT == tuple(scalar_ops.OPS[name] for name in tested)


def test_the_fast_pass_and_the_rule_by_rule_pass_agree_on_a_graph() -> None:
    rng = random.Random(3)
    xs = [Value(rng.uniform(-2, 2)) for _ in range(6)]
    y = sum(((xs[i] * xs[i + 1] + 0.5).relu() + (xs[i] ** 2).tanh() - xs[i].exp() for i in range(5)), xs[5])
    fast = gradients(y, xs)
    with detect_anomaly():  # every rule through its op (and checked)
        by_rule = gradients(y, xs)
    assert fast == by_rule


def test_an_interrupted_pass_leaves_nothing_behind() -> None:
    x = Value(0.0)
    w = Value(2.0)
    w.grad = 5.0
    broken = x.sqrt() * w  # sqrt's derivative at 0 is infinite: the pass stops there
    with pytest.raises(ZeroDivisionError):
        broken.backward()
    assert (w.grad, broken.grad_computed, x.grad_computed) == (5.0, False, False)  # no .grad changed
    z = Value(3.0)
    y = w * z + w
    assert gradients(y, [w, z, x]) == [4.0, 2.0, 0.0]


def test_an_input_the_pass_does_not_reach_gets_a_plain_zero() -> None:
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    y = (a * 0.0) ** 2.0
    got = gradients(y, [a, b, c])
    assert got == [0.0, 0.0, 0.0] and all(type(g) is float for g in got)


def test_backward_adds_into_grad_of_every_node_once_per_pass() -> None:
    x = Value(2.0)
    h = x * x
    y = h + h * 3.0
    y.backward()
    y.backward()
    assert (x.grad, h.grad, y.grad) == (32.0, 8.0, 2.0)
