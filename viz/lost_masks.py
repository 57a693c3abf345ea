"""Which entries of a float result its range changed from their value on paper: the wider value is a long double
array (widened.py), or, for one number beyond even a long double's range, an object array holding a Decimal
(beyond_wide.py: exp(-1e5) is 3.56e-43430) or None where only the processor's flags said it underflowed or
overflowed (a platform whose long double is no wider than a float, an op with no Decimal forward)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np

from .number_text import NUMBER_FIGURES, kind

WIDE = np.longdouble
WIDER = np.finfo(WIDE).maxexp > np.finfo(np.float64).maxexp  # a long double with a float64's range widens nothing


def wider() -> bool:
    """Whether WIDE (as it is now: a test may make it float64, as on macOS arm64 and Windows) is wider than a float."""
    return bool(np.finfo(WIDE).maxexp > np.finfo(np.float64).maxexp)


def suspect(x: Any) -> bool:
    """Whether a float result has an entry a range can have made: 0, an infinity, a NaN or a subnormal."""
    a = np.asarray(x)
    if a.dtype.kind != "f":
        return False
    return bool(np.any((np.abs(a) < np.finfo(a.dtype).tiny) | ~np.isfinite(a)))


def lost(shown: Any, wide: np.ndarray | None) -> dict[str, int]:
    """How many entries of float `shown` its range changed from `wide`'s (lost_words.WORDS): "underflowed" (0, on
    paper nearer 0 than half the least float), "overflowed" (infinite, on paper beyond the largest), "subnormal"
    (with fewer digits than 4 figures of paper's), "on the way" (0, infinite or NaN where the float holds the value
    on paper: a step before the result overflowed, as a mean's sum), "made NaN" (NaN, on paper beyond the largest
    float or nearer 0 than the least: x·x - y·y at 1e300 and 2e300 is -3e+600); only those with some."""
    return {} if wide is None else {k: int(v.sum()) for k, v in lost_masks(shown, wide).items()}


def lost_masks(shown: Any, wide: np.ndarray) -> dict[str, np.ndarray]:
    """`lost`'s entries of each kind, as masks of `shown`'s shape: only those with some. Worked out on the entries
    that can be any (0, infinite, NaN or subnormal), few of a large gradient's: long doubles are slow."""
    a, of = np.asarray(shown), kind(shown)
    info = np.finfo(of)
    where = (np.abs(a) < info.tiny) | ~np.isfinite(a)
    a, w = a[where], np.broadcast_to(wide, where.shape)[where]
    parts = _decimal_parts if w.dtype == object else _wide_parts
    number, nonzero, off, below, beyond, infinite = parts(a, w, info)
    held = number & ~(nonzero & below) & ~beyond  # a float holds it (0 too: x·x - x·x at 1e300 is 0 on paper)
    counts = {
        "underflowed": (a == 0) & nonzero & below,
        "overflowed": np.isinf(a) & number & beyond,
        "subnormal": (a != 0) & (np.abs(a) < info.tiny) & number & off,
        # a NaN where the value on paper is an infinity (inf - x·x, x·x overflowed) is no NaN of the infinity given
        "on the way": ((a == 0) & nonzero | ~np.isfinite(a)) & held | np.isnan(a) & infinite,
        "made NaN": np.isnan(a) & number & nonzero & (below | beyond),
    }
    masks = {}
    for k, v in counts.items():
        if v.any():
            masks[k] = np.zeros(where.shape, dtype=bool)
            masks[k][where] = v
    return masks


def _wide_parts(a: np.ndarray, w: np.ndarray, info: Any) -> tuple[np.ndarray, ...]:
    """Of each entry on paper `w` (long doubles) of float `a`: finite, nonzero, off `a` beyond NUMBER_FIGURES,
    nearer 0 than half the least float, beyond the largest, infinite."""
    size = np.abs(w)
    with np.errstate(all="ignore"):
        off = np.abs(a.astype(WIDE) - w) > size * WIDE(10.0) ** -NUMBER_FIGURES
    finite = np.isfinite(w)
    return finite, w != 0, off, size <= WIDE(info.smallest_subnormal) / 2, size > WIDE(info.max), np.isinf(w)


def _decimal_parts(a: np.ndarray, w: np.ndarray, info: Any) -> tuple[np.ndarray, ...]:
    """As `_wide_parts`, of Decimals; a None (only the flags said what happened): nonzero, and beyond the float's
    range on the side its float `a` fell to (0: below, infinite: beyond)."""
    least, largest = Decimal(float(info.smallest_subnormal)) / 2, Decimal(float(info.max))
    rows = []
    for x, d in zip(a.tolist(), w.tolist(), strict=True):
        if d is None:
            rows.append((True, True, False, x == 0, np.isinf(x), False))
            continue
        if not d.is_finite():  # an infinity or NaN on paper too: nothing of the range's, but a NaN for an infinity
            rows.append((False, True, False, False, False, d.is_infinite()))
            continue
        off = bool(np.isfinite(x)) and abs(Decimal(float(x)) - d) > abs(d).scaleb(-NUMBER_FIGURES)
        rows.append((True, d != 0, off, abs(d) <= least, abs(d) > largest, False))
    return (
        tuple(np.array(column, dtype=bool).reshape(a.shape) for column in zip(*rows, strict=True))
        if rows
        else (np.zeros(a.shape, dtype=bool),) * 6
    )
