"""Arithmetic as viz writes it, worked out on paper: the figures that make a product or a sum of numbers, as
written, give its result as written ("0.41997 × 2 = 0.8399", not "0.42 × 2 = 0.8399"), and what it gives on paper
where no figures do (floats rounded along the way)."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from decimal import Context, Decimal, localcontext
from functools import lru_cache
from typing import Any

import numpy as np

from .number_text import ARRAY_FIGURES, NUMBER_FIGURES, digits, figures, finite, kind, size, summary


def alike(
    terms: list, result: Any, combine: Callable[[list[Decimal]], Decimal], shown: int | None = None
) -> int | None:
    """The figures to write one-number `terms` with so that `combine` of them as written (math.prod, sum), worked
    out exactly as on paper (decimals: floats would miss a result written finer than they are spaced, a tenth at
    3e14), rounds to `result` as it is written (`summary`: to its figures): more than NUMBER_FIGURES where those
    would not, as "0.42 × 2 = 0.8399" (tanh'(1) = 0.41997 written 0.42) reads as a slip and "0.41997 × 2 =
    0.8399" does not, while "0.3333 + 0.3333 + 0.3333 = 1" is 1 to 4 figures; where none do (floats rounded
    along the way), the figures that come closest. None where summary's own figures do (or come closest: a term
    rounded away, told apart as the sum on paper), and for arrays, whose min, mean and max neither multiply nor
    add. `shown`: the figures `result` is written with where more than summary's (an update's new data, written
    apart from its old, `apart_figures`); the terms take as many at least."""
    return _closest(terms, result, combine, shown)[0]


def alike_on_paper(
    terms: list, result: Any, combine: Callable[[list[Decimal]], Decimal], shown: int | None = None
) -> tuple[int | None, Decimal | None]:
    """`alike`'s figures for `terms` and `on_paper` with them, worked out together: each product once (a deep
    path's has hundreds of factors, and a page tells thousands of paths). `shown` as for `alike`."""
    n, as_written = _closest(terms, result, combine, shown)
    if as_written:
        return n, None
    with localcontext(EXACT):
        return n, combine(_written(terms, n))


def _closest(
    terms: list, result: Any, combine: Callable[[list[Decimal]], Decimal], shown: int | None
) -> tuple[int | None, bool]:
    """`alike`'s figures, and whether `combine` of the terms so written rounds to `result` as written (True too
    where there is nothing to work out: arrays, NaNs, infinities); where it does not, they come closest."""
    if not (one_numbers(terms) and finite(result)):
        return None, True
    start = shown or NUMBER_FIGURES
    closest, least, as_written = start, None, False
    for n in range(start, 18):
        miss = _miss(terms, n, result, combine, start)
        if miss <= 0:
            closest, as_written = n, True
            break
        # where none does (floats rounded along the way), the closest; of equal misses (halfway at each) the
        # figures that hide none of the terms': "2.847 × 25 = 71.175" is halfway only as 2.8466 is written short
        key = (miss, _written(terms, n) != _written(terms, n + 1))
        if least is None or key < least:
            closest, least = n, key
    return None if closest == NUMBER_FIGURES else closest, as_written


def on_paper(
    terms: list, n: int | None, result: Any, combine: Callable[[list[Decimal]], Decimal], shown: int | None = None
) -> Decimal | None:
    """What `combine` of one-number `terms` written with `n` figures (`summary`) gives worked out exactly on paper,
    where it does not round to `result` as written (with `shown` figures: summary's where None); None where it does
    (or for arrays, NaNs and infinities). A
    float product can differ: below the smallest normal float (2.2e-308) a float keeps fewer digits, and a
    product of several is rounded at each step."""
    if not (one_numbers(terms) and finite(result)):
        return None
    if _miss(terms, n or NUMBER_FIGURES, result, combine, shown or NUMBER_FIGURES) <= 0:
        return None
    with localcontext(EXACT):
        return combine(_written(terms, n))


def _miss(terms: list, n: int, result: Any, combine: Callable[[list[Decimal]], Decimal], shown: int) -> Decimal:
    """How far `combine` of `terms` written with `n` figures, worked out exactly, lies beyond half a unit in the
    last figure of `result` written with `shown` figures (what rounds to it as written): 0 or less where it does.
    Halfway in the last figure the text shows is a miss (HALFWAY): "1.0005 × 0.3 = 0.3001" is 0.30015 on paper,
    which a learner rounds up (or to even) to 0.3002; "1.0035 × 0.3 = 0.301", a figure coarser, reads right."""
    with localcontext(EXACT):
        return miss(combine(_written(terms, n)), result, shown)


