"""One number's value on paper beyond even a long double's range (1e±4932 on x86; a float's 1e±308 where the long
double is no wider, as on macOS arm64 and Windows), in decimals, whose exponents reach 1e±999999999: exp(-1e5) is
3.56e-43430 (its log is its input), and exp(-1e5) * 2 twice that. Only the few ops whose decimal forward is Python's
own arithmetic (decimal's exp, ln, sqrt, +, -, ×, ÷, **: the op table's DECIMAL_FORWARDS) are worked out: any other
is not, never a guess."""

from __future__ import annotations

from decimal import (
    Context,
    Decimal,
    DecimalException,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    Subnormal,
    Underflow,
    localcontext,
)
from typing import Any

import numpy as np

from autograd import DECIMAL_FORWARDS

# 20 digits, well beyond the 4 figures told, and exponents to 1e±999999999; a result beyond them (exp(-1e300)) is
# refused, never its 0 or its few digits of a subnormal taken for the value on paper (decimals' own range loss)
PAPER = Context(
    prec=20, Emax=10**9, Emin=-(10**9), traps=[InvalidOperation, DivisionByZero, Overflow, Underflow, Subnormal]
)


def one_beyond(op: str, datas: list[Any], papers: list[Any], shown: Any) -> np.ndarray | None:
    """The value on paper (a Decimal in an object array, as lost_masks reads it) of one number `shown` made by `op`
    from inputs of float values `datas`, each on paper as `papers` has it (None: its float); None where `op` has no
    decimal forward, an input is unknown, or decimals refuse it (a log of 0, an overflow of decimals' own range)."""
    forward = DECIMAL_FORWARDS.get(op)
    if forward is None or np.size(shown) != 1:
        return None
    inputs = [as_decimal(d if w is None else w) for d, w in zip(datas, papers, strict=True)]
    if any(x is None for x in inputs):
        return None
    try:
        with localcontext(PAPER):
            value = forward(*inputs)
    except (DecimalException, ArithmeticError, ValueError):
        return None
    return np.array(value, dtype=object) if value.is_finite() else None


def as_decimal(x: Any, finite_only: bool = True) -> Decimal | None:
    """A value as a Decimal: a float's or a long double's exactly (its shortest text that reads back), a Decimal as
    it is; None where it is unknown (only the flags told of it), or, with `finite_only`, not finite."""
    v = np.asarray(x).reshape(-1)[0]
    if v is None:
        return None
    if isinstance(v, Decimal):
        return v
    if not np.isfinite(v):
        return None if finite_only else Decimal(str(float(v)))
    return Decimal(np.format_float_scientific(v, unique=True)) if isinstance(v, np.floating) else Decimal(float(v))
