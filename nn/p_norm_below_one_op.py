"""The p-norm (Σ s^p)^(1/p) of sizes s >= 0 for 0 < p < 1 (`_p_norm` in distances.py) as one op from the sizes to
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

from autograd import Node, Op, Tensor, raw, unbroadcast, where

from .p_norm_below_one import exponent_rest, log_factor, root_forward, split_exponent


def below_one_norm(size: Tensor, p: float) -> Tensor:
    """(Σ size^p)^(1/p) along the last axis (keepdim), for sizes >= 0 in rows not all 0. Summed and rooted in
    float64 (float32 and float16 sizes rounded once at the end; float64 ones with the rounding of the exponent 1/p
    put back, as `below_one_root`'s)."""
    c, rest = split_exponent(Fraction(1) / Fraction(p))
    return _norm(size, p=p, c=c, rest=rest if size.dtype == np.float64 else 0.0)


def _norm_forward(size: Any, *, p: float, c: float, rest: float) -> Any:
    return _norm64(size, p, c, rest).astype(size.dtype, copy=False)


def _norm64(size: Any, p: float, c: float, rest: float) -> Any:
    """The norm in float64. float64 sizes: the sum of the terms size^p as hi + lo (`_exact_sum`), each term's
    rounding taken out for p < 1/2 (`_terms_rounding`), and the root hi^c · (1 + ε·ln hi + lo/(p·hi)), c + ε = 1/p:
    the sum's roundings, multiplied by 1/p, were the error (2/p + 3 ulps: 12 at p = 0.1 seen, 146 at p = 0.01); now
    within 2 ulps at every p (`_subnormal_rows_again`). Other dtypes summed plainly (their ulp is far above that)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # a distance past the range: inf
        terms = np.power(np.asarray(size, np.float64), p)
        if size.dtype != np.float64:
            return root_forward(terms.sum(axis=-1, keepdims=True), c=c, rest=rest)
        hi, lo = _exact_sum(terms)
        if p < 0.5:
            lo = lo - _terms_rounding(size, terms, p, c, rest)
        root = np.power(hi, c)
        small = np.log(hi) * rest + lo / (p * hi)  # (1 + small) = hi^ε · (1 + lo/hi)^(1/p), to first order
        fix = root * small
        norm = root + np.where(np.isfinite(fix), fix, 0.0)  # none at an infinite or NaN root, or small
        return _subnormal_rows_again(size, norm, p, c, rest)


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
    once to g's and size's dtype, p - 1's rounding put back where `rest` is (float64). Rows whose norm has lost
    digits or left the range are taken on scaled sizes (`_rescaled`); where size/norm falls below the normal floats,
    its power overflows (or has lost digits) while g times it may fit: there by the exponents (`_by_exponents`)."""
    dtype, e = np.result_type(g, size), p - 1
    erest = exponent_rest(p) if rest else 0.0
    g, size = np.asarray(g, np.float64), np.asarray(size, np.float64)
    size, norm = _rescaled(size, norm, p, c, rest)
    with np.errstate(all="ignore"):
        ratio = size / norm
        slope = g * (np.power(ratio, e) * log_factor(ratio, erest) if erest else np.power(ratio, e))
        lost = np.broadcast_to((ratio < np.finfo(np.float64).tiny) & (size > 0) & np.isfinite(norm), slope.shape)
        if lost.any():
            slope[lost] = _by_exponents(*(np.broadcast_to(a, slope.shape)[lost] for a in (g, size, norm)), e, erest)
        return np.where(size == 0, 0.0, slope).astype(dtype, copy=False)


def _rescaled(size: Any, norm: Any, p: float, c: float, rest: float) -> tuple[Any, Any]:
    """size and norm, the rows whose norm is subnormal (digits lost: a row of 1e-310 at p = 0.9 had gradients 18 ulp
    off) or past the range with finite sizes (the gradient need not be) taken again on the sizes times 2^k: k = 54
    (the norm a normal float), or the most that brings the norm within range (sizes far below it may lose digits),
    the largest size kept a normal float. Exact scalings: the ratio size/norm is the same."""
    info = np.finfo(np.float64)
    small = (norm > 0) & (norm < info.tiny)
    past = np.isinf(norm) & np.isfinite(size).all(axis=-1, keepdims=True)
    redo = (small | past)[..., 0]
    if not redo.any():
        return size, norm
    rows, size, norm = size[redo], size.copy(), np.array(norm, np.float64)
    with np.errstate(divide="ignore", over="ignore"):
        bits = np.ceil(np.log2(np.power(rows, p).sum(axis=-1, keepdims=True)) / p)  # log2 N, rounded up
    lowest = -(np.frexp(rows.max(axis=-1, keepdims=True))[1] + info.maxexp - 3)  # the largest size stays normal
    k = np.where(small[redo], info.nmant + 2, np.maximum(info.maxexp - 3 - bits, lowest))
    size[redo] = rows = np.ldexp(rows, k.astype(np.int32))
    norm[redo] = _norm64(rows, p, c, rest)
    return size, norm


def _by_exponents(g: Any, size: Any, norm: Any, e: float, rest: float) -> Any:
    """g·(size/norm)^(e + rest) with the exponents apart: g = a·2^i and size/norm = q·2^k (q the mantissas'
    quotient, k the exponents' difference, whole), k·e split as k·h, h the leading 38 bits of e (so k·h, |k| <
    2^12, is exact), and a small rest k·(e - h + rest); the whole part of k·h joins i at the end."""
    a, i = np.frexp(g)
    (top, j), (bottom, m) = np.frexp(size), np.frexp(norm)
    k = (j - m).astype(np.float64)
    h = math.ldexp(round(math.ldexp(e, 38)), -38)
    whole = np.floor(k * h)
    mantissa = a * np.power(top / bottom, e) * np.exp2((k * h - whole) + k * ((e - h) + rest))
    return np.ldexp(mantissa, i + whole.astype(np.int32))


def _slope_rule(gs: Any, out: Any, g: Any, size: Any, *, p: float, c: float, rest: float) -> tuple[Any, Any]:
    """The slope's derivatives (the norm's second): by g, (size/N)^(p-1), this op again with gs for g; by size_j,
    (p-1)·(gs_j·out_j/size_j - (size_j/N)^(p-1)·Σ gs·out/N), the first term 0 where size_j is 0."""
    pick = where if isinstance(size, Node) else np.where
    nonzero = raw(size) != 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        along = (gs * out).sum(axis=-1, keepdims=True) / _norm(size, p=p, c=c, rest=rest)
        own = pick(nonzero, gs * out / pick(nonzero, size, 1.0), 0.0)
        by_size = (own - _slope(along, size, p=p, c=c, rest=rest)) * (p - 1)
        by_g = unbroadcast(_slope(gs, size, p=p, c=c, rest=rest), np.shape(raw(g)))
    return by_g, by_size


_slope = Op("p_norm_below_one_slope", _slope_forward, _slope_rule)
