"""How viz writes a number: to a few significant figures, more where fewer would contradict the
picture (tanh(-6) drawn as -1 beside its gradient), whole numbers in full, and always as a number of its
own float type (`kind`): never more digits than tell it apart there (float32's 0.1 is 0.1, not float64's
0.10000000149011612); an array as its min, mean and max; a gradient's size on a colour scale, and whether
numbers are finite."""

from __future__ import annotations

import itertools
import math
import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

import numpy as np

NUMBER_FIGURES = 4  # a number's significant figures, as drawn, captioned and told
ARRAY_FIGURES = 3  # an array's min, mean and max, and its histogram's range: fewer than a number's 4, three abreast
NOISE_UNITS = 4  # a whole number this many units in the last place away is shown whole: its rounding noise
WHOLE_IN_FULL = 1e6  # whole numbers below it are written in full, six digits at most: beyond, n figures and an exponent
FULL_FIGURES = len(str(int(WHOLE_IN_FULL) - 1))  # 6: as many figures as a number written in full reads with at a glance
# the figures each float type holds whatever the number (np.finfo's precision): up to them, rounding to n figures
# writes a number's shortest text where that is shorter (0.1's), so `shortest` is asked only beyond
PRECISION = {t: np.finfo(t).precision for t in (np.float16, np.float32, np.float64, np.longdouble)}  # 3, 6, 15, 18
# the figures that tell any two numbers of a float type apart: 5, 9, 17 and (x86's 64-bit long double) 21
ROUND_TRIP = {t: math.ceil((np.finfo(t).nmant + 1) * math.log10(2)) + 1 for t in PRECISION}


def summary(x: Any, signed_zero: bool = False, n: int | None = None) -> str:
    """A number as 4 significant figures (`n` if given); an array as its min, mean and max (with how many
    elements are NaN or infinite, apart) to ARRAY_FIGURES (or `n`; more to tell a min and max apart); text as it
    is. A zero's sign is shown only with `signed_zero`, and only for one number: for data, where it matters
    (1 / -0 = -inf), not in arithmetic, where "0 × (-1) = -0" reads as a mistake, nor in an array's min and max
    (which of 0 and -0 is the min is their order's doing, and their mean is 0)."""
    if isinstance(x, str):
        return x
    if isinstance(x, float):  # a Value's number: no array to make of it
        v = x if signed_zero else x + 0.0
        return _float_figures(v, n or NUMBER_FIGURES) if v else figures(v, n or NUMBER_FIGURES)  # ±0: not alike
    of, a = kind(x), numbers(x)
    a = a if signed_zero and a.size == 1 else a + 0.0  # + 0.0 makes -0.0 a 0
    if a.size == 0:
        return "empty"
    if a.size == 1:
        return figures(a.reshape(-1)[0], n or NUMBER_FIGURES, of)
    finite = a[np.isfinite(a)]
    if finite.size == a.size:
        return _spread(a, n or ARRAY_FIGURES, of)
    # each infinity by its sign, as a number of one is written ("inf", "-inf"): -inf and inf are far apart
    counts = ((np.isnan(a).sum(), "nan"), (np.isneginf(a).sum(), "-inf"), (np.isposinf(a).sum(), "inf"))
    bad = ", ".join(f"{n} {word}" for n, word in counts if n)
    rest = f"; the rest {_spread(finite, n or ARRAY_FIGURES, of)}" if finite.size else ""
    return f"{bad} of {a.size}{rest}"


def size(x: Any) -> int:
    """np.size(x), at once for a Python float (a Value's number: a deep path's product has hundreds of factors)."""
    return 1 if isinstance(x, float) else np.size(x)


def kind(x: Any) -> type:
    """The float type whose digits `x`'s numbers have: a float16, float32 or long double array's or scalar's own,
    else float64 (a Python float, a float64 array, integers)."""
    found = np.float64 if isinstance(x, float | int) else np.asarray(x).dtype.type
    return found if found in PRECISION else np.float64


def numbers(x: Any) -> np.ndarray:
    """x's numbers as an array of floats that keeps each of them: long doubles for long doubles and 64-bit
    integers, where float64 would round some away ([1, 1 + 4 eps] of long doubles, [2**53, 2**53 + 1] of int64,
    to two equal numbers, a long double's 1e4000 to inf), float64 for the rest."""
    a = np.asarray(x)
    wide = a.dtype == np.longdouble or (a.dtype.kind in "iu" and a.dtype.itemsize > 4)
    return a.astype(np.longdouble if wide else np.float64)


