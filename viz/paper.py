"""Arithmetic as a learner works it out on paper, and where floats give another number, both, with why: a product
of subnormal numbers (below 2.2e-308 a float keeps fewer digits) or one that underflows to 0, a product of
several rounded at each step, a sum that rounds a small term away. Never an equation that does not add up."""

from __future__ import annotations

import math
import re
from decimal import Decimal, localcontext
from typing import Any

import numpy as np

from .lost_words import WORDS, lost_note
from .number_text import NUMBER_FIGURES, as_read, finite, float_name, kind, size, summary
from .on_paper import EXACT, alike_on_paper, as_written, halfway, miss, on_paper
from .rules import term


def product_equation(factors: list, result: Any, shown: int | None = None) -> str:
    """Numbers multiplied and what they give: "0.41997 × 2 = 0.8399", each factor with the figures that multiply
    out to `result` as written (`alike`; with `shown` figures where more than summary's: a share that adds up with
    others, share_figures), where 0.42 × 2 would read as a slip. Where no figures do, the product on
    paper and the float's, with why: "1.482e-323 × 0.7 = 1.037e-323 on paper; as a float, 9.881e-324 (below
    2.225e-308 a float is subnormal: ...)", never "1.482e-323 × 0.7 = 9.881e-324"."""
    if overflowed := _overflowed(factors, result):
        return overflowed
    n, exact = alike_on_paper(factors, result, math.prod, shown)
    of = kind(result)
    if exact is not None and _subnormal([*factors, result], of):  # no figures come closer: as drawn elsewhere
        n, exact = None, on_paper(factors, None, result, math.prod, shown)
    written = " × ".join(term(x, n=n) for x in factors)
    # the float with `shown` figures on paper or not: a share subnormal, 1.2347e-320, is added so by its value's sums
    as_float = summary(result, n=shown)
    if exact is None:
        return f"{written} = {as_float}"
    told, why = _told(exact, result, shown), _why(factors, result, exact, of, shown)
    return f"{written} = {told} on paper; as a {float_name(of)}, {as_float} ({why})"


def _overflowed(factors: list, result: Any) -> str:
    """ "1e+200 × 1e+200 = 1e+400 on paper; as a float, inf (beyond the largest float, ...: it overflows to inf)"
    where finite one-number `factors` give an infinite `result`, never "1e+200 × 1e+200 = inf"; where the product on
    paper is a float's (a rule that works out what it sends in steps of its own, one of which overflowed: a user's
    (g·x)/(x·y) at x = y = 1e300 sends NaN for 1e+300 × 0), that a step on the way did, never "1e+300 × 0 = nan";
    where it is beyond or nearer 0 than any float and a step made NaN, both; else ""."""
    if finite(result) or any(size(x) != 1 for x in [*factors, result]) or not all(map(finite, factors)):
        return ""
    of = kind(result)
    shown, info, name = summary(result), np.finfo(of), float_name(of)
    with localcontext(EXACT):
        exact = math.prod(Decimal(summary(x)) for x in factors)
        value = abs(math.prod(Decimal(float(np.asarray(x).reshape(-1)[0])) for x in factors))
        beyond, below = value > Decimal(float(info.max)), 0 < value <= Decimal(float(info.smallest_subnormal)) / 2
    told = _beyond(exact)
    written = " × ".join(term(x) for x in factors)
    if not (beyond or below):  # NaN or an infinity of a product a float holds
        why = WORDS["on the way"][3].format(name=name)
        return f"{written} = {told} on paper; as a {name}, {shown} ({why})"
    bounds = {"name": name, "largest": summary(of(info.max)), "least": summary(of(info.smallest_subnormal))}
    where = WORDS["overflowed" if beyond else "underflowed"][3].format(**bounds)
    # a NaN, or an infinity of a product nearer 0 than any float: the rule's own steps made it (inf - inf, 0 × inf)
    overflow = beyond and shown.lstrip("-") == "inf"
    how = f"it overflows to {shown}" if overflow else f"a step of its float computation gave {shown}"
    return f"{written} = {told} on paper; as a {name}, {shown} ({where}: {how})"


