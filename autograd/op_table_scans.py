"""The op table's running log-sum-exp (a tensor-only entry): logcumsumexp along one axis, stable for large and
for -inf entries. cummax and cummin are no ops of their own: their indices are read from the numbers and their
values picked by indexing (tensor_scans), as max(dim=)'s."""

from __future__ import annotations

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
    # a plain backward: ∂L/∂xⱼ = exp(xⱼ − outⱼ)·rⱼ, rⱼ = Σ_{k≥j} gₖ exp(outⱼ − outₖ), by the recurrence
    # rⱼ = gⱼ + exp(outⱼ − outⱼ₊₁)·rⱼ₊₁ from the end: every factor at most 1 (out never falls), linear in g, and
    # each exponent a difference of neighbours, exact to its own rounding. In logs, exp(xⱼ + log Σ |gₖ| e^{−outₖ})
    # (PyTorch's method, and this rule's before), log|gₖ| − outₖ rounded at out's size: 6e-10 of the gradient lost
    # at entries near 1e5, all of g at 1e300. float16 and float32 in float64 from x itself, rounded once: x − out
    # in x's dtype, out rounded by |out|·2^-24, moved each share by as much (1,500 float32 ulps at entries of size
    # 30, 170,000 at 1000, PyTorch's too)
    dtype, acc = x.dtype, wide(x)
    if acc is not None:
        x, g = x.astype(acc), np.asarray(g, dtype=acc)
        out = logcumsumexp(x, axis=axis)
    gs, outs, xs = (np.moveaxis(np.asarray(a), axis, -1) for a in (g, out, x))
    gs = np.broadcast_to(gs, xs.shape)
    r = np.empty(xs.shape, dtype=np.result_type(gs, xs))
    with np.errstate(invalid="ignore", over="ignore"):
        # equal neighbours (±inf among them) step by exp(0): a prefix of -inf stays NaN through exp(x − out) below,
        # as logsumexp's at a row of -inf; an entry before a +inf one gets exp(−inf) = 0 of the sums past it
        step = np.exp(np.where(outs[..., :-1] == outs[..., 1:], 0.0, outs[..., :-1] - outs[..., 1:]))
        if xs.shape[-1]:
            r[..., -1] = gs[..., -1]
        for j in range(xs.shape[-1] - 2, -1, -1):  # a NaN g reaches every entry before it (as cumsum's)
            r[..., j] = gs[..., j] + step[..., j] * r[..., j + 1]
        shares = np.exp(xs - outs) * r
    return (np.moveaxis(shares, -1, axis).astype(dtype, copy=False),)


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
