"""The p-norm (Σ s^p)^(1/p) of sizes s >= 0 for 0 < p < 1 (`row_p_norm` in p_norm_rows.py) as one op from the sizes to
the norm N, its rule g·(s/N)^(p-1): a ratio of at most 1, raised to a power between -1 and 0, then g. As two ops,
the sum's power and the root, the chain rule sent g through the root's slope S^(1/p-1) first, which left the range
where the gradient fits: 0 for [1e-100] at p = 0.5 under a loss weight of 1e-300 (the exact 1e-300), inf for
[1e300, 1e200] at p = 0.1 under 1e100 (the exact [1e100, 1e190]); second derivatives went through |s|^(p-2) (1e-435
at rows of 1e290 for p = 0.5: such rows were scaled by their largest entry first, which rounded each s once more)."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from autograd import Node, Op, Tensor, mantissa_exponent, raw, unbroadcast, where

from .p_norm_below_one import exponent_rest, log_factor, root_forward, split_exponent

M = mantissa_exponent  # numbers as m·2^e


def below_one_norm(size: Tensor, p: float) -> Tensor:
    """(Σ size^p)^(1/p) along the last axis (keepdim), for sizes >= 0 in rows not all 0. Summed and rooted in
    float64 (float32 and float16 sizes rounded once at the end; float64 ones with the rounding of the exponent 1/p
    put back, as `below_one_root`'s)."""
    c, rest = split_exponent(Fraction(1) / Fraction(p))
    return _norm(size, p=p, c=c, rest=rest if size.dtype == np.float64 else 0.0)


def _norm_forward(size: Any, *, p: float, c: float, rest: float) -> Any:
    return _norm64(size, p, c, rest).astype(size.dtype, copy=False)


def _norm64(size: Any, p: float, c: float, rest: float) -> Any:
    """The norm in float64. float64 sizes: the sum of the terms size^p as hi + lo (`_sum64`) and the root
    hi^c · (1 + ε·ln hi + lo/(p·hi)), c + ε = 1/p: the sum's roundings, multiplied by 1/p, were the error (2/p + 3
    ulps: 12 at p = 0.1 seen, 146 at p = 0.01); now within 2 ulps at every p (`_subnormal_rows_again`). Other dtypes
    summed plainly (their ulp is far above that)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # a distance past the range: inf
        if size.dtype != np.float64:
            terms = np.power(np.asarray(size, np.float64), p)
            return root_forward(terms.sum(axis=-1, keepdims=True), c=c, rest=rest)
        hi, lo = _sum64(size, p, c, rest)
        root = np.power(hi, c)
        fix = root * _root_rest(hi, lo, p, rest)
        norm = root + np.where(np.isfinite(fix), fix, 0.0)  # none at an infinite or NaN root, or small
        return _subnormal_rows_again(size, norm, p, c, rest)


def _sum64(size: Any, p: float, c: float, rest: float) -> tuple[Any, Any]:
    """Σ size^p along the last axis as hi + lo (`_exact_sum`), each term's rounding taken out for p < 1/2
    (`_terms_rounding`)."""
    terms = np.power(size, p)
    hi, lo = _exact_sum(terms)
    return hi, (lo - _terms_rounding(size, terms, p, c, rest) if p < 0.5 else lo)


def _root_rest(hi: Any, lo: Any, p: float, rest: float) -> Any:
    """small, (1 + small) = hi^ε · (1 + lo/hi)^(1/p) to first order: the root of hi + lo is hi^c·(1 + small)."""
    return np.log(hi) * rest + lo / (p * hi)


def _norm_apart(size: Any, norm: Any, p: float, c: float, rest: float) -> M.Apart:
    """The norm as mantissa and exponent: `norm`'s own where it is a normal float; a subnormal one (its rows all
    subnormal) taken again on the sizes times 2^54 (exact), with the exponent less 54 (a row of 1e-310 at p = 0.9
    had gradients 18 ulp off on the rounded norm); one past the range, of finite sizes, as the root of the sum apart
    (scaling such a row down lost its sizes below 2^-1074 once scaled: [1e300, 1e-300] at p = 0.001 had the
    gradient [1, 0], exact [1.68e97, inf])."""
    mantissa, exponent = M.apart(norm)
    small = (norm > 0) & (norm < np.finfo(np.float64).tiny)
    past = np.isinf(norm) & np.isfinite(size).all(axis=-1, keepdims=True) & math.isfinite(c)  # c: 1/p, or inf
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if small.any():
            m, e = M.apart(_norm64(np.ldexp(size[small[..., 0]], 54), p, c, rest))
            mantissa[small], exponent[small] = m[..., 0], e[..., 0] - 54
        if past.any():
            hi, lo = _sum64(size[past[..., 0]], p, c, rest)
            m, e = M.scaled(M.power(M.apart(hi), c), 1.0 + _root_rest(hi, lo, p, rest))
            mantissa[past], exponent[past] = m[..., 0], e[..., 0]
    return mantissa, exponent


def _subnormal_rows_again(size: Any, norm: Any, p: float, c: float, rest: float) -> Any:
    """norm, the rows holding a subnormal size (its term's rounding unknown: 3 ulp off at p = 0.1 for rows of
    1e-310, 11 at p = 0.01 for one beside 1e-292) taken again on the sizes times the least 2^k that makes each a
    normal float (exact) and scaled back, where that fits."""
    tiny = np.finfo(np.float64).tiny
    low = ((size > 0) & (size < tiny)).any(axis=-1)
    if not low.any():
        return norm
    rows = size[low]
    k = -1021 - np.frexp(np.where(rows > 0, rows, tiny).min(axis=-1, keepdims=True))[1]  # least nonzero >= 2^(e-1)
    again = np.ldexp(_norm64(np.ldexp(rows, k), p, c, rest), -k)
    norm[low] = np.where(np.isfinite(again), again, norm[low])
    return norm


def _exact_sum(terms: Any) -> tuple[Any, Any]:
    """The sum of terms >= 0 along the last axis as hi + lo, to about n³ 2^-106 (Rump's ExtractVector): each term
    split at a power of two σ of at least 2n times the row's largest into a high part, the same multiple of ulp(σ),
    whose sum is exact in any order, and a low part below ulp(σ), summed plainly. Rows whose σ is not a float
    (terms near the largest float, inf, NaN) are summed plainly, lo 0."""
    top = terms.max(axis=-1, keepdims=True)
    sigma = np.ldexp(1.0, np.frexp(top)[1] + terms.shape[-1].bit_length() + 1)
    high = (sigma + terms) - sigma
    big, low = high.sum(axis=-1, keepdims=True), (terms - high).sum(axis=-1, keepdims=True)
    hi = big + low
    lo = (big - hi) + low
    plain = ~(np.isfinite(top) & np.isfinite(sigma))
    if plain.any():  # inf - inf made NaN of their parts
        hi, lo = np.where(plain, terms.sum(axis=-1, keepdims=True), hi), np.where(plain, 0.0, lo)
    return hi, lo


def _terms_rounding(size: Any, terms: Any, p: float, c: float, rest: float) -> Any:
    """Σ t - s^p over the row, t = fl(s^p) = s^p·(1 + δ): t^(1/p) = s·(1 + δ/p), so δ = p·(t^(1/p)/s - 1) to within
    p times the power's rounding (and t·δ the term's excess). Left 0 where s is subnormal (t^(1/p) has lost digits)."""
    excess = terms * ((np.power(terms, c) * log_factor(terms, rest) - size) / size)
    unknown = ~np.isfinite(excess) | (size < np.finfo(np.float64).tiny)
    return np.where(unknown, 0.0, excess).sum(axis=-1, keepdims=True) * p


def _norm_rule(g: Any, out: Any, size: Any, *, p: float, c: float, rest: float) -> tuple[Any]:
    """g·(size/N)^(p-1): from N as the forward gave it where that is a float64 array, else (float32 or float16, or
    a node: create_graph) by the slope op, which takes N again in float64 from the sizes."""
    if isinstance(size, Node) or out.dtype != np.float64:
        return (_slope(g, size, p=p, c=c, rest=rest),)
    return (_slope_of(g, size, out, p, c, rest),)


_norm = Op("p_norm_below_one", _norm_forward, _norm_rule)


def _slope_forward(g: Any, size: Any, *, p: float, c: float, rest: float) -> Any:
    norm = _norm64(size, p, c, rest)
    return _slope_of(g, size, norm, p, c, rest)


def _slope_of(g: Any, size: Any, norm: Any, p: float, c: float, rest: float) -> Any:
    """g·(size/norm)^(p-1), 0 where size is 0 (|s|^p's slope is infinite there: torch's 0), in float64 and rounded
    once to g's and size's dtype, p - 1's rounding put back where `rest` is (float64). In rows whose norm is
    subnormal or past the range the ratio size/N is taken with N apart (`_norm_apart`, which has its digits); where
    the ratio is not a normal float its power overflows (or has lost digits) while g times it may fit: there apart
    too."""
    dtype, e = np.result_type(g, size), p - 1
    erest = exponent_rest(p) if rest else 0.0
    g, size = np.broadcast_arrays(np.asarray(g, np.float64), np.asarray(size, np.float64))
    tiny = np.finfo(np.float64).tiny
    with np.errstate(all="ignore"):
        ratio = size / norm
        odd = ((norm < tiny) | np.isinf(norm))[..., 0]  # N subnormal or past the range
        whole = _norm_apart(size, norm, p, c, rest) if odd.any() or ((ratio < tiny) & (size > 0)).any() else None
        if odd.any():
            ratio[odd] = M.joined(M.over(M.apart(size[odd]), (whole[0][odd], whole[1][odd])))
        slope = g * (np.power(ratio, e) * log_factor(ratio, erest) if erest else np.power(ratio, e))
        lost = (ratio < tiny) & (size > 0) & np.isfinite(whole[0]) & (whole[0] != 0) if whole else np.zeros(1, bool)
        if lost.any():
            at = (np.broadcast_to(half, size.shape)[lost] for half in whole)
            slope[lost] = M.joined(M.times(M.apart(g[lost]), M.power(M.over(M.apart(size[lost]), tuple(at)), e, erest)))
        return np.where(size == 0, 0.0, slope).astype(dtype, copy=False)


def _slope_rule(gs: Any, out: Any, g: Any, size: Any, *, p: float, c: float, rest: float) -> tuple[Any, Any]:
    """The slope's derivatives (the norm's second): by g, (size/N)^(p-1), this op again with gs for g; by size, the
    curvature op (`_curvature_forward`)."""
    by_g = unbroadcast(_slope(gs, size, p=p, c=c, rest=rest), np.shape(raw(g)))
    return by_g, _curvature(gs, g, size, p=p, c=c, rest=rest)


_slope = Op("p_norm_below_one_slope", _slope_forward, _slope_rule)


def _curvature_forward(gs: Any, g: Any, size: Any, *, p: float, c: float, rest: float) -> Any:
    """The slope op's output g_j·u_j^(p-1) (g broadcast: a row's weight, or one per entry where the slope op is
    itself the rule's) differentiated by size_i along gs (`_bend`), in float64 and rounded once: rows whose steps
    stay well inside the floats (`_ordinary`: nearly all) in plain floats, the others with N and every step apart
    (`mantissa_exponent`), which cost 2 to 3 times the time where every row took them (cdist (64, 32) x (64, 32)
    at p = 0.5, grad of grad: float64 2x, float32 3.3x). Taken from the slope's output and divided by N as floats,
    it left the range where N does: [1e308] x 3 at p = 0.5 (N = 9e308) had [-3.75e-309, -7.5e-309, -1.125e-308]
    along [0.5, 1, 1.5] for [3.75e-309, 0, -3.75e-309], [1e-310] x 3 NaN for [inf, 0, -inf]."""
    dtype, erest = np.result_type(gs, g, size), exponent_rest(p) if rest else 0.0
    gs, g, size = np.broadcast_arrays(*(np.asarray(a, np.float64) for a in (gs, g, size)))
    with np.errstate(all="ignore"):
        norm = _norm64(size, p, c, rest)
        plain = _ordinary(gs, g, size, norm)
        out = np.empty(size.shape)
        if plain.any():
            rows = Ellipsis if plain.all() else plain
            out[rows] = _bend(M.Floats, gs[rows], g[rows], size[rows], norm[rows], p, erest)
        if not plain.all():
            rows, sizes = ~plain, size[~plain]
            whole = _norm_apart(sizes, norm[rows], p, c, rest)
            out[rows] = _bend(M, gs[rows], g[rows], sizes, whole, p, erest)
        return out.astype(dtype, copy=False)


_MARGIN = 2.0**150  # see `_ordinary`


def _ordinary(gs: Any, g: Any, size: Any, norm: Any) -> Any:
    """The rows whose `_bend` plain float64 steps take without leaving the normal floats: N, each nonzero size's
    ratio u = size/N and each nonzero |gs| and |g| within 2^±150 (NaN and inf outside). Then every step lies within
    2^±760 times the row's length (u^(p-2) at most 2^300, the weights 2^±300, a difference of two steps at least
    2^-53 of them, N 2^±150), so each rounds as it does apart. A few reductions, against the steps' dozens."""
    top = norm[..., 0]
    least = np.min(np.where(size > 0, size, np.inf), axis=-1)
    ok = (top >= 1 / _MARGIN) & (top <= _MARGIN) & (least >= top / _MARGIN)
    for v in (gs, g):
        a = np.abs(v)
        ok &= np.all((a == 0) | ((a >= 1 / _MARGIN) & (a <= _MARGIN)), axis=-1)
    return ok


