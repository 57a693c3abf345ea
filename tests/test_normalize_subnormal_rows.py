"""normalize with eps = 0 at rows whose p-norm is subnormal, against mpmath. For p other than 1, 2 and inf the
quotient x/N and its gradient were taken on the row as it is: N² (the divisor's slope) underflows, so the gradient
was inf - inf, NaN where the exact is ±inf, 0 or finite ([5e-324, 5e-324] at p = 3: [NaN, NaN] for [-inf, inf];
[1e-310, -3e-320] at p = 0.5: [NaN, inf] for [1.7e305, inf]); torch 2.13's are NaN or inf there, its value inf at
p = 3. Rows of zeros (0/0): NaN, and a NaN gradient (it was inf for p other than 1, 2 and inf)."""

import mpmath
import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor, gradients, raw

mpmath.mp.prec = 200


def _exact(row, p, w):
    """x/N and the gradient of Σ w·x/N, with the sizes of its two terms (the rounding a cancellation leaves)."""
    x, w, p = [mpmath.mpf(float(v)) for v in row], [mpmath.mpf(float(v)) for v in w], mpmath.mpf(p)
    norm = mpmath.fsum(abs(v) ** p for v in x if v) ** (1 / p)
    y = [v / norm for v in x]
    slope = [mpmath.sign(v) * (abs(v) / norm) ** (p - 1) if v else 0 for v in x]
    along = mpmath.fsum(a * b for a, b in zip(w, y))
    grad = [(w[i] - along * slope[i]) / norm for i in range(len(x))]
    terms = [(abs(w[i]) + abs(along * slope[i])) / norm for i in range(len(x))]
    return y, grad, terms


def _ours(row, p, w, dtype):
    x = Tensor(np.array([row], dtype), requires_grad=True)
    with np.errstate(all="ignore"):
        out = F.normalize(x, p=p, dim=1, eps=0.0)
        (grad,) = gradients((out * Tensor(np.array([w], dtype))).sum(), [x])
    return raw(out)[0], raw(grad)[0]


def _off(got, exact, dtype, terms=0):
    info = np.finfo(dtype)
    if abs(exact) > mpmath.mpf(float(info.max)) * (1 + mpmath.mpf(float(info.epsneg)) / 2):
        return 0.0 if float(got) == float(mpmath.sign(exact)) * np.inf else np.inf
    if not np.isfinite(got):
        return np.inf
    error = abs(mpmath.mpf(float(got)) - exact)
    if error <= max(mpmath.mpf(float(info.smallest_subnormal)), 64 * float(info.eps) * terms):
        return 0.0
    return float(error / max(abs(exact), mpmath.mpf(float(info.tiny))))


