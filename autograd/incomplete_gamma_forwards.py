"""The regularized incomplete gamma functions on arrays, in numpy alone: P(a, x) = γ(a, x)/Γ(a) and
Q(a, x) = Γ(a, x)/Γ(a) = 1 − P (PyTorch's gammainc and gammaincc). P by its power series where x < a + 1,
Q by its continued fraction (modified Lentz) elsewhere, the other one as 1 minus it there (0.08 or
more, Q(½, 1.5), so little cancels: 44 ulp at most, but for Q at a <= 1/2: `_upper_for_small_a`); both
scaled by xᵃe⁻ˣ/Γ(a), formed in log space (`log_scale`).
Edge values are PyTorch's: a = 0 gives P = 1, x = 0 gives P = 0, both 0, a negative a or x, or a NaN
give NaN; a = inf gives P = 0 and x = inf P = 1 (both inf: NaN)."""

from __future__ import annotations

import numpy as np

from .gamma_forwards import _lgamma_two_plus, lgamma
from .incomplete_gamma_temme import tails

_EPSILON = float(np.finfo(np.float64).eps)
_TINY = 1e-300  # Lentz's stand-in for a zero denominator
# from a = 100, x within 30% of a by Temme's expansion (incomplete_gamma_temme), in a fixed time: the series and
# the fraction took about 9·√a steps there (1.1 s for one element at a = 1e7, NaN from 30,000 steps on), and are
# no less exact (131 ulp at most against mpmath where P and Q are above 1e-20 from a = 100 to 3000, theirs 147)
TEMME_FROM = 100.0
# what is left takes at most about 90 steps (a below 100 near x; x/(a + n) below 1/1.3 elsewhere): 200 sufficed
# on 800,000 random points over a from 1e-5 to 1e300; an element not converged by 1,000 is NaN, never a guess
_MOST_STEPS = 1_000
# Stirling's series of lgamma(a) − ((a − ½)·log a − a + ½·log 2π): B₂ₖ / (2k(2k − 1)) for k = 1..7
_STIRLING = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156)
_HALF_LOG_2PI = 0.91893853320467274178


