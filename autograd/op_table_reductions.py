"""The op table's reductions beyond sum, mean, max, min and logsumexp (tensor-only entries): prod,
var, std, norm over axes, and the running cumsum and cumprod along one axis.

Each rule runs on arrays (a plain backward) and on Tensors (`create_graph`), so second
derivatives come from the same line. Products are exact with zeros: a plain backward divides
out / x only where every product is a normal finite float (no zero, no underflow or overflow),
and otherwise, and always under create_graph, no rule divides at all, so second derivatives stay
exact for tiny entries too (out / x would cancel terms of size 1/|x|). PyTorch divides wherever
the input has no zero.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .graph import Node, raw  # raw: the data behind a node, for constants in rules (masks, counts)
from .op_def import OpDef, sign, tensor_op
from .op_table_tensor import _inverse, _spread, kept_shape

_cumsum, _cumprod, _getitem = tensor_op("cumsum"), tensor_op("cumprod"), tensor_op("getitem")
_concatenate, _where = tensor_op("concatenate"), tensor_op("where")
_reshape, _transpose = tensor_op("reshape"), tensor_op("transpose")


def _axes(ndim: int, axis: Any) -> list[int]:
    """The reduced axes, non-negative and sorted; None is every axis."""
    if axis is None:
        return list(range(ndim))
    return sorted(a % ndim for a in ((axis,) if isinstance(axis, int) else axis))


def _reversed(x: Any, axis: int) -> Any:
    """x with its entries along `axis` in the opposite order."""
    return _getitem(x, index=(slice(None),) * (axis % np.ndim(x)) + (slice(None, None, -1),))


def _reverse_cumsum(g: Any, axis: int) -> Any:
    """Sums from each entry to the end along `axis`: what a running sum sends back."""
    return _reversed(_cumsum(_reversed(g, axis), axis=axis), axis)


def _exclusive_cumprod(rows: Any) -> Any:
    """Along the last axis, each entry's product of the entries before it: 1, x0, x0·x1, ..."""
    ones = np.ones(np.shape(rows)[:-1] + (1,), dtype=np.result_type(raw(rows)))
    return _cumprod(_concatenate(ones, _getitem(rows, index=(Ellipsis, slice(None, -1))), axis=-1), axis=-1)


def _product_of_others(x: Any, axis: Any) -> Any:
    """Each entry's product of the other entries reduced with it, without dividing: the reduced
    axes are laid out as one last axis, and the products before and after each entry multiplied."""
    shape, reduced = np.shape(x), _axes(np.ndim(x), axis)
    order = tuple(i for i in range(len(shape)) if i not in reduced) + tuple(reduced)
    rows = _reshape(
        _transpose(x, axes=order), shape=tuple(shape[i] for i in order[: len(order) - len(reduced)]) + (-1,)
    )
    others = _exclusive_cumprod(rows) * _reversed(_exclusive_cumprod(_reversed(rows, -1)), -1)
    return _transpose(_reshape(others, shape=tuple(shape[i] for i in order)), axes=_inverse(order, len(shape)))


def _divisible(x: Any, out: Any) -> bool:
    """Whether out / x is exact to rounding: a plain backward (arrays, not create_graph) whose
    products are all normal finite floats (so x has no zero, and none underflowed or overflowed)."""
    if np.size(x) == 0:  # nothing to divide
        return True
    if isinstance(x, Node) or np.result_type(out).kind != "f":
        return False
    size = np.abs(out)
    return bool(np.all((size >= np.finfo(out.dtype).tiny) & (size < np.inf)))


def _prod_vjp(g, out, x, *, axis, keepdims):
    if _divisible(x, out):  # the product of the others is out / x
        return (_spread(g * out, x, axis) / x,)
    return (_spread(g, x, axis) * _product_of_others(x, axis),)


def _cumprod_without_division(g: Any, x: Any, axis: int) -> Any:
    """∂L/∂xᵢ = Σ_{k≥i} g_k · Π_{j≤k, j≠i} x_j, exact with zeros: the running products of x with xᵢ
    replaced by 1, for every i along a new axis. O(n²) in the axis' length, so used only where out / x
    is not exact (a zero) or under create_graph (PyTorch's double backward does the same)."""
    shape, a = np.shape(x), axis % np.ndim(x)
    n, tail = shape[a], (1,) * (len(shape) - a - 1)
    inserted = shape[:a] + (1,) + shape[a:]  # index i before index k
    diagonal = np.eye(n, dtype=bool).reshape((n, n) + tail)
    from_i_on = np.triu(np.ones((n, n), dtype=bool)).reshape((n, n) + tail)  # k >= i
    running = _cumprod(_where(1.0, _reshape(x, shape=inserted), cond=diagonal), axis=a + 1)
    return _where(running * _reshape(g, shape=inserted), 0.0, cond=from_i_on).sum(axis=a + 1)  # not 0 · inf