ROWS = {
    np.float64: [[5e-324, 0.0], [5e-324, 5e-324], [1e-310, -3e-320], [2.5e-323, 1e-323, 5e-324], [-4e-322, 7e-315]],
    np.float32: [[1e-45, 0.0], [1e-45, 1e-45], [1e-40, -3e-44], [7e-45, -3e-45, 1e-45]],
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("p", [0.1, 0.5, 1, 1.5, 2, 3])
def test_subnormal_rows_with_eps_zero(dtype, p):
    for row in ROWS[dtype]:
        w = [1.0, 2.0, -0.5][: len(row)]
        row = list(np.array(row, dtype))
        y, grad, terms = _exact(row, p, w)
        ours_y, ours_grad = _ours(row, p, w, dtype)
        rtol = 64 * float(np.finfo(dtype).eps)
        assert max(_off(a, b, dtype) for a, b in zip(ours_y, y)) <= rtol, (row, p, ours_y, y)
        worst = max(_off(a, b, dtype, t) for a, b, t in zip(ours_grad, grad, terms))
        assert worst <= rtol, (row, p, ours_grad, [float(g) for g in grad])


@pytest.mark.parametrize("p", [0.5, 1, 2, 3])
def test_a_row_of_zeros_with_eps_zero_is_nan_and_so_its_gradient(p):
    ours_y, ours_grad = _ours([0.0, 0.0], p, [1.0, 2.0], np.float64)
    assert np.isnan(ours_y).all() and np.isnan(ours_grad).all(), (ours_y, ours_grad)


@pytest.mark.parametrize(
    "row, p, way_out",
    [
        ([1e300, 1e300, 1e-300], 0.01, r"would be lost.*float64 holds at this p\): take a larger p$"),
        ([1.7e308] * 3 + [1e-320], 0.02, r"would be lost.*float64 holds at this p\): take a larger p$"),
        ([0.5] * 1000, 0.004, r"below the floats: at p = 0.004 the norm of 1000 entries passes the floats whatever"),
    ],
)
def test_a_row_past_the_range_that_scaling_loses_is_refused(row, p, way_out):
    """Below p = 1 the entries a scaling by 2^-k loses count in the norm: [1e300, 1e300, 1e-300] at p = 0.01 gave
    [7.8886e-31, 7.8886e-31, 0] for [7.8882e-31, 7.8882e-31, 0]; at p = 0.001 2^-2001 is no float ([0, 0] for
    [9.3e-302, 9.3e-302] before). Refused, naming a way out that works: dividing by a constant, named for both,
    lost the same entries in the first (1e-300 / 1e300 is 0: the wrong [7.8886e-31, 7.8886e-31, 0] again) and could
    not help ones(3) at p = 0.001 (N = 3^1000 whatever the scale). Where 2^k is past the floats too (k = 2224 for
    ones(2) at p = 0.0009, 2501 for 1000 entries at p = 0.004), the bound of the entries lost, 2^(k - 1022), was an
    OverflowError ("math range error") before the refusal."""
    with pytest.raises(ValueError, match=way_out):
        F.normalize(Tensor(np.array([row])), p=p, dim=1, eps=0.0)


@pytest.mark.parametrize(
    "row, p",
    [
        ([1e300, 1e300], 0.001),
        ([1.7e308, 1.7e308], 0.001),
        ([1e300, 3e299], 0.0015),
        ([1e300, 1e300], 0.002),
        ([1.0, 1.0, 1.0], 0.001),
        ([1.0, 1.0], 0.0009),
        ([1e300, 3e299, 0.0], 0.001),  # its 0 counted in its size: 2^-1560, refused
    ],
)
def test_a_row_past_the_floats_at_a_tiny_p_is_scaled_to_its_size(row, p):
    """[1e300, 1e300] at p = 0.001 was refused (2^-2001, the scaling fitted to any row of 2 entries, is no float)
    where x/N = 9.33e-302 is: the scaling is now fitted to the rows past the range (2^-976 there); ones(3) at
    p = 0.001 and ones(2) at p = 0.0009 were refused too (2^-2001, 2^-2224), where x/N is 0 (3^-1000: 1e-477).
    mpmath's quotient, within the 64 eps of the way out below."""
    y, _, _ = _exact(row, p, [1.0] * len(row))
    ours_y, _ = _ours(row, p, [1.0] * len(row), np.float64)
    assert max(_off(a, b, np.float64) for a, b in zip(ours_y, y)) <= 64 * float(np.finfo(np.float64).eps)


def test_the_way_out_named_for_a_row_past_the_floats_works():
    """Divided by its largest |x|, [1e300, 1e300] at p = 0.001 has a norm in range: mpmath's quotient."""
    x = np.array([1e300, 1e300])
    y, _, _ = _exact(list(x / np.abs(x).max()), 0.001, [1.0, 1.0])
    ours_y, _ = _ours(list(x / np.abs(x).max()), 0.001, [1.0, 1.0], np.float64)
    assert max(_off(a, b, np.float64) for a, b in zip(ours_y, y)) <= 64 * float(np.finfo(np.float64).eps)


@pytest.mark.parametrize(
    "row, p", [([1e300, 1e300], 0.01), ([1.7e308] * 3 + [1e-320], 0.5), ([1.7e308] * 3 + [1e-320], 0.05)]
)
def test_a_row_past_the_range_whose_lost_entries_do_not_count(row, p):
    """Entries lost to the scaling whose share of the norm is below its rounding: mpmath's quotient."""
    w = [1.0, 2.0, -0.5, 1.5][: len(row)]
    y, _, _ = _exact(row, p, w)
    ours_y, _ = _ours(row, p, w, np.float64)
    assert max(_off(a, b, np.float64) for a, b in zip(ours_y, y)) <= 64 * float(np.finfo(np.float64).eps)


@pytest.mark.parametrize("p", [0.5, 1, 2, 3, np.inf])
def test_eps_zero_keeps_the_dtype(p):
    """With eps = 0 the NaN put at rows of zeros was a float64 array: a float32 [1, 2] at p = 0.5 came out float64
    ([0.17157286, 0.34314573]), at every p, with or without a row of zeros."""
    dtype = np.float32
    x = Tensor(np.array([[1.0, 2.0], [0.0, 0.0]], dtype), requires_grad=True)
    with np.errstate(invalid="ignore", divide="ignore"):  # the row of zeros: 0/0
        out = F.normalize(x, p=p, dim=1, eps=0.0)
        (grad,) = gradients(out.sum(), [x])
    assert raw(out).dtype == raw(grad).dtype == dtype
    expected = np.array([1.0, 2.0]) / (np.sum(np.array([1.0, 2.0]) ** p) ** (1 / p) if p != np.inf else 2.0)
    np.testing.assert_allclose(raw(out)[0], expected, rtol=4 * float(np.finfo(dtype).eps))
    assert np.isnan(raw(out)[1]).all()


@pytest.mark.parametrize(
    "row, p",
    [([1.0] * 3, 0.01), ([1.0] * 100, 0.05), ([3e38, 1e-30, -2e37], 0.1), ([1e30, -2e30, 5.0], 0.02)],
)
def test_a_float32_row_past_its_range_but_not_float64s(row, p):
    """float32 rows whose p-norm (p < 1) passes float32's range, not float64's: the quotient taken in float64 and
    rounded once. They were refused (scaling by 2^-201 at p = 0.01 is no float32), naming a way out that cannot
    help (ones(3) are their own largest: N = 3^100 whatever the scale), where mpmath's quotient is 1.9e-48 (0 in
    float32), and ones(100) at p = 0.05 1e-40 (a float32 subnormal; 0 before the refusal)."""
    w = ([1.0, 2.0, -0.5] * 34)[: len(row)]
    y, grad, terms = _exact(list(np.array(row, np.float32)), p, w)
    ours_y, ours_grad = _ours(row, p, w, np.float32)
    assert ours_y.dtype == ours_grad.dtype == np.float32
    rtol = 64 * float(np.finfo(np.float32).eps)
    assert max(_off(a, b, np.float32) for a, b in zip(ours_y, y)) <= rtol, (row, p, ours_y[:3], y[:3])
    worst = max(_off(a, b, np.float32, t) for a, b, t in zip(ours_grad, grad, terms))
    assert worst <= rtol, (row, p, ours_grad[:3], [float(g) for g in grad[:3]])


@pytest.mark.parametrize(
    "row, p", [([1.7e308] * 3 + [1e-320], 0.05), ([1.7e308] * 3 + [1e-320], 0.5), ([1e308] * 3 + [1e-310], 0.5)]
)
def test_an_entry_lost_to_the_scaling_has_a_nan_gradient(row, p):
    """Below p = 1 an entry that x·2^-k loses (0 or subnormal once scaled) has the slope (|x|/N)^(p-1), far past
    what its scaled self gives: [1.7e308] x 3 + [1e-320] at p = 0.05 had the gradient 2.5e-318 there for -9.3e278
    (w/N alone), at p = 0.5 -70598 for -71016. Its value stands (its share of N is below N's rounding), its
    gradient is NaN; the other entries' gradients are mpmath's."""
    w = [1.0, 2.0, -0.5, 1.5]
    y, grad, terms = _exact(row, p, w)
    ours_y, ours_grad = _ours(row, p, w, np.float64)
    rtol = 64 * float(np.finfo(np.float64).eps)
    assert max(_off(a, b, np.float64) for a, b in zip(ours_y, y)) <= rtol, (row, p, ours_y, y)
    assert np.isnan(ours_grad[-1]), (row, p, ours_grad[-1], float(grad[-1]))
    worst = max(_off(a, b, np.float64, t) for a, b, t in zip(ours_grad[:-1], grad, terms))
    assert worst <= rtol, (row, p, ours_grad, [float(g) for g in grad])
