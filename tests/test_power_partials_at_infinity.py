"""Every partial of a ** b from the second on at a = +inf is the limit as a → +inf, as at a = 0 (power_partials):
a^(b−n)·Q(ln a) with the power beating the log, so ∂²/∂a∂b at (inf, −2) is −0 and ∂²/∂b² there +0, where the closed
form's 0 · inf was NaN (x ** minimum(−2, bessel_j0(x)) at x = inf: a Tensor's second derivative NaN, a Value's 0).
Measured against mpmath: each partial at a = 10^(10^400), rounded to a float."""

import math

import mpmath
import numpy as np
import pytest

import autograd
from autograd import Tensor, Value
from autograd.power_partials import power_partial

ORDERS = [(2, 0), (1, 1), (0, 2), (3, 0), (2, 1), (1, 2), (0, 3)]


def _reference(b: float, n: int, m: int) -> float:
    """Σₖ C(m, k)·pₙ⁽ᵏ⁾(b)·a^(b−n)·(ln a)^(m−k) at a = 10^(10^400), where ln a (2.3e400) is beyond the floats too."""
    with mpmath.workdps(60):
        log_a = mpmath.mpf(10) ** 400 * mpmath.log(10)

        def p(x):
            out = mpmath.mpf(1)
            for i in range(n):
                out *= x - i
            return out

        q = sum(math.comb(m, k) * mpmath.diff(p, mpmath.mpf(b), k) * log_a ** (m - k) for k in range(m + 1))
        d = q * mpmath.exp((b - n) * log_a)
        if d == 0:  # Q is 0 (a polynomial's derivative past its degree): 0 at every a
            return 0.0
        return math.copysign(0.0, d) if abs(d) < 1e-300 else math.copysign(math.inf, d) if abs(d) > 1e300 else float(d)


@pytest.mark.parametrize("b", [-2.0, -0.5, 0.5, 1.0, 2.0, 2.5, 3.0])
@pytest.mark.parametrize(("n", "m"), ORDERS)
def test_a_partial_at_an_infinite_base_is_its_limit(b, n, m):
    expected = _reference(b, n, m)
    for engine in (lambda x: x, np.array):
        got = float(power_partial(engine(math.inf), engine(b), n=n, m=m))
        assert got == expected and math.copysign(1.0, got) == math.copysign(1.0, expected), (got, expected)


def test_a_power_whose_exponent_is_flat_there_has_the_same_second_derivative_on_both_engines():
    def f(x):
        return autograd.power(x, autograd.minimum(-2.0, autograd.bessel_j0(x)))

    for x in (Value(math.inf), Tensor(np.array(math.inf), requires_grad=True)):
        (g,) = autograd.gradients(f(x), [x], create_graph=True)
        (h,) = autograd.gradients(g, [x])
        assert float(h) == 0.0