def _cumprod_vjp(g, out, x, *, axis):
    if _divisible(x, out):  # Σ_{k≥i} g_k out_k / x_i
        return (_reverse_cumsum(g * out, axis) / x,)
    return (_cumprod_without_division(g, x, axis),)


def _count(x: Any, axis: Any) -> int:
    """How many entries each output of a reduction of x over `axis` (None: all) summarises; from the
    shape, so also where x is empty (a (1, 0) tensor's variance over axis 0: 0 outputs of 1 entry each)."""
    shape = np.shape(x)
    axes = range(len(shape)) if axis is None else np.atleast_1d(axis)
    return math.prod(shape[a] for a in axes)


def _var_vjp(g, out, x, *, axis, keepdims, ddof):
    centred = x - x.mean(axis=axis, keepdims=True)
    return (_spread(g, x, axis) * centred * (2 / (_count(x, axis) - ddof)),)


def _std_vjp(g, out, x, *, axis, keepdims, ddof):
    zero = np.asarray(raw(out) == 0)
    return _var_vjp(g * ~zero / (2 * (out + zero)), out, x, axis=axis, keepdims=keepdims, ddof=ddof)


def _norm_vjp(g, out, x, *, axis, keepdims, ord):
    if ord == 1:  # |x|'s derivative is 0 at 0 (as abs)
        return (_spread(g, x, axis) * sign(x),)
    if ord == np.inf:  # the largest |xᵢ| gets it; ties share it equally (PyTorch)
        top = np.abs(raw(x)) == np.reshape(raw(out), kept_shape(np.shape(x), axis))
        share = sign(x) * top / np.sum(top, axis=axis, keepdims=True)
        return (_spread(g, x, axis) * share.astype(np.result_type(raw(x)), copy=False),)
    zero = np.asarray(raw(out) == 0)
    return (_spread(g * ~zero / (out + zero), x, axis) * x,)


def _vector_norm(x: np.ndarray, *, axis: Any, keepdims: bool, ord: float) -> np.ndarray:
    return np.linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord)


REDUCTIONS: tuple[OpDef, ...] = (
    # exact with zeros: one zero gets the product of the others, several give 0 (as PyTorch)
    OpDef(
        "prod",
        _prod_vjp,
        None,
        lambda x, *, axis, keepdims: np.prod(x, axis, keepdims=keepdims),
        api="Tensor.prod",
        formulas=("∂prod(x)/∂xᵢ = Π_{j≠i} xⱼ",),
    ),
    OpDef(
        "var",
        _var_vjp,
        None,
        lambda x, *, axis, keepdims, ddof: np.var(x, axis, ddof=ddof, keepdims=keepdims),
        api="Tensor.var",
        formulas=("∂var(x)/∂xᵢ = 2(xᵢ − mean)/(n − ddof)",),
    ),
    # at a constant input (std 0, a kink) the gradient is 0, as PyTorch's
    OpDef(
        "std",
        _std_vjp,
        None,
        lambda x, *, axis, keepdims, ddof: np.std(x, axis, ddof=ddof, keepdims=keepdims),
        api="Tensor.std",
        formulas=("∂std(x)/∂xᵢ = (xᵢ − mean)/((n − ddof)·std)",),
    ),
    # the 2-norm's gradient at the zero vector is 0 (PyTorch's choice: a subgradient)
    OpDef(
        "norm",
        _norm_vjp,
        None,
        _vector_norm,
        api="Tensor.norm",
        formulas=("∂‖x‖₂/∂xᵢ = xᵢ/‖x‖₂; ∂‖x‖₁/∂xᵢ = sign(xᵢ); ∂‖x‖∞/∂xᵢ = sign(xᵢ) at the largest |xᵢ|",),
    ),
    OpDef(
        "cumsum",
        lambda g, out, x, *, axis: (_reverse_cumsum(g, axis),),
        None,
        lambda x, *, axis: np.cumsum(x, axis),
        api="Tensor.cumsum",
        formulas=("∂L/∂xᵢ = Σ_{k≥i} ∂L/∂yₖ",),
    ),
    # exact with zeros (no division by an entry), as PyTorch
    OpDef(
        "cumprod",
        _cumprod_vjp,
        None,
        lambda x, *, axis: np.cumprod(x, axis),
        api="Tensor.cumprod",
        formulas=("∂L/∂xᵢ = Σ_{k≥i} ∂L/∂yₖ · Π_{j≤k, j≠i} xⱼ",),
    ),
)
