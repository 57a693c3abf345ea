"""Forwards of the modified Bessel functions of the first kind I₀, I₁ and their scaled forms e^−|x|·Iₙ(x)
(op_table_bessel), on floats (`scalar_*`: raising where a Value's result overflows) and on arrays (`tensor_*`:
inf there, as PyTorch's). numpy has only i0 (float64, overflowing from 709 where I₀ reaches 713.99) and no i1,
and chainrule does not depend on scipy: each is a Chebyshev series of its own, both engines the same digits.

On [0, 8], Iₙ(x) is its power series in q = x²/4 (positive terms: no cancellation), q taken exactly as a sum
of two floats (Dekker's product), which halved the error at 8 (from 5 ulps); on [8, ∞), √x·e^−x·Iₙ(x) is a
Chebyshev series in t = 16/x − 1, an interpolant at 64 nodes computed with mpmath at 40 digits, cut where a
coefficient falls below 1e-18 of the first. Measured against mpmath: docs/edge-points.md."""

from __future__ import annotations

import math

import numpy as np

from .normal_forwards import exact_square
from .special_forwards import on_arrays, on_float

_I0_FAR = (
    0.4022452055070544, 0.0033691164782556943, 6.889758346916825e-05, 2.8913705208347567e-06, 2.0489185894690638e-07,
    2.266668990498178e-08, 3.3962320257083865e-09, 4.94060238822497e-10, 1.1889147107846439e-11,
    -3.1499165279632416e-11, -1.3215811840447713e-11, -1.7941785315068062e-12, 7.180124451383666e-13,
    3.8527783827421426e-13, 1.54008621752141e-14, -4.150569347287222e-14, -9.554846698828307e-15,
    3.8116806693526224e-15, 1.7725601330565263e-15, -3.425485619677219e-16, -2.8276239805165836e-16,
    3.461222867697461e-17, 4.46562142029676e-17, -4.830504485944182e-18, -7.233180487874754e-18,
    9.921475412173699e-19, 1.193650890845982e-18, -2.4887098371508075e-19,
)  # fmt: skip
_I1_FAR = (
    0.38928811750914005, -0.009761097491361469, -0.00011058893876262371, -3.882564808877691e-06,
    -2.512236237870209e-07, -2.6314688468895196e-08, -3.835380385964237e-09, -5.589743462196584e-10,
    -1.8974958123505413e-11, 3.2526035830154884e-11, 1.4125807436613782e-11, 2.0356285441470896e-12,
    -7.198551776245908e-13, -4.0835511110921974e-13, -2.1015418427726643e-14, 4.272440016711951e-14,
    1.0420276984128802e-14, -3.8144030724370075e-15, -1.8803547755107825e-15, 3.3082023109209285e-16,
    2.96262899764595e-16, -3.209525921993424e-17, -4.6503053684893586e-17, 4.414348323071708e-18,
    7.517296310842105e-18, -9.314178867326884e-19, -1.242193275194891e-18, 2.4142767194548486e-19,
)  # fmt: skip
_SPLIT = 8.0  # where the series in 1/x takes over
_BEYOND_FLOATS = 720.0  # I₀ and I₁ exceed every float from 713.99 (and e^(x/2) itself from 1419.6)
_HALF_EXP = 700.0  # e^x overflows from 709.8: e^(x/2) twice beyond, so that I₀ stays finite up to 713.98


# the power series' coefficients: I₀(x) = Σ qᵏ/(k!)², I₁(x) = x·Σ qᵏ/(2·k!·(k+1)!), 34 terms enough at q = 16
_I0_SERIES = tuple(1 / math.factorial(k) ** 2 for k in range(34))
_I1_SERIES = tuple(0.5 / (math.factorial(k) * math.factorial(k + 1)) for k in range(34))


def _power_series(coefficients: tuple[float, ...], x: np.ndarray) -> np.ndarray:
    """Σ cₖ·qᵏ at q = x²/4 held as hi + lo: p(hi) + p'(hi)·lo, both by Horner's rule."""
    hi, lo = exact_square(x)
    p = slope = np.zeros_like(x)
    for coefficient in reversed(coefficients):
        slope = slope * hi / 4.0 + p
        p = p * hi / 4.0 + coefficient
    return p + slope * lo / 4.0


