"""Forwards of the scaled complementary error function and the standard normal's CDF, log-CDF and quantile
(op_table_normal, and ndtr of op_table_special): erfcx(x) = e^(x²)·erfc(x), Φ(x), log Φ(x), Φ⁻¹(p). On floats
(`scalar_*`: raising where a Value's result has no real value) and on arrays (`tensor_*`: NaN or ±inf there,
as PyTorch's); both the same digits. Measured against mpmath: docs/edge-points.md."""

from __future__ import annotations

import math

import numpy as np

from .elementwise_forwards import tensor_erfc
from .special_forwards import on_arrays, on_float, tensor_erfinv

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


def _erfcx(x: np.ndarray) -> np.ndarray:
    """e^(x²)·erfc(x). Below 10, erfc(x) times e^(x²) with x² held exactly as hi + lo (e^hi·(1 + lo)): e^(x²)
    from a rounded x² is off by x²·ε, 25 ulps at x = 5. From 10, Laplace's continued fraction
    1/√π / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), from its tail up. +inf below −26.6 (2e^(x²) overflows)."""
    out = np.empty_like(x)
    fraction = x >= _FRACTION_FROM
    far = x[fraction]
    f = far
    for k in range(_FRACTION_DEPTH, 0, -1):
        f = far + 0.5 * k / f
    out[fraction] = (1.0 / SQRT_PI) / f  # 0 at +inf; √π·f would overflow from 1e308
    near = x[~fraction]  # NaN too: NaN
    hi, lo = exact_square(near)
    scaled = np.exp(hi) * tensor_erfc(near)  # inf where it overflows, from −26.64
    out[~fraction] = np.where((near < -26.7) | (scaled == np.inf), np.inf, scaled + scaled * lo)  # not inf − inf
    return out


def _ndtr(x: np.ndarray) -> np.ndarray:
    """Φ(x) = erfc(−x/√2)/2, but below −1 as erfcx(−x/√2)·e^(−x²/2)/2, x² exact: erfc of the rounded −x/√2 is
    off by x²·ε relative (1510 ulps at −36.2; PyTorch's 9e15 at −26.2, where its is wrong in every digit).
    0 below −40, where Φ is below the smallest subnormal."""
    out = np.empty_like(x)
    left = x < -1.0
    right = x[~left]  # NaN too: NaN
    out[~left] = 0.5 * tensor_erfc(-right * SQRT_HALF)
    far = x[left]
    hi, lo = exact_square(far)
    tail = 0.5 * _erfcx(-far * SQRT_HALF) * np.exp(-0.5 * hi)
    out[left] = np.where(far < -40.0, 0.0, tail - tail * 0.5 * lo)  # x² exact: NaN from −1.3e154
    return out


def _log_ndtr(x: np.ndarray) -> np.ndarray:
    """log Φ(x). From 0 up, log1p(−Φ(−x)): Φ(−x) ≤ 1/2 there, so log1p takes it without cancelling (Φ(−x) as
    `_ndtr` takes it: erfc of a rounded x/√2 alone was 570 ulps off at x = 25.7); −0.0 from 40 and at +inf,
    log1p(−0.0) (PyTorch's). Below 0, log(erfcx(−x/√2)/2) − x²/2: Φ(x) = erfc(−x/√2)/2 underflows from −38.5,
    whose log is still −745; −inf at −inf and below −1.9e154, where −x²/2 overflows."""
    out = np.empty_like(x)
    right = x >= 0
    out[right] = np.log1p(-_ndtr(-x[right]))
    left = x[~right]  # NaN too: NaN
    out[~right] = np.log(0.5 * _erfcx(-left * SQRT_HALF)) - 0.5 * left * left
    return out


def _ndtri(p: np.ndarray) -> np.ndarray:
    """Φ⁻¹(p): ±inf at 1 and 0, NaN outside [0, 1]. Above 3/4, −Φ⁻¹(1 − p) (1 − p exact there); from 1/4,
    √2·erfinv(2p − 1) (2p − 1 exact there); below 1/4 (down to the smallest subnormal, −38.5), Halley's method on
    log Φ(x) = log p, from Abramowitz and Stegun's 26.2.23 (within 4.5e-4): its slope r = φ/Φ = √(2/π)/erfcx(−x/√2),
    its second derivative −r·(x + r), log Φ itself from the same erfcx; each element steps until the error its
    step δ leaves, about δ³, is below 1e-20 of it: two steps mostly, one erfcx each (Newton's four steps, each
    with erfcx twice, took 2.5 s a million points)."""
    upper = p > 0.75
    q = np.where(upper, 1.0 - p, p)
    out = np.full_like(p, np.nan)
    middle = (q >= 0.25) & (q <= 0.75)
    out[middle] = math.sqrt(2.0) * tensor_erfinv(2.0 * q[middle] - 1.0)
    out[q == 0.0] = -np.inf
    tail = (q > 0.0) & (q < 0.25)
    t = np.sqrt(-2.0 * np.log(q[tail]))
    x = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1.0 + t * (1.432788 + t * (0.189269 + 0.001308 * t))))
    target = np.log(q[tail])
    active = np.arange(x.size)
    for _ in range(8):
        y = x[active]
        scaled = _erfcx(-y * SQRT_HALF)
        ratio = math.sqrt(2.0 / math.pi) / scaled  # φ/Φ, the slope of log Φ
        residual = np.log(0.5 * scaled) - 0.5 * y * y - target[active]  # log Φ(y) − log p, as _log_ndtr's
        newton = residual / ratio
        step = newton / (1.0 + 0.5 * newton * (y + ratio))  # Halley's: (log Φ)'' = −ratio·(y + ratio)
        y = y - step
        x[active] = y
        active = active[np.abs(step) ** 3 > 1e-20 * np.abs(y)]  # a step of δ leaves about δ³
        if not active.size:
            break
    out[tail] = x
    return np.where(upper, -out, out)


tensor_ndtr, tensor_erfcx, tensor_log_ndtr, tensor_ndtri = (on_arrays(f) for f in (_ndtr, _erfcx, _log_ndtr, _ndtri))


def scalar_erfcx(x: float) -> float:
    y = on_float(tensor_erfcx, x)
    if y == math.inf and x != -math.inf:
        raise OverflowError("the result is too large for a float")
    return y


def scalar_ndtr(x: float) -> float:
    return on_float(tensor_ndtr, x)


def scalar_log_ndtr(x: float) -> float:
    y = on_float(tensor_log_ndtr, x)
    if y == -math.inf and x != -math.inf:  # below −1.9e154, where −x²/2 overflows
        raise OverflowError("the result is too large for a float")
    return y


def scalar_ndtri(p: float) -> float:
    if not 0.0 < p < 1.0:  # ±inf at 1 and 0: no real number a Value can hold (nor differentiate)
        raise ValueError("ndtri needs a probability in (0, 1)")
    return on_float(tensor_ndtri, p)
