"""The p-norm distances for 0 < p < 1 (`nn.p_norm_below_one_op`) where the norm N itself is subnormal or past
float64's range (1.8e308: rows of ordinary sizes at small p, 1e16 at p = 0.01), first and second derivatives against
mpmath. Second derivatives divided by N as a float: [1e308] x 3 at p = 0.5 (N = 9e308) had the Hessian-vector
product [-3.75e-309, -7.5e-309, -1.125e-308] for [3.75e-309, 0, -3.75e-309]; float32 [9.3e13, -2.1e16] at p = 0.01
[-1.98e17, -1.49e12] for [-1.02e17, -4.6e14]; subnormal rows NaN where the exact is ±inf and 0. A row whose N is
past the range was taken on its sizes scaled down, which lost those below 2^-1074 once scaled: [1e300, 1e-300] at
p = 0.001 had the gradient [1, 0] for [1.68e97, inf]."""

import mpmath
import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import Tensor, gradients, raw

mpmath.mp.prec = 300


def _exact(row, p, weight, v):
    """N, the gradient of weight·N, its Hessian-vector product along v, and the sizes of each product entry's two
    terms, (p-1)·weight/N·(v_i·u_i^(p-2)·Σ_(j≠i) u_j^p - u_i^(p-1)·Σ_(j≠i) v_j·u_j^(p-1)) in signs s of the row,
    u = |d|/N (what rounding a computed cancellation between them may leave)."""
    d, p, w = [mpmath.mpf(float(x)) for x in row], mpmath.mpf(p), mpmath.mpf(float(weight))
    v, n = [mpmath.mpf(float(x)) for x in v], len(row)
    norm = mpmath.fsum(abs(x) ** p for x in d if x) ** (1 / p)
    u, s = [abs(x) / norm for x in d], [mpmath.sign(x) for x in d]
    a = [u[j] ** (p - 1) if d[j] else mpmath.mpf(0) for j in range(n)]
    factor = w * (p - 1) / norm
    hv, terms = [], []
    for i in range(n):
        own = v[i] * u[i] ** (p - 2) * mpmath.fsum(u[j] ** p for j in range(n) if j != i) if d[i] else 0
        along = a[i] * mpmath.fsum(s[i] * s[j] * a[j] * v[j] for j in range(n) if j != i)
        hv.append(factor * (own - along))
        terms.append(abs(factor) * (abs(own) + a[i] * mpmath.fsum(a[j] * abs(v[j]) for j in range(n) if j != i)))
    return norm, [w * s[i] * a[i] for i in range(n)], hv, terms


def _ours(row, p, weight, v, function, dtype):
    x = Tensor(np.array(row, dtype), requires_grad=True)
    with np.errstate(over="ignore", invalid="ignore"):  # the sum of a gradient of +inf and -inf below
        out = function(x[None], Tensor(np.zeros((1, len(row)), dtype)), p)
        (grad,) = gradients((out * weight).sum(), [x], create_graph=True)
        (hv,) = gradients((grad * Tensor(np.array(v, dtype))).sum(), [x])
    return raw(out).ravel()[0], raw(grad), raw(hv)


def _off(got, exact, dtype, terms=0, rtol=None):
    """How far got is from exact, relative to exact: 0 where it is the exact's overflow (±inf) or within the
    smallest subnormal, or within rtol of the terms' sizes (a cancellation's rounding); inf where got is not
    finite and the exact fits."""
    info = np.finfo(dtype)
    rtol = rtol or 64 * float(info.eps)
    if abs(exact) > mpmath.mpf(float(info.max)) * (1 + mpmath.mpf(float(info.epsneg)) / 2):
        return 0.0 if float(got) == float(mpmath.sign(exact)) * np.inf else np.inf
    if not np.isfinite(got):
        return np.inf
    error = abs(mpmath.mpf(float(got)) - exact)
    if error <= max(mpmath.mpf(float(info.smallest_subnormal)), rtol * terms):
        return 0.0
    return float(error / max(abs(exact), mpmath.mpf(float(info.tiny))))


def _within(row, p, weight, v, dtype=np.float64, function=F.cdist):
    row, weight, v = np.array(row, dtype), dtype(weight), np.array(v, dtype)
    norm, grad, hv, terms = _exact(row, p, weight, v)
    out, our_grad, our_hv = _ours(row, p, weight, v, function, dtype)
    rtol = 64 * float(np.finfo(dtype).eps)
    assert _off(out, norm, dtype) <= rtol, (row, p, out, float(norm))
    assert max(_off(g, e, dtype) for g, e in zip(our_grad, grad)) <= rtol, (row, p, weight, our_grad, grad)
    worst = max(_off(h, e, dtype, t) for h, e, t in zip(our_hv, hv, terms))
    assert worst <= rtol, (row, p, weight, our_hv, [float(h) for h in hv])


