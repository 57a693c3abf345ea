"""The op table's running log-sum-exp (a tensor-only entry): logcumsumexp along one axis, stable for large and
for -inf entries. cummax and cummin are no ops of their own: their indices are read from the numbers and their
values picked by indexing (tensor_scans), as max(dim=)'s."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .graph import Node
from .line_pairs import check_line_pairs
from .op_def import OpDef, tensor_op
from .tensor_forwards import wide

_exp, _logcumsumexp, _where = tensor_op("exp"), tensor_op("logcumsumexp"), tensor_op("where")


def logcumsumexp(x: np.ndarray, *, axis: int) -> np.ndarray:
    """log(Σ_{j≤k} exp(xⱼ)) for each k along `axis`, by logaddexp's running pairs (never exp of a large entry;
    -inf, an empty sum so far, stays -inf); float16 and float32 run in float64, rounded once, as cumsum."""
    if x.dtype.kind != "f":  # PyTorch 2.13 refuses ints and bools too; numpy took them as float64 silently
        raise TypeError(f"logcumsumexp needs a float tensor (PyTorch's too), got {x.dtype}: .astype(float) first")
    acc = wide(x)
    with np.errstate(invalid="ignore"):  # NaN stays NaN: not worth a warning (inf - inf inside logaddexp)
        return np.logaddexp.accumulate(x if acc is None else x.astype(acc), axis=axis).astype(x.dtype, copy=False)


def _shares_under_graph(g: Any, out: Any, x: Any, axis: int) -> Any:
    """Σ_{k≥j} gₖ exp(xⱼ − outₖ) by ops on the nodes, linear in g (create_graph): each pair (j, k) along a new
    axis, as cumprod's second derivative is formed. The sums in logs below are not linear in g: log|g| at a g of 0
    has no derivative, and PyTorch's double backward, which takes them, loses ∂/∂g there (x² through
    logcumsumexp at x = 0: a second derivative of 0 for 2)."""
    shape, a = np.shape(x), axis % np.ndim(x)
    n, tail = shape[a], (1,) * (len(shape) - a - 1)
    check_line_pairs("logcumsumexp", shape, a, x.dtype, joined_by="logaddexp'd with")
    from_j_on = np.triu(np.ones((n, n), dtype=bool)).reshape((n, n) + tail)  # k >= j: j along a, k along a + 1
    at_j, at_k = shape[:a] + (n, 1) + shape[a + 1 :], shape[:a] + (1, n) + shape[a + 1 :]
    shares = _exp(_where(x.reshape(at_j) - out.reshape(at_k), 0.0, cond=from_j_on))  # at most 1 where k >= j
    return _where(shares * g.reshape(at_k), 0.0, cond=from_j_on).sum(axis=a + 1)


def _logcumsumexp_vjp(g, out, x, *, axis):
    if isinstance(g, Node) or isinstance(x, Node):
        return (_shares_under_graph(g, out, x, axis),)
    # a plain backward: ∂L/∂xⱼ = exp(xⱼ − outⱼ)·rⱼ, rⱼ = Σ_{k≥j} gₖ exp(outⱼ − outₖ) summed from the end
    # (_from_the_end): every factor at most 1 (out never falls), linear in g, and each exponent a difference of
    # two outputs, exact to its own rounding. In logs, exp(xⱼ + log Σ |gₖ| e^{−outₖ})
    # (PyTorch's method, and this rule's before), log|gₖ| − outₖ rounded at out's size: 6e-10 of the gradient lost
    # at entries near 1e5, all of g at 1e300. float16 and float32 in float64 from x itself, rounded once: x − out
    # in x's dtype, out rounded by |out|·2^-24, moved each share by as much (1,500 float32 ulps at entries of size
    # 30, 170,000 at 1000, PyTorch's too)
    dtype, acc = x.dtype, wide(x)
    if acc is not None:
        x, g = x.astype(acc), np.asarray(g, dtype=acc)
        out = logcumsumexp(x, axis=axis)
    gs, outs, xs = (np.moveaxis(np.asarray(a), axis, -1) for a in (g, out, x))
    gs = np.broadcast_to(gs, xs.shape).astype(np.result_type(gs, xs))
    with np.errstate(invalid="ignore", over="ignore"):
        r = _from_the_end(gs, outs)  # a NaN g reaches every entry before it (as cumsum's)
        shares = _times(np.exp(xs - outs), np.isfinite(xs - outs), r)
    return (np.moveaxis(shares, -1, axis).astype(dtype, copy=False),)


def _from_the_end(g: np.ndarray, out: np.ndarray) -> np.ndarray:
    """rⱼ = Σ_{k≥j} gₖ·exp(outⱼ − outₖ) along the last axis (out never falls), in blocks of about √n: each
    block's sums from its end by rⱼ = gⱼ + exp(outⱼ − outⱼ₊₁)·rⱼ₊₁, all blocks at once, then the same sums over
    the blocks' first entries, carried into each entry by one exp(outⱼ − out at the next block's start). About
    2·√n Python steps, not n (a loop along the line took 230 ms for 1e5 entries, 15 times the sums in logs), and
    each share rounded about 2·√n times, not up to n (3e-13 off at 1e5 entries of 0; now 3e-15)."""
    n = g.shape[-1]
    if n < 2:
        return g
    width = math.isqrt(n - 1) + 1
    blocks, pad = -(-n // width), [(0, 0)] * (g.ndim - 1) + [(0, -n % width)]
    gb, ob = (
        np.pad(a, pad, constant_values=v).reshape(g.shape[:-1] + (blocks, width)) for a, v in ((g, 0), (out, np.inf))
    )
    own = np.empty_like(gb)
    own[..., -1] = gb[..., -1]
    for i in range(width - 2, -1, -1):
        own[..., i] = gb[..., i] + _times(*_exp_of_difference(ob[..., i], ob[..., i + 1]), own[..., i + 1])
    if blocks > 1:  # past the last block: no sum (0), at out +inf
        starts = _from_the_end(own[..., 0], ob[..., 0])
        next_out, next_r = (
            np.concatenate([a[..., 1:], np.full_like(a[..., :1], v)], -1)[..., None]
            for a, v in ((ob[..., 0], np.inf), (starts, 0))
        )
        own = own + _times(*_exp_of_difference(ob, next_out), next_r)
    return own.reshape(g.shape[:-1] + (blocks * width,))[..., :n]


def _exp_of_difference(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """exp(a − b), 1 where they are equal (±inf among them: a prefix of -inf stays NaN through exp(x − out), as
    logsumexp's at a row of -inf; an entry before a +inf one gets exp(−inf) = 0 of the sums past it), and where
    that exponent is finite (a 0 there an underflow)."""
    exponent = np.where(a == b, 0.0, a - b)
    return np.exp(exponent), np.isfinite(exponent)


def _times(factor: np.ndarray, positive: np.ndarray, r: np.ndarray) -> np.ndarray:
    """factor·r, but ±inf where r is and the factor only underflowed to 0 (gₖ = inf times exp(−800): inf, as
    PyTorch's, not NaN)."""
    return np.where(np.isinf(r) & positive, r, factor * r)


SCANS: tuple[OpDef, ...] = (
    # where every entry up to k is -inf (an empty sum, out -inf), those entries' gradient is NaN, as logsumexp's
    # at a row of -inf and PyTorch's; a -inf entry after a finite one gets 0
    OpDef(
        "logcumsumexp",
        _logcumsumexp_vjp,
        None,
        logcumsumexp,
        api="Tensor.logcumsumexp",
        formulas=("∂logcumsumexp(x)ₖ/∂xᵢ = exp(xᵢ − outₖ) where k ≥ i, else 0",),
        adds_up=True,
    ),
)