def float_name(of: type) -> str:
    """A float type as the notes name it: "float" for Python's (float64), else numpy's name ("float32")."""
    return "float" if of is np.float64 else of.__name__


def _spread(a: np.ndarray, n: int, of: type) -> str:
    lo, mean, hi = spread(a, n, of)
    return f"min {lo} mean {mean} max {hi}"


def spread(a: np.ndarray, n: int, of: type) -> tuple[str, str, str]:
    """A finite array's min, mean and max as written (its summary and its bars' range alike), to n figures, more
    where those would write a min and max that differ alike (`apart`) or a mean not between them (`_placed`). Where
    telling them apart takes more figures than the float type holds whatever the number (PRECISION: they lie a few
    units in the last place apart) and than FULL_FIGURES, the max is written by how far it lies above the min, "min
    + 2.22e-16", and the rest at n figures: "min 1 mean 1 max 1.0000000000000002" showed 17 digits, 16 of them the
    min's again and the rest rounding noise, where the difference is what tells the two apart. Up to FULL_FIGURES it
    is written out, as whole numbers are: a float16's 1.001 and 1001 read at a glance, where "min + 0.000977" and
    "min + 1" would not; and where no figures write them apart as numbers of `of` (64-bit integers, written as
    float64s). The three take one notation: where one is written with an exponent, each is (`exponent`),
    as "min 1 mean 2.5e+09 max 1e+10" would not be compared at a glance. Numbers of float type `of`, in `a`'s own
    type (`numbers`), so that the difference is exact."""
    lo, mean, hi = a.min(), of(_mean(a)), a.max()  # the mean as a number of the type it is written in
    m = apart((lo, hi), n, of)
    # apart where written so: not where `of` has one number for both (int64's 3e18 and 3e18 + 1 as float64s)
    told = Decimal(figures(lo, m, of)) != Decimal(figures(hi, m, of))
    if lo == hi or (told and max(digits(lo, m, of), digits(hi, m, of)) <= max(PRECISION[of], FULL_FIGURES)):
        texts = _placed(lo, mean, hi, m, of)
        return tuple(map(exponent, texts)) if any("e" in t for t in texts) else tuple(texts)
    gap = hi - lo  # exact: two floats this close differ by a float (Sterbenz), two integers of 64 bits in long doubles
    texts = [figures(v, n, of) for v in (lo, mean)]
    low, middle = map(exponent, texts) if any("e" in t for t in texts) else texts
    return low, middle, f"min + {figures(gap, n, of)}"


def _placed(lo: float, mean: float, hi: float, m: int, of: type) -> list[str]:
    """The min, mean and max to the fewest figures (m at least) that write the mean, where it is neither, strictly
    between them as written: "min 1 mean 1.002 max 1.002" says every number but the min is the max, "mean 1" beside "max
    0.99999995" that the mean is above it, "mean 1e+06 max 1e+06" of [999999, 1000001] the same as "mean 1.002". A
    mean is no element, so it takes at most FULL_FIGURES to keep from reading as a whole number (`digits`' rule,
    which wrote [1e6, 2, -3e-7]'s as 333333.9999999, 13 figures, where 333334 reads at a glance)."""
    while True:
        low, high = figures(lo, m, of), figures(hi, m, of)
        middle = low if mean == lo else high if mean == hi else figures(mean, m, of, whole=False)
        if mean in (lo, hi) or Decimal(low) < Decimal(middle) < Decimal(high) or m >= ROUND_TRIP[of]:
            return [low, middle, high]
        m += 1


def apart(values: tuple, n: int, of: type = np.float64) -> int:
    """The figures (n at least) that write numbers that differ apart: [0.1001, 0.1003] written "min 0.1 mean 0.1
    max 0.1" would read as an array of equal numbers. At most the figures that tell any two numbers of float type
    `of` apart (ROUND_TRIP)."""
    while n < ROUND_TRIP[of] and any(
        a != b and Decimal(figures(a, n, of)) == Decimal(figures(b, n, of))
        for a, b in itertools.combinations(values, 2)
    ):
        n += 1
    return n


def exponent(text: str) -> str:
    """A number written by `figures` in the exponent form "g" writes beyond its range, with the same figures:
    "0.25" as "2.5e-01", "1000" as "1e+03"; 0, which reads alike in both, and text written so already as given."""
    if "e" in text or not Decimal(text):
        return text
    number = Decimal(text).normalize()
    mantissa, power = f"{number:.{len(number.as_tuple().digits) - 1}e}".split("e")
    return f"{mantissa}e{int(power):+03d}"


