"""x ** 0 is the constant 1: its derivative in x is 0 even where the gradient from above is infinite or
NaN (0 * inf would be NaN), as at relu's flat piece, and as PyTorch gives."""

from __future__ import annotations

import math

import numpy as np
import pytest
from nested_partials import nested

import autograd
from autograd import Tensor, Value

BASES = np.array([0.5, 0.0, -2.0, 1e-310, 3.0])


@pytest.mark.parametrize("upstream", [math.inf, -math.inf, math.nan])
def test_a_tensor_to_the_power_zero_passes_nothing_back(upstream):
    x = Tensor(BASES.copy(), requires_grad=True)
    y = Tensor(np.zeros(5), requires_grad=True)
    (x**0.0 * upstream).sum().backward()
    assert np.array_equal(x.grad, np.zeros(5))
    x.grad = None
    with np.errstate(invalid="ignore"):  # y's gradient, log(x) * inf, is NaN at x < 0 (numpy's warning)
        (x**y * upstream).sum().backward()
    assert np.array_equal(x.grad, np.zeros(5))


def test_against_pytorch_through_an_infinite_slope():
    torch = pytest.importorskip("torch")
    x = Tensor(BASES.copy(), requires_grad=True)
    with np.errstate(divide="ignore"):  # acosh's slope at 1 is infinite (numpy's warning)
        (x**0.0).acosh().sum().backward()
    t = torch.tensor(BASES, dtype=torch.float64, requires_grad=True)
    torch.acosh(t**0.0).sum().backward()
    assert np.array_equal(x.grad, t.grad.numpy())


@pytest.mark.parametrize("upstream", [math.inf, math.nan])
@pytest.mark.parametrize("exponent", [0, 0.0])
def test_a_value_to_the_power_zero_passes_nothing_back(upstream, exponent):
    v = Value(0.5)
    (v**exponent * upstream).backward()
    assert v.grad == 0.0
    assert autograd.grad(lambda x: x**exponent * upstream)(0.5) == 0.0


def test_the_mixed_second_derivative_at_exponent_zero_is_kept():
    # d/dy d/dx x**y at y = 0 is 1/x: selecting 0 only where g is not finite keeps it
    def f(x, y):
        return x**y

    assert autograd.grad(autograd.grad(f, 0), 1)(2.0, 0.0) == pytest.approx(0.5)


@pytest.mark.parametrize("base", [-2.0, -0.5])
@pytest.mark.parametrize(("first", "second"), [(0, 1), (1, 0)])
def test_the_mixed_second_derivative_at_a_negative_base_is_nan_in_either_order(base, first, second):
    """At a < 0, b = 0, ∂²(a^b)/∂a∂b was NaN d/da first and 0 d/db first: d/db's NaN factor (log a has no real value)
    was a constant there, and x ** 0's flat d/da let nothing through it. NaN both ways, on both engines."""

    def f(x, y):
        return x**y

    assert math.isnan(autograd.grad(autograd.grad(f, first), second)(base, 0.0))
    on_tensor = autograd.grad(lambda x, y: autograd.grad(lambda x, y: f(x, y).sum(), first)(x, y).sum(), second)
    got = on_tensor(Tensor(np.array([base, 2.0])), Tensor(np.array([0.0, 0.0])))
    assert math.isnan(got[0]) and got[1] == 0.5


@pytest.mark.parametrize(("exponent", "limit"), [(0.0, math.inf), (1.0, -math.inf), (2.0, -0.0), (3.0, -0.0)])
@pytest.mark.parametrize(("first", "second"), [(0, 1), (1, 0)])
def test_the_mixed_second_derivative_at_a_zero_base_is_its_limit_in_either_order(exponent, limit, first, second):
    """∂²(a^b)/∂a∂b = a^(b−1)·(1 + b·ln a) at a = 0: its limit as a → 0⁺, +inf at b = 0, −inf at b = 1, −0 beyond.
    With d/db held at 0 there (PyTorch's), it was 1 (d/da first) and −0 (d/db first) at b = 1, 1 and 0 at b = 0."""

    def f(x, y):
        return x**y

    on_value = autograd.grad(autograd.grad(f, first), second)(0.0, exponent)
    on_tensor = autograd.grad(lambda x, y: autograd.grad(lambda x, y: f(x, y).sum(), first)(x, y).sum(), second)
    got = on_tensor(Tensor(np.array([0.0, 2.0])), Tensor(np.array([exponent, 0.0])))
    for v in (on_value, got[0]):
        assert v == limit and math.copysign(1, v) == math.copysign(1, limit)
    assert got[1] == 0.5  # 1/a at b = 0 beside it


