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


def _reverse_logcumsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    """log(Σ_{k≥j} exp(xₖ)) for each j along `axis`: the running log-sum-exp from the end."""
    return np.flip(logcumsumexp(np.flip(x, axis), axis=axis), axis)


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
    # a plain backward: ∂L/∂xⱼ = Σ_{k≥j} gₖ exp(xⱼ − outₖ) summed in logs, the g above 0 and below 0 apart
    # (a log of a sum of both signs has none), each part exp(xⱼ + log Σ_{k≥j} |gₖ| e^{−outₖ}), so that no
    # exp(−outₖ) or exp(xⱼ) overflows alone (TensorFlow's and PyTorch's method). A g of 0 stands as the dtype's
    # lowest float, whose exp is 0: not -inf, which would make -inf − -inf = NaN where out is -inf. float16 and
    # float32 in float64 from x itself, rounded once: x − out in x's dtype, out rounded by |out|·2^-24, moved each
    # share by as much (1,500 float32 ulps at entries of size 30, 170,000 at 1000, PyTorch's too)
    dtype, acc = x.dtype, wide(x)
    if acc is not None:
        x, g = x.astype(acc), np.asarray(g, dtype=acc)
        out = logcumsumexp(x, axis=axis)
    lowest = np.finfo(x.dtype).min
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # a prefix of -inf: NaN, as logsumexp's
        size = np.log(np.abs(g))
        # a NaN in g is NaN in the part above 0, so that it reaches every share it is in (as cumsum's): were it
        # neither above nor below 0 it would stand as 0 ([1, 1, NaN] sent [1.27, 0.73, 0], and PyTorch 2.13's too)
        above, below = np.where((g > 0) | np.isnan(g), size, lowest), np.where(g < 0, size, lowest)
        shares = np.exp(_reverse_logcumsumexp(above - out, axis) + x) - np.exp(
            _reverse_logcumsumexp(below - out, axis) + x
        )
        return (shares.astype(dtype, copy=False),)


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
