"""lp_pool's gradient taken straight from the window (nn/lp_pool_direct.py) as g·c·(x^p/S)^((p-1)/p), S the
window's sum taken again from x, against mpmath. As g·c·(x/y)^(p-1) it raised y's rounding to p - 1 (23 ulp at
p = 20), lost a subnormal y's digits (0 or inf for gradients near 1e±300) and left a y past the range to a chain
that overflowed; and a p-norm's rows took the sign of x^(p-1) for |x|^(p-1) (pdist's gradient at rows of 1e-300
pointed the wrong way at p = 1.5 and 3)."""

import mpmath
import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor

mpmath.mp.prec = 200


def _ulps(got, exact):
    ulp = max(mpmath.mpf(2) ** (mpmath.floor(mpmath.log(abs(exact), 2)) - 52), mpmath.mpf(5e-324))
    return float(abs(mpmath.mpf(float(got)) - exact) / ulp)


def _bound(n, p):
    """The rounding of a window's sum of n terms and of each term (n + 2 ulps at most, to first order), which the
    power (p-1)/p scales by |1 - 1/p|, and 4 roundings after it: a property of the window, not of p - 1."""
    return (n + 2) * abs(1 - 1 / p) + 4


@pytest.mark.parametrize(
    ("p", "row", "g"),
    [
        (20.0, [2.5879184801349514e-201, 3.834325599462892e-201], 8.93623403167401e-301),  # 23.2 ulp before
        (7.0, [8.26e295, 8.26e295, 8.26e295], 5e11),  # 4.68 ulp before
        (7.0, [2.3331590462580472e-302, 7.777196820860157e-303], 1.0),  # 9.2 ulp before
        (2.0, [5e-324, 5e-324], 1e-300),  # y subnormal: [0, 0] for 7.07e-301 before
        (1.5, [5.06e-321, 1.685e-321], 1e300),  # inf before
        (3.0, [7.41691286169067e-309, 7.41691286169067e-309], 1e300),  # inf before
        (1.5, [1.1984620899082105e308, 1.1984620899082105e308], 1e300),  # y past the range: inf before
        (0.5, [1.1984620899082105e308, 3.9948736330273685e307], 1e300),  # inf before
    ],
)
def test_a_window_taken_straight_within_its_bound(p, row, g):
    x = Tensor(np.array([[row]]), requires_grad=True)
    with np.errstate(all="ignore"):
        out = F.lp_pool1d(x, p, len(row))
        out.backward(np.full(out.shape, g))
    q = mpmath.mpf(p)
    root = mpmath.fsum(mpmath.mpf(v) ** q for v in row) ** (1 / q)
    for got, v in zip(x.grad.ravel(), row):
        exact = mpmath.mpf(g) * (mpmath.mpf(v) / root) ** (q - 1)
        assert _ulps(got, exact) <= _bound(len(row), p), (got, exact)


@pytest.mark.parametrize("p", [1.5, 3.0, 4.0])
@pytest.mark.parametrize("scale", [1e-300, 1e300])
def test_pdist_of_tiny_and_huge_rows_has_the_gradient_of_ordinary_ones(p, scale):
    """‖x0 - x1‖'s gradient is the same at x and x·s: at [[0, 0], [1, 2]]·1e-300 it was [0.64, 0.90, -0.64,
    -0.90] for [-0.64, -0.90, 0.64, 0.90] at p = 1.5 (a row's differences were signed as x^(p-1), not |x|^(p-1))."""
    grads = []
    for s in (1.0, scale):
        d = Tensor(np.array([[0.0, 0.0], [1.0, 2.0]]) * s, requires_grad=True)
        F.pdist(d, p).sum().backward()
        grads.append(d.grad.ravel())
    np.testing.assert_allclose(grads[1], grads[0], rtol=4e-15, atol=0)


@pytest.mark.parametrize(("row", "p"), [([-2.0, 2.0], -3.0), ([-2.0, 2.0], -1.0), ([-3.0, 3.0, 1.0, 2.0], -5.0)])
def test_a_window_whose_powers_cancel_at_negative_p_keeps_torchs_gradient(row, p):
    """At an odd p < 0, x^p of opposite signs cancel: the window's sum is 0, y = 0^(1/p) = inf, and its gradient 0
    (the sum passes through relu, flat at 0; torch 2.13's). Taken straight as a y past the range, it was inf: [-2, 2]
    at p = -3 had gradient [inf, inf] for [-0, -0]."""
    from torch_reference import torch

    x = Tensor(np.array([[row]]), requires_grad=True)
    out = F.lp_pool1d(x, p, 2)
    out.backward(np.ones(out.shape))
    t = torch.tensor([[row]], dtype=torch.float64, requires_grad=True)
    torch.nn.functional.lp_pool1d(t, p, 2).sum().backward()
    np.testing.assert_array_equal(out.data, torch.nn.functional.lp_pool1d(t, p, 2).detach().numpy())
    np.testing.assert_array_equal(x.grad, t.grad.numpy())


def test_one_window_taken_straight_costs_its_plane_not_the_batch():
    """A float32 batch of ones at p = 7 but for one entry 5e-6 (5e-6^6 below the floats, its gradient 6.1e-33 a
    normal float: its window taken straight): the rule took every plane of the batch, in float64 and in mantissa and
    exponent, 16.7 MB at its peak for x's 0.5 MB (0.33 s and 43 MB for an (8, 16, 64, 64) standard normal batch);
    now the window's plane only (3.9 MB, the chain's own)."""
    import tracemalloc

    data = np.ones((8, 16, 32, 32), np.float32)
    data[0, 0, 0, 1] = 5e-6
    x = Tensor(data, requires_grad=True)
    out = F.lp_pool2d(x, 7.0, 2)
    tracemalloc.start()
    try:
        out.backward(np.ones(out.shape, np.float32))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    small = mpmath.mpf(float(np.float32(5e-6)))  # beside three ones
    slope = small**6 / (3 + small**7) ** (mpmath.mpf(6) / 7)
    assert abs(float(x.grad[0, 0, 0, 1]) / float(slope) - 1) < 2e-7
    assert peak < 12 * data.nbytes, peak / data.nbytes


@pytest.mark.parametrize(
    ("row", "p", "g"),
    [([np.inf, 1e-200], -2.0, 1e-300), ([np.inf, 1e200], -2.0, 1e300), ([np.inf, 1e-160], -0.5, 1e-300)],
)
def test_an_inf_beside_the_entry_that_carries_a_window_at_negative_p(row, p, g):
    """At p < 0 an inf entry adds inf^p = 0 to its window's sum: the window's root is its other entries', here y = x,
    and the gradient there g. Left to the chain as a window holding inf (whose y is inf only for p > 0), it was
    [-0, 0] for [0, 1e-300] at [inf, 1e-200], p = -2; [nan, inf] for [0, 1e300] at [inf, 1e200] under g = 1e300."""
    x = Tensor(np.array([[row]]), requires_grad=True)
    with np.errstate(all="ignore"):
        out = F.lp_pool1d(x, p, 2)
        out.backward(np.full(out.shape, g))
    assert out.data.ravel()[0] == row[1]
    assert x.grad.ravel()[0] == 0.0
    assert _ulps(x.grad.ravel()[1], mpmath.mpf(g)) <= _bound(2, p), x.grad
