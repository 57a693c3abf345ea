"""Numbers held as a mantissa and a power of two, m·2^e (m a float64 in [1/2, 1) or 0, inf, NaN; e a whole number,
an integer or a float64 array), for products, quotients, powers and sums whose steps leave float64's range where the
result need not: prod's and cumprod's partial products (scaled_products) and nn's p-norms below one, whose norm N
passes 1.8e308 at rows of ordinary sizes for small p (a row of 1e16 at p = 0.01) and whose derivatives divide by it
and multiply by a loss weight. Each step rounds once, as float64's own operation does, and the result is rounded to
a float once (`joined`). A 0, inf or NaN is its mantissa (np.frexp's), the exponent whatever its steps made it."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

Apart = tuple[Any, Any]
_LIMIT = 2200  # exponents past ±_LIMIT give 0 or inf whatever the mantissa (np.ldexp takes 32-bit exponents)


def normalized(m: Any, e: Any) -> Apart:
    """m·2^e with m brought into [1/2, 1) (np.frexp): the mantissa of a product of mantissas, say, made one again."""
    mantissa, shift = np.frexp(m)
    return mantissa, e + shift


def _exponents(a: Apart) -> Any:
    """a's exponents, -inf for a 0 (below every other, so that no sum is brought to a 0's exponent)."""
    return np.where(a[0] == 0, -np.inf, a[1])


def apart(x: Any) -> Apart:
    """x (float64) as mantissa and exponent, exactly (subnormal x too)."""
    return normalized(x, 0.0)


def times(a: Apart, b: Apart) -> Apart:
    """a·b."""
    return normalized(a[0] * b[0], a[1] + b[1])


def over(a: Apart, b: Apart) -> Apart:
    """a / b for b not 0."""
    return normalized(a[0] / b[0], a[1] - b[1])


def scaled(a: Apart, factor: Any) -> Apart:
    """a times a float64 constant (p - 1)."""
    return normalized(a[0] * factor, a[1])


def power(a: Apart, x: float, rest: float = 0.0) -> Apart:
    """a^(x + rest) for a > 0: m^x·2^(e·x), e·x split as e·h + e·(x - h), h the leading 38 bits of x, so that e·h
    (|e| < 2^15) is exact, its whole part the exponent and the rest joining the mantissa; `rest` (the rounding of
    an exponent, below 2^-53 of it) as the factor 1 + rest·ln a. m^x apart (`_mantissa_power`)."""
    m, e = a
    h = math.ldexp(round(math.ldexp(x, 38)), -38)
    whole = np.floor(e * h)
    fraction = (e * h - whole) + e * (x - h)
    m_x, more = _mantissa_power(m, x)
    mantissa = m_x * np.exp2(fraction)
    if rest:
        mantissa = mantissa * (1.0 + rest * (np.log(m) + e * math.log(2)))
    return normalized(mantissa, whole + more)


def _mantissa_power(m: Any, x: float) -> Apart:
    """m^x for a mantissa m, apart: for |x| up to 512 np.power's (exponent 0), else m^(x/2^k), k the least that
    brings |x| to 512, squared k times, each square made a mantissa again (an error of about 2^k roundings, below
    the x·2^-53 that one rounding of a makes of a^x). m^x left the floats past |x| ~ 1074 (m = 1/2): the root 1/p
    of a norm at p below 0.00093, whose mantissa was 0 (pairwise_distance([1, 1], 0, p = 0.0009) under a weight
    of 1e-300: [0, 0] for 1.5e34)."""
    if abs(x) <= 512:
        return np.power(m, x), 0.0
    k = math.ceil(math.log2(abs(x) / 512))
    y, exponent = normalized(np.power(m, math.ldexp(x, -k)), 0.0)
    for _ in range(k):
        y, exponent = normalized(y * y, 2 * exponent)
    return y, exponent


def others(a: Apart) -> Apart:
    """For each entry, the sum of the others along the last axis, each term brought to the largest exponent among
    them (terms below it by more than float64's range are far below one rounding of the sum): for the entry of
    the largest exponent, the rest summed on their own; for every other, the whole sum less its own term, which
    is at most twice the largest term's size, so the subtraction cancels no more than the others' sum does."""
    m, e = a[0], _exponents(a)
    first = np.argmax(e, axis=-1)[..., None]
    is_first = np.arange(e.shape[-1]) == first
    top = np.take_along_axis(e, first, axis=-1)
    second = np.max(np.where(is_first, -np.inf, e), axis=-1, keepdims=True)
    top, second = (np.where(np.isfinite(x), x, 0.0) for x in (top, second))  # rows of zeros, or one entry
    shifted = _shifted(m, e - top)
    rest = np.sum(np.where(is_first, 0.0, _shifted(m, e - second)), axis=-1, keepdims=True)
    but_own = np.sum(shifted, axis=-1, keepdims=True) - shifted
    return normalized(np.where(is_first, rest, but_own), np.where(is_first, second, top))


def minus(a: Apart, b: Apart) -> Apart:
    """a - b, both brought to the larger exponent."""
    top = np.maximum(_exponents(a), _exponents(b))
    top = np.where(np.isfinite(top), top, 0.0)
    return normalized(_shifted(a[0], a[1] - top) - _shifted(b[0], b[1] - top), top)


def joined(a: Apart) -> Any:
    """m·2^e as a float64, rounded once: inf past the range, subnormal or 0 below it (the answer, not a slip)."""
    return _shifted(*a)


def _shifted(m: Any, e: Any) -> Any:
    with np.errstate(invalid="ignore", over="ignore", under="ignore"):
        return np.ldexp(m, np.clip(np.nan_to_num(e, nan=0.0), -_LIMIT, _LIMIT).astype(np.int32))


class Floats:
    """The steps above on plain float64 arrays (apart and joined the numbers themselves), for numbers a caller knows
    stay well inside the normal floats on every step: the same formula written once then takes either, and those
    numbers skip np.frexp and np.ldexp (nn's p < 1 norms' second derivatives: 2 to 3 times the time on every row).
    `others` takes the largest |term| as the apart one takes the largest exponent."""

    apart = joined = staticmethod(lambda x: x)
    times = staticmethod(lambda a, b: a * b)
    over = staticmethod(lambda a, b: a / b)
    scaled = staticmethod(lambda a, factor: a * factor)
    minus = staticmethod(lambda a, b: a - b)

    @staticmethod
    def power(a: Any, x: float, rest: float = 0.0) -> Any:
        """a^(x + rest) for a > 0, `rest` as the factor 1 + rest·ln a."""
        return np.power(a, x) * (1.0 + rest * np.log(a)) if rest else np.power(a, x)

    @staticmethod
    def others(a: Any) -> Any:
        """For each entry, the sum of the others along the last axis: the largest |term|'s the rest summed on their
        own, every other's the whole sum less its own term."""
        is_first = np.arange(a.shape[-1]) == np.argmax(np.abs(a), axis=-1)[..., None]
        rest = np.sum(np.where(is_first, 0.0, a), axis=-1, keepdims=True)
        return np.where(is_first, rest, np.sum(a, axis=-1, keepdims=True) - a)
