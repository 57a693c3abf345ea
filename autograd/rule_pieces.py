"""A rule's factor taken by one of two formulas by where the input lies (a series near a point where the
closed form cancels or divides by 0, the closed form elsewhere): `piecewise`, the series' `polynomial`, and
`tail_at_infinity` (a leading term at ±inf), on floats, arrays and nodes alike (a node's polynomial is
differentiable again: derivatives of any order)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .graph import raw
from .rule_functions import where


def piecewise(
    x: Any, near: Any, series: Callable[[Any], Any], formula: Callable[[Any], Any], stand_ins: tuple[float, float]
) -> Any:
    """series(x) where `near` (a bool, or a mask of x's shape), formula(x) elsewhere. Each is taken on x only
    where it is used and at its stand-in (stand_ins: the series', the formula's) elsewhere, so that neither
    forms an inf or NaN there that a create_graph backward would meet (0 · inf)."""
    if not isinstance(near, np.ndarray):  # a number or a Value: the one piece taken
        return series(x) if near else formula(x)
    if not near.any():
        return formula(x)
    if near.all():
        return series(x)
    inner, outer = stand_ins
    return where(series(where(x, inner, cond=near)), formula(where(x, outer, cond=~near)), cond=near)


def tail_at_infinity(
    x: Any, tail: Callable[[Any], Any], formula: Callable[[Any], Any], at: Callable[[Any], Any] = np.isinf
) -> Any:
    """formula(x), but tail(x) where `at` holds (x = ±inf): the leading term of a gradient that falls to 0 there
    (g/x², g/|x|), made of divisions by x alone. The formula's g/(1 + x²) is 0 there too, but its derivative's
    chain met 0 · inf: atan''(±inf), asinh''(±inf) and acosh''(inf) were NaN; now 0, signed as the limit (beside
    finite entries too: the other piece's share there is −0, `where`'s in rules)."""
    return piecewise(x, is_near(x, at), tail, formula, (math.inf, 2.0))


def polynomial(coefficients: tuple[float, ...], w: Any) -> Any:
    """Σ cₖ·wᵏ, coefficients from c₀ up, by Horner's rule."""
    total = 0.0
    for c in reversed(coefficients):
        total = total * w + c
    return total


def is_near(x: Any, test: Callable[[Any], Any]) -> Any:
    """test(raw data of x): a bool for a number or a Value, a mask for an array or a Tensor."""
    mask = test(raw(x))
    return mask if isinstance(mask, np.ndarray) else bool(mask)
