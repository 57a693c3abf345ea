"""atan2's partial derivatives of orders 1-3 beside a subnormal or tiny origin, float64 and float32, on both
engines, against mpmath's Im(iᵖ·(−1)ⁿ⁻¹·(n − 1)!/zⁿ), z = b + ia: the chain rule through b/(a² + b²) summed terms
that overflowed with opposite signs (∂²/∂a∂b at (5e-324, 1e-310) was NaN for −inf; every third derivative at
(1e-160, 3e-160) NaN; float32's ∂³/∂b³ at (1e-45, 1e-20) −inf for −8.4e35)."""

import itertools
import math

import numpy as np
import pytest

import autograd
from autograd import Tensor

mp = pytest.importorskip("mpmath", reason="mpmath (torch's sympy installs it) is the reference of these tests")
mp.mp.dps = 50

POINTS = {
    np.float64: [(5e-324, 1e-310), (1e-310, 5e-324), (-5e-324, 1e-310), (5e-324, -1e-310), (2e-320, -3e-320)]
    + [(5e-324, 1e-150), (1e-160, 3e-160), (3.0, 4.0), (1e-200, 1e-200)],
    np.float32: [(1e-45, 1e-40), (1e-40, -1e-45), (1e-45, 1e-20), (3e-25, -1e-25), (1e-30, 2e-30), (3.0, 4.0)],
}
# each partial by the inputs it is taken in, in order: (0, 1) is d/db of d/da
PARTIALS = [w for n in (1, 2, 3) for w in itertools.product((0, 1), repeat=n)]


def _exact(a, b, which, dtype):
    n, p = len(which), which.count(0)
    z = mp.mpc(mp.mpf(b), mp.mpf(a))
    value = mp.im((1j) ** p * (-1) ** (n - 1) * mp.factorial(n - 1) / z**n)
    if abs(value) > np.finfo(dtype).max:
        return math.copysign(math.inf, value)
    return float(value)


def _derivative(f, which):
    for i in which:
        f = autograd.grad(f, argnums=i)
    return f


@pytest.mark.parametrize("dtype", list(POINTS))
def test_every_partial_to_the_third_order_is_mpmaths(dtype):
    eps = float(np.finfo(dtype).eps)
    for (a, b), which in itertools.product(POINTS[dtype], PARTIALS):
        a, b = float(dtype(a)), float(dtype(b))
        expected = _exact(a, b, which, dtype)
        on_tensor = _derivative(lambda x, y: autograd.atan2(x, y).sum(), which)
        got = [float(np.asarray(on_tensor(Tensor(np.array([a], dtype)), Tensor(np.array([b], dtype)))).item())]
        if dtype is np.float64:
            got.append(float(_derivative(autograd.atan2, which)(a, b)))
        for v in got:
            if math.isinf(expected):
                assert v == expected, (a, b, which, v, expected)
            else:
                assert v == pytest.approx(expected, rel=8 * eps, abs=float(np.finfo(dtype).smallest_subnormal)), (
                    a,
                    b,
                    which,
                )
