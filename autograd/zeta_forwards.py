"""The Hurwitz zeta function ζ(x, q) = Σₖ (k + q)⁻ˣ on arrays, in numpy alone (PyTorch's special.zeta), by
Euler–Maclaurin: the first terms summed until k + q > 9 (and at least 9 of them), the tail's integral
and half its first term, and its Bernoulli corrections until they fall below ε. Domains as PyTorch's:
x = 1 gives inf, x < 1 NaN; q a whole number <= 0 gives inf, another q <= 0 NaN unless x is whole."""

from __future__ import annotations

from fractions import Fraction
from math import factorial

import numpy as np

_EPSILON = float(np.finfo(np.float64).eps)
# the first terms are summed directly until k + q > 9: a q below −MOST_TERMS would need more than this many
# (and memory in proportion): NaN there, never a guess (PyTorch's loops for as long as it takes)
MOST_TERMS = 100_000


def _bernoulli(count: int) -> list[Fraction]:
    """B₀, B₁, ..., B_{count−1} (B₁ = −1/2) by their recurrence Σⱼ C(m + 1, j)·Bⱼ = 0."""
    b = [Fraction(1)]
    for m in range(1, count):
        b.append(
            -sum(Fraction(factorial(m + 1), factorial(j) * factorial(m + 1 - j)) * b[j] for j in range(m)) / (m + 1)
        )
    return b


# (2k)!/B₂ₖ for k = 1..12: the Euler–Maclaurin corrections' denominators
_CORRECTIONS = tuple(float(factorial(2 * k) / b) for k, b in enumerate(_bernoulli(25)[2::2], start=1))


def _euler_maclaurin(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    """ζ(x, q) for x > 1 and q > 0 (or q < 0 not whole with x whole), float64 arrays of one shape."""
    total = np.zeros_like(x)
    a = q.copy()
    done = np.zeros(x.shape, bool)
    steps = int(np.max(np.maximum(9.0 - np.floor(q), 9.0), initial=9.0)) + 1
    b = np.zeros_like(x)
    with np.errstate(all="ignore"):
        total[:] = q**-x
        for i in range(1, steps + 1):  # at least 9 terms, and until a > 9
            more = ~done & ((i <= 9) | (a <= 9))
            a = np.where(more, a + 1, a)
            b = np.where(more, a**-x, b)
            total = np.where(more, total + b, total)
            done |= more & (np.abs(b / total) < _EPSILON)
        live = ~done
        w = a
        total = np.where(live, total + b * w / (x - 1) - 0.5 * b, total)
        factor, k = np.ones_like(x), 0.0
        for correction in _CORRECTIONS:
            factor = factor * (x + k)
            b = b / w
            t = factor * b / correction
            total = np.where(live, total + t, total)
            live &= ~(np.abs(t / total) < _EPSILON)
            k += 1
            factor = factor * (x + k)
            b = b / w
            k += 1
    return total


def zeta(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    """ζ(x, q), the Hurwitz zeta function, elementwise (broadcasting); domains in the module docstring."""
    dtype = np.result_type(x, q, np.float16)
    x64, q64 = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(q, np.float64))
    x64, q64 = x64.ravel(), q64.ravel()
    out = np.full(x64.shape, np.nan)
    out[x64 == 1] = np.inf
    pole = (x64 > 1) & (q64 <= 0) & (q64 == np.floor(q64))
    out[pole] = np.inf
    fine = (x64 > 1) & ~pole & ((q64 > 0) | ((x64 == np.floor(x64)) & (q64 >= -MOST_TERMS)))
    if fine.any():
        out[fine] = _euler_maclaurin(x64[fine], q64[fine])
    return out.reshape(np.broadcast_shapes(np.shape(x), np.shape(q))).astype(dtype, copy=False)
