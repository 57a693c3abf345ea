"""The derivatives of gammainc and gammaincc in x at and beside x = 0, on both engines, against their limits
and mpmath: P'(a, 0) is 1 at a = 1, 0 above, +inf below. A Value's gradient at x = 0 raised ValueError (log(0)),
also at a >= 10 and at x = 5e-324; a Tensor's P'(1, 0) was NaN ((a − 1)·log x, 0 · −inf), and numpy warned of
log(0) and log1p(−1) at every x = 0."""

import math
import warnings

import numpy as np
import pytest

import autograd
from autograd import Tensor, elementwise_grad, grad

mp = pytest.importorskip("mpmath", reason="mpmath (torch's sympy installs it) is the reference of these tests")
SHAPES = [0.5, 1.0, 1.5, 2.0, 3.0, 9.99, 10.0, 12.0, 1e4]
POINTS = [0.0, 5e-324, 1e-300, 1e-5, 0.7]


def _density(a, x):
    """x^(a−1)·e^(−x)/Γ(a) at 50 digits, its limit at x = 0."""
    if x == 0:
        return 1.0 if a == 1 else (0.0 if a > 1 else math.inf)
    with mp.workdps(50):
        return float(mp.exp((a - 1) * mp.log(x) - x - mp.loggamma(a)))


def _close(ours, exact):
    if exact == 0 or math.isinf(exact):
        return ours == exact
    return abs(ours - exact) <= 1e-13 * abs(exact)  # (a − 1)·log x carries log x's 1e-16 · 690 at x = 1e-300


@pytest.mark.parametrize("a", SHAPES)
def test_the_x_derivative_beside_and_at_zero_is_mpmath_s_quietly(a):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for sign, name in ((1, "gammainc"), (-1, "gammaincc")):
            f = getattr(autograd, name)
            on_tensor = np.asarray(elementwise_grad(lambda x, f=f: f(a, x))(Tensor(np.array(POINTS))))
            for x, ours in zip(POINTS, on_tensor):
                exact = sign * _density(a, x)
                assert _close(float(ours), exact), (name, a, x, ours, exact)
                if math.isfinite(exact):  # a Value refuses an infinite derivative (P'(0.5, 0))
                    value = grad(lambda x, f=f: f(a, x))(x)
                    assert _close(value, exact) and math.copysign(1, value) == math.copysign(1, exact), (a, x, value)


@pytest.mark.parametrize("a, limit", [(1.0, -1.0), (2.0, 1.0), (3.0, 0.0), (12.0, 0.0)])
def test_the_second_derivative_at_zero_is_its_limit(a, limit):
    """P''(a, 0) = (a − 1)·0^(a − 2) − 0^(a − 1), through the power's own rule at 0."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        second = elementwise_grad(elementwise_grad(lambda x: autograd.gammainc(a, x)))(Tensor(np.array([0.0])))
        assert float(np.asarray(second)[0]) == limit
        assert grad(grad(lambda x: autograd.gammainc(a, x)))(0.0) == limit


@pytest.mark.parametrize("a", [1.0, 2.0, 2.5, 3.0, 7.5, 12.0, 150.0])
def test_the_second_derivative_beside_zero_is_mpmath_s_where_the_first_underflows(a):
    """P''(a, x) = x^(a − 2)·e^(−x)·(a − 1 − x)/Γ(a) near 0 while P' (x^(a − 1)·...) is subnormal or 0: taken
    through the log of P' it was P'·((a − 1)/x − 1): 0 at P''(3, 1e-200) (it is 1e-200), at P''(12, 1e-30)
    (2.8e-306) and P''(2.5, 1e-320) (1.1e-160), and 4e-14 off at P''(7.5, 1e-30)."""
    points = [1e-320, 1e-200, 1e-30, 1e-5, 0.3, 0.99]
    second = elementwise_grad(elementwise_grad(lambda x: autograd.gammainc(a, x)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = np.asarray(second(Tensor(np.array(points))))
    for x, got in zip(points, ours):
        with mp.workdps(50):
            exact = float(mp.power(x, a - 2) * mp.exp(-x) * (a - 1 - x) / mp.gamma(a))
        tolerance = max(3e-14 * abs(exact), 2e-323)  # exp(−x − lgamma(a)) carries lgamma(150)'s 600 · 1e-16 · 1/2
        assert abs(got - exact) <= tolerance, (a, x, got, exact)
        if abs(exact) >= 1e-300:
            assert grad(grad(lambda x: autograd.gammainc(a, x)))(x) == pytest.approx(exact, rel=3e-14)
