"""The Hurwitz zeta function ζ(x, q) = Σₖ (k + q)⁻ˣ on arrays, in numpy alone (PyTorch's special.zeta), by
Euler–Maclaurin: the first terms summed until k + q > 9 (and at least 9 of them), the tail's integral
and half its first term, and its Bernoulli corrections until they fall below ε. A q below 0 (x whole) by
`_below_zero`: three sums of positive q. Domains as PyTorch's: x = 1 gives inf, x < 1 NaN; q a whole number
<= 0 gives inf, another q <= 0 NaN unless x is whole."""

from __future__ import annotations

from fractions import Fraction
from math import factorial

import numpy as np

_EPSILON = float(np.finfo(np.float64).eps)


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


def _below_zero(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    """ζ(x, q) for q < 0 not whole and x whole. Its M = ⌈−q⌉ negative terms (q + k)⁻ˣ are (−1)ˣ·(r + j)⁻ˣ for
    j < M, r = 1 − p, p = q + M in (0, 1): (−1)ˣ·(ζ(x, r) − ζ(x, 1 − q)), and the rest is ζ(x, p). Summed one by
    one, as before, they took 2.9 s for one element at q = −99,999.5 (NaN below −100,000), and for odd x they
    cancel: ζ(5, −99,999.5) came out 0, not 2.5e-21; there ζ(x, p) − ζ(x, 1 − p) is `_odd_difference`, whole.
    r is exact (−(q + M − 1) lies in (0, 1), on q's grid), and so is p but where −1/2 < q < 0 (p = 1 + q rounds)."""
    whole = np.ceil(-q)
    p, r = q + whole, -(q + (whole - 1))
    even = np.mod(x, 2) == 0
    near = np.where(even, _euler_maclaurin(x, p) + _euler_maclaurin(x, r), _odd_difference(x, p, r))
    return near - np.where(even, 1.0, -1.0) * _euler_maclaurin(x, 1 - q)


def _odd_difference(x: np.ndarray, p: np.ndarray, r: np.ndarray) -> np.ndarray:
    """ζ(x, p) − ζ(x, 1 − p) (r = 1 − p, exact), to a few ulps of itself, which is 0 at p = 1/2. Where the first
    pair (1/2 ± t)⁻ˣ, t = p − 1/2, cancels to half or less (2x·atanh(2|t|) < log 2, so |t| < 0.06, t exact): its
    first nine pairs (c ± t)⁻ˣ, c = k + 1/2, each as −2·c⁻ˣ·e^m·sinh(x·atanh(t/c)), m = −(x/2)·log(1 − (t/c)²),
    and the rest by Taylor's series about 9.5, −2·Σ over odd j of tʲ·C(x + j − 1, j)·ζ(x + j, 9.5) (each term
    below the last by (x + j)²·t²/(90·j²), 6e-4 at most). Elsewhere the two sums, as they are."""
    t = 0.5 - r  # exact (Sterbenz) where it matters, |t| < 0.06; p − 1/2 carried 1 + q's rounding (q = −0.49999)
    middle = 2 * x * np.arctanh(np.minimum(2 * np.abs(t), 0.5)) < np.log(2)
    out = np.empty_like(p)
    out[~middle] = _euler_maclaurin(x[~middle], p[~middle]) - _euler_maclaurin(x[~middle], r[~middle])
    x, t = x[middle], t[middle]
    total = np.zeros_like(t)
    with np.errstate(under="ignore"):
        for k in range(9):
            s = t / (k + 0.5)
            total += -2 * (k + 0.5) ** -x * np.exp(-0.5 * x * np.log1p(-s * s)) * np.sinh(x * np.arctanh(s))
        binomial, power = x.copy(), t.copy()  # C(x + j − 1, j) and tʲ at j = 1
        for j in range(1, 60, 2):
            term = -2 * power * binomial * _euler_maclaurin(x + j, np.full_like(t, 9.5))
            total += term
            if not (np.abs(term) > _EPSILON * np.abs(total)).any():
                break
            binomial = binomial * (x + j) * (x + j + 1) / ((j + 1) * (j + 2))
            power = power * t * t
    out[middle] = total
    return out


def zeta(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    """ζ(x, q), the Hurwitz zeta function, elementwise (broadcasting); domains in the module docstring."""
    dtype = np.result_type(x, q, np.float16)
    x64, q64 = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(q, np.float64))
    x64, q64 = x64.ravel(), q64.ravel()
    out = np.full(x64.shape, np.nan)
    out[x64 == 1] = np.inf
    pole = (x64 > 1) & (q64 <= 0) & (q64 == np.floor(q64))
    out[pole] = np.inf
    fine = (x64 > 1) & (q64 > 0)
    if fine.any():
        out[fine] = _euler_maclaurin(x64[fine], q64[fine])
    below = (x64 > 1) & ~pole & (q64 < 0) & (x64 == np.floor(x64)) & np.isfinite(q64)
    out[below & (x64 == np.inf)] = np.inf  # a term (q + k) within (−1, 1) to the power −inf (PyTorch's inf)
    below &= x64 < np.inf
    if below.any():
        out[below] = _below_zero(x64[below], q64[below])
    return out.reshape(np.broadcast_shapes(np.shape(x), np.shape(q))).astype(dtype, copy=False)
