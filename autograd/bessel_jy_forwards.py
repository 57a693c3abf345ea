"""Forwards of the Bessel functions of the first and second kind J₀, J₁, Y₀, Y₁ (op_table_bessel_jyk), on arrays
(`tensor_*`) and on floats (`scalar_*`, the arrays' digits; raising where a Value's result has no real value).
numpy has none of them and chainrule does not depend on scipy.

Near 0, each one's power series in q = x²/4 (Y's with its log term); up to 25, Taylor series about each zero and a
few points between (bessel_series: coefficients from Bessel's equation, so the digits hold relative to the
function right up to its zeros, where PyTorch's are off by up to all of them); from 25, Hankel's asymptotic
series P and Q (20 terms), J = √(2/πx)·(P·cos χ − Q·sin χ), Y = √(2/πx)·(P·sin χ + Q·cos χ), χ = x − (2ν + 1)π/4,
written with cos x and sin x, which numpy reduces exactly: there the two terms cancel at each zero, and
the error is a few ulps of the envelope √(2/πx) (PyTorch's too). J is even (J₀) or odd (J₁); Y is NaN below 0
and −inf at 0 (PyTorch's). Both are 0 at +inf, their limit (PyTorch's J is NaN there). Each zero (as hi + lo)
and the slope there, and the value and slope at the other centers, from mpmath at 40 digits. Measured against
mpmath: tests/test_elementwise_bessel_jyk.py."""

from __future__ import annotations

import math

import numpy as np

from .bessel_series import (
    BESSEL_EQUATION,
    EULER_GAMMA,
    about,
    by_pieces,
    hankel,
    horner,
    log_half,
    on_positive,
    positive_only,
    taylor,
)
from .special_forwards import on_arrays, on_float