def _beyond(exact: Decimal) -> str:
    """An exact decimal as summary writes a float ("90000"), where a float64 holds it; beyond, or nearer 0 than any
    float64 but not 0, in the same figures ("1e+400", "1e-450": not the float's "inf" or "0")."""
    if abs(exact) <= np.finfo(np.float64).max and (float(exact) != 0 or exact == 0):
        return summary(float(exact))
    return re.sub(r"\.?0+e", "e", f"{exact:.{NUMBER_FIGURES}g}")  # 2e+308, not 2.000e+308


def forward_value(op: str, inputs: list, result: Any, wide: Any = None, figures: int | None = None) -> str:
    """A value of the forward pass as a caption writes it, "0.5", with what its number alone does not say: a
    product below the smallest normal float, worked on paper beside the float ("1e-200 × 3e-200 = 3e-400 on
    paper; as a float, 0 (...: it underflows to 0)"), never a bare "= 0" of two nonzero numbers; a tensor's
    products that underflowed, counted; any other op's value that its float's range changed from `wide`, its
    value on paper (widened.py: exp(-1000) "= 0 (underflowed to 0: on paper 5.076e-435, ...)"); a -0, what it
    is (true of the data: 1 / -0 = -inf). `figures`: as its box writes it, where more than summary's (a sum added
    up to as written further on: 1e16 + 3 written 10000000000000004)."""
    shown = summary(result, signed_zero=True, n=figures)
    if op == "*" and all(size(x) == 1 for x in [*inputs, result]):
        equation = product_equation(inputs, result)
        if " on paper" in equation:
            return equation
    elif op == "*" and all(np.size(x) >= 1 for x in inputs):
        values = np.broadcast_arrays(*(np.asarray(x) for x in inputs))
        lost = int(np.sum((np.asarray(result) == 0) & np.all([(v != 0) & np.isfinite(v) for v in values], axis=0)))
        if lost and np.asarray(result).dtype.kind == "f":
            of = kind(result)
            least = summary(of(np.finfo(of).smallest_subnormal))
            rest = lost_note(result, wide, told=("underflowed",))  # 1e200 * 1e200 beside 1e-200 * 1e-200: inf
            return (
                f"{shown} ({lost:,} of its {np.size(result):,} products of nonzero numbers underflowed to 0: nearer 0 "
                f"than half the least {float_name(of)}, {least}{'; ' + rest if rest else ''})"
            )
    if note := lost_note(result, wide):
        return f"{shown} ({note})"
    if shown == "-0":
        return "-0 (zero with a minus sign: it equals 0, though 1 / -0 = -inf)"
    return shown


def _subnormal(numbers: list, of: type) -> bool:
    """Whether any of `numbers` (one each) is a subnormal of float type `of`, or 0 (a product that underflowed)."""
    return any(abs(float(np.asarray(x, dtype=float).reshape(-1)[0])) < np.finfo(of).tiny for x in numbers)


def _why(factors: list, result: Any, exact: Decimal, of: type, shown: int | None = None) -> str:
    """Why a float product is not the product on paper: it underflowed, a number is subnormal, or it was
    rounded at each step (a float keeps about 16 significant digits); `result` written with `shown` figures."""
    info, name = np.finfo(of), float_name(of)
    least = summary(of(info.smallest_subnormal))
    if float(np.asarray(result, dtype=float).reshape(-1)[0]) == 0 and exact != 0:
        return f"nearer 0 than half the least {name}, {least}: it underflows to 0"
    if any(x != 0 for x in [*factors, result]) and _subnormal([*factors, result], of):
        return f"a {name} below {summary(of(info.tiny))} is subnormal: a multiple of {least}, with fewer digits"
    if halfway(exact, as_written(result, shown)):  # 1.0005 × 0.3: the float 1.0005 is 1.00049999999999994
        return _float_side(of, result, exact, "factors", "product", shown)
    return f"a {name} keeps about {kept_digits(of)} significant digits, and each product is rounded to them"


