"""The p-norm distances for 0 < p < 1 as one op from the sizes to the norm (`nn.p_norm_below_one_op`), its rule
g·(|d|/N)^(p-1). As two ops (the sum of |d|^p, then the root) the loss weight g met the root's slope S^(1/p-1)
first: [1e-100] at p = 0.5 under a weight of 1e-300 had gradient 0 (exact 1e-300), [1e300, 1e200] at p = 0.1
under 1e100 had [inf, inf] (exact [1e100, 1e190]); PyTorch 2.13's are right. Against mpmath, in ulps of the exact
numbers (`test_p_norm_below_one_accuracy`'s)."""

import numpy as np
import pytest
from test_p_norm_below_one_accuracy import _bound, _distance, _exact, _ulps

import autograd
import nn.functional as F
from autograd import Tensor


def _weighed_within_bound(row, p, weight, function, dtype=np.float64):
    _, grad = _distance(np.array(row, dtype), p, weight, function)
    _, slope = _exact(np.array(row, dtype), p)
    for g, e in zip(grad, slope):
        exact = e * weight
        if abs(exact) <= np.finfo(dtype).max:
            assert _ulps(g, exact, dtype) <= _bound(dtype, p), (row, p, weight, grad, slope)
        else:
            assert g == np.sign(exact) * np.inf, (row, p, weight, grad, slope)


@pytest.mark.parametrize("function", [lambda a, b, p: F.pairwise_distance(a, b, p, eps=0.0), F.cdist])
@pytest.mark.parametrize(
    "row, p, weight",
    [
        ([1e-100], 0.5, 1e-300),  # 0 before
        ([1e300, 1e200], 0.1, 1e100),  # [inf, inf] before
        ([3e-200, -1e-250, 2e-210], 0.3, 1e-200),
        ([1e250, -1e200, 1.0], 0.2, 1e60),
        ([1e-158, 1e-283], 0.3, 1e-250),  # [0, 0] before
        ([1.7e308, -1e300, 1.0], 0.1, 1e-300),  # a norm past the range, the gradient not
    ],
)
def test_a_loss_weight_meets_the_ratio_not_the_roots_slope(function, row, p, weight):
    _weighed_within_bound(row, p, weight, function)


def test_float32_weight_meets_no_subnormal():
    """float32 [1e-30] at p = 0.5 weighed by 1e-30: 7.0e-31 before (g times the root's slope, 2e-45, rounded to
    the subnormal 1.4e-45), 1e-30 now."""
    _weighed_within_bound([1e-30], 0.5, 1e-30, F.cdist, np.float32)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_a_subnormal_norms_rows_keep_their_digits(p):
    """A row of subnormal differences has a subnormal norm, short of digits; the ratio |d|/N is taken on the row
    times 2^54 (18 ulp off at p = 0.9 when taken on the rounded norm)."""
    rng = np.random.default_rng(46)
    for _ in range(10):
        _weighed_within_bound(list(rng.standard_normal(4) * 1e-311), p, 1.0, F.cdist)


@pytest.mark.parametrize("p", [0.5, 0.7, 0.9, 0.99])
def test_float32_rounded_once_at_every_p(p):
    """float32 rows are summed and rooted in float64 inside the op, and the slope taken in float64: distance and
    gradient correctly rounded at p >= 1/2 too (2.75 and 2.6 ulp off before, in float32's own arithmetic)."""
    rng = np.random.default_rng(32)
    for size in (1.0, 1e-30, 1e30, 1e-40):
        for _ in range(6):
            row = (rng.standard_normal(4) * size).astype(np.float32)
            out, grad = _distance(row, p)
            norm, slope = _exact(row, p)
            assert _ulps(out, norm, np.float32) <= 0.5 + 1e-6, (row, out, norm)
            assert max(_ulps(g, e, np.float32) for g, e in zip(grad, slope)) <= 0.5 + 1e-6, (row, grad, slope)


@pytest.mark.parametrize("p", [0.05, 0.5])
def test_second_derivatives_through_the_op(p):
    """The slope is an op of its own whose rule gives the norm's second derivatives (its g, its sizes and the
    norm they give, taken again inside it: given the norm as an argument, gradcheck's look at the op alone could
    not judge it at p = 0.1, where the norm is 1e6 times the sizes)."""
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((3, 4)), Tensor(rng.standard_normal((3, 4)))
    assert autograd.gradgradcheck(lambda x: F.cdist(x, b, p), [a])
    assert autograd.gradgradcheck(lambda x: F.pairwise_distance(x, b, p, eps=0.0), [a])


@pytest.mark.parametrize("p", [0.001, 0.01, 0.05, 0.1, 0.3, 0.5, 0.9])
def test_float64_within_two_ulps_at_every_p(p):
    """float64 rows of 1 to 11 entries spread over many decades (subnormal ones too): the distance within 2 ulps and
    each gradient entry within 4 of mpmath's at every p. The sum of |d|^p is taken as hi + lo (its additions exact),
    each term's own rounding taken out for p < 1/2, the root of hi + lo: the sum's roundings, multiplied by 1/p, were
    the error (2/p + 3 ulps allowed: 12 at p = 0.1 seen, 146 at p = 0.01, 28 at p = 0.003 beside a subnormal)."""
    rng = np.random.default_rng(461)
    for size in (1.0, 1e-300, 1e100, 3e300, 1e-310, 1e-320):
        for _ in range(8):
            n = int(rng.integers(1, 12))
            with np.errstate(over="ignore"):
                row = rng.standard_normal(n) * size * np.exp(rng.standard_normal(n) * float(rng.integers(0, 30)))
            if not np.isfinite(row).all() or not row.any():
                continue
            norm, slope = _exact(row, p)
            if norm > np.finfo(np.float64).max:
                continue
            out, grad = _distance(row, p)
            assert _ulps(out, norm, np.float64) <= 2, (list(row), p, out, norm)
            for g, e in zip(grad, slope):
                if np.finfo(np.float64).tiny <= abs(e) <= np.finfo(np.float64).max:
                    assert _ulps(g, e, np.float64) <= 4, (list(row), p, grad, slope)