def _mean(a: np.ndarray) -> float:
    """The mean of finite numbers: near the float limit (1e308) their sum overflows, so they are
    scaled by the largest magnitude first there, not shown as a mean of inf beside their max."""
    with np.errstate(over="ignore"):
        m = a.mean()
    if np.isfinite(m):
        return m
    top = np.abs(a).max()
    return top * np.mean(a / top)


def figures(v: float, n: int, of: type = np.float64, whole: bool = True) -> str:
    """v, a number of float type `of`, to n significant figures, or more where n would show a whole number that
    v is not (`digits`; not with `whole` False); at most the digits that tell it apart from every other number of
    its type, written as numpy's shortest text that reads back as v in that type (`shortest`)."""
    x = of(v)
    v = float(x)
    count = digits(x, n, of, whole)
    if np.isfinite(x) and x != v:  # a long double's digits beyond float64's, or beyond its range (1e4000)
        return rounded(_long(x, count), x, count, of)
    if count <= PRECISION[of] or (v.is_integer() and abs(v) < WHOLE_IN_FULL):
        return rounded(f"{v:.{count}g}", x, count, of)
    text, least = shortest(v, of)
    return text if count >= least else rounded(f"{v:.{count}g}", x, count, of)


def rounded(text: str, x: Any, count: int, of: type = np.float64) -> str:
    """`text`, x from WHOLE_IN_FULL on with an exponent (`_exponent`), with the zeros that show its `count` figures
    where it is rounded: 1000001 as "1.000e+06", for "1e+06" reads as a million (as 999999 would), and a + b drew
    "1e+06 + 1 = 1e+06" as if the float had lost the 1; within NOISE_UNITS units of x (`digits`' noise), as is."""
    if not _exponent(text, float(x)):
        return text
    unit = np.spacing(abs(x)) if of is np.longdouble else math.ulp(float(x))
    mantissa, power = text.split("e")
    pad = count - len(mantissa.lstrip("-").replace(".", ""))
    if pad <= 0 or abs(np.longdouble(text) - np.longdouble(x)) <= NOISE_UNITS * unit:
        return text
    return f"{mantissa}{'' if '.' in mantissa else '.'}{'0' * pad}e{power}"


def _exponent(text: str, v: float) -> bool:
    """Whether `text` writes v from WHOLE_IN_FULL on with an exponent, which reads as rounded (`rounded`)."""
    return "e" in text and abs(v) >= WHOLE_IN_FULL


def _long(x: np.longdouble, count: int) -> str:
    """A long double to `count` significant figures, as Python's "g" writes a float's (which would round it to
    a float64 first): positionally from 1e-4 to 10**count, else with an exponent of two digits at least."""
    written = np.format_float_scientific(x, precision=count - 1, unique=False, trim="-", exp_digits=2)
    if -4 <= int(written.split("e")[1]) < count:
        return np.format_float_positional(x, precision=count, unique=False, fractional=False, trim="-")
    return written.replace(".e", "e")  # numpy trims 3.000e+18 to "3.e+18"


# a number written again: a deep graph's page writes each edge's local derivative in every path through it, at
# each of the figures `alike` tries (a 96-step RNN's page asked for 570,000 texts of 9,000 numbers). Bounded, so
# a hostile graph's numbers cannot fill the memory; 0 and -0, equal as keys, are written apart (not cached)
_float_figures = lru_cache(maxsize=1 << 16)(figures)