def _told(exact: Decimal, result: Any, figures: int | None = None) -> str:
    """An exact decimal to the figures the float `result`'s text has (written with `figures`: summary's where None;
    NUMBER_FIGURES at least), more where those read as it: -313584513462371.4 beside -313584513462371.5, not
    -3.136e+14 beside it."""
    shown = summary(result, n=figures)
    n = max(NUMBER_FIGURES, len(Decimal(shown).normalize().as_tuple().digits))
    if halfway(
        exact, as_written(result, figures)
    ):  # in full: 0.30015 beside 0.3001, 9.9995 beside 9.999 (rounded, 10.00)
        n = max(n, len(exact.normalize().as_tuple().digits))
    # ends: the product on paper is told only where it is not the float's text (on_paper), so some figures differ;
    # one halfway in the float's last figure in full (0.30015 beside 0.3001: rounded, it would read 0.3002)
    while Decimal(text := f"{exact.normalize():.{n}g}") == Decimal(shown) or halfway(exact, Decimal(text)):
        n += 1
    return text


def rounded_away(terms: list, total: float, n: int | None = None, shown: int | None = None) -> str:
    """A note where floats added one-number `terms` up to `total` but on paper they read otherwise, "" else: the
    floats themselves, added exactly (as math.fsum, which raises past the largest float), where a term was rounded
    away as it was added (1 + (-1e16) + 1e16 is 0 in floats, 1 on paper); else the terms as written beside it, with
    `n` figures (summary's where None: the figures `sum_of` was given), where they add up halfway in the last figure
    of `total` as written, which a learner would round the other way, or a hair short of it (`_as_written`). A
    term may be a one-number array of any shape (a (1,) tensor's gradient). The terms as written are added once,
    for both. `shown`: the figures `total` is written with where more than summary's (a sum added up to as written
    further on: 1e16 + 3 written 10000000000000004)."""
    if not all(map(finite, terms)):
        return ""
    with localcontext(EXACT):  # exact, as math.fsum, which raises where the sum passes the largest float
        exact = sum(Decimal(np.asarray(t, dtype=float).item()) for t in terms)
    of = kind(total)  # a float32 keeps about 7 digits: its sums round away far larger terms than float64's
    if not finite(total):  # 1e308 + 1e308: inf, 2e+308 on paper
        shown, largest = summary(total), summary(of(np.finfo(of).max))
        if abs(exact) <= Decimal(float(np.finfo(of).max)):  # 1e308 + 1e308 + (-1e308): 1e+308 on paper
            return (
                f" (on paper {_beyond(exact)}: the sum so far passed the largest {float_name(of)}, {largest}, and "
                f"stays {shown} whatever is added after)"
            )
        beyond = f"beyond the largest {float_name(of)}, {largest}"
        return f" (on paper {_beyond(exact)}: {beyond}, the sum overflows to {shown})"
    # the terms as written, added on paper, where that does not round to `total` as written (None where it does)
    written = on_paper(terms, n, total, sum, shown)
    # the floats added exactly round to `total` as written (as a decimal, not through a float: -2.0905 + 1.2e-16
    # is the float -2.0905 again, written -2.091, where exactly it is -2.0904999999999999, -2.090), and read as it
    # in full too (float32's 1 + 1e-08 is 1.00000001), or as written nothing shows; a float with no more figures
    # than `total`'s reads otherwise only as it rounds (the float 7240.55 reads 7240.6, exactly 7240.5499999...)
    near, full = miss(exact, total, shown) <= 0, float(exact)
    finer = len(as_written(full, shown).as_tuple().digits) > len(as_written(total, shown).as_tuple().digits)
    alike_read = near and (as_read(summary(full, n=shown)) == as_read(summary(total, n=shown)) or not finer)
    # a term rounded away is told where it is all that parts them (1 + 1e-08 = 1 in float32); where the terms as
    # written add up and the floats' exact sum does not, their figures part them, not it: 2.0999e-16 + (-6.065) +
    # (-38) = -44.06 is exactly -44.0650000000000002 ("on paper -44.07" would contradict the line)
    if alike_read or (_reads_right(written, total, shown) and not (near and _swamped(terms, of))):
        return _as_written(written, total, of, shown)
    return f" (on paper {_told(exact, total, shown)}: {rounded_as_added(terms, of)})"


def rounded_as_added(terms: list, of: type) -> str:
    """Why floats of type `of` added `terms` (numbers, or arrays place by place) otherwise than paper: each sum is
    kept to the float's digits, which lose a term much smaller than the sum so far, or the sum so far beside a much
    larger term (1 + 1e16 - 1e16 is 0), or else round it (1e16 + 3 is 10000000000000004: the 3 counted as 4)."""
    digits = f"a {float_name(of)} keeps about {kept_digits(of)} significant digits"
    if _lost(terms, of):
        return f"{digits}, so a term much smaller than the sum so far is rounded away as it is added"
    return f"{digits}, so each sum is rounded to them as it is added"


