"""The two powers of a p-norm, S ** (1/p) and |x| ** p, each with the rounding of its exponent compensated (lp_pool's
windows; the p-norms below one, one op of their own in p_norm_below_one_op.py, take the root's forward and these
roundings from here). Unscaled, the sum S of |x|^p lies far from 1 (about 1e270 for a row of 1e300), and S ** (1/p)
with 1/p rounded to a float is off by that rounding times ln S (4.8e-14 relative, 216 ulp, at rows of 3e300 for
p = 0.9; PyTorch 2.13's too); likewise the slope p·|x|^(p-1) of a term, whose exponent p - 1 rounds for p < 1/2
(389 ulp at |x| = 1e-300 for p = 0.3). In float64 each is an op of its own: the root's value S^c + S^c·ε·ln S,
c the float below 1/p and ε the small rest, and both rules the slope with ε put back, g meeting no factor the
plain power's slope does not (no overflow before the loss weight scales it)."""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache
from typing import Any

import numpy as np

from autograd import Node, Op, Tensor, raw, where


@cache
def split_exponent(exact: Fraction) -> tuple[float, float]:
    """`exact` as c + ε: c the largest float at most `exact`, ε the float nearest the rest (0 <= ε < ulp(c))."""
    try:
        c = float(exact)
    except OverflowError:  # 1/p past the floats (p below 5.6e-309): no rest, the plain power (inf) as before
        return math.inf, 0.0
    if Fraction(c) > exact:
        c = math.nextafter(c, -math.inf)
    return c, float(exact - Fraction(c))


def log_factor(x: Any, rest: float) -> Any:
    """1 + ε·ln x, the factor x^ε ≈ 1 + ε·ln x (|ε·ln x| < 1e-13), 1 where x is inf or NaN (their power stands)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = 1.0 + np.log(x) * rest
    return np.where(np.isfinite(factor), factor, 1.0)


def root_forward(total: Any, *, c: float, rest: float) -> Any:
    """total^(c + ε) as P + P·ε·ln total, P = total^c: one rounding past P's. As P·(1 + ε·ln total) the factor
    rounded to 1 + a multiple of 2^-52 first, up to 1 ulp more (lp_pool1d's gradient at p = 1.5, windows of 1e200:
    2.14 ulp, 1.10 now; over 2 ulp at a quarter of rows of uniform(0.5, 4) at p = 1.5, 3% now)."""
    with np.errstate(over="ignore"):  # a distance past the range: inf, as before
        power = np.power(total, c)
    if not rest:
        return power
    with np.errstate(divide="ignore", invalid="ignore"):  # at 0, inf or NaN the power stands (log_factor's 1)
        extra = power * (np.log(total) * rest)
    return np.where(np.isfinite(extra), power + extra, power)


@cache
def _slope_rest(c: float, rest: float) -> float:
    """ε + δ: the rest of 1/p - 1 beyond the float fl(c - 1), δ the rounding of c - 1 (0 for c >= 1/2, p <= 2;
    for p > 2 up to 2^-54: lp_pool1d's slope was 175 ulp off at p = 3, |x| ~ 1e100)."""
    return rest + float(Fraction(c) - 1 - Fraction(c - 1))


def _root_rule(g: Any, out: Any, total: Any, *, c: float, rest: float) -> tuple[Any]:
    """g · (c + ε)·total^(c-1+ε), the slope of total^(c+ε), its power this op again with the exponent fl(c - 1) and
    the rest ε + δ, δ the rounding of c - 1 (`_slope_rest`: 0 for p <= 2), so that under create_graph the second
    derivative takes the factor 1/p - 1 whole (taken as c - 1 it was 5e-6 off at p = 1 - 1e-12, and at p = 1 - 2^-53,
    where c = 1, the root's share was lost: 4.5e-2 off). g meets total^(c-1) as it met the plain power's slope (never
    total^c: past the range for a loss weight of 1e10 at a distance of 1e300, or where the distance itself is); no
    log is differentiated (a log's rule made NaN where g is 0 at tiny totals)."""
    with np.errstate(over="ignore"):
        return (g * (_root(total, c=c - 1, rest=_slope_rest(c, rest)) * (c + rest)),)


_root = Op("p_norm_root", root_forward, _root_rule)


def below_one_root(total: Tensor, p: float) -> Tensor:
    """total ** (1/p) for totals above 0 (any p but 0: the p-norms below one and lp_pool's windows), as
    total^c + total^c·ε·ln total, c + ε = 1/p, c the float below 1/p (so that total^c overflows only where the
    root does), an op whose rule is the slope of that (`_root_rule`).
    float32 totals keep the plain power (taken in float64: ε·ln total is far below their ulp)."""
    c, rest = split_exponent(Fraction(1) / Fraction(p))
    return _root(total, c=c, rest=rest) if rest and total.dtype == np.float64 else total ** (1 / p)


def _power_rule(g: Any, out: Any, size: Any, *, p: float, rest: float) -> tuple[Any]:
    """g · p·size^fl(p-1)·(1 + ε·ln size): the power rule's slope times the constant that puts back the rounding
    ε of p - 1 (1 where size is inf: the slope's 0 stays 0). Under create_graph the same numbers as Tensor ops
    (its second derivative leaves out the constant's, ε/size, 1e-16 of it). Where size^(p-1) overflows but the
    slope need not (p = 0.001 at 1e-310), the slope is taken as (size·p^(1/(p-1)))^(p-1), there alone (near the
    largest float size·p^(1/(p-1)) would overflow): on arrays and under create_graph alike (which took the plain
    power there: [inf, -inf] for [5.4e300, -5.4e300] at [1e-310, -1e-310], p = 0.001)."""
    data, factor = raw(size), log_factor(raw(size), rest)
    node = isinstance(size, Node)
    pick = where if node else np.where
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        slope = np.power(data, p - 1) * (p * factor)
        blown = np.isinf(slope) & np.isfinite(data)
        if node:  # each branch of the where below fed an input at which it is finite (its slope too)
            slope = (pick(blown, 1.0, size) if blown.any() else size) ** (p - 1) * (p * factor)
        if blown.any():
            scaled = (pick(blown, size, 1.0) * abs(p) ** (1 / (p - 1))) ** (p - 1)
            slope = pick(blown, scaled * (factor if p > 0 else -factor), slope)
        return (g * slope,)


_power = Op("p_norm_power", lambda size, *, p, rest: np.power(size, p), _power_rule)


def below_one_power(size: Tensor, p: float) -> Tensor:
    """size ** p for float64 sizes above 0 (or inf), p < 1/2 (lp_pool's negative p too), its slope p·size^(p-1) with
    the rounding of p - 1 put back: the power rule takes the exponent as a float, off by up to 2^-54 for p < 1/2,
    and that times ln size was the slope's error (389 ulp at 1e-300 for p = 0.3). An op of its own, whose rule is
    that slope: a correction added as a term of its own overflowed beside the slope with the opposite sign (inf -
    inf: NaN at -1e-300 beside 1e300 for p = 0.3, where the exact slope is -1e420: -inf)."""
    rest = exponent_rest(p)
    return _power(size, p=p, rest=rest) if rest and size.dtype == np.float64 else size**p


@cache
def exponent_rest(p: float) -> float:
    """The rounding of p - 1 as a float: the exact p - 1 less fl(p - 1) (0 for p >= 1/2)."""
    return float(Fraction(p) - 1 - Fraction(p - 1))