def log_scale(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """log(xᵃ·e⁻ˣ/Γ(a)) for a, x > 0 finite. From a = 10 on as −a·(u − log1p(u)) + `stirling_part(a)`,
    u = (x − a)/a: a·log x and lgamma(a), each near a·log a, would cancel to an error of ε·a·log a (1e-9
    at a = 1e6); this one errs by about ε·|x − a|."""
    direct = a * np.log(x) - x - lgamma(a)
    large = np.maximum(a, 10.0)
    u = (x - large) / large
    # log(1 + u) as log(x/a) where x < a/2: u rounds near −1 (x tiny), which log1p magnified (P(10, 1e-10) was
    # 8e-7 off); log(x/a) errs by ε·a in all, within ε·|the result| there; x/a underflowing is a P of 0 anyway
    ratio = x / large
    with np.errstate(divide="ignore"):
        log_ratio = np.where(ratio < 0.5, np.log(np.where(ratio < 0.5, ratio, 1.0)), np.log1p(u))
    return np.where(a >= 10, -large * (u - log_ratio) + stirling_part(large), direct)


def stirling_part(a: np.ndarray) -> np.ndarray:
    """½·log(a/2π) − Stirling's series of lgamma at a (a >= 10): what is left of log(aᵃ·e⁻ᵃ/Γ(a))."""
    a = np.asarray(a, dtype=np.result_type(a, np.float64))
    inverse_square = 1 / (a * a)
    series = np.zeros_like(a)
    for c in reversed(_STIRLING):
        series = series * inverse_square + c
    return 0.5 * np.log(a) - _HALF_LOG_2PI - series / a


def _series(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Σₙ xⁿ/((a + 1)···(a + n)), to full precision (its terms fall once a + n > x)."""
    total, term = np.ones_like(a), np.ones_like(a)
    active = np.arange(a.size)
    for n in range(1, _MOST_STEPS):
        term[active] *= x[active] / (a[active] + n)
        total[active] += term[active]
        active = active[np.abs(term[active]) > _EPSILON * np.abs(total[active])]
        if not active.size:
            return total
    total[active] = np.nan
    return total


def _fraction(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """1/(x + 1 − a − 1·(1 − a)/(x + 3 − a − 2·(2 − a)/(x + 5 − a − ...))) by the modified Lentz method."""
    b = x + 1 - a
    c = np.full_like(a, 1 / _TINY)
    d = 1 / np.where(b == 0, _TINY, b)
    h = d.copy()
    active = np.arange(a.size)
    for i in range(1, _MOST_STEPS):
        an = -i * (i - a[active])
        b[active] += 2
        da = an * d[active] + b[active]
        da = 1 / np.where(np.abs(da) < _TINY, _TINY, da)
        ca = b[active] + an / c[active]
        ca = np.where(np.abs(ca) < _TINY, _TINY, ca)
        step = da * ca
        d[active], c[active] = da, ca
        h[active] *= step
        active = active[np.abs(step - 1) > _EPSILON]
        if not active.size:
            return h
    h[active] = np.nan
    return h


def _upper_for_small_a(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Q(a, x) for a <= 1/2 (lgamma(1 + a)'s series' range) and x < 1.5, where P is near 1: from
    γ(a, x) = Σₙ (−1)ⁿ·x^(a+n)/(n!·(a + n)), Q = −expm1(a·log x − lgamma(1 + a)) − xᵃ/Γ(a)·Σₙ₌₁ (−x)ⁿ/(n!·(a + n)),
    whose terms fall from the first."""
    total, term = np.zeros_like(a), np.ones_like(a)
    for n in range(1, 40):  # x < 1.5: 1.5⁴⁰/40! is far below ε
        term = term * -x / n
        total += term / (a + n)
    log_x = np.log(x)
    log_gamma_1p = _lgamma_two_plus(a) - np.log1p(a)  # lgamma(1 + a), a kept whole: 1 + a would round it away
    return -np.expm1(a * log_x - log_gamma_1p) - np.exp(a * log_x - log_gamma_1p + np.log(a)) * total


def _lower_upper(a: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """P(a, x) and Q(a, x) in float64 for arrays of one shape, edges as PyTorch's (module docstring)."""
    lower = np.full(a.shape, np.nan)
    inside = (a > 0) & (x > 0) & np.isfinite(a) & np.isfinite(x)
    lower[(a == 0) & (x > 0)] = 1.0  # x = inf too
    lower[(x == 0) & (a > 0)] = 0.0  # a = inf too
    lower[(a == np.inf) & (x > 0) & np.isfinite(x)] = 0.0
    lower[(x == np.inf) & (a > 0) & np.isfinite(a)] = 1.0
    upper = 1 - lower
    ai, xi = a[inside], x[inside]
    temme = (ai >= TEMME_FROM) & (np.abs(xi - ai) <= 0.3 * ai)
    by_series = (xi < ai + 1) & ~temme
    by_fraction = ~(by_series | temme)
    with np.errstate(under="ignore", over="ignore"):
        scale = np.exp(log_scale(ai, xi))
        p = scale[by_series] / ai[by_series] * _series(ai[by_series], xi[by_series])
        q = scale[by_fraction] * _fraction(ai[by_fraction], xi[by_fraction])
    lower_in, upper_in = np.empty_like(ai), np.empty_like(ai)
    lower_in[by_series], upper_in[by_series] = p, 1 - p
    small = by_series & (ai <= 0.5) & (xi < 1.5)  # P near 1 there: 1 − P would keep few of Q's digits
    upper_in[small] = _upper_for_small_a(ai[small], xi[small])
    lower_in[by_fraction], upper_in[by_fraction] = 1 - q, q
    if temme.any():
        lower_in[temme], upper_in[temme] = tails(ai[temme], xi[temme])
    lower[inside], upper[inside] = lower_in, upper_in
    return lower, upper


def _both(a: np.ndarray, x: np.ndarray, which: int) -> np.ndarray:
    dtype = np.result_type(a, x, np.float16)
    a64, x64 = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    out = _lower_upper(a64.ravel(), x64.ravel())[which].reshape(a64.shape)
    return out.astype(dtype, copy=False)


def gammainc(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """P(a, x), the regularized lower incomplete gamma function, elementwise (broadcasting)."""
    return _both(a, x, 0)


def gammaincc(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Q(a, x) = 1 − P(a, x), the regularized upper incomplete gamma function, elementwise (broadcasting)."""
    return _both(a, x, 1)
