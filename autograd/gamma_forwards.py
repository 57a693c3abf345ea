"""Forwards of the gamma family of the op table (op_table_gamma): lgamma, digamma and polygamma, on arrays
(numpy has none of them, and chainrule does not depend on scipy) and on floats (the same numbers: a Value's
forward is the array one's at one point, and raises where there is no real value). Each computes in float64;
a float32 or float16 input's result is rounded once to its dtype. Accuracy against mpmath:
tests/test_elementwise_gamma.py.

lgamma: log|Γ(x)|, by a power series of lgamma(2 + z) in z for |z| <= 1/2 (also giving x in (-1/2, 3/2) by
Γ(x + 1) = x·Γ(x), with no cancellation at lgamma's zeros 1 and 2), in [1.2, 1.75) its Taylor series about
its minimum x₀ (within 1 ulp; the two above cancelled there, 7 ulp off), the recurrence down to it below 8,
Stirling's series from 8, and the reflection Γ(x)·Γ(1 − x) = π / sin(πx) below −1/2; in [−30, −2), where
its two terms cancel near lgamma's zeros, series about the nearest zero (lgamma_zeros): within 10 ulp of
lgamma below −1/2 (5 at and near its zeros, where the reflection alone was up to 1e16 ulp off).
polygamma(n, x) = ψ⁽ⁿ⁾(x), digamma its n = 0: the recurrence ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁾(x + 1) − (−1)ⁿ n!/xⁿ⁺¹ up to
2n + 13, the asymptotic series from there, and below 0 the reflection ψ⁽ⁿ⁾(x) = (−1)ⁿ ψ⁽ⁿ⁾(1 − x) −
πⁿ⁺¹ cot⁽ⁿ⁾(πx), the nth derivative of cot a polynomial in cot. For n >= 1 every term has one sign (no
cancellation for x > 0); each n!/yⁿ⁺¹ is formed by exponent and mantissa apart (frexp, ldexp), so no factor
overflows or underflows where the result does not (n!/yⁿ⁺¹ at n = 100, y = 1e4 is 9e-245).

The poles, as PyTorch's: lgamma is +inf at each non-positive integer (and at ±inf); digamma is −inf at
+0.0, +inf at −0.0 (the limit from each side) and NaN at negative integers and −inf (no limit). polygamma
with odd n is +inf at every pole (both sides agree); with even n as digamma (PyTorch's polygamma(2, −1.0) is
−inf, ours NaN: the two sides' limits differ). polygamma at +inf is ±0 (PyTorch's NaN for n >= 2)."""

from __future__ import annotations

import math

import numpy as np

from .lgamma_zeros import LOWEST, near_zeros

HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
# lgamma(2 + z) = (1 − γ)·z + Σₖ₌₂ (−1)ᵏ (ζ(k) − 1)/k · zᵏ: its coefficients (mpmath), enough for |z| <= 1/2
_ONE_MINUS_EULER = 0.42278433509846713939
ZETA_MINUS_ONE_OVER_K = (
    0.3224670334241132, 0.0673523010531981, 0.020580808427784546, 0.007385551028673986, 0.0028905103307415234,
    0.001192753911703261, 0.0005096695247430425, 0.00022315475845357939, 9.945751278180853e-05,
    4.492623673813314e-05, 2.050721277567069e-05, 9.439488275268397e-06, 4.374866789907488e-06,
    2.039215753801366e-06, 9.55141213040742e-07, 4.492469198764566e-07, 2.1207184805554665e-07,
    1.0043224823968099e-07, 4.7698101693639804e-08, 2.2711094608943164e-08, 1.0838659214896955e-08,
    5.183475041970047e-09, 2.4836745438024785e-09, 1.1921401405860912e-09, 5.731367241678862e-10,
    2.7595228851242334e-10, 1.330476437424449e-10,
)  # fmt: skip
# the Bernoulli numbers B₂ₖ, k = 1..10, of Stirling's series and the asymptotic series of ψ⁽ⁿ⁾
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510, 43867 / 798, -174611 / 330)
LARGEST_ORDER = 160  # the coefficients of cot's 160th derivative reach 4e300 (n! is finite up to 170!)
# digamma's positive zero x₀ (a double and the rest) and its Taylor coefficients ψ⁽ᵏ⁾(x₀)/k!, k >= 1 (mpmath):
# near x₀ the recurrence cancels (1759 ulp at 1.4647, PyTorch's 572)
_ROOT, _ROOT_REST = 1.4616321449683622, 9.549995429965697e-17
_AT_ROOT = (
    0.9676722454476212, -0.4427631689835921, 0.258499760955651, -0.16394270544240652, 0.10782405069126237,
    -0.07219956125645471, 0.04880428816414311, -0.03316112647484736, 0.022597648232218104, -0.01542476590494896,
    0.010538791616612175, -0.007204534386356869, 0.004926781395729853, -0.003369801655439328, 0.002305126326734928,
    -0.0015769367714301972, 0.0010788252019162967, -0.0007380709389960052, 0.000504953265834602,
    -0.0003454680251063077, 0.00023635601564027053, -0.00016170622091974803, 0.0001106337276874741,
    -7.569179582195066e-05, 5.178575795222081e-05, -3.5430070947659604e-05, 2.424006611860132e-05,
    -1.6584242271854135e-05, 1.134638458466385e-05, -7.762817668462094e-06, 5.3110609208898636e-06,
    -3.6336507898010456e-06, 2.486022733129538e-06, -1.7008538854332607e-06, 1.1636675363548843e-06,
    -7.96142543124197e-07, 5.446941930669446e-07, -3.7266161283438227e-07, 2.549626552021554e-07,
    -1.7443695117727745e-07, 1.1934394829830244e-07,
)  # fmt: skip
# lgamma at x₀, its minimum (a double and the rest; mpmath), and its Taylor coefficients ψ⁽ᵏ⁻¹⁾(x₀)/k!, k >= 2,
# those of ψ above over k, 26 of them: they converge for |x − x₀| < x₀ (the pole at 0), and over the band's
# |x − x₀| < 0.29 each term from the 25th is below 1/20 ulp. lgamma(x + 1) − log x cancelled by 3 there (7 ulp)
_MINIMUM, _MINIMUM_REST = -0.12148629053584961, 3.364991468473138e-18
_LGAMMA_AT_ROOT = tuple(c / k for k, c in enumerate(_AT_ROOT[:26], start=2))
_NEAR_MINIMUM = (1.2, 1.75)  # where the series about 1 or 2 lost more than 1 ulp (mpmath)