def test_the_mixed_second_derivative_at_a_zero_base_under_an_exponent_below_1_is_its_limit_too():
    """0 < b < 1 at a = 0, where d/da is +inf: a^(b−1)·(1 + b·ln a) → −inf in either order (it was NaN), beside b = 1's
    −inf in the same Tensor."""

    def f(x, y):
        return (x**y).sum()

    for first, second in ((0, 1), (1, 0)):
        mixed = autograd.grad(lambda x, y, i=first: autograd.grad(f, i)(x, y).sum(), second)
        with np.errstate(all="ignore"):
            got = mixed(Tensor(np.array([0.0, 0.0])), Tensor(np.array([0.5, 1.0])))
        assert list(got) == [-math.inf, -math.inf]


@pytest.mark.parametrize("exponent", [0.0, 1.0, 2.0])
def test_second_derivatives_of_a_function_of_a_zero_base_power_take_no_nan_from_the_limit(exponent):
    """exp(a^b) at a = 0: the limit's slope g·(±inf) was a node, and a Value's backward, sending 0 down it, made
    0 · inf = NaN in ∂²/∂a² (NaN for 1 at b = 1); the Hessian is e^0's: ∂²/∂a² = b·(b − 1)·0^(b−2) + (b·0^(b−1))²."""

    def f(x, y):
        return autograd.exp(x**y)

    expected = {0.0: 0.0, 1.0: 1.0, 2.0: 2.0}[exponent]
    assert nested(f, (0, 0))(0.0, exponent) == expected
    on_tensor = nested(lambda x, y: f(x, y).sum(), (0, 0))(Tensor(np.array([0.0])), Tensor(np.array([exponent])))
    assert on_tensor[0] == expected


@pytest.mark.parametrize(
    ("f", "order", "expected"),
    [
        (lambda x: (x**1.0) ** 3.0, 3, 6.0),
        (lambda x: (x**2.0) ** 3.0, 3, 0.0),
        (lambda x: autograd.exp(x**1.0), 3, 1.0),
        (lambda x: (x**2.0) ** 2.0, 4, 24.0),
        (lambda x: (x**1.0) ** 2.0, 4, 0.0),
    ],
)
def test_a_values_higher_derivatives_under_a_constant_exponent_at_zero_are_the_polynomials(f, order, expected):
    """(x ** c) ** 3 at 0 on a Value: the rule's x^(c−1) took its exponent c − 1 as a node, so the next order took
    0 as a zero base under a differentiated exponent: its limit's ±inf made NaN (for 6 at c = 1, 0 at 2), and
    the fourth order would meet the refusal past the second (24 for (x ** 2) ** 2)."""
    for _ in range(order):
        f = autograd.grad(f)
    assert f(0.0) == expected


@pytest.mark.parametrize("which", [(1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 0, 1)])
def test_third_derivatives_at_a_negative_base_through_log_a_are_nan(which):
    """At a < 0, b = 0, d/db's NaN (log a has no real value) was NaN·a, linear: its second derivative in a was 0,
    and ∂³/∂b∂a² (d/db first) 0 for NaN on both engines. NaN in every order."""

    def f(x, y):
        return x**y

    assert math.isnan(nested(f, which)(-0.5, 0.0))
    got = nested(lambda x, y: f(x, y).sum(), which)(Tensor(np.array([-0.5])), Tensor(np.array([0.0])))
    assert math.isnan(got[0])
    beside = -0.25 if which.count(0) == 2 else math.log(2.0)  # at a = 2: ∂³/∂a²∂b = −1/a², ∂³/∂a∂b² = ln(a)·2/a
    assert nested(f, which)(2.0, 0.0) == pytest.approx(beside)


@pytest.mark.parametrize(
    ("exponent", "tangent", "expected"), [(0.0, 1.0, math.inf), (1.0, 1.0, -math.inf), (2.0, 0.0, 2.0)]
)
def test_a_jvp_of_the_gradient_at_a_zero_base_is_the_hessians(exponent, tangent, expected):
    """jvp of d/da (forward over reverse: a second derivative) along (1 − tangent, tangent) at a = 0: ∂²/∂a∂b (+inf
    at b = 0, −inf at b = 1) or ∂²/∂a² (2 at b = 2). It was NaN (the limit's slope as a node)."""

    def d_da(x, y):
        return autograd.grad(lambda x, y: x**y, (0, 1))(x, y)[0]

    direction = (1.0 - tangent, tangent)
    assert autograd.jvp(d_da, (0.0, exponent), direction)[1] == expected
    on_tensor = autograd.jvp(
        lambda x, y: autograd.grad(lambda x, y: (x**y).sum(), (0, 1))(x, y)[0],
        (Tensor(np.array([0.0])), Tensor(np.array([exponent]))),
        tuple(Tensor(np.array([v])) for v in direction),
    )[1]
    assert on_tensor[0] == expected
