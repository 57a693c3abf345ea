"""x ** 0 is the constant 1: its derivative in x is 0 even where the gradient from above is infinite or
NaN (0 * inf would be NaN), as at relu's flat piece, and as PyTorch gives."""

from __future__ import annotations

import math

import numpy as np
import pytest

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


def test_the_mixed_second_derivative_at_a_zero_base_under_an_exponent_below_1_stays_nan_beside_the_limits():
    """0 < b < 1 at a = 0, where d/da is +inf: NaN in either order, beside b = 1's −inf in the same Tensor."""

    def f(x, y):
        return (x**y).sum()

    for first, second in ((0, 1), (1, 0)):
        mixed = autograd.grad(lambda x, y, i=first: autograd.grad(f, i)(x, y).sum(), second)
        with np.errstate(all="ignore"):
            got = mixed(Tensor(np.array([0.0, 0.0])), Tensor(np.array([0.5, 1.0])))
        assert math.isnan(got[0]) and got[1] == -math.inf