@pytest.mark.parametrize("function", [lambda a, b, p: F.pairwise_distance(a, b, p, eps=0.0), F.cdist])
@pytest.mark.parametrize(
    "row, p, weight, dtype",
    [
        ([1e308] * 3, 0.5, 0.5, np.float64),  # [-3.75e-309, -7.5e-309, -1.125e-308]: only the diagonal's share
        ([1e308, 1e300, 1.0], 0.1, 1.0, np.float64),  # [-8.5e-309, -2.7e-293, ...] for [3.5e-31, 5.5e-24, ...]
        ([-4.3e297, 3.69e305, -1.9e305, 9.4e289], 0.01, 1.0, np.float64),  # 1e-7 of the exact at the first entry
        ([1e-310] * 3, 0.5, 0.5, np.float64),  # [NaN] x 3 for [inf, 0, -inf]
        ([1e-308] * 3, 0.5, 0.5, np.float64),  # -inf for -3.75e307
        ([2.7e-266, 1.5e-266, 2.5e-266], 0.5, 1e300, np.float64),  # NaN for ±inf
        ([-1.5e-24], 0.01, 1e300, np.float64),  # NaN for 0 (one entry: N = |d|, no curvature)
        ([9.3e13, -2.06e16], 0.01, 1.0, np.float32),  # [-1.98e17, -1.49e12] for [-1.02e17, -4.6e14]
        ([-1.99e38, -1.89e22], 0.01, 1e-30, np.float32),
        ([-5.6e-45, -8.4e-45, -5.6e-45], 0.5, 1e-30, np.float32),
        ([1.0, 1.0], 0.0009, 1e-300, np.float64),  # N = 2^1111: [0, 0] for [1.5e34, 1.5e34] (`test_power_past_...`)
        ([3.0, 1e-5, 7.0], 0.0001, 1e-300, np.float64),  # N = 3e4343: [0, 0, 0] for [inf, inf, inf]
    ],
)
def test_second_derivatives_where_the_norm_leaves_the_range(function, row, p, weight, dtype):
    _within(row, p, weight, [0.5, 1.0, 1.5, 2.0][: len(row)], dtype, function)


@pytest.mark.parametrize(
    "row, p", [([1e300, 1e-300], 0.001), ([1e300, 1e-300, 1e-300], 0.001), ([1e308, 1e-320], 0.002)]
)
def test_a_norm_past_the_range_keeps_the_small_sizes(row, p):
    """[1e300, 1e-300] at p = 0.001: gradient [1, 0] before (the sizes scaled by 2^-302, 1e-300 to 0), exact
    [1.68e97, inf]."""
    _within(row, p, 1.0, [1.0] * len(row))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("p", [0.01, 0.1, 0.5, 0.9])
def test_second_derivatives_over_every_scale(dtype, p):
    """Rows of 1 to 4 entries from the smallest subnormal to the largest float, spread over up to 200 decades, under
    loss weights from 1e-300 to 1e300: N, the gradient and the Hessian-vector product mpmath's (±inf where it is past
    the range) to 64 ulps, the product to 64 ulps of its terms' sizes where it cancels."""
    rng = np.random.default_rng(47)
    low, high = (-323, 308) if dtype == np.float64 else (-45, 38)
    weights = [1.0, 1e-300, 1e300, 1e-100, 1e100] if dtype == np.float64 else [1.0, 1e-30, 1e30]
    for _ in range(30):
        n = int(rng.integers(1, 5))
        spread = float(rng.choice([0, 2, 20, 200]))
        decades = np.clip(rng.uniform(low, high) + rng.uniform(-spread, spread, n), low, high)
        with np.errstate(over="ignore"):
            row = (rng.choice([-1, 1], n) * 10.0**decades * rng.uniform(1, 9, n)).astype(dtype)
        if np.isfinite(row).all() and row.any():
            _within(list(row), p, float(rng.choice(weights)), list(rng.uniform(0.5, 2, n)), dtype)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_third_derivatives(p):
    """The curvature op's own rule, the norm's third derivatives (Tensor ops on |d|/N, where nothing leaves the
    range), under a weight that depends on x (the square: the slope op's weight one per entry on the way, which
    the curvature took as the row's at first): gradgradcheck of the gradient."""
    rng = np.random.default_rng(3)
    b = Tensor(rng.standard_normal((3, 4)))

    def gradient(x):
        (g,) = gradients((F.pairwise_distance(x, b, p, eps=0.0) ** 2).sum(), [x], create_graph=True)
        return g

    assert autograd.gradgradcheck(gradient, [rng.standard_normal((3, 4))])


@pytest.mark.parametrize("x", [1111.0, 10000.0, -3000.5, 1e6 + 0.25])
@pytest.mark.parametrize("a", [2.0, 3.0, 0.7, 1e-300])
def test_power_past_the_mantissas_range(a, x):
    """mantissa_exponent.power(a, x) where m^x leaves the floats for the mantissa m in [1/2, 1) (x past ~1074: the
    root 1/p of a norm at p below 0.00093): m^x was 0 (or inf), the norm's mantissa 0, and the gradient of
    pairwise_distance([1, 1], 0, p = 0.0009) under a loss weight of 1e-300 [0, 0] for [1.5e34, 1.5e34]."""
    m, e = autograd.mantissa_exponent.power(autograd.mantissa_exponent.apart(np.array(a)), x)
    exact = mpmath.mpf(a) ** mpmath.mpf(x)
    assert 0.5 <= m < 1, (m, e)
    got = mpmath.mpf(float(m)) * mpmath.mpf(2) ** int(e)
    assert abs(got / exact - 1) <= (abs(x) / 64 + 8) * np.finfo(np.float64).eps, (got, exact)  # x/2^k squared k times