def _chebyshev(coefficients: tuple[float, ...], t: np.ndarray) -> np.ndarray:
    """Σ cⱼ·Tⱼ(t) by Clenshaw's recurrence (the first coefficient already halved)."""
    b1 = b2 = np.zeros_like(t)
    for c in reversed(coefficients[1:]):
        b1, b2 = c + 2.0 * t * b1 - b2, b1
    return coefficients[0] + t * b1 - b2


def _by_range(a: np.ndarray, near: np.ndarray, series, far) -> np.ndarray:
    """series(a) where `near`, far(a) elsewhere, each taken only on its own elements (a 1-d float64 array)."""
    out = np.empty_like(a)
    out[near] = series(a[near])
    out[~near] = far(a[~near])
    return out


def _i0e(x: np.ndarray) -> np.ndarray:
    """e^−|x|·I₀(x): even, 1 at 0, 0 at ±inf, NaN at NaN (the far branch's)."""
    a = np.abs(x)
    return _by_range(
        a,
        a <= _SPLIT,
        lambda a: _power_series(_I0_SERIES, a) * np.exp(-a),
        lambda a: _chebyshev(_I0_FAR, 16.0 / a - 1.0) / np.sqrt(a),  # 0 at inf
    )


def _i1e(x: np.ndarray) -> np.ndarray:
    """e^−|x|·I₁(x): odd (−0.0 kept), x/2 near 0, ±0 at ±inf, NaN at NaN."""
    a = np.abs(x)
    v = _by_range(
        a,
        a <= _SPLIT,
        lambda a: a * _power_series(_I1_SERIES, a) * np.exp(-a),
        lambda a: _chebyshev(_I1_FAR, 16.0 / a - 1.0) / np.sqrt(a),
    )
    return np.copysign(v, x)


def _far(coefficients: tuple[float, ...], a: np.ndarray) -> np.ndarray:
    """Iₙ(a) = e^a·(√a·e^−a·Iₙ(a))/√a for a > 8: inf where it overflows (a beyond 713.98), and at inf;
    beyond 700 e^a is e^(a/2) twice, since it alone overflows first."""
    scaled = _chebyshev(coefficients, 16.0 / a - 1.0) / np.sqrt(a)
    half = np.exp(np.where(a <= _HALF_EXP, a, a / 2.0))
    grown = np.where(a <= _HALF_EXP, scaled * half, scaled * half * half)  # inf where it overflows
    return np.where(a > _BEYOND_FLOATS, np.inf, grown)


def _i0(x: np.ndarray) -> np.ndarray:
    a = np.abs(x)
    return _by_range(a, a <= _SPLIT, lambda a: _power_series(_I0_SERIES, a), lambda a: _far(_I0_FAR, a))


def _i1(x: np.ndarray) -> np.ndarray:
    a = np.abs(x)
    v = _by_range(a, a <= _SPLIT, lambda a: a * _power_series(_I1_SERIES, a), lambda a: _far(_I1_FAR, a))
    return np.copysign(v, x)


def _on_floats(tensor, overflows: bool):
    """The forward on floats, the arrays' own; a Value holds no infinite result of a finite input (math.exp's
    way) where `overflows`."""

    def scalar(x: float) -> float:
        y = on_float(tensor, x)
        if overflows and math.isinf(y) and not math.isinf(x):
            raise OverflowError("the result is too large for a float")
        return y

    scalar.__name__ = tensor.__name__.replace("tensor", "scalar", 1)
    return scalar


tensor_i0, tensor_i0e, tensor_i1, tensor_i1e = (on_arrays(f) for f in (_i0, _i0e, _i1, _i1e))
scalar_i0, scalar_i1 = _on_floats(tensor_i0, True), _on_floats(tensor_i1, True)
scalar_i0e, scalar_i1e = _on_floats(tensor_i0e, False), _on_floats(tensor_i1e, False)
