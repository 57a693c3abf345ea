"""The p-norm distances for 0 < p < 1 (`nn.p_norm_below_one`) against mpmath, in ulps of the exact numbers.
Unscaled, the root S ** (1/p) of the sum S of |d|^p multiplied the rounding of 1/p by ln S: float64 rows of 3e300
at p = 0.9 were 4.8e-14 off (216 ulp, PyTorch 2.13's too), and the slope's exponent p - 1, rounded for p < 1/2,
added its rounding times ln |d| (389 ulp at p = 0.3, rows of 1e-300). What is left in float64 is the rounding of
the sum itself (each term to half an ulp, three additions), which the root multiplies by 1/p: the bound here is
2/p + 3 ulps for rows of 4 (5 ulps at p = 0.9, 43 at p = 0.05; PyTorch's is the same or worse). float32 data at
p < 1/2 is taken in float64 from d on and rounded once: within half an ulp. Guards: rows near the largest float
(a scale m = inf once gave NaN), loss weights from 1e-300 to 1e10 (a slope past the range before the weight scaled
it gave inf), gradcheck."""

import mpmath
import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import Tensor, gradients, raw

mpmath.mp.prec = 300
PS = [0.05, 0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.99]
ROUNDED_ONCE = 0.5 + 1e-6  # half an ulp, and the float64 rounding: ~(2/p + 3)·2^-29 of a float32 ulp
SIZES = {np.float64: [1.0, 1e-300, 1e100, 3e300, 1e-310], np.float32: [1.0, 1e-30, 1e30, 1e-40]}


def _exact(row, p):
    d, q = [mpmath.mpf(float(x)) for x in row], mpmath.mpf(p)
    norm = mpmath.fsum(abs(x) ** q for x in d if x) ** (1 / q)
    return norm, [mpmath.sign(x) * (abs(x) / norm) ** (q - 1) if x else mpmath.mpf(0) for x in d]


def _ulps(got, exact, dtype):
    """|got - exact| in ulps of exact (the least subnormal's at least)."""
    info = np.finfo(dtype)
    ulp = max(mpmath.mpf(2) ** (mpmath.floor(mpmath.log(abs(exact), 2)) - info.nmant), info.smallest_subnormal)
    return float(abs(mpmath.mpf(float(got)) - exact) / ulp) if exact else abs(float(got))


def _pairwise(a, b, p):
    return F.pairwise_distance(a, b, p, eps=0.0)


def _distance(row, p, weight=1.0, function=_pairwise):
    a = np.array([row])
    x = Tensor(a, requires_grad=True)
    with np.errstate(over="ignore"):
        out = function(x, Tensor(np.zeros_like(a)), p)
        (out.sum() * weight).backward()
    return float(out.data.ravel()[0]), x.grad[0]


def _bound(dtype, p):
    return ROUNDED_ONCE if dtype == np.float32 and p < 0.5 else 2 / p + 3  # float32 at p < 1/2: taken in float64


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("p", PS)
def test_distance_and_gradient_within_ulps_of_mpmath(dtype, p):
    """Rows of 4 normal numbers times each size (subnormal ones too): the distance and every gradient entry."""
    rng = np.random.default_rng(45)
    for size in SIZES[dtype]:
        for _ in range(6):
            row = (rng.standard_normal(4) * size).astype(dtype)
            out, grad = _distance(row, p)
            norm, slope = _exact(row, p)
            if norm > np.finfo(dtype).max:
                continue
            assert _ulps(out, norm, dtype) <= _bound(dtype, p), (row, p, out, norm)
            for g, e in zip(grad, slope):
                if abs(e) <= np.finfo(dtype).max:
                    assert _ulps(g, e, dtype) <= _bound(dtype, p), (row, p, grad, slope)


@pytest.mark.parametrize("p", [0.3, 0.5, 0.7, 0.9])
def test_float16_within_one_ulp(p):
    """float16 rows taken in float64 and rounded once: its powers rounded the exponent 1/p to float16 (6 ulp off at
    p = 0.7, 5 at p = 0.3)."""
    rng = np.random.default_rng(16)
    for size in (1.0, 100.0, 1e-3):
        for _ in range(8):
            row = (rng.standard_normal(4) * size).astype(np.float16)
            x = Tensor(row[None], dtype=np.float16, requires_grad=True)
            out = F.pairwise_distance(x, Tensor(np.zeros((1, 4)), dtype=np.float16), p, eps=0.0)
            out.sum().backward()
            norm, slope = _exact(row, p)
            assert out.dtype == np.float16, out.dtype
            assert _ulps(out.item(), norm, np.float16) <= ROUNDED_ONCE, (row, out.item(), norm)
            for g, e in zip(x.grad[0], slope):
                if e and abs(e) <= np.finfo(np.float16).max:
                    assert _ulps(g, e, np.float16) <= ROUNDED_ONCE, (row, x.grad, slope)