def _lost(terms: list, of: type) -> bool:
    """Whether adding `terms` in floats of type `of`, in order, leaves a sum as it was though the term is not 0, or
    gives the term itself though the sum so far was not 0: one of them rounded away."""
    so_far, *rest = (np.asarray(t, dtype=of) for t in terms)
    with np.errstate(all="ignore"):
        for t in rest:
            now = so_far + t
            if np.any(((now == so_far) & (t != 0)) | ((now == t) & (so_far != 0))):
                return True
            so_far = now
    return False


def _swamped(terms: list, of: type) -> bool:
    """Whether a term, or the sum before it, is below the float's resolution at the other (type `of`): rounded away
    as they are added (1 + 1e-08 in float32, 1 + (-1e16))."""
    eps, numbers = float(np.finfo(of).eps), [float(np.asarray(t, dtype=float).item()) for t in terms]
    so_far = numbers[0]
    for t in numbers[1:]:
        if 0 < min(abs(t), abs(so_far)) < eps * max(abs(t), abs(so_far)):
            return True
        so_far += t
    return False


def _reads_right(written: Decimal | None, total: Any, shown: int | None = None) -> bool:
    """Whether the terms as written, whose sum on paper is `written` (None where it rounds to `total` as written),
    add up to `total` as written, or halfway in its last figure (`_as_written` tells that): nothing was rounded
    away that the sum as drawn shows. -217.1 + 58.45 + (-1825.2) = -1983.8, the floats' exact sum a hair past
    -1983.85, was told "on paper -1983.9: ... a term much smaller than the sum so far is rounded away", which none
    was; -1983.85 on paper is halfway."""
    return written is None or halfway(written, as_written(total, shown))


def _as_written(written: Decimal | None, total: Any, of: type, shown: int | None = None) -> str:
    """A note where the terms as written, whose sum on paper is `written` (None where it rounds to `total` as
    written), add up to another number than `total` as written, though the floats added exactly do not: halfway in
    its last figure, which a learner would round the other way ("0.00055 + 0.3 = 0.3005" is 0.30055, read 0.3006),
    or a hair short of it (2.58 + 1.5305 + (-1.15e-16) + 0.51 + 2.2 beside 6.821 is 6.82049999...: 6.820). "" else."""
    if written is None or written == Decimal(np.asarray(total, float).item()):
        return ""
    return f" (on paper {_told(written, total, shown)}, {_float_side(of, total, written, 'terms', 'sum', shown)})"


def _float_side(of: type, result: Any, paper: Decimal, parts: str, what: str, figures: int | None = None) -> str:
    """Why a product or sum (`what`) on paper (`paper`) halfway between two numbers as written (or a hair from
    halfway) is the float's `result` as written, with the float's digits as far as they part from the paper's:
    "0.30015 on paper; as a float, 0.3001 (halfway: ... their product, 0.30014999999999997, lies on 0.3001's side)",
    where a node may write it 0.30015; a result whose zeros are dropped by its figures': "0.3 (... 0.30004999999999998,
    lies on 0.3000's side)"; `result` written with `figures` (summary's where None)."""
    value, shown = Decimal(float(np.asarray(result, dtype=float).reshape(-1)[0])), summary(result, n=figures)
    n = len(paper.normalize().as_tuple().digits)
    while n < 40 and Decimal(text := f"{value:.{n}g}") == paper:
        n += 1
    side = shown if "e" in shown else str(as_written(result, figures))  # 0.3 of 0.30005's float is 0.3000: its side
    told = "halfway: " if halfway(paper, as_written(result, figures)) else ""
    return (
        f"{told}a {float_name(of)} keeps about {kept_digits(of)} significant digits, so the {parts} as "
        f"floats are not exactly as written, and their {what}, {text}, lies on {side}'s side"
    )


def kept_digits(of: type) -> int:
    """The significant decimal digits a float type keeps: 16 of float64, 7 of float32, 3 of float16."""
    return round((np.finfo(of).nmant + 1) * math.log10(2))