def miss(exact: Decimal, result: Any, shown: int | None = None) -> Decimal:
    """How far `exact`, a sum or product on paper, lies beyond half a unit in the last figure of one-number `result`
    written with `shown` figures (`summary`'s where None): 0 or less where it rounds to it as written, HALFWAY
    where it lies halfway and the float does not (`_miss`)."""
    v = float(np.asarray(result, dtype=float).reshape(-1)[0])
    written = as_written(result, shown)  # 1.798e+308 too, which as a float is inf
    # what rounds to it: half a unit in its last figure; nothing but 0 itself to 0 (a product that underflowed)
    half = Decimal(5).scaleb(written.as_tuple().exponent - 1) if v else Decimal(0)
    with localcontext(EXACT):
        beyond = abs(exact - written) - half
    # halfway, where the float is not (1.0005 × 0.3 = 0.30015 on paper, the float 0.30014999...); a float halfway
    # itself (0.5 × 2.125 = 1.0625, written 1.062 as numbers are rounded to even) is the figures' rounding, as read
    return HALFWAY if beyond == 0 and half and halfway(exact, written) and exact != Decimal(v) else beyond


def as_written(result: Any, n: int | None = None) -> Decimal:
    """A one-number `result` as `summary` writes it with `n` figures, as a decimal whose last figure is the last one
    it is written to: "0.3" of the float 0.30005 is written to 4 figures, 0.3000 (the zeros dropped), so 0.30005 on
    paper lies halfway in its last figure, as in 0.3001's; not halfway between 0.3 and 0.4, as the text alone says."""
    of, v = kind(result), float(np.asarray(result, dtype=float).reshape(-1)[0])
    number = Decimal(figures(v, n or NUMBER_FIGURES, of))
    count = digits(v, n or NUMBER_FIGURES, of)
    if not (v and math.isfinite(v)) or count <= len(number.normalize().as_tuple().digits):
        return number
    with localcontext(EXACT):  # the zeros back: "1e+06" of 1000000.5 is 1.000e+06, as is "1.000e+06"
        return number.quantize(Decimal(1).scaleb(number.adjusted() - count + 1))


def halfway(exact: Decimal, written: Decimal) -> bool:
    """Whether `exact` lies halfway between `written` and the next number in written's last figure, where a learner
    would round it up or to even, not as a float chose: 0.30015 beside 0.3001 (or 0.3002), not beside 0.301. Give
    `written` as `as_written` makes it: "0.3" of 4 figures is 0.3000, and 0.30005 lies halfway beside it."""
    with localcontext(EXACT):
        return abs(exact - written) == Decimal(5).scaleb(written.as_tuple().exponent - 1)


def mean_written(x: Any, n: int | None) -> Decimal | None:
    """An array's mean as `summary` writes it with `n` figures, as a decimal; None where it writes no mean or one
    that is no number to add (NaN, an infinity)."""
    found = MEAN.search(summary(x, n=n))
    mean = Decimal(found.group(1)) if found else None
    return mean if mean is not None and mean.is_finite() else None


def means_add_up(paper: Decimal, written: Decimal) -> bool:
    """Whether means added on paper round to a mean as written, read to ARRAY_FIGURES at least, as the terms are
    written: "0.5" is 0.500, which 0.123 + 0.123 + 0.253 (0.499) does not add up to; nothing but 0 to "0"."""
    if not written:
        return paper == 0
    half = Decimal(5).scaleb(min(written.as_tuple().exponent, written.adjusted() - ARRAY_FIGURES + 1) - 1)
    with localcontext(EXACT):
        return abs(paper - written) < half


MEAN = re.compile(r"\bmean (\S+)")  # an array's mean as `summary` writes it


def one_numbers(terms: list) -> bool:
    """Whether each of `terms` is one finite number, which `alike` and `on_paper` work out (a Value's, at once)."""
    if all(isinstance(t, float) for t in terms):
        return all(map(math.isfinite, terms))
    return all(size(t) == 1 for t in terms) and all(map(finite, terms))


def term_written(term: Any, n: int | None) -> Decimal:
    """A one-number `term` as `summary` writes it with `n` figures, as a decimal."""
    return _written([term], n)[0]


def _written(terms: list, n: int | None) -> list[Decimal]:
    """One-number `terms` as `summary` writes them with `n` figures, as decimals; a Python float's kept (-0 and 0
    alike: both read "0"), as a deep graph's paths repeat the same local derivatives at each figure `alike` tries."""
    if all(isinstance(t, float) for t in terms):
        return list(map(_float_decimal, terms, itertools.repeat(n)))
    return [Decimal(summary(t, n=n)) for t in terms]


_float_decimal = lru_cache(maxsize=1 << 16)(lambda t, n: Decimal(summary(t, n=n)))


# decimals that add and multiply up to 6 numbers of 17 figures, from 5e-324 to 1.8e308, exactly
EXACT = Context(prec=2000)
# `_miss` of a result halfway between two as written: the least miss, below any that decimals of EXACT can be
HALFWAY = Decimal(1).scaleb(-EXACT.prec - 400)