@pytest.mark.parametrize("function", [_pairwise, F.cdist])
@pytest.mark.parametrize(
    "row, p",
    [
        ([3.1e300, -1.7e300, 2.2e299], 0.9),  # 216 ulp before
        ([3.1e300, -1.7e300, 2.2e299], 0.8),
        ([3.1e100, -1.7e100, 2.2e99], 0.9),
        ([3.1e-300, -1.7e-300, 2.2e-299], 0.7),
        ([1e300, 0.03, 1.0], 0.3),
        ([1e300, 0.03, 1.0], 0.7),
        ([5e-324, 1e-310, 0.0], 0.3),
        ([1e-310, -1e-310], 0.001),  # |d|^(p-1) past the range, the slope 5.4e300 not
    ],
)
def test_the_rows_reported_off(function, row, p):
    """R2's rows (mpmath: 4.8e-14, 3.8e-14, 1.6e-14, 2.9e-14 off), mixed and subnormal ones, two entry points."""
    out, grad = _distance(row, p, function=function)
    norm, slope = _exact(row, p)
    assert _ulps(out, norm, np.float64) <= _bound(np.float64, p)
    assert all(_ulps(g, e, np.float64) <= _bound(np.float64, p) for g, e in zip(grad, slope))


TOP = float(np.nextafter(np.finfo(np.float64).max, 0) * (1 - 2.0**-46))  # about 100 floats below the largest


@pytest.mark.parametrize(
    "row, p",
    [([TOP, 0.03, 1.0], 0.5), ([TOP, 0.03, 1.0], 0.9), ([TOP, -1e300, 1.0], 0.1), ([TOP], 0.3), ([-TOP, 2.0], 0.7)],
)
def test_rows_near_the_largest_float(row, p):
    """The distance (inf only where the exact one is past the range) and a finite, right gradient."""
    out, grad = _distance(row, p)
    norm, slope = _exact(row, p)
    if norm > np.finfo(np.float64).max:
        assert out == np.inf
    else:
        assert _ulps(out, norm, np.float64) <= _bound(np.float64, p)
    assert all(_ulps(g, e, np.float64) <= _bound(np.float64, p) for g, e in zip(grad, slope))


@pytest.mark.parametrize("weight", [1e-300, 1e-10, 1.0, 1e10])
@pytest.mark.parametrize("row, p", [([1e300, 1e-300], 0.1), ([1e300, 3.0, -2.0], 0.9), ([-1e-300, 1e300, 0.0], 0.3)])
def test_loss_weights_from_tiny_to_large(weight, row, p):
    """g times the slope, finite and right wherever the exact product fits: [1e300, 1e-300] at p = 0.1 under a
    weight of 1e-300 has 1e240 at the small entry (a slope rounded to inf before the weight gave inf), under 1e10
    the large entry's 1e10 beside the small one's inf (1e550)."""
    _, grad = _distance(row, p, weight)
    _, slope = _exact(row, p)
    for g, e in zip(grad, slope):
        if abs(e * weight) <= np.finfo(np.float64).max:
            assert _ulps(g, e * weight, np.float64) <= _bound(np.float64, p), (grad, slope)
        else:
            assert g == np.sign(e) * np.inf


@pytest.mark.parametrize("p", [0.1, 0.3, 0.7])
def test_gradcheck_and_gradgradcheck(p):
    """Every op's rule is its derivative (a correction that sent the slope's gradient elsewhere than its numbers,
    with_gradient_of, failed gradcheck's look at each op alone)."""
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((3, 4)), Tensor(rng.standard_normal((3, 4)))
    assert autograd.gradcheck(lambda x: F.pairwise_distance(x, b, p, eps=0.0), [a])
    assert autograd.gradgradcheck(lambda x: F.cdist(x, b, p), [a])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("p", [0.1, 0.9])
def test_a_row_holding_inf_keeps_torchs_slopes(dtype, p):
    """[inf, 1, 2]: distance inf, gradient [NaN, inf, inf], as torch 2.13's (the root's correction at an infinite
    sum made the finite entries' slopes NaN: inf · 0)."""
    x = Tensor(np.array([[np.inf, 1.0, 2.0]], dtype), requires_grad=True)
    with np.errstate(invalid="ignore"):
        out = F.pairwise_distance(x, Tensor(np.zeros((1, 3), dtype)), p, eps=0.0)
        out.sum().backward()
    assert out.item() == np.inf
    assert np.isnan(x.grad[0, 0]) and x.grad[0, 1:].tolist() == [np.inf, np.inf]


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9, 2, 3])
def test_normalize_second_derivative_at_a_subnormal_row(p):
    """normalize([5e-324, 0, 0]) is x / eps there (the norm held at eps), linear: its Hessian-vector product is 0.
    Its zero entries were NaN (a log's rule in the root's correction, g / x at a tiny x under g = 0), and for p < 1
    the first was NaN until the norm was one op (p_norm_below_one_op)."""
    x = Tensor(np.array([[5e-324, 0.0, 0.0]]), requires_grad=True)
    with np.errstate(all="ignore"):
        (g,) = gradients(F.normalize(x, p=p, dim=1).sum(), [x], create_graph=True)
        (h,) = gradients((g * Tensor(np.array([[0.5, 1.0, 1.5]]))).sum(), [x])
    assert raw(g).tolist() == [[1e12] * 3]
    assert raw(h).tolist() == [[0.0, 0.0, 0.0]]