# (hi, lo, value, slope): each center of a Taylor series (a zero's value is 0); pieces end halfway between
_J0_CENTERS = (
    (2.404825557695773, -1.176691651530894e-16, 0.0, -0.5191474972894667),
    (5.520078110286311, 8.088597146146722e-17, 0.0, 0.34026480655836816),
    (8.653727912911013, -2.92812607320779e-16, 0.0, -0.27145229992838193),
    (11.791534439014281, 2.812956912778735e-16, 0.0, 0.23245983136472478),
    (14.930917708487787, -7.070514505983074e-16, 0.0, -0.20654643307799603),
    (18.071063967910924, -9.658048089426209e-16, 0.0, 0.18772880304043943),
    (21.21163662987926, 4.947077428784068e-16, 0.0, -0.17326589422922986),
    (24.352471530749302, 9.169067133951066e-16, 0.0, 0.16170155068925002),
)
_J1_CENTERS = (
    (3.8317059702075125, -1.5269184090088067e-16, 0.0, -0.402759395702553),
    (7.015586669815619, -9.414165653410389e-17, 0.0, 0.30011575252613254),
    (10.173468135062722, 4.482162274768888e-16, 0.0, -0.2497048770578432),
    (13.323691936314223, 2.600408064718813e-16, 0.0, 0.21835940724787295),
    (16.470630050877634, -1.619019544798128e-15, 0.0, -0.1964653714686572),
    (19.615858510468243, -1.004445634526616e-15, 0.0, 0.18006337534431555),
    (22.760084380592772, -4.925749373614922e-16, 0.0, -0.16718460047381806),
)
_Y0_CENTERS = (
    (0.8935769662791675, 2.6596231539720385e-17, 0.0, 0.8794208024971948),
    (1.4, 0.0, 0.3378951296796881, 0.47914697423280006),
    (2.0, 0.0, 0.5103756726497451, 0.10703243154093754),
    (3.957678419314858, -1.0764340697562706e-16, 0.0, -0.40254267177502423),
    (7.086051060301773, -8.835285723085408e-17, 0.0, 0.3000976149104752),
    (10.222345043496418, -7.967395050308809e-16, 0.0, -0.2497012375146848),
    (13.361097473872764, -6.626109493712529e-16, 0.0, 0.21835829659767134),
    (16.50092244152809, 1.0187464212445755e-15, 0.0, -0.19646493789501676),
    (19.64130970088794, -1.3738085245174177e-15, 0.0, 0.18006317633754418),
    (22.782028047291558, 1.5905927758681248e-15, 0.0, -0.16718449805101074),
)
_Y1_CENTERS = (
    (1.4, 0.0, -0.47914697423280006, 0.6801429684174024),
    (2.197141326031017, -4.8259835876454966e-17, 0.0, 0.5207864124022675),
    (3.2, 0.0, 0.37071133844127474, 0.19120595686950467),
    (5.429681040794135, 4.162514026670377e-16, 0.0, -0.3403180455234406),
    (8.596005868331169, 2.8415838340063664e-16, 0.0, 0.27145987731153354),
    (11.749154830839881, 2.9466381668409186e-17, 0.0, -0.23246176601703875),
    (14.897442128336726, -6.072148995506809e-16, 0.0, 0.2065471103565926),
    (18.043402276727857, -1.4499889213148965e-15, 0.0, -0.1877290919149097),
    (21.188068934142212, 1.0863038864317323e-15, 0.0, 0.17326603526911988),
    (24.33194257135691, 2.940063934282991e-16, 0.0, -0.1617016266586241),
)
_ASYMPTOTIC_FROM = 25.0  # Hankel's series holds every digit from here with 20 terms (its smallest is 2e-23)
_HANKEL = {nu: tuple(float((-1) ** (k // 2) * hankel(k, nu)) for k in range(20)) for nu in (0, 1)}  # signs of P, Q
_INV_SQRT_PI = 1 / math.sqrt(math.pi)
# the power series in q = x²/4: J₀ = Σ (−q)ᵏ/(k!)², J₁ = (x/2)·Σ (−q)ᵏ/(k!(k+1)!); Y's sums of Hₖ = 1 + ... + 1/k
_HARMONIC = tuple(math.fsum(1 / j for j in range(1, k + 1)) for k in range(30))
_J0_SERIES = tuple((-1) ** k / math.factorial(k) ** 2 for k in range(30))
_J1_SERIES = tuple((-1) ** k / (math.factorial(k) * math.factorial(k + 1)) for k in range(30))
_Y0_SERIES = tuple((-1) ** (k + 1) * _HARMONIC[k] / math.factorial(k) ** 2 for k in range(30))
_Y1_SERIES = tuple(
    (-1) ** k * (_HARMONIC[k] + _HARMONIC[k + 1] - 2 * EULER_GAMMA) / (math.factorial(k) * math.factorial(k + 1))
    for k in range(29)
)


def _pieces(centers, nu: int, start: float) -> tuple[list[float], list]:
    """The Taylor pieces from `start` to 25: one about each center, bounded halfway between centers."""
    middles = [(a[0] + b[0]) / 2 for a, b in zip(centers, centers[1:])]
    bounds = [start, *middles, _ASYMPTOTIC_FROM]
    pieces = []
    for (hi, lo, value, slope), a, b in zip(centers, bounds, bounds[1:]):
        coefficients = taylor(hi + lo, value, slope, nu, BESSEL_EQUATION, max(hi - a, b - hi))
        pieces.append(about((hi, lo), coefficients))
    return bounds, pieces


def _hankel(a: np.ndarray, nu: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(P + Q, P − Q, cos a, sin a) times 1/√(πa), for a ≥ 25: J and Y are sums of their products."""
    w = 1 / a
    series = _HANKEL[nu]
    p = horner(series[0::2], w * w)
    q = w * horner(series[1::2], w * w)
    envelope = _INV_SQRT_PI / np.sqrt(a)  # π·a would overflow from 5.7e307
    return envelope * (p + q), envelope * (p - q), np.cos(a), np.sin(a)


def _j0_far(a: np.ndarray) -> np.ndarray:
    plus, minus, c, s = _hankel(a, 0)
    return np.where(a == np.inf, 0.0, plus * c + minus * s)


def _j1_far(a: np.ndarray) -> np.ndarray:
    plus, minus, c, s = _hankel(a, 1)
    return np.where(a == np.inf, 0.0, plus * s - minus * c)


def _y0_far(a: np.ndarray) -> np.ndarray:
    plus, minus, c, s = _hankel(a, 0)
    return np.where(a == np.inf, 0.0, plus * s - minus * c)


def _y1_far(a: np.ndarray) -> np.ndarray:
    plus, minus, c, s = _hankel(a, 1)
    return np.where(a == np.inf, 0.0, -(plus * c) - minus * s)


def _j0_near(a: np.ndarray) -> np.ndarray:
    return horner(_J0_SERIES, a * a / 4)


def _j1_near(a: np.ndarray) -> np.ndarray:
    return a / 2 * horner(_J1_SERIES, a * a / 4)


def _y0_near(a: np.ndarray) -> np.ndarray:
    q = a * a / 4
    return 2 / math.pi * ((log_half(a) + EULER_GAMMA) * _j0_near(a) + q * horner(_Y0_SERIES[1:], q))


def _y1_near(a: np.ndarray) -> np.ndarray:
    q = a * a / 4
    return (-2 / math.pi) / a + 2 / math.pi * log_half(a) * _j1_near(a) - a / (2 * math.pi) * horner(_Y1_SERIES, q)


_J0_BOUNDS, _J0_PIECES = _pieces(_J0_CENTERS, 0, 1.25)  # x − 2.40 is exact from 1.2025
_J1_BOUNDS, _J1_PIECES = _pieces(_J1_CENTERS, 1, 2.0)
_Y0_BOUNDS, _Y0_PIECES = _pieces(_Y0_CENTERS, 0, 0.6)
_Y1_BOUNDS, _Y1_PIECES = _pieces(_Y1_CENTERS, 1, 1.1)


def _j0(x: np.ndarray) -> np.ndarray:
    a = np.abs(x)
    return by_pieces(a, [0.0, *_J0_BOUNDS], [_j0_near, *_J0_PIECES], _j0_far)


def _j1(x: np.ndarray) -> np.ndarray:
    a = np.abs(x)
    return by_pieces(a, [0.0, *_J1_BOUNDS], [_j1_near, *_J1_PIECES], _j1_far) * np.copysign(1.0, x)  # odd


def _y0(x: np.ndarray) -> np.ndarray:
    return on_positive(x, lambda a: by_pieces(a, [0.0, *_Y0_BOUNDS], [_y0_near, *_Y0_PIECES], _y0_far), -np.inf)


def _y1(x: np.ndarray) -> np.ndarray:
    return on_positive(x, lambda a: by_pieces(a, [0.0, *_Y1_BOUNDS], [_y1_near, *_Y1_PIECES], _y1_far), -np.inf)


tensor_j0, tensor_j1, tensor_y0, tensor_y1 = (on_arrays(f) for f in (_j0, _j1, _y0, _y1))


def scalar_j0(x: float) -> float:
    return on_float(tensor_j0, x)


def scalar_j1(x: float) -> float:
    return on_float(tensor_j1, x)


scalar_y0, scalar_y1 = positive_only("bessel_y0", tensor_y0), positive_only("bessel_y1", tensor_y1)
