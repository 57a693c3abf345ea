"""A rule's factor taken by one of two formulas by where the input lies (a series near a point where the
closed form cancels or divides by 0, the closed form elsewhere): `piecewise`, the series' `polynomial`, and
`tail_at_infinity` (a leading term at ±inf; `tail_at_one`, silu's, mish's and gelu's slopes where they are 1 or 0
to the last digit), on floats, arrays and nodes alike (a node's polynomial is
differentiable again: derivatives of any order)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .graph import Node, raw
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


def sides_mean_at_zero(x: Any, g: Any, formula: Callable[[Any], Any], mean: Callable[[Any], Any]) -> Any:
    """formula(x), g times a slope made of |x| (a kink at 0: softsign's, i0e's, i1e's), but at x = ±0 under
    create_graph (x a node: its derivatives will be taken) that value as a constant of x plus g·mean(u), u = x − x
    (0, of slope 1): `mean` is the mean of the two sides' slopes, each written without |·| (analytic through 0),
    so that every derivative is the limit both sides share, or 0, the mean, where they jump. Every derivative
    through |x| meets sign(0) = 0 there and dropped those limits (softsign's third derivative at 0 came out 0,
    not 6), and a truncated Taylor series of the mean gave 0 past its last term (softsign⁽⁷⁾(0) = 5040, i1e⁽⁷⁾(0)
    = 23.46 and i0e⁽⁸⁾(0) = 50.27 came out 0). The value keeps its bits, its zero's sign too: g·mean(u) is added
    as q − q₀, whose value is +0, subtracted from the negated side (F − (q₀ − q): −0 − +0 stays −0). F is the
    formula's value as a constant: q alone carries g, whose slope there is mean(0) (F a node too counted it
    twice: d/db of softsign's d/dx [softsign(x)·b] at 0 was 2)."""
    if not isinstance(x, Node):
        return formula(x)

    def series(x: Any) -> Any:
        q = g * mean(x - raw(x))
        return raw(formula(raw(x))) - (raw(q) - q)

    return piecewise(x, is_near(x, lambda a: a == 0), series, formula, (0.0, 1.0))


def tail_at_one(x: Any, g: Any, formula: Callable[[Any], Any], reach: Callable[[float], tuple[float, float]]) -> Any:
    """formula(x), g times silu's, mish's or gelu's slope, but where its vanishing factor (σ(−x) or σ(x), sech²,
    the gaussian) underflows, beyond reach(L) = (right, left) with L = −ln of the dtype's least subnormal: there
    the slope is 1 on the right and 0 on the left, plus 0/x, a zero signed as its derivatives are (−, +, − … on
    the right: silu''(x) ≈ (2 − x)·e^−x, gelu'' = (2 − x²)·φ(x); all − on the left). The formula's zeros there
    were sums of zeros, +0 (gelu''(40) is −1.5e-345, silu''(1e300) −0), and at ±inf its x · (a factor that
    vanishes) was inf · 0, NaN (PyTorch's; the forwards are −0 at −inf, their limit, elementwise_forwards)."""

    def far(a: Any) -> Any:
        right, left = reach(UNDERFLOWS_FROM[np.float64 if a.__class__ is float else np.result_type(a).type])
        return (a > right) | (a < -left)

    return tail_at_infinity(x, lambda u: g * (_right_side(u) + 0.0 / u), formula, far)


# L for each float dtype: e^−L is its least subnormal 2^(minexp − nmant), so e^−x is 0 beyond L (float64's 744.4,
# float32's 103.3); from the exponent, not math.log of the subnormal, which a processor set to treat subnormals as 0
# (torch.set_flush_denormal(True)) refuses: the same floats either way
UNDERFLOWS_FROM = {
    t: -(np.finfo(t).minexp - np.finfo(t).nmant) * math.log(2) for t in (np.float16, np.float32, np.float64)
}


def _right_side(u: Any) -> Any:
    """1.0 where u > 0, else −0.0 (so that −0.0 + 0/u stays −0): a constant."""
    positive = raw(u) > 0
    if isinstance(positive, np.ndarray):
        return np.where(positive, 1.0, -0.0).astype(np.result_type(raw(u)))
    return 1.0 if positive else -0.0