def digits(v: float, n: int, of: type = np.float64, whole: bool = True) -> int:
    """How many significant figures `figures` writes v (of float type `of`) with: n, or more where n would show
    a whole number that v is not: tanh(-6) = -0.9999877 drawn as -1 would contradict its own gradient,
    1 - (-1)² = 0 beside 2.458e-05, and so would tanh(10) = 0.9999999959 beside 8.245e-09, and tanh(15) =
    1 - 1.9e-13 beside 3.743e-13. Within NOISE_UNITS units in its last place of a whole number is rounding
    noise (0.1 added ten times, 0.9999999999999999, stays 1), units of float64 whatever v's type: a float32
    one unit off 1 is 2**29 of them, and float32's tanh(9) = 0.99999994 drawn as 1 would contradict its
    gradient 1.192e-07 as tanh(-6) would. Never more figures than the shortest text that reads back as v in
    its type has (`shortest`): 8 for float32's 1 - 2**-24, where 17 would write float64's digits of it.
    A whole number below WHOLE_IN_FULL is written whole: 12345 as 1.234e+04 reads as 12340, 999999 as
    1e+06 as a million (and 12345.5 is written in full already, by the rule above). `whole` False: at most
    FULL_FIGURES for that (a mean: 333333.9999999 as 333334). Exactly halfway between two: n + 1 (1.0625)."""
    x = of(v)  # shortest's digits are its own: a long double 3e18 + 1's are 19, float64's of it 1
    v = float(x)
    if v.is_integer() and abs(v) < WHOLE_IN_FULL:
        return max(n, len(str(int(abs(v)))))
    text = f"{v:.{n}g}"
    # whole as written, 1e+04 as 10000 too (9999.7 is not), but not where v is whole itself (6.67e+307 is), nor with
    # an exponent from WHOLE_IN_FULL on (`_exponent`: 2.500e+09, not 2500000001.5; in full, 1000000.5 not 1000000)
    # noise is counted in v's units (math.ulp, of float64): a relative 4 eps is 8 of them below a power of two
    noise = NOISE_UNITS * math.ulp(v)
    while (
        n < (17 if whole else FULL_FIGURES)
        and float(text).is_integer()
        and not v.is_integer()
        and abs(float(text) - v) > noise
        and not _exponent(text, v)
    ):
        n += 1
        text = f"{v:.{n}g}"
    tie = Decimal(v).normalize().as_tuple() if v and math.isfinite(v) else None  # halfway: 1.0625 by 4 figures,
    n += bool(tie and len(tie.digits) == n + 1 and tie.digits[-1] == 5)  # 1.062 to even, 1.063 read: so in full
    return n if n <= PRECISION[of] else min(n, shortest(x, of)[1])


def shortest(v: float, of: type = np.float64) -> tuple[str, int]:
    """The shortest text that reads back as v in float type `of` (numpy's unique digits, as
    np.format_float_positional(x, unique=True) finds them), written as Python's "g" writes that many
    significant figures, and how many that is. NaN and infinities as Python writes them, 1 figure."""
    x = of(v)
    if not np.isfinite(x):
        return f"{v:g}", 1
    written = np.format_float_scientific(x, unique=True, trim="-", exp_digits=2)
    mantissa, exponent = written.split("e")
    count = len(mantissa.lstrip("-").replace(".", ""))
    if -4 <= int(exponent) < count:  # where "g" writes a number positionally
        return np.format_float_positional(x, unique=True, trim="-"), count
    return written, count


def typed(value: float, of: type = np.float64) -> str:
    """A number the user typed (an optimizer's lr or momentum), as typed: the shortest text that reads back as it in
    float type `of` where it is a number of that type exactly (nn keeps a float32 momentum of 0.9 as the float
    0.8999999761581421, which is float32's 0.9), else in float64's (0.0012345678, not "g"'s 0.00123457)."""
    v = float(value)
    if not np.isfinite(v):
        return f"{v:g}"
    x = (of if float(of(v)) == v else np.float64)(v)
    if v == 0 or 1e-4 <= abs(v) < 1e16:  # where Python's repr writes a float positionally: 20, not 2e+01
        return np.format_float_positional(x, unique=True, trim="-")
    return np.format_float_scientific(x, unique=True, trim="-", exp_digits=2)


def apart_figures(old: Any, new: Any) -> int | None:
    """The figures `summary` needs to write `old` and `new` (a number or an array, before and after a change) apart:
    its own (None) where they differ there, else the fewest more that tell them apart: "0.5 → 0.5, a change of
    -1e-05" says it moved and did not, "0.5 → 0.49999" reads right. None where none do (they are equal)."""
    for n in (None, *range(NUMBER_FIGURES + 1, 18)):
        if as_read(summary(old, n=n)) != as_read(summary(new, n=n)):
            return n
    return None


def as_read(text: str) -> str:
    """Text `summary` wrote as its numbers read: 1e6 → 1000000.5 written "1e+06 → 1.000e+06" is no change."""
    return _NUMBER.sub(lambda number: str(Decimal(number.group()).normalize()), text)


_NUMBER = re.compile(r"\d+(?:\.\d*)?(?:e[+-]\d+)?")


def magnitude(x: Any) -> float:
    """The mean |element| of a gradient: its size on a colour scale."""
    return float(np.mean(np.abs(np.asarray(x, dtype=float)))) if x is not None else 0.0


def finite(x: Any) -> bool:
    """Whether every element of a node's data or gradient is finite (labels and integers are)."""
    if isinstance(x, float):
        return math.isfinite(x)
    a = np.asarray(x)
    return a.dtype.kind not in "fc" or bool(np.isfinite(a).all())
