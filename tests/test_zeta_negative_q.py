"""zeta(x, q) for q < 0 (x whole) against mpmath: by three sums at positive q (reflecting the negative terms),
where the terms were summed one by one (2.9 s for one element at q = −99,999.5, NaN below −100,000), and for
odd x ζ(x, p) − ζ(x, 1 − p) whole near p = 1/2, where the sums cancel (ζ(5, −99,999.5) was 0, not 2.5e-21)."""

import numpy as np
import pytest
from cpu_time import cpu_seconds_at_most

from autograd.zeta_forwards import zeta

mp = pytest.importorskip("mpmath", reason="mpmath (torch's sympy installs it) is the reference of these tests")


def _exact(x, q):
    """ζ(x, q) at 120 digits by the same reflection (at p = 1/2 its first two sums cancel exactly; at 50 digits
    mpmath's ζ(31, 1001.5) is 2e-10 off), each sum mpmath's at a positive q (mpmath's own zeta at a
    large negative q and even x is wrong: −0.000999 for ζ(2, −1000.5), which is 9.87)."""
    with mp.workdps(120):
        q = mp.mpf(q)
        whole = mp.ceil(-q)
        sign = (-1) ** int(x)
        return mp.zeta(x, q + whole) + sign * mp.zeta(x, 1 - (q + whole)) - sign * mp.zeta(x, 1 - q)


def _ulps(ours, exact):
    return float(abs(mp.mpf(float(ours)) - exact) / mp.mpf(np.spacing(abs(float(exact)))))


@pytest.mark.parametrize("x", [2.0, 3.0, 5.0, 10.0, 31.0])
@pytest.mark.parametrize("q", [-0.5, -0.3, -10.25, -1000.5, -99999.5, -100001.5, -1e7 - 0.3, -3e15 - 0.5])
def test_negative_q_is_mpmath_s(x, q):
    assert _ulps(zeta(np.float64(x), np.float64(q)), _exact(x, q)) <= 8


def test_random_negative_q_within_8_ulps():
    """x whole in [2, 11], q in [−40, 0]: 7.5 ulp at most on 3,000 points (the old direct sums: 42.5)."""
    rng = np.random.default_rng(5)
    xs, qs = rng.integers(2, 12, 100).astype(float), -rng.uniform(0, 40, 100)
    worst = max(_ulps(ours, _exact(int(x), q)) for x, q, ours in zip(xs, qs, zeta(xs, qs)))
    assert worst <= 8


@pytest.mark.parametrize("x", [3.0, 7.0, 31.0, 101.0])
def test_just_above_minus_a_half_where_1_plus_q_rounds(x):
    """ζ(7, −0.49999) was 57,347 ulps off (0.0245154465974059, not ...76048): p = 1 + q rounds for −1/2 < q < 0,
    and t = p − 1/2 carried it into ζ(x, 1/2 + t) − ζ(x, 1/2 − t); now t = 1/2 − r, exact."""
    for q in (-0.49999, -0.4999999999, -0.47):
        assert _ulps(zeta(np.float64(x), np.float64(q)), _exact(x, q)) <= 8, q


def test_far_negative_q_in_bounded_time():
    with cpu_seconds_at_most(0.5):
        out = zeta(np.full(100, 5.0), -np.arange(1, 101) * 1e13 - 0.5)  # q not whole (exact): no pole
    assert np.isfinite(out).all()
