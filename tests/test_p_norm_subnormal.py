"""The p-norm distances for a p the norm op lacks (`nn.p_norm_rows.row_p_norm`: pdist, cdist, pairwise_distance,
normalize, triplet_margin_loss) where a row's largest |difference| is subnormal and p is large: the row was
divided by the least normal float, so |d/m|^p underflowed to 0 for p above ~20 (float64) or ~6 (float32), and the
distance was 0 with a NaN gradient: float32 [1e-45, 0, 0] at p=7 gave 0 and [inf, nan, nan], not 1.4e-45 and
[0.5, 0, 0]. torch 2.13 gives 0 and a gradient of 0 (its |d|^p underflows)."""

import mpmath
import numpy as np
import pytest

import autograd
import nn.functional as ours
from autograd import Tensor, gradients, raw

mpmath.mp.dps = 50

FUNCTIONS = {
    "pdist": lambda x, p: ours.pdist(autograd.stack([x, x * 0.0]), p),
    "cdist": lambda x, p: ours.cdist(x[None], x[None] * 0.0, p),
    "pairwise_distance": lambda x, p: ours.pairwise_distance(x[None], x[None] * 0.0, p, eps=0.0),
}


def _exact(row, p, weight):
    d = [mpmath.mpf(float(x)) for x in row]
    norm = mpmath.fsum(abs(x) ** p for x in d) ** (1 / mpmath.mpf(p))
    return norm, [weight * mpmath.sign(x) * (abs(x) / norm) ** (p - 1) for x in d]


@pytest.mark.parametrize("name", list(FUNCTIONS))
@pytest.mark.parametrize(
    "dtype, row, p",
    [
        (np.float32, [1e-45, 0.0, 0.0], 7.0),
        (np.float32, [1e-45, 0.0, 0.0], 50.0),
        (np.float32, [1e-40, -3e-41, 0.0], 25.0),
        (np.float64, [5e-324, 0.0, 0.0], 25.0),
        (np.float64, [-5e-324, 5e-324, 0.0], 50.0),
        (np.float64, [1e-320, -3e-321, 0.0], 80.0),
    ],
)
def test_a_subnormal_row_at_a_large_p(name, dtype, row, p):
    """The distance is the exact one rounded to the dtype; the gradient of 0.5 x the distance is finite and the
    exact one to the bits a subnormal loss (0.5 x the distance) leaves: within 1e-3 of the largest slope (a slope
    far below it, -1.4e-13 beside 0.5, comes out 0)."""
    x = Tensor(np.array(row, dtype), requires_grad=True)
    out = FUNCTIONS[name](x, p)
    (grad,) = gradients((out * 0.5).sum(), [x])
    norm, e_grad = _exact(np.array(row, dtype), p, 0.5)
    assert raw(out).dtype == dtype
    np.testing.assert_array_equal(raw(out).ravel(), [dtype(float(norm))])
    assert np.isfinite(raw(grad)).all()
    expected = np.array([float(g) for g in e_grad])
    np.testing.assert_allclose(raw(grad).ravel(), expected, rtol=0, atol=1e-3 * abs(expected).max())


@pytest.mark.parametrize("p", [1.5, 3.0, 7.0, 50.0])
@pytest.mark.parametrize("weight", [1.7, -1.79])
def test_a_weighted_distance_near_the_largest_float(p, weight):
    """A guard at the other end, [1e308, 1, 0] against 0: wherever weight x the distance fits (1.79e308), the
    gradient is exact, [weight, weight · 1e-154 (p=1.5) or 0, 0]. Past it (weight 2: the loss itself is inf) it
    is [inf, NaN, NaN] for these p (docs/edge-points.md: a norm taken as m · ‖d/m‖ sends g · m through)."""
    x = Tensor(np.array([1e308, 1.0, 0.0]), requires_grad=True)
    out = FUNCTIONS["pdist"](x, p)
    (grad,) = gradients((out * weight).sum(), [x])
    assert np.isfinite(raw(out * weight)).all()
    np.testing.assert_allclose(raw(grad), [weight, weight * 1e-154 if p == 1.5 else 0.0, 0.0], rtol=1e-14, atol=0)


@pytest.mark.parametrize("name", list(FUNCTIONS))
@pytest.mark.parametrize(
    "row, p, weight",
    [
        ([1e-300, 2e-300], 1.5, 1e-300),
        ([1e-300, 2e-300], 3.0, 1e-270),
        ([1e-260, 1e-290], 3.0, 1e-30),
        ([1e-260, 1e-290], 7.0, 1.0),
        ([1e120, 2e120], 7.0, 1e210),
    ],
)
def test_a_loss_weight_that_meets_the_row_scale_first(name, row, p, weight):
    """m·‖d/m‖ sent g through g·m (and g·m times each entry's (d/m)^(p-1)) before dividing by m: 0 for 6.4e-301 at
    [1e-300, 2e-300], p = 1.5, g = 1e-300; 0 for 1e-90 at 1e-290 beside 1e-260, p = 3, g = 1e-30; inf for 1.55e208 at
    [1e120, 2e120], p = 7, g = 1e210. Such rows take g·(|d|^p/S)^((p-1)/p) straight, S = Σ |d|^p taken again from
    d: the rounding of S and of the terms (n + 2 ulps), which the power scales by |1 - 1/p|, and 4 more (as
    g·(|d|/N)^(p-1), from N as rounded, p - 1 times N's rounding: 6.6 ulp seen at p = 7)."""
    x = Tensor(np.array(row), requires_grad=True)
    out = FUNCTIONS[name](x, p)
    (grad,) = gradients(out, [x], np.full(out.shape, weight))
    _, exact = _exact(np.array(row), p, mpmath.mpf(weight))
    for got, want in zip(raw(grad).ravel(), exact):
        ulp = mpmath.mpf(2) ** (mpmath.floor(mpmath.log(abs(want), 2)) - 52)
        bound = (len(row) + 2) * abs(1 - 1 / p) + 4
        assert abs(mpmath.mpf(float(got)) - want) <= bound * ulp, (float(got), mpmath.nstr(want, 6))
