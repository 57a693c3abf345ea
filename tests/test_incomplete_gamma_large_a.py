"""gammainc and gammaincc for large a, by Temme's expansion from a = 100 with x within 30% of a: against mpmath
(its series at 50 digits), and in bounded time where the series and the fraction took 9·√a steps (NaN beyond
a = 1e7 near x, 1.1 s for one element at 1e7, 1.3 s at 1e300)."""

import time

import numpy as np
import pytest

from autograd.incomplete_gamma_forwards import gammainc, gammaincc

mp = pytest.importorskip("mpmath", reason="mpmath (torch's sympy installs it) is the reference of these tests")


def _exact(a, x):
    """P and Q at 50 digits: P = xᵃe⁻ˣ/Γ(a + 1)·₁F₁(1; a + 1; x) (mpmath's gammainc gives up past a = 1e6)."""
    with mp.workdps(50):
        a, x = mp.mpf(a), mp.mpf(x)
        p = mp.exp(a * mp.log(x) - x - mp.loggamma(a + 1)) * mp.hyp1f1(1, a + 1, x, maxterms=10**6)
        return p, 1 - p


def _ulps(ours, exact):
    return float(abs(mp.mpf(float(ours)) - exact) / mp.mpf(np.spacing(float(exact))))


# (a, x, ulps): at the expansion's edges (a = 100, 30% off), inside, and far beyond the old limit of 1e7. The
# bound grows as a·|x/a − 1|: e^(−a(u − log(1 + u))) carries its exponent's ε·a·u, as P and Q do (x's own
# rounding moves them that much)
POINTS = [
    (100.0, 100.0, 2),
    (100.0, 70.0, 30),
    (100.0, 130.0, 30),
    (1e3, 1005.0, 2),
    (1e3, 700.0, 300),
    (3e3, 3e3 * 0.85, 100),
    (1e7, 1e7, 2),
    (2e7, 2e7 + 3e3, 4),
    (1e9, 1e9 - 2e4, 4),
]


@pytest.mark.parametrize("a, x, bound", POINTS)
def test_large_a_is_mpmath_s(a, x, bound):
    p, q = _exact(a, x)
    ours_p, ours_q = gammainc(np.float64(a), np.float64(x)), gammaincc(np.float64(a), np.float64(x))
    assert _ulps(ours_p, p) <= bound and _ulps(ours_q, q) <= bound, (_ulps(ours_p, p), _ulps(ours_q, q))


def test_huge_a_near_x_is_a_number_in_bounded_time():
    """P(a, a) = 1/2 + 1/(3√(2πa)) + O(a^(−3/2)): within 1e-15 from a = 1e12, 1/2 to the last bit from 1e40 on
    (mpmath's series would take 1e7 terms); the four in 0.2 s even on a loaded machine (each took 1.1-1.3 s)."""
    a = np.array([1e12, 1e20, 1e40, 1e300])
    start = time.perf_counter()
    p = gammainc(a, a)
    assert time.perf_counter() - start < 0.2
    np.testing.assert_allclose(p, 0.5 + 1 / (3 * np.sqrt(2 * np.pi * a)), rtol=1e-15)
    assert (p[2:] == 0.5).all()
