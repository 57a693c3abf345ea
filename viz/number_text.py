"""How viz writes a number: to a few significant figures, more where fewer would contradict the
picture (tanh(-6) drawn as -1 beside its gradient), whole numbers in full; an array as its min, mean
and max; a gradient's size on a colour scale, and whether numbers are finite."""

from __future__ import annotations

from typing import Any

import numpy as np

NUMBER_FIGURES = 4  # a number's significant figures, as drawn, captioned and told
ARRAY_FIGURES = 3  # an array's min, mean and max, and its histogram's range: fewer than a number's 4, three abreast
NOISE_UNITS = 4  # a whole number this many units in the last place away is shown whole: its rounding noise
WHOLE_IN_FULL = 1e6  # whole numbers below it are written in full, six digits at most: beyond, n figures and an exponent


def summary(x: Any, signed_zero: bool = False, n: int | None = None) -> str:
    """A number as 4 significant figures (`n` if given); an array as its min, mean and max (with how many
    elements are NaN or infinite, apart) to ARRAY_FIGURES (or `n`; more to tell a min and max apart); text as it
    is. A zero's sign is shown only with `signed_zero`, and only for one number: for data, where it matters
    (1 / -0 = -inf), not in arithmetic, where "0 × (-1) = -0" reads as a mistake, nor in an array's min and max
    (which of 0 and -0 is the min is their order's doing, and their mean is 0)."""
    if isinstance(x, str):
        return x
    a = np.asarray(x, dtype=float)
    a = a if signed_zero and a.size == 1 else a + 0.0  # + 0.0 makes -0.0 a 0
    if a.size == 0:
        return "empty"
    if a.size == 1:
        return figures(a.item(), n or NUMBER_FIGURES)
    finite = a[np.isfinite(a)]
    if finite.size == a.size:
        return _spread(a, n or ARRAY_FIGURES)
    # each infinity by its sign, as a number of one is written ("inf", "-inf"): -inf and inf are far apart
    counts = ((np.isnan(a).sum(), "nan"), (np.isneginf(a).sum(), "-inf"), (np.isposinf(a).sum(), "inf"))
    bad = ", ".join(f"{n} {word}" for n, word in counts if n)
    rest = f"; the rest {_spread(finite, n or ARRAY_FIGURES)}" if finite.size else ""
    return f"{bad} of {a.size}{rest}"


def _spread(a: np.ndarray, n: int) -> str:
    n = apart(a.min(), a.max(), n)
    return f"min {figures(a.min(), n)} mean {figures(_mean(a), n)} max {figures(a.max(), n)}"


def apart(lo: float, hi: float, n: int) -> int:
    """The figures (n at least) that write an array's min and max apart where they differ: [0.1001, 0.1003]
    written "min 0.1 mean 0.1 max 0.1" would read as an array of equal numbers."""
    while n < 17 and lo != hi and figures(lo, n) == figures(hi, n):
        n += 1
    return n


def _mean(a: np.ndarray) -> float:
    """The mean of finite numbers: near the float limit (1e308) their sum overflows, so they are
    scaled by the largest magnitude first there, not shown as a mean of inf beside their max."""
    with np.errstate(over="ignore"):
        m = a.mean()
    if np.isfinite(m):
        return m
    top = np.abs(a).max()
    return top * np.mean(a / top)


def figures(v: float, n: int) -> str:
    """v to n significant figures, or more where n would show a whole number that v is not (`digits`)."""
    return f"{v:.{digits(v, n)}g}"


def digits(v: float, n: int) -> int:
    """How many significant figures `figures` writes v with: n, or more where n would show a whole number
    that v is not: tanh(-6) = -0.9999877 drawn as -1 would contradict its own gradient, 1 - (-1)² = 0
    beside 2.458e-05, and so would tanh(10) = 0.9999999959 beside 8.245e-09, and tanh(15) = 1 - 1.9e-13 beside
    3.743e-13. Within NOISE_UNITS units in its last place of a whole number is rounding noise (0.1 added ten times,
    0.9999999999999999, stays 1).
    A whole number below WHOLE_IN_FULL is written whole: 12345 as 1.234e+04 reads as 12340, 999999 as
    1e+06 as a million (and 12345.5 is written in full already, by the rule above)."""
    if float(v).is_integer() and abs(v) < WHOLE_IN_FULL:
        return max(n, len(str(int(abs(v)))))
    text = f"{v:.{n}g}"
    # whole as written, 1e+04 as 10000 too (9999.7 is not), but not where v is whole itself (6.67e+307 is)
    # noise is counted in v's own units (np.spacing): a relative 4 eps is 8 of them just below a power of two
    noise = NOISE_UNITS * float(np.spacing(abs(float(v))))
    while n < 17 and float(text).is_integer() and not float(v).is_integer() and abs(float(text) - v) > noise:
        n += 1
        text = f"{v:.{n}g}"
    return n


def magnitude(x: Any) -> float:
    """The mean |element| of a gradient: its size on a colour scale."""
    return float(np.mean(np.abs(np.asarray(x, dtype=float)))) if x is not None else 0.0


def finite(x: Any) -> bool:
    """Whether every element of a node's data or gradient is finite (labels and integers are)."""
    a = np.asarray(x)
    return a.dtype.kind not in "fc" or bool(np.isfinite(a).all())
