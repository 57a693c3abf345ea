"""The p-norm of rows along the last axis, any p above 0 (`row_p_norm`): pairwise_distance's, cdist's and normalize's
(through unit_vectors.py)."""

from __future__ import annotations

import math

import numpy as np

from autograd import Tensor, no_grad, where

from .lp_pool_caller import Caller
from .lp_pool_direct import direct_gradient
from .p_norm_below_one_op import below_one_norm


def row_p_norm(d: Tensor, p: float, keepdim: bool, owner: str) -> Tensor:
    """The p-norm of d along its last axis: the norm op's for p 1, 2, inf (right wherever it fits); for p < 1 one op
    of its own (`below_one_norm`: |d|^p lies between |d| and 1, and its rule takes the ratio |d|/N); for other p
    m·‖d/m‖_p, m a constant for each row (‖d‖_p's gradient is the same at d/m), its largest |d| (`_row_scale`), so
    that |d|^p neither overflows nor underflows (p=3's distance of 1e200 was inf, with a NaN gradient). `owner`: the
    user's function, which refusals name."""
    if p in (1.0, 2.0, math.inf) or not d.shape[-1]:  # no entries: the sum of no terms, 0 (amax has none)
        return d.norm(p if d.shape[-1] else 1.0, dim=-1, keepdim=keepdim)
    # the row scales and masks are constants made under no_grad, which a compiled step's replay makes again from
    # each call's d (taken with detach(), they were numbers read out of the graph, which a replay cannot make:
    # every step through such a p ran eagerly, strict: a CompileError); m takes no gradient: ‖d‖ = m·‖d/m‖ for any m
    with no_grad():
        top = abs(d).amax(dim=-1, keepdim=True)
    # a row of zeros: distance 0, gradient and second derivative 0, as the norm op's (0 ** (1/p)'s infinite slope
    # times the terms' 0 was NaN): taken on a row of ones, which the wheres below leave out
    zero = top == 0
    entries, d = d, where(zero, 1.0, d)
    if p < 1:  # one op (p_norm_below_one_op), in float64 inside: the norm and its gradient rounded once
        out = where(zero, 0.0, below_one_norm(abs(d), p))
        return out if keepdim else out.squeeze(-1)
    # a row holding inf (or NaN) is not scaled: its norm is inf, its finite entries' slope 0, as torch's; scaled by
    # the largest float, the slope went through g · 1.8e308, NaN at every entry for |g| > 1
    m = _row_scale(where(zero | ~top.isfinite(), 1.0, top), p)
    terms = abs(d / m) ** p
    out = where(zero, 0.0, m * where(zero, 1.0, terms.sum(dim=-1, keepdim=True)) ** (1 / p))
    # g met m first (g·m: 0 for [1e-300, 2e-300] under g = 1e-300, exact 6.4e-301 at p = 1.5): rows whose steps
    # leave the floats take g·(|d|/N)^(p-1) straight, as lp_pool's windows scaled by their largest entry
    n = d.shape[-1]
    out = direct_gradient(
        out, entries, p, (n,), (n,), n, np.ones(out.shape, bool), absolute=True, caller=Caller(owner, d.dtype, "row")
    )
    return out if keepdim else out.squeeze(-1)


def _row_scale(top: Tensor, p: float) -> Tensor:
    """The m of `_p_norm` (p > 1) for rows whose largest |d| is `top` (finite, above 0): top itself, or for a
    subnormal top, top · 2^k held at the least normal float, k the most that keeps that entry's |d/m|^p normal
    (exact: a power of 2). m was the least normal float there, and |d/m|^p underflowed to 0 for p above ~20
    (float64) or ~6 (float32): float32 [1e-45, 0, 0] at p=7 had distance 0 and gradient [inf, nan, nan]."""
    info = np.finfo(top.dtype)
    lift = 2.0 ** max(int(-info.minexp // p) - 1, 0)  # (2^-k)^p at least 2^(minexp + p), normal
    return where(top < info.tiny, (top.clip(max=info.tiny) * lift).clip(max=info.tiny), top)
