"""What the Bessel forwards of J₀, J₁, Y₀, Y₁ and K₀, K₁ are built from (bessel_jy_forwards, bessel_k_forwards):
Taylor series about chosen centers, their coefficients worked out from Bessel's equation itself (so that a
center costs three numbers: where it is, the value and the slope there), Hankel's asymptotic coefficients, and
the evaluation of a piece of the line by each piece's own formula.

Bessel's equation x²y'' + xy' + (x² − ν²)y = 0 (J and Y), and the one e^x·K satisfies,
x²u'' + x(1 − 2x)u' − (x + ν²)u = 0, are both x²y'' + (x + p·x²)y' + (q·x² + r·x − ν²)y = 0; about a center z
(x = z + t, y = Σ aₙtⁿ) their coefficients follow each other:
z²(n + 2)(n + 1)aₙ₊₂ = −(z(n + 1)(2n + 1) + p·z²(n + 1))aₙ₊₁ − (n² + 2p·z·n + q·z² + r·z − ν²)aₙ
− (p(n − 1) + 2q·z + r)aₙ₋₁ − q·aₙ₋₂.
About a zero of J or Y (a₀ = 0, the zero held as two floats, t = (x − hi) − lo exact) the series keeps the
function's digits relative to itself right up to the zero, where a closed form's terms would cancel."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction

import numpy as np

from .special_forwards import on_float

BESSEL_EQUATION = (0.0, 1.0, 0.0)  # (p, q, r) of J and Y
SCALED_K_EQUATION = (-2.0, 0.0, -1.0)  # of e^x·K
EULER_GAMMA = 0.5772156649015329
_TINY = 1e-19  # where a series is cut: its next term below this much of its largest, at the piece's far end


def hankel(k: int, nu: int) -> Fraction:
    """The kth coefficient aₖ(ν) = Π (4ν² − (2j − 1)²)/(k!·8ᵏ), j ≤ k, of the asymptotic series of Iᵥ, Kᵥ, Jᵥ
    and Yᵥ in 1/x (Hankel's)."""
    product = math.prod((Fraction(4 * nu * nu - (2 * j - 1) ** 2) for j in range(1, k + 1)), start=Fraction(1))
    return product / (math.factorial(k) * 8**k)


def taylor(
    center: float, value: float, slope: float, nu: int, equation: tuple[float, float, float], reach: float
) -> tuple[float, ...]:
    """The Taylor coefficients a₀, a₁, ... about `center` of the solution of `equation` with that value and slope
    there, as many as hold every digit within `reach` of it."""
    p, q, r = equation
    z = center
    a = [value, slope]
    largest = max(abs(value), abs(slope) * reach)
    for n in range(200):
        before1 = a[n - 1] if n >= 1 else 0.0
        before2 = a[n - 2] if n >= 2 else 0.0
        following = (
            -(z * (n + 1) * (2 * n + 1) + p * z * z * (n + 1)) * a[n + 1]
            - (n * n + 2 * p * z * n + q * z * z + r * z - nu * nu) * a[n]
            - (p * (n - 1) + 2 * q * z + r) * before1
            - q * before2
        ) / (z * z * (n + 2) * (n + 1))
        a.append(following)
        size = abs(following) * reach ** (n + 2)
        largest = max(largest, size)
        if size < _TINY * largest and abs(a[-2]) * reach ** (n + 1) < _TINY * largest:
            return tuple(a)
    raise AssertionError(f"the series about {center} does not converge within {reach}")  # a wrong table


def log_half(a: np.ndarray) -> np.ndarray:
    """ln(a/2) of the log terms of Y and K near 0: a/2 is rounded below 2⁻¹⁰²¹ (0 at 5e-324, where Y₀ came out −inf
    and Y₁ NaN; 3.9e-4 off at 1.5e-323), so there it is ln a − ln 2."""
    return np.where(a < 1e-300, np.log(a) - math.log(2), np.log(a / 2))


def horner(coefficients: Sequence[float], t: np.ndarray) -> np.ndarray:
    """Σ cₖ·tᵏ, from c₀ up."""
    total = np.zeros_like(t)
    for c in reversed(coefficients):
        total = total * t + c
    return total


def about(center: tuple[float, float], coefficients: tuple[float, ...]) -> Callable[[np.ndarray], np.ndarray]:
    """The series about a center held as hi + lo, at t = (x − hi) − lo (x − hi exact within a factor 2 of it)."""
    hi, lo = center
    return lambda x: horner(coefficients, (x - hi) - lo)


def by_pieces(
    x: np.ndarray, bounds: Sequence[float], pieces: Sequence[Callable[[np.ndarray], np.ndarray]], beyond
) -> np.ndarray:
    """pieces[i](x) where bounds[i] ≤ x < bounds[i + 1], beyond(x) from the last bound up (NaN too: NaN), each
    taken only on its own elements (x a 1-d float64 array, at or above bounds[0])."""
    out = np.empty_like(x)
    done = np.zeros(x.shape, dtype=bool)
    for lo, hi, piece in zip(bounds, bounds[1:], pieces):
        here = (x >= lo) & (x < hi)
        out[here] = piece(x[here])
        done |= here
    out[~done] = beyond(x[~done])
    return out


def on_positive(x: np.ndarray, y: Callable[[np.ndarray], np.ndarray], at_zero: float) -> np.ndarray:
    """y(x) for x > 0 (Y, K); `at_zero` at ±0 (Y's −inf, K's +inf) and NaN below, PyTorch's."""
    inside = np.where(x > 0, x, np.inf)  # the rest put right below
    return np.where(x > 0, y(inside), np.where(x == 0, at_zero, np.nan))


def positive_only(name: str, tensor: Callable[[np.ndarray], np.ndarray]) -> Callable[[float], float]:
    """A forward on floats, the arrays' digits, refused at and below 0, where Y and K have no real value (a
    Tensor gives ±inf at ±0 and NaN below)."""

    def scalar(x: float) -> float:
        if not x > 0 and x == x:
            raise ValueError(f"{name} needs a positive input")
        return on_float(tensor, x)

    scalar.__name__ = f"scalar_{name}"
    return scalar
