"""Forwards of the scaled complementary error function and the standard normal's CDF, log-CDF and quantile
(op_table_normal, and ndtr of op_table_special): erfcx(x) = e^(x²)·erfc(x), Φ(x), log Φ(x), Φ⁻¹(p). On floats
(`scalar_*`: raising where a Value's result has no real value) and on arrays (`tensor_*`: NaN or ±inf there,
as PyTorch's); both the same digits. Measured against mpmath: docs/edge-points.md."""

from __future__ import annotations

import math

import numpy as np

from .elementwise_forwards import _ufunc_dtype
from .special_forwards import _erfinv

SQRT_PI, SQRT_HALF = math.sqrt(math.pi), math.sqrt(0.5)
_DEKKER = 134217729.0  # 2²⁷ + 1: splits a float into halves whose products are exact
_FRACTION_FROM = 10.0  # erfcx by its continued fraction from here: erfc(x) alone is 2e-45 at 10, and underflows by 27
_FRACTION_DEPTH = 40  # enough at 10 (the fraction converges faster as x grows)


def exact_square(x: float) -> tuple[float, float]:
    """x² as hi + lo, exactly (Dekker's product: the halves' products are exact)."""
    c = _DEKKER * x
    head = c - (c - x)
    tail = x - head
    hi = x * x
    return hi, ((head * head - hi) + 2.0 * head * tail) + tail * tail


def _erfcx(x: float) -> float:
    """e^(x²)·erfc(x). Below 10, erfc(x) times e^(x²) with x² held exactly as hi + lo (e^hi·(1 + lo)): e^(x²)
    from a rounded x² is off by x²·ε, 25 ulps at x = 5. From 10, Laplace's continued fraction
    1/√π / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), from its tail up. +inf below −26.6 (2e^(x²) overflows)."""
    if x != x:
        return x
    if x >= _FRACTION_FROM:
        f = x
        for k in range(_FRACTION_DEPTH, 0, -1):
            f = x + 0.5 * k / f
        return (1.0 / SQRT_PI) / f  # 0 at +inf; √π·f would overflow from 1e308
    if x < -26.7:
        return math.inf
    hi, lo = exact_square(x)
    scaled = math.exp(hi) * math.erfc(x)
    return scaled + scaled * lo  # a float's product overflows to inf quietly near −26.6


def _ndtr(x: float) -> float:
    """Φ(x) = erfc(−x/√2)/2, but below −1 as erfcx(−x/√2)·e^(−x²/2)/2, x² exact: erfc of the rounded −x/√2 is
    off by x²·ε relative (1510 ulps at −36.2; PyTorch's 9e15 at −26.2, where its is wrong in every digit)."""
    if not x < -1.0:  # NaN falls through: NaN
        return 0.5 * math.erfc(-x * SQRT_HALF)
    if x == -math.inf:
        return 0.0
    hi, lo = exact_square(x)
    tail = 0.5 * _erfcx(-x * SQRT_HALF) * math.exp(-0.5 * hi)
    return tail - tail * 0.5 * lo


def _log_ndtr(x: float) -> float:
    """log Φ(x). From 0 up, log1p(−Φ(−x)): Φ(−x) ≤ 1/2 there, so log1p takes it without cancelling (Φ(−x) as
    `_ndtr` takes it: erfc of a rounded x/√2 alone was 570 ulps off at x = 25.7).
    Below 0, log(erfcx(−x/√2)/2) − x²/2: Φ(x) = erfc(−x/√2)/2 underflows from −38.5, whose log is still −745."""
    if x >= 0:
        if x == math.inf:
            return -0.0  # as at 40, where Φ(−x) underflows: log1p(−0.0) (PyTorch's)
        return math.log1p(-_ndtr(-x))
    if x == -math.inf:
        return x
    return math.log(0.5 * _erfcx(-x * SQRT_HALF)) - 0.5 * x * x  # NaN falls through to the first test: NaN


def _ndtri(p: float) -> float:
    """Φ⁻¹(p): ±inf at 1 and 0, NaN outside [0, 1]. Above 3/4, −Φ⁻¹(1 − p) (1 − p exact there); from 1/4,
    √2·erfinv(2p − 1) (2p − 1 exact there); below 1/4 (down to the smallest subnormal, −38.5), Newton's method on
    log Φ(x) = log p, from Abramowitz and Stegun's 26.2.23 (within 4.5e-4): its slope φ/Φ = √(2/π)/erfcx(−x/√2)."""
    if not 0.0 <= p <= 1.0:
        return math.nan
    if p > 0.75:
        return -_ndtri(1.0 - p)
    if p >= 0.25:
        return math.sqrt(2.0) * _erfinv(2.0 * p - 1.0)
    if p == 0.0:
        return -math.inf
    t = math.sqrt(-2.0 * math.log(p))
    x = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1.0 + t * (1.432788 + t * (0.189269 + 0.001308 * t))))
    target = math.log(p)
    for _ in range(8):
        step = (_log_ndtr(x) - target) * _erfcx(-x * SQRT_HALF) / math.sqrt(2.0 / math.pi)
        x -= step
        if abs(step) <= 1e-16 * abs(x):
            break
    return x


def scalar_erfcx(x: float) -> float:
    y = _erfcx(x)
    if y == math.inf and x != -math.inf:
        raise OverflowError("the result is too large for a float")
    return y


scalar_ndtr = _ndtr


def scalar_log_ndtr(x: float) -> float:
    y = _log_ndtr(x)
    if y == -math.inf and x != -math.inf:  # below −1.9e154, where −x²/2 overflows
        raise OverflowError("the result is too large for a float")
    return y


def scalar_ndtri(p: float) -> float:
    if not 0.0 < p < 1.0:  # ±inf at 1 and 0: no real number a Value can hold (nor differentiate)
        raise ValueError("ndtri needs a probability in (0, 1)")
    return _ndtri(p)


def _on_arrays(scalar):
    vectorized = np.vectorize(scalar, otypes=[np.float64])

    def tensor(x: np.ndarray) -> np.ndarray:
        # float32's and float16's results rounded once (to inf beyond their range); a NaN input's comparisons
        # raise the invalid flag, which numpy would report, though NaN is the answer there
        with np.errstate(over="ignore", invalid="ignore"):
            return vectorized(x).astype(_ufunc_dtype(x), copy=False)

    return tensor


tensor_ndtr, tensor_erfcx, tensor_log_ndtr, tensor_ndtri = (_on_arrays(f) for f in (_ndtr, _erfcx, _log_ndtr, _ndtri))