def _horner(coefficients: tuple[float, ...], z: np.ndarray) -> np.ndarray:
    # from the leading coefficient, not 0 · z: at z = ±inf (cot at a negative subnormal x) that was NaN, and so
    # was ψ⁽ⁿ⁾(−5e-324) (its limit +inf); for finite z the same bits
    total = np.zeros_like(z) + coefficients[-1]
    for c in reversed(coefficients[:-1]):
        total = total * z + c
    return total


def _lgamma_two_plus(z: np.ndarray) -> np.ndarray:
    """lgamma(2 + z) for |z| <= 1/2, from its power series: z·((1 − γ) + z·Σₖ (−1)ᵏ (ζ(k) − 1)/k · zᵏ⁻²)."""
    signed = tuple(c if k % 2 == 0 else -c for k, c in enumerate(ZETA_MINUS_ONE_OVER_K))
    return z * (_ONE_MINUS_EULER + z * _horner(signed, z))


def _sin_cos_pi(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """sin(πx) and cos(πx), each to its last digits: reduced to r = x − round(x) in [−1/2, 1/2] first (π·x
    itself rounds to an error of many periods for a large x); the sign of each from the whole part's parity."""
    whole = np.round(x)
    r = x - whole
    sign = np.where(np.fmod(whole, 2) == 0, 1.0, -1.0)
    # cos(πr) near r = ±1/2 as sin(π(1/2 − |r|)), 1/2 − |r| exact: π·r's rounding would be all its digits
    cos_pi = np.where(np.abs(r) > 0.25, np.sin(np.pi * (0.5 - np.abs(r))), np.cos(np.pi * r))
    return sign * np.sin(np.pi * r), sign * cos_pi


def _lgamma_positive(x: np.ndarray) -> np.ndarray:
    """lgamma(x) for x >= 1/2 (finite): the series near 1, 2 and the minimum x₀, the recurrence below 8,
    Stirling above."""
    out = np.empty_like(x)
    near_minimum = (x >= _NEAR_MINIMUM[0]) & (x < _NEAR_MINIMUM[1])
    t = np.where(near_minimum, x - _ROOT, 0.0) - _ROOT_REST  # x − x₀ to the last bits: the first difference exact
    out[near_minimum] = (_MINIMUM + (_MINIMUM_REST + t * t * _horner(_LGAMMA_AT_ROOT, t)))[near_minimum]
    near_one = (x < 1.5) & ~near_minimum
    w = np.where(near_one, x - 1, 0.0)  # exact (Sterbenz)
    out[near_one] = (_lgamma_two_plus(w) - np.log1p(w))[near_one]  # Γ(1 + w) = Γ(2 + w) / (1 + w)
    middle = (x >= 1.5) & (x < 8) & ~near_minimum
    y, product = np.where(middle, x, 2.0), np.ones_like(x)
    for _ in range(6):  # down into [1.5, 2.5): Γ(y) = (y − 1)·Γ(y − 1), each y − 1 exact
        down = y >= 2.5
        y = np.where(down, y - 1, y)
        product = np.where(down, product * y, product)
    out[middle] = (_lgamma_two_plus(y - 2) + np.log(product))[middle]
    large = x >= 8
    z = np.where(large, x, 8.0)
    inverse = 1 / z
    inverse_square = inverse * inverse
    series = _horner(tuple(b / ((2 * k + 2) * (2 * k + 1)) for k, b in enumerate(_BERNOULLI)), inverse_square)
    with np.errstate(over="ignore", invalid="ignore"):  # an infinite x: put right by the caller
        out[large] = ((z - 0.5) * np.log(z) - z + HALF_LOG_2PI + series * inverse)[large]
    return out


def lgamma(x: np.ndarray) -> np.ndarray:
    """log|Γ(x)| elementwise, in x's floating dtype (float64 for integers)."""
    a = np.asarray(x, dtype=np.float64)
    out = np.full_like(a, np.inf)  # the poles, and ±inf
    finite = np.isfinite(a)
    small = finite & (np.abs(a) < 0.5) & (a != 0)
    s = np.where(small, a, 0.25)  # Γ(x) = Γ(2 + x) / (x·(1 + x)): no cancellation of 1 + x with x
    out[small] = (_lgamma_two_plus(s) - np.log1p(s) - np.log(np.abs(s)))[small]
    positive = finite & (a >= 0.5)
    out[positive] = _lgamma_positive(np.where(positive, a, 1.0))[positive]
    negative = finite & (a <= -0.5) & (a != np.round(a))
    zeroed = negative & (a >= LOWEST) & (a < -2)  # near lgamma's zeros, where the reflection's terms cancel
    if zeroed.any():
        out[zeroed] = near_zeros(a[zeroed])
        negative &= ~zeroed
    reflected = np.where(negative, a, -0.5)
    sin_pi, _ = _sin_cos_pi(reflected)
    with np.errstate(over="ignore"):  # 1 − x beyond Stirling's overflow: −inf, as log|Γ| there
        out[negative] = (np.log(np.pi / np.abs(sin_pi)) - _lgamma_positive(1 - reflected))[negative]
    out[np.isnan(a)] = np.nan
    return out.astype(_dtype(x), copy=False)


def _dtype(x: np.ndarray) -> np.dtype:
    dtype = np.asarray(x).dtype
    return dtype if dtype.kind == "f" else np.dtype(np.float64)


def _times_power(coefficient: float, y: np.ndarray, p: int) -> np.ndarray:
    """coefficient · y⁻ᵖ for y > 0, with no factor over- or underflowing where the product does not: the
    mantissas (in [1/2, 1)) multiplied, the exponents added, one ldexp at the end."""
    cm, ce = math.frexp(coefficient)
    m, e = np.frexp(y)
    with np.errstate(over="ignore", under="ignore"):
        return np.ldexp(cm * m ** float(-p), ce - p * e.astype(np.int64))


def _cot_derivative(n: int) -> tuple[int, ...]:
    """The coefficients (lowest power first) of the polynomial P with dⁿ/duⁿ cot u = P(cot u): P₀ = c, and
    Pₖ₊₁ = −(1 + c²)·Pₖ'."""
    p = [0, 1]
    for _ in range(n):
        slope = [k * p[k] for k in range(1, len(p))] + [0, 0]
        p = [-(slope[k] + (slope[k - 2] if k >= 2 else 0)) for k in range(len(slope))]
    return tuple(p)


def _digamma_middle(y: np.ndarray) -> np.ndarray:
    """ψ(y) for y in [0.96, 2.5]: the Taylor series at its zero x₀ below 1.96 (|y − x₀| < 1/2), and above,
    the derivative of lgamma(2 + z)'s series, (1 − γ) + Σₖ₌₂ (−1)ᵏ (ζ(k) − 1)·zᵏ⁻¹, z = y − 2 (exact)."""
    d = (y - _ROOT) - _ROOT_REST  # y − x₀ to the last bits: the first difference is exact
    near_root = d * _horner(_AT_ROOT, d)
    z = y - 2
    signed = tuple((k + 2) * (c if k % 2 == 0 else -c) for k, c in enumerate(ZETA_MINUS_ONE_OVER_K))
    near_two = _ONE_MINUS_EULER + z * _horner(signed, z)
    return np.where(y < 1.96, near_root, near_two)


def _digamma_below_13(x: np.ndarray) -> np.ndarray:
    """ψ(x) for 0 < x < 13 without cancellation: below 0.96, ψ(x + 1) − 1/x (both negative there, or the
    first far smaller); from 2.5, the recurrence down into [1.5, 2.5), where ψ > 0: ψ(y) + Σ 1/(y + j)."""
    low = x < 0.96
    y = np.where(low, x + 1, x)
    steps = np.where(y >= 2.5, np.floor(y - 1.5), 0)
    y = y - steps  # exact: a whole number off a number below 13
    total = _digamma_middle(y)
    for j in range(int(steps.max(initial=0)) - 1, -1, -1):
        total = np.where(j < steps, total + 1 / (y + j), total)
    return np.where(low, total - 1 / x, total)


def _polygamma_positive(n: int, x: np.ndarray) -> np.ndarray:
    """ψ⁽ⁿ⁾(x) for x > 0 (finite): the recurrence up to 2n + 13, the asymptotic series there. For n = 0,
    ψ(y) = ln y − 1/(2y) − Σ B₂ₖ/(2k·y²ᵏ); for n >= 1, (−1)ⁿ⁺¹ times the positive n!·ζ(n + 1, x) = Σᵢ n!/(x + i)ⁿ⁺¹
    + (n − 1)!/yⁿ·(1 + n/(2y) + Σₖ B₂ₖ/(2k)!·n(n + 1)…(n + 2k − 1)/y²ᵏ)."""
    start = 2 * n + 13
    if n == 0:
        below = x < start
        if below.any():
            return np.where(
                below, _digamma_below_13(np.where(below, x, 1.0)), _polygamma_positive(0, np.maximum(x, start))
            )
    steps = np.maximum(np.ceil(start - x), 0).astype(np.int64)
    y = x + steps
    inverse_square = 1 / (y * y)
    if n == 0:
        series = _horner(tuple(b / (2 * k + 2) for k, b in enumerate(_BERNOULLI)), inverse_square)
        total = np.log(y) - 0.5 / y - series * inverse_square
    else:
        rising, coefficients = [], 1.0
        for k, b in enumerate(_BERNOULLI):  # B₂ₖ/(2k)! · n(n + 1)…(n + 2k − 1)
            coefficients *= (n + 2 * k) * (n + 2 * k + 1) / ((2 * k + 1) * (2 * k + 2))
            rising.append(b * coefficients)
        bracket = 1 + n / (2 * y) + _horner(tuple(rising), inverse_square) * inverse_square
        total = _times_power(float(math.factorial(n - 1)), y, n) * bracket
    factorial = float(math.factorial(n))
    for i in range(int(steps.max(initial=0)) - 1, -1, -1):  # the smallest terms first
        inside = i < steps
        term = 1 / (x + i) if n == 0 else _times_power(factorial, x + i, n + 1)
        total = np.where(inside, total - term if n == 0 else total + term, total)
    return total if n == 0 or n % 2 == 1 else -total


def polygamma(n: int, x: np.ndarray) -> np.ndarray:
    """ψ⁽ⁿ⁾(x) elementwise, n >= 0 (0: digamma), in x's floating dtype (float64 for integers)."""
    a = np.asarray(x, dtype=np.float64)
    odd = n % 2 == 1
    out = np.full_like(a, np.nan)  # negative integers (even n), −inf and NaN
    positive = (a > 0) & (a < np.inf)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):  # a subnormal x: ±inf, its value
        out[positive] = _polygamma_positive(n, np.where(positive, a, 1.0))[positive]
        negative = (a < 0) & (a > -np.inf) & (a != np.round(a))
        if negative.any():  # within 17 ulp of max(|ψ⁽ⁿ⁾|, 1) up to n = 16 (mpmath)
            reflected = np.where(negative, a, -0.5)
            sin_pi, cos_pi = _sin_cos_pi(reflected)
            cot = _horner(tuple(float(c) for c in _cot_derivative(n)), cos_pi / sin_pi)
            mirrored = _polygamma_positive(n, 1 - reflected)
            out[negative] = ((-mirrored if odd else mirrored) - np.pi ** (n + 1) * cot)[negative]
    pole = (a <= 0) & (a == np.round(a)) & (a > -np.inf)
    zero_sign = np.where(np.signbit(a), 1.0, -1.0)  # even n: the limit from the side of the zero's sign
    limit = pole & ((a == 0) | odd)
    out[limit] = np.inf if odd else (zero_sign * np.inf)[limit]
    out[a == np.inf] = np.inf if n == 0 else (0.0 if odd else -0.0)
    return out.astype(_dtype(x), copy=False)