def _bend(numbers: Any, gs: Any, g: Any, size: Any, norm: Any, p: float, erest: float) -> Any:
    """With w = gs·g, Σ_j w_j·∂²N/∂size_i∂size_j = (p-1)/N·(w_i·u_i^(p-2)·Σ_(j≠i) u_j^p - u_i^(p-1)·Σ_(j≠i)
    w_j·u_j^(p-1)), u = size/N (the diagonal's w_i·u_i^(p-2)·(1 - u_i^p) written with Σ u^p = 1, so that nothing
    cancels but what the exact number does: a row of one entry gives 0, where float32 [4.7e-40] under a weight of
    1e30 gave -inf), 0 where size_i is 0 (which has no share in the sums: its slope is 0), each step one of
    `numbers` (mantissa_exponent's, N apart, or its Floats', N a float) rounded once."""
    inside = size > 0
    ratio = numbers.over(numbers.apart(np.where(inside, size, 1.0)), norm)
    slope = numbers.power(ratio, p - 1, erest)
    share = numbers.times(numbers.power(ratio, p), numbers.apart(inside * 1.0))
    weighed = numbers.times(numbers.times(numbers.apart(np.where(inside, gs, 0.0)), numbers.apart(g)), slope)
    own = numbers.over(numbers.times(weighed, numbers.others(share)), ratio)
    bend = numbers.minus(own, numbers.times(slope, numbers.others(weighed)))
    return np.where(inside, numbers.joined(numbers.over(numbers.scaled(bend, p - 1), norm)), 0.0)


