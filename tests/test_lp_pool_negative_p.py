"""lp_pool at p < 0, where a window's sum of x^p leaves the floats while its root need not: [1e200, 1e200] at
p = -2 summed to 0 (1e-400 each) and gave inf for 7.07e199 (torch 2.13 too); [1e-200, 1e-200] inf, so 0 for
7.07e-201; [1e150, 3e150] at p = -1.5 was right but its gradient NaN (the root's slope S^(1/p - 1) inf, the
power's 0). Such windows are now taken again on x·2^-k, k fitted to the window's smallest |x| (for p < 0 the
smallest entries carry the sum), as windows at p > 1 are on their largest. Against mpmath."""

import mpmath
import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, raw

mpmath.mp.prec = 200


def _exact(window, p, w=1.0):
    whole = float(p).is_integer()  # a negative entry's power: real for a whole p
    x, p = [mpmath.mpf(float(v)) for v in window], int(p) if whole else mpmath.mpf(p)
    total = mpmath.fsum(v**p for v in x)
    root = total ** (1 / mpmath.mpf(p))
    return root, [w * (v / root) ** (p - 1) for v in x]


def _ulps(got, exact):
    if abs(exact) > mpmath.mpf(float(np.finfo(np.float64).max)):
        return 0.0 if got == np.inf else np.inf
    if not np.isfinite(got):
        return np.inf
    ulp = max(mpmath.mpf(2) ** (mpmath.floor(mpmath.log(abs(exact), 2)) - 52), mpmath.mpf(5e-324)) if exact else 1
    return float(abs(mpmath.mpf(float(got)) - exact) / ulp)


def _pooled(windows, p, w=1.0, layer=False):
    x = Tensor(np.array([np.concatenate(windows)]), requires_grad=True)
    with np.errstate(all="ignore"):
        out = nn.LPPool1d(p, len(windows[0]))(x) if layer else F.lp_pool1d(x, p, len(windows[0]))
        (out * w).sum().backward()
    return raw(out)[0], x.grad[0]


def _bound(n, p):
    """The roundings of a sum of n terms (n ulps at most, to first order), which the root multiplies by 1/|p| and its
    slope by 1 - 1/p, twice over, and 4 more: 59 ulps at p = -0.1 for n = 4, 11 at p = -3."""
    return (n + 1) * (1 + 1 / abs(p)) + 4


@pytest.mark.parametrize("layer", [False, True])
@pytest.mark.parametrize(
    "windows, p",
    [
        ([[1e200, 1e200]], -2),  # inf before
        ([[1e-200, 1e-200]], -2),  # 0 before
        ([[-1e200, 1e200]], -2),  # inf before
        ([[1e300, 1e300]], -3),
        ([[1e150, 3e150]], -1.5),  # gradient NaN before
        ([[1e-150, 3e-150], [2.0, 5.0], [1e250, 1e251]], -0.5),
        ([[1e-320, 3e-320]], -0.5),
        ([[1e-200, 1e200]], -2),  # the smallest carries it: 1e-200
        ([[1.2e308, 1.2e308]], -2),  # inf before (2^k = 2^1024)
        ([[1.2e308, 1.2e308, 1.2e308], [1.2e308, 4e307, 1.2e308]], -7),  # inf before
    ],
)
def test_windows_whose_sum_leaves_the_floats(windows, p, layer):
    out, grad = _pooled(windows, p, layer=layer)
    for k, window in enumerate(windows):
        root, slope = _exact(window, p)
        assert _ulps(out[k], root) <= _bound(len(window), p), (window, p, out[k], root)
        if min(map(abs, window)) < 2.0**-1000:  # its gradient not known (lp_pool_scaled: a window below 2^-1000)
            assert np.isnan(grad[k * len(window) : (k + 1) * len(window)]).all(), (window, p, grad)
            continue
        for g, e in zip(grad[k * len(window) : (k + 1) * len(window)], slope):
            assert _ulps(g, e) <= _bound(len(window), p), (window, p, grad, slope)


@pytest.mark.parametrize("p", [-3, -1.5, -0.5, -0.1])
def test_every_scale(p):
    """Windows of 2 to 4 positive entries from 1e-320 to 1e308, spread up to 40 decades: value and gradient within
    `_bound` of mpmath's (±inf past the range); a window whose smallest entry is below 2^-1000 has its value, and a
    NaN gradient (0 before, where the exact is about 1)."""
    rng = np.random.default_rng(47)
    for _ in range(40):
        n = int(rng.integers(2, 5))
        decades = np.clip(rng.uniform(-320, 308) + rng.uniform(-20, 20, n), -320, 307)
        window = list(10.0**decades * rng.uniform(1, 9, n))
        out, grad = _pooled([window], p)
        root, slope = _exact(window, p)
        assert _ulps(out[0], root) <= _bound(n, p), (window, p, out, root)
        if min(map(abs, window)) < 2.0**-1000:
            assert np.isnan(grad).all(), (window, p, grad)
        else:
            assert max(_ulps(g, e) for g, e in zip(grad, slope)) <= _bound(n, p), (window, p, grad, slope)


def test_a_window_holding_zero_stays_zero():
    """At p < 0 a zero entry makes the window's power mean 0 (its x^p inf): as before, and torch's; the window
    beside it scaled ([1e-300, 2e-300] gave 0)."""
    out, _ = _pooled([[1e100, 0.0], [1e-300, 2e-300]], -2)
    assert out[0] == 0 and _ulps(out[1], _exact([1e-300, 2e-300], -2)[0]) <= _bound(2, -2)
