"""Forwards of the special functions of the op table (op_table_special), on floats (`scalar_*`: math,
raising where a Value's result has no real value) and on arrays (`tensor_*`: numpy, NaN or ±inf there, as
PyTorch's). numpy has no erfinv and chainrule does not depend on scipy: erfinv is solved here."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .elementwise_forwards import _erf, _erfc, _ufunc_dtype

HALF_SQRT_PI = math.sqrt(math.pi) / 2

# The first guess of erfinv: Giles' polynomials in w = -log(1 - y²) (M. Giles, "Approximating the erfinv
# function", GPU Computing Gems, 2010: single precision figures), to about 1e-7 within float32's range (w < 16)
# and to a few percent beyond, up to float64's w = 37; Halley steps on erf or erfc (each triples the digits)
# then run until a step is below an ulp: within 1.3 ulp of mpmath's over (-1, 1), ±(1 − 2⁻⁵³) included
_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
            -0.00417768164, 0.246640727, 1.50140941)  # fmt: skip
_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
         0.00943887047, 1.00167406, 2.83297682)  # fmt: skip


def _horner(coefficients: tuple[float, ...], w: np.ndarray) -> np.ndarray:
    p = np.zeros_like(w)
    for c in coefficients:
        p = p * w + c
    return p


def _erfinv(y: np.ndarray) -> np.ndarray:
    """erfinv(y) for y in [-1, 1], NaN outside (and for NaN), of a 1-d float64 array. For |y| <= 1/2 the root of
    erf(x) = y; above, of erfc(|x|) = 1 − |y|, which is exact there (Sterbenz): erf near ±1 holds too few digits
    to solve against (erfinv(1 − 2⁻⁵³) is 5.86, where one ulp of erf moves x by 0.04). erf and erfc share
    f'' = −2x·f', so a Halley step is x − δ/(1 + x·δ), δ = f/f'; each element steps until the error its own δ
    leaves is below 1e-20 of it (whole-array numpy: no loop per element)."""
    out = np.full_like(y, np.nan)
    a = np.abs(y)
    ends = a == 1.0
    out[ends] = np.copysign(np.inf, y[ends])
    out[a == 0.0] = y[a == 0.0]  # ±0 kept, as PyTorch's
    inside = (a > 0.0) & (a < 1.0)
    a = a[inside]
    w = -np.log((1.0 - a) * (1.0 + a))
    x = a * np.where(w < 5.0, _horner(_CENTRAL, w - 2.5), _horner(_TAIL, np.sqrt(w) - 3.0))
    active = np.arange(x.size)
    for _ in range(8):
        xa, aa = x[active], a[active]
        slope = HALF_SQRT_PI * np.exp(xa * xa)  # 1 / erf'(x)
        low = aa <= 0.5
        delta = np.empty_like(xa)
        delta[low] = (_erf(xa[low]) - aa[low]) * slope[low]
        delta[~low] = (1.0 - aa[~low] - _erfc(xa[~low])) * slope[~low]
        xa = xa - delta / (1.0 + xa * delta)
        x[active] = xa
        # a Halley step of δ leaves an error of about C·δ³, C = (x² + 1)/3 for erf: done where that is below
        # 1e-20 of x, after one step from Giles' 1e-7 up to |y| = 0.998 (stepping on until δ itself was below an
        # ulp cost a second erf per element: 2.6 s a million points, now 1.5)
        active = active[~((xa * xa + 1.0) * np.abs(delta) ** 3 <= 3e-20 * xa)]
        if not active.size:
            break
    out[inside] = np.copysign(x, y[inside])
    return out


def on_arrays(forward: Callable[[np.ndarray], np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    """A forward of 1-d float64 arrays (whole-array numpy: no loop per element) on arrays of any shape and
    float width, in float64: float32's and float16's results rounded once (to inf beyond their range)."""

    def tensor(x: np.ndarray) -> np.ndarray:
        wide = np.asarray(x, dtype=np.float64)
        # a NaN input's comparisons raise the invalid flag, which numpy would report, though NaN is the answer
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            y = forward(wide.reshape(-1)).reshape(wide.shape)
            return y.astype(_ufunc_dtype(np.asarray(x)), copy=False)

    tensor.__name__ = f"tensor{forward.__name__}"
    return tensor


def on_float(tensor: Callable[[np.ndarray], np.ndarray], x: float) -> float:
    """A Tensor forward taken on a float: the arrays' own digits, so that both engines agree bit for bit."""
    return float(tensor(np.float64(x)))


tensor_erfinv = on_arrays(_erfinv)


def scalar_erfinv(y: float) -> float:
    if not -1.0 < y < 1.0:  # ±1: ±inf, no real number a Value can hold (nor differentiate)
        raise ValueError("erfinv needs an input in (-1, 1)")
    return on_float(tensor_erfinv, y)


