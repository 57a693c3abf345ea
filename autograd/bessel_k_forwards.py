"""Forwards of the modified Bessel functions of the second kind K₀, K₁ and their scaled forms e^x·Kₙ(x)
(op_table_bessel_jyk), on arrays (`tensor_*`) and on floats (`scalar_*`, the arrays' digits; raising at and below
0, where there is no real value: a Tensor gives +inf at ±0 and NaN below, PyTorch's).

Up to 1, the power series in q = x²/4 with their log terms (all of one sign there); from 1 to 25, Taylor series
of e^x·Kₙ (slowly varying, with no terms that cancel) about points 1.5 apart, their coefficients from the
equation it satisfies (bessel_series), e^x·K₀ and e^x·K₁ there from mpmath at 40 digits; from 25, Hankel's
asymptotic series √(π/2x)·Σ aₖ(ν)/xᵏ (20 terms). Kₙ itself is e^x·Kₙ times e^−x, as e^(−x/2) twice from 700
on (e^−x alone is subnormal from 708, and 0 from 745, where Kₙ is not yet). Measured against mpmath:
tests/test_elementwise_bessel_jyk.py."""

from __future__ import annotations

import math

import numpy as np

from .bessel_forwards import tensor_i0, tensor_i1
from .bessel_series import (
    EULER_GAMMA,
    SCALED_K_EQUATION,
    about,
    by_pieces,
    hankel,
    horner,
    log_half,
    on_positive,
    positive_only,
    taylor,
)
from .special_forwards import on_arrays

# (center, e^x·K₀, e^x·K₁ there), 1.5 apart: e^x·Kₙ is the recessive solution of its equation (the other grows as
# e^2x), so a series about a point holds its digits only near it (e^(2·reach) ulps: 4.5 at 0.75; 38000 at 8)
_CENTERS = (
    (1.75, 0.8941490841572174, 1.1248950768625277),
    (3.25, 0.6720641558493872, 0.7692105516502447),
    (4.75, 0.5614165136256739, 0.6179045484513354),
    (6.25, 0.4920793402616024, 0.5300750582110345),
    (7.75, 0.44340977933536646, 0.4711940069873715),
    (9.25, 0.40682412699254933, 0.4282756067558695),
    (10.75, 0.3780251364440306, 0.3952321809705116),
    (12.25, 0.3545908312902257, 0.36879002720661963),
    (13.75, 0.3350381230137179, 0.34701432826911704),
    (15.25, 0.31840119473644085, 0.3286796477088068),
    (16.75, 0.30402042326950235, 0.312967622226921),
    (18.25, 0.2914278734526523, 0.2993083558211668),
    (19.75, 0.28028113622969775, 0.2872912635094266),
    (21.25, 0.2703230997766086, 0.2766120985080389),
    (22.75, 0.2613564359759676, 0.2670400112267921),
    (24.25, 0.2532268356620252, 0.2583962687554151),
)
_SERIES_UP_TO, _ASYMPTOTIC_FROM = 1.0, 25.0
_HANKEL = {nu: tuple(float(hankel(k, nu)) for k in range(20)) for nu in (0, 1)}
_HALF_PI = math.pi / 2
_HALF_EXP = 700.0  # from here e^−x is e^(−x/2) twice
# K₀ = −(ln(x/2) + γ)·I₀ + Σ Hₖ·qᵏ/(k!)², K₁ = 1/x + ln(x/2)·I₁ − (x/4)·Σ (Hₖ + Hₖ₊₁ − 2γ)·qᵏ/(k!(k+1)!)
_HARMONIC = tuple(math.fsum(1 / j for j in range(1, k + 1)) for k in range(20))
_K0_SERIES = tuple(_HARMONIC[k] / math.factorial(k) ** 2 for k in range(1, 20))
_K1_SERIES = tuple(
    (_HARMONIC[k] + _HARMONIC[k + 1] - 2 * EULER_GAMMA) / (math.factorial(k) * math.factorial(k + 1)) for k in range(19)
)


def _pieces(nu: int) -> tuple[list[float], list]:
    """Taylor pieces of e^x·Kₙ from 1 to 25, each about its center; the slopes from K₀' = −K₁ and
    K₁' = −K₀ − K₁/x: (e^x·K₀)' = e^x·(K₀ − K₁), (e^x·K₁)' = e^x·(K₁ − K₀ − K₁/x)."""
    bounds = [_SERIES_UP_TO, *(c + 0.75 for c, _, _ in _CENTERS)]
    pieces = []
    for center, k0e, k1e in _CENTERS:
        value, slope = (k0e, k0e - k1e) if nu == 0 else (k1e, k1e - k0e - k1e / center)
        pieces.append(about((center, 0.0), taylor(center, value, slope, nu, SCALED_K_EQUATION, 0.75)))
    return bounds, pieces


def _k0_near(a: np.ndarray) -> np.ndarray:
    q = a * a / 4
    return -(log_half(a) + EULER_GAMMA) * tensor_i0(a) + q * horner(_K0_SERIES, q)


def _k1_near(a: np.ndarray) -> np.ndarray:
    q = a * a / 4
    return 1 / a + log_half(a) * tensor_i1(a) - a / 4 * horner(_K1_SERIES, q)


def _far(nu: int):
    def scaled(a: np.ndarray) -> np.ndarray:
        """e^x·Kₙ from 25: 0 at inf (its limit); √(π/2x) as √(π/2)/√x, since π/2x underflows from 1.6e308."""
        return np.where(a == np.inf, 0.0, math.sqrt(_HALF_PI) / np.sqrt(a) * horner(_HANKEL[nu], 1 / a))

    return scaled


_K0_BOUNDS, _K0_PIECES = _pieces(0)
_K1_BOUNDS, _K1_PIECES = _pieces(1)


def _scaled(near, bounds, pieces, far):
    """e^x·Kₙ(x) on x > 0."""

    def scaled(x: np.ndarray) -> np.ndarray:
        return by_pieces(x, [0.0, *bounds], [lambda a: near(a) * np.exp(a), *pieces], far)

    return scaled


def _unscaled(near, scaled_kn):
    """Kₙ(x) on x > 0: the series up to 1, e^x·Kₙ times e^−x beyond (0 where it underflows)."""

    def unscaled(x: np.ndarray) -> np.ndarray:
        def grown(a):
            half = np.exp(-np.where(a <= _HALF_EXP, a, a / 2))
            times = scaled_kn(a) * half
            return np.where(a <= _HALF_EXP, times, times * half)

        return by_pieces(x, [0.0, _SERIES_UP_TO], [near], grown)

    return unscaled


_k0e = _scaled(_k0_near, _K0_BOUNDS, _K0_PIECES, _far(0))
_k1e = _scaled(_k1_near, _K1_BOUNDS, _K1_PIECES, _far(1))
_k0, _k1 = _unscaled(_k0_near, _k0e), _unscaled(_k1_near, _k1e)


NAMES = ("modified_bessel_k0", "modified_bessel_k1", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1")
_FORWARDS = (_k0, _k1, _k0e, _k1e)
tensor_k0, tensor_k1, tensor_k0e, tensor_k1e = (on_arrays(lambda x, f=f: on_positive(x, f, np.inf)) for f in _FORWARDS)
scalar_k0, scalar_k1, scalar_k0e, scalar_k1e = (
    positive_only(n, t) for n, t in zip(NAMES, (tensor_k0, tensor_k1, tensor_k0e, tensor_k1e))
)