def _curvature_rule(
    bent: Any, out: Any, gs: Any, g: Any, size: Any, *, p: float, c: float, rest: float
) -> tuple[Any, Any, Any]:
    """The norm's third derivatives. The Hessian is symmetric: by gs, g times K, this op with `bent` for gs and a
    weight of 1; by g, gs times K; by size_k, with w = gs·g, (p-1)/N²·((p-2)·b_k·w_k·u_k^(p-3) + (1-p)·u_k^(p-1)·
    Σ b·w·u^(p-2) - (p-1)·u_k^(p-2)·(b_k·B + w_k·C) - (1-2p)·u_k^(p-1)·B·C), b = bent, B = Σ w·u^(p-1),
    C = Σ b·u^(p-1), as Tensor ops on u = size/N (beyond the range where those steps leave it)."""
    pick = where if isinstance(size, Node) else np.where
    inside = raw(size) > 0
    k = _curvature(bent, np.ones(()), size, p=p, c=c, rest=rest)
    by_gs, by_g, w = g * k, unbroadcast(gs * k, np.shape(raw(g))), gs * g
    with np.errstate(all="ignore"):
        norm = _norm(size, p=p, c=c, rest=rest)
        u = pick(inside, size, 1.0) / norm
        slope = pick(inside, u ** (p - 1), 0.0)
        big_b, big_c = ((v * slope).sum(axis=-1, keepdims=True) for v in (w, bent))
        both = (bent * w * slope / u).sum(axis=-1, keepdims=True)
        terms = (p - 2) * bent * w * slope / (u * u) + (1 - p) * slope * both
        terms = terms - (p - 1) * (bent * big_b + w * big_c) * slope / u - (1 - 2 * p) * slope * big_b * big_c
        by_size = pick(inside, terms * ((p - 1) / (norm * norm)), 0.0)
    return by_gs, by_g, by_size


_curvature = Op("p_norm_below_one_curvature", _curvature_forward, _curvature_rule)