def scalar_xlogy(x: float, y: float) -> float:
    if y != y:
        return y
    if x == 0:  # 0 whatever y is, ±0 and inf included (PyTorch's and scipy's)
        return 0.0
    return x * math.log(y)  # y <= 0: math's ValueError, the op's domain message


def tensor_xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):  # where x == 0 the 0 is the answer: quietly
        return np.where((x == 0) & (y == y), 0, x * np.log(y))


def scalar_xlog1py(x: float, y: float) -> float:
    if y != y:
        return y
    return 0.0 if x == 0 else x * math.log1p(y)


def tensor_xlog1py(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):  # as tensor_xlogy
        return np.where((x == 0) & (y == y), 0, x * np.log1p(y))


# log(x / (1 − x)), but from 1/4 up as log1p((2x − 1) / (1 − x)): 2x − 1 is exact there, and x / (1 − x)
# rounds near 1 where log loses what it rounded (PyTorch's logit(0.5 + 1e-10) is 5e-7 off in float64)
def scalar_logit(x: float, *, eps: float | None) -> float:
    if eps is not None and x == x:
        x = min(max(x, eps), 1.0 - eps)
    if not 0.0 < x < 1.0:
        raise ValueError("logit needs an input in (0, 1), or eps to clamp it")
    return math.log(x / (1.0 - x)) if x < 0.25 else math.log1p((2.0 * x - 1.0) / (1.0 - x))


def tensor_logit(x: np.ndarray, *, eps: float | None) -> np.ndarray:
    if eps is not None:
        x = np.clip(x, eps, 1 - eps)  # NaN stays NaN
    low = x < 0.25
    a, b = np.where(low, x, 0.5), np.where(low, 0.5, x)  # each branch at a stand-in where the other is taken
    return np.where(low, np.log(a / (1 - a)), np.log1p((2 * b - 1) / (1 - b)))


def whole_from(dtype: Any) -> float:
    """2^(the mantissa's bits): from there on every float of that type is whole, so sin(πx) is 0 and cos(πx) ±1
    (2^52 in float64, 2^23 in float32; integers: the float64 that π·x makes of them). There π·(x mod 2) (exact)
    is what sin and cos take, where π·x rounded is no multiple of π (sinc(1e20) was −1.3e-21, float32 sinc(2^23 + 2)
    1.65e-8, the slopes 8% and 10% off) and overflows (from 5.7e307: sinc and its derivatives were NaN); an odd
    x mod 2 is ±1, whose π is no multiple of π either: see `half_turns`."""
    return 2.0 ** np.finfo(np.result_type(dtype, 1.0)).nmant


WHOLE = whole_from(np.float64)  # a Value's


def half_turns(r: Any) -> tuple[Any, Any]:
    """k, the whole number nearest r = x mod 2 (0 or ±1 for a whole x), and (−1)^k: sin(πr) = (−1)^k·sin(π(r − k))
    and cos(πr) = (−1)^k·cos(π(r − k)), exact where r − k is 0, where sin(π) is 1.2e-16 (float32 −8.7e-8), no 0:
    sinc(2^52 + 1) was 8.7e-33 and its second derivative 1.3e-32 for 2/x² = 9.9e-32 (float32 2^23 + 1: 6.1e-14 for
    2.8e-14)."""
    k = np.rint(r)
    return k, 1 - 2 * (np.abs(k) == 1).astype(np.result_type(k))  # in r's dtype: a float32 sinc stays float32


def scalar_sinc(x: float) -> float:
    if x == 0:
        return 1.0
    z = math.pi * x
    if WHOLE <= abs(x) < math.inf:
        r = math.fmod(x, 2.0)
        k, sign = half_turns(r)
        return float(sign) * math.sin(math.pi * (r - float(k))) / z
    return math.sin(z) / z  # an infinite x: math's ValueError, the op's domain message


def tensor_sinc(x: np.ndarray) -> np.ndarray:
    whole = np.abs(x) >= whole_from(x.dtype)
    if whole.any():
        with np.errstate(invalid="ignore", over="ignore"):  # fmod(±inf, 2) is NaN, as sin(±inf); π·x: inf
            z = np.pi * np.where(x == 0, 1.0, x)
            k, sign = half_turns(np.where(whole, np.fmod(x, 2.0), 0.0))
            return np.where(x == 0, 1, sign * np.sin(np.where(whole, np.pi * (np.fmod(x, 2.0) - k), z)) / z)
    z = np.pi * np.where(x == 0, 1.0, x)
    return np.where(x == 0, 1, np.sin(z) / z)


def scalar_entr(x: float) -> float:
    if x < 0:  # PyTorch and scipy define it as -inf there: no real entropy, which a Value refuses
        raise ValueError("entr needs a non-negative input")
    return 0.0 if x == 0 else -x * math.log(x)  # NaN stays


def tensor_entr(x: np.ndarray) -> np.ndarray:
    inside = -x * np.log(np.where(x > 0, x, 1))
    return np.where(x > 0, inside, np.where(x == 0, 0, np.where(x < 0, -np.inf, x)))
