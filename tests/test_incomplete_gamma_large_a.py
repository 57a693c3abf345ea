"""gammainc and gammaincc for large a, by Temme's expansion from a = 100 with x within 30% of a: against mpmath
(its series at 50 digits), and in bounded time where the series and the fraction took 9·√a steps (NaN beyond
a = 1e7 near x, 1.1 s for one element at 1e7, 1.3 s at 1e300)."""

import warnings

import numpy as np
import pytest
from cpu_time import cpu_seconds_at_most

import autograd
from autograd import Tensor
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
    with cpu_seconds_at_most(0.2):
        p = gammainc(a, a)
    np.testing.assert_allclose(p, 0.5 + 1 / (3 * np.sqrt(2 * np.pi * a)), rtol=1e-15)
    assert (p[2:] == 0.5).all()


def test_tiny_x_from_a_10_is_mpmath_s():
    """u = (x − a)/a rounds near −1 for x tiny, and log1p(u) magnified it: P(10, 1e-10) was 8e-7 off
    (2.7557342e-107, not 2.7557319e-107), P(20, 1e-5) 1.6e-9; Q(1e4, 1e-300) warned "divide by zero" in log1p.
    Now within 4ε·|log P| of P (its exponent's own rounding)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for a, x in ((10.0, 1e-10), (20.0, 1e-5), (40.0, 1e-5), (99.0, 0.5)):
            exact = _exact(a, x)[0]
            ours = gammainc(np.float64(a), np.float64(x))
            assert abs(mp.mpf(float(ours)) - exact) <= 4 * np.finfo(float).eps * abs(mp.log(exact) * exact), (a, x)
            # P's derivative in x, xᵃ⁻¹e⁻ˣ/Γ(a), took the same log1p (7e-7 off at (10, 1e-10)), on both engines
            with mp.workdps(50):  # its exponent is −220 at (10, 1e-10): at 53 bits 9% of the bound off
                slope = mp.exp((a - 1) * mp.log(x) - x - mp.loggamma(a))
            tensor = Tensor(np.array([x]), requires_grad=True)
            autograd.gammainc(Tensor(np.array([a])), tensor).sum().backward()
            for got in (tensor.grad[0], autograd.grad(lambda t, a=a: autograd.gammainc(a, t))(x)):
                assert abs(mp.mpf(float(got)) - slope) <= 4 * np.finfo(float).eps * abs(mp.log(slope) * slope), (a, x)
        a, x = np.float64(1e4), np.float64(1e-300)
        assert gammainc(a, x) == 0.0 and gammaincc(a, x) == 1.0
