"""Ops with an input that has no derivative (OpDef.no_derivative: gammainc's and gammaincc's a, zeta's x, as
PyTorch's): asking for a gradient there is one NotImplementedError naming the op and the input, on every way in
(function, method, Value, Tensor), never a silent 0; the other input's gradient is as usual; the forwards
against mpmath at points across their ranges (docs/edge-points.md holds the measured errors)."""

import dataclasses
import math

import mpmath
import numpy as np
import pytest
from mpmath_ulps import held_precision

import autograd
from autograd import Tensor, Value
from autograd.incomplete_gamma_forwards import gammainc, gammaincc
from autograd.op_table import ELEMENTWISE
from autograd.zeta_forwards import zeta

HOLDING = [d for d in ELEMENTWISE if d.no_derivative]
_mpmath_at_30_digits = held_precision(dps=30)


def _inside(d):
    """A point inside every input's domain (the middle of each)."""
    return [(s.lo + s.hi) / 2 for s in d.safe]


def test_the_ops_without_a_derivative_are_marked():
    assert {d.name: d.no_derivative for d in HOLDING} == {"gammainc": (0,), "gammaincc": (0,), "zeta": (0,)}


@pytest.mark.parametrize("d", HOLDING, ids=lambda d: d.name)
def test_a_node_needing_a_gradient_there_is_refused_on_every_way_in(d):
    point = _inside(d)
    for k in d.no_derivative:
        for node in (Value(point[k]), Tensor([point[k]], requires_grad=True)):
            xs = list(point)
            xs[k] = node
            calls = [lambda xs=xs: getattr(autograd, d.name)(*xs)]
            if k == 0:
                calls.append(lambda xs=xs: getattr(xs[0], d.name)(*xs[1:]))
            for call in calls:
                with pytest.raises(
                    NotImplementedError,
                    match=rf"{d.name}: the derivative with respect to its {('first', 'second')[k]} input",
                ):
                    call()


@pytest.mark.parametrize("d", HOLDING, ids=lambda d: d.name)
def test_without_a_gradient_asked_there_the_op_runs(d):
    point = _inside(d)
    expected = float(getattr(autograd, d.name)(*point))
    held = [Tensor(np.array([x]), requires_grad=d.differentiable(k)) for k, x in enumerate(point)]
    out = getattr(autograd, d.name)(*held)
    out.sum().backward()
    assert float(out.data[0]) == expected
    assert all(np.isfinite(t.grad).all() for k, t in enumerate(held) if d.differentiable(k))
    with autograd.no_grad():  # nothing recorded: nothing to refuse
        assert float(getattr(autograd, d.name)(*[Value(x) for x in point]).data) == expected


# (a, x): the series (x < a + 1) and the fraction, small and large a, tails near 0 and 1; Q at small a (1 − P
# there was 1,320 ulps off at (0.01, 0.9))
GAMMA_POINTS = [
    (0.01, 0.5),
    (0.5, 0.2),
    (2.5, 1.0),
    (3.0, 9.0),
    (30.0, 25.0),
    (30.0, 40.0),
    (1e3, 1e3 + 10),
    (0.2, 30.0),
]


@pytest.mark.parametrize("a, x", GAMMA_POINTS)
def test_gammainc_and_gammaincc_against_mpmath(a, x):
    p = float(mpmath.gammainc(a, 0, x, regularized=True))
    q = float(mpmath.gammainc(a, x, mpmath.inf, regularized=True))
    assert gammainc(np.float64(a), np.float64(x)) == pytest.approx(p, rel=1e-13)
    assert gammaincc(np.float64(a), np.float64(x)) == pytest.approx(q, rel=1e-13)  # 1 − P: 3e-13 at (0.01, 0.9)


def test_gammainc_slope_far_out_in_a_is_the_density():
    """a = 1e4 near x: formed around u = (x − a)/a, not as (a − 1)·log x − lgamma(a), which cancels."""
    a, x = 1e4, 1e4 + 30
    t = Tensor([x], requires_grad=True)
    autograd.gammainc(a, t).sum().backward()
    exact = float(mpmath.exp((a - 1) * mpmath.log(x) - x - mpmath.loggamma(a)))
    assert t.grad[0] == pytest.approx(exact, rel=1e-12)


@pytest.mark.parametrize("x, q", [(1.5, 0.3), (2.0, 1.0), (3.5, 7.0), (1.01, 2.0), (2.0, -1.5), (4.0, -10.25)])
def test_zeta_against_mpmath(x, q):
    assert zeta(np.float64(x), np.float64(q)) == pytest.approx(float(mpmath.zeta(x, q)), rel=1e-13)


def test_zeta_edges():
    assert zeta(np.float64(1.0), np.float64(2.0)) == math.inf  # the pole at x = 1
    assert zeta(np.float64(2.0), np.float64(-3.0)) == math.inf  # q a whole number <= 0
    assert math.isnan(zeta(np.float64(2.5), np.float64(-1.5)))  # no real power of a negative number
    with pytest.raises(ValueError, match="zeta needs x > 1"):
        autograd.zeta(0.5, Value(1.0))


@pytest.mark.parametrize("d", HOLDING, ids=lambda d: d.name)
def test_detect_anomaly_reads_no_gradient_of_a_number_held_there(d):
    """A number at an input without a derivative is a constant: its rule's NaN stand-in goes nowhere, and
    detect_anomaly took it for an anomaly on Values ('gave nan as the gradient of input 0')."""
    point = _inside(d)
    for node in (Value(point[1]), Tensor([point[1]], requires_grad=True)):
        with autograd.detect_anomaly():
            out = getattr(autograd, d.name)(point[0], node)
            (out if isinstance(out, Value) else out.sum()).backward()
        assert np.isfinite(node.grad).all()


@pytest.mark.parametrize("d", HOLDING, ids=lambda d: d.name)
def test_a_copy_of_the_entry_is_the_entry(d):
    """OpDef adds the held input's formula and stand-in gradient once: a copy (dataclasses.replace) made them
    twice, three formulas for two inputs and a NaN for the other input's gradient."""
    copy = dataclasses.replace(d)
    assert copy.formulas == d.formulas and len(d.formulas) == d.arity
    xs = _inside(d)
    ours, theirs = copy.vjp(1.0, None, *xs), d.vjp(1.0, None, *xs)
    assert len(ours) == d.arity and ours[1] == theirs[1] and math.isfinite(theirs[1])


@pytest.mark.parametrize("d", HOLDING, ids=lambda d: d.name)
def test_a_compiled_steps_input_there_is_taken_as_eagerly(d):
    """A step's input that requires no grad is a constant eagerly; while recorded it requires grad as a stand-in,
    and the refusal took it for a node wanting a gradient: every compiled call raised where eager ran."""
    point = _inside(d)

    def step(held, x):
        return getattr(autograd, d.name)(held, x).sum()

    run = autograd.compile(step)
    for shift in (0.0, 0.25, 0.5):
        held = Tensor(np.array([point[0] + shift]))
        x, twin = (Tensor(np.array([point[1]]), requires_grad=True) for _ in range(2))
        compiled, eager = run(held, x), step(held, twin)
        compiled.backward()
        eager.backward()
        assert compiled.item() == eager.item() and x.grad.tolist() == twin.grad.tolist()
