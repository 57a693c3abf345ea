"""The op table's reductions beyond sum, mean, max, min and logsumexp (tensor-only entries): prod,
var, std, norm over axes, and the running cumsum and cumprod along one axis.

Each rule runs on arrays (a plain backward) and on Tensors (`create_graph`), so second
derivatives come from the same line. Products are exact with zeros: a plain backward divides
out / x only where every product, and each quotient or g·out it goes on with, is a normal finite
float (no zero, no underflow or overflow: g·out of 1e-200 and 1e-200 is 0 where g·out/x need not be),
and otherwise no rule divides at all: a plain backward multiplies the other entries in mantissas
and exponents (scaled_products: no partial product under- or overflows), and create_graph in ops
on the nodes, so second derivatives stay exact for tiny entries too (out / x would cancel terms of
size 1/|x|). PyTorch divides wherever the input has no zero. var, std and the 2-norm are right wherever
the result fits its dtype: where squaring the entries would overflow or underflow, they are computed
on entries scaled by a power of two (scaled_moments).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import scaled_products
from .graph import Node, raw  # raw: the data behind a node, for constants in rules (masks, counts)
from .line_pairs import check_line_pairs
from .op_def import OpDef, tensor_op
from .op_table_tensor import _inverse, _spread, extreme_shares
from .rule_functions import sign
from .scaled_moments import homogeneous, in_scaled_units, result_dtype, scale_for, working
from .tensor_forwards import product, running_product, running_sum, wide

_cumsum, _cumprod, _getitem = tensor_op("cumsum"), tensor_op("cumprod"), tensor_op("getitem")
_concatenate, _where = tensor_op("concatenate"), tensor_op("where")
_reshape, _transpose, _norm = tensor_op("reshape"), tensor_op("transpose"), tensor_op("norm")
_std_op = tensor_op("std")


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


def _normal(a: Any) -> bool:
    """Whether every entry of the array a is a normal finite float: no zero, no underflow or overflow."""
    size = np.abs(a)
    return bool(np.all((size >= np.finfo(a.dtype).tiny) & (size < np.inf)))


def _plain(x: Any, out: Any) -> bool:
    """A plain backward (arrays, not create_graph) of a float product with no zero, underflow or
    overflow: where out / x may be exact to rounding."""
    return not isinstance(x, Node) and np.result_type(out).kind == "f" and _normal(out)


def _prod_vjp(g, out, x, *, axis, keepdims):
    if np.size(x) == 0:  # no entries to send a gradient to
        return (_spread(g, x, axis),)
    if _plain(x, out):
        with np.errstate(over="ignore"):
            others = _spread(out, x, axis) / x  # the product of the others, where it is a normal float
        if _normal(others):  # g · others, not (g · out) / x: g · out underflows where the answer need not
            return (_spread(g, x, axis) * others,)
    if isinstance(g, Node) or isinstance(x, Node):  # create_graph: ops on the nodes
        return (_spread(g, x, axis) * _product_of_others(x, axis),)
    return (scaled_products.others_times(np.asarray(_spread(g, x, axis)), x, axis).astype(x.dtype),)


def _cumprod_without_division(g: Any, x: Any, axis: int) -> Any:
    """∂L/∂xᵢ = Σ_{k≥i} g_k · Π_{j≤k, j≠i} x_j, exact with zeros: the running products of x with xᵢ
    replaced by 1, for every i along a new axis, by ops on the nodes: under create_graph (PyTorch's
    double backward does the same; a plain backward's is scaled_products.running_others_times)."""
    shape, a = np.shape(x), axis % np.ndim(x)
    n, tail = shape[a], (1,) * (len(shape) - a - 1)
    check_line_pairs("cumprod", shape, a, x.dtype, joined_by="times")
    inserted = shape[:a] + (1,) + shape[a:]  # index i before index k
    diagonal = np.eye(n, dtype=bool).reshape((n, n) + tail)
    from_i_on = np.triu(np.ones((n, n), dtype=bool)).reshape((n, n) + tail)  # k >= i
    running = _cumprod(_where(1.0, _reshape(x, shape=inserted), cond=diagonal), axis=a + 1)
    return _where(running * _reshape(g, shape=inserted), 0.0, cond=from_i_on).sum(axis=a + 1)  # not 0 · inf


def _cumprod_vjp(g, out, x, *, axis):
    if np.size(x) == 0:
        return (g,)
    if _plain(x, out) and not isinstance(g, Node):
        with np.errstate(over="ignore"):
            scaled = g * out
        if _normal(scaled[g != 0]):  # Σ_{k≥i} g_k out_k / x_i, where no g_k out_k under- or overflowed
            with np.errstate(over="ignore"):
                sent = _reverse_cumsum(scaled, axis) / x
            if np.all(np.isfinite(sent)):  # not a sum overflowing on its way to a float: [1e308, 1] sends 2
                return (sent,)
    if isinstance(g, Node) or isinstance(x, Node):
        return (_cumprod_without_division(g, x, axis),)
    return (scaled_products.running_others_times(np.asarray(g), x, axis).astype(x.dtype),)


def _count(x: Any, axis: Any) -> int:
    """How many entries each output of a reduction of x over `axis` (None: all) summarises; from the
    shape, so also where x is empty (a (1, 0) tensor's variance over axis 0: 0 outputs of 1 entry each)."""
    shape = np.shape(x)
    axes = range(len(shape)) if axis is None else np.atleast_1d(axis)
    return math.prod(shape[a] for a in axes)


def _var_vjp(g, out, x, *, axis, keepdims, ddof):
    scale = scale_for(raw(out), x, axis)  # x − mean overflows where the gradient need not: computed on x·s
    if scale is None:
        return (_spread(g, x, axis) * (_centred(x, axis) * (2 / (_count(x, axis) - ddof))),)
    return (_spread(g, x, axis) * ((_centred(x * scale, axis) * (2 / (_count(x, axis) - ddof))) / scale),)


def _var(x: np.ndarray, *, axis: Any, keepdims: bool, ddof: float) -> np.ndarray:
    return homogeneous(lambda x: np.var(x, axis, wide(x), ddof=ddof, keepdims=keepdims), x, axis, degree=2)


def _centred(x: Any, axis: Any) -> Any:
    """x - its mean over `axis`, for float16 and float32 in float64, rounded once (`wide`; its mean
    rounded first is off by up to half its unit in the last place, most of a small spread: var's
    gradient was 5% off at a mean of 1e4 and a spread of 1e-2), by ops on a Tensor (create_graph)."""
    if wide(raw(x)) is None:
        return x - x.mean(axis=axis, keepdims=True)
    widened = x.astype(np.float64)  # a Tensor's cast is an op: create_graph differentiates through it
    return (widened - widened.mean(axis=axis, keepdims=True)).astype(raw(x).dtype)


def _std(x: np.ndarray, *, axis: Any, keepdims: bool, ddof: float) -> np.ndarray:
    return homogeneous(lambda x: np.std(x, axis, wide(x), ddof=ddof, keepdims=keepdims), x, axis)


def _std_vjp(g, out, x, *, axis, keepdims, ddof):
    out, x = in_scaled_units(out, x, axis, lambda x: _std_op(x, axis=axis, keepdims=keepdims, ddof=ddof))
    zero = np.asarray(raw(out) == 0)  # a constant input: gradient 0, as PyTorch's
    ratio = _centred(x, axis) / _spread(out + zero, x, axis)  # (x - mean) / std, at most √n in size
    return (_spread(g * ~zero, x, axis) * (ratio / (_count(x, axis) - ddof)),)


def _norm_vjp(g, out, x, *, axis, keepdims, ord):
    if ord == 1:  # |x|'s derivative is 0 at 0 (as abs)
        return (_spread(g, x, axis) * sign(x),)
    if ord == np.inf:  # the largest |xᵢ| gets it, as max's: ties share it, a NaN entry gets NaN (PyTorch: 0)
        return (_spread(g, x, axis) * (sign(x) * extreme_shares(np.abs(raw(x)), raw(out), axis)),)
    # a norm past the range (rows of 1e308 and more): inf in any units, its direction x/‖x‖ is not; the norm
    # again on x scaled, where it fits (was x/inf: a gradient of 0), whatever other rows hold (a row holding inf
    # gives inf again, its x/‖x‖ NaN, as it did); a subnormal norm, too few digits for x/‖x‖, likewise
    out, x = in_scaled_units(out, x, axis, lambda x: _norm(x, axis=axis, keepdims=keepdims, ord=2))
    zero = np.asarray(raw(out) == 0)
    return (_spread(g * ~zero, x, axis) * (x / _spread(out + zero, x, axis)),)


def _vector_norm(x: np.ndarray, *, axis: Any, keepdims: bool, ord: float) -> np.ndarray:
    if ord == 2:
        return homogeneous(lambda x: np.linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=2), x, axis)
    dtype, x = result_dtype(x), working(x)
    if ord == np.inf:  # max's error where an axis is empty: the largest of nothing (numpy would say 0)
        return np.max(np.abs(x), axis=axis, keepdims=keepdims).astype(dtype, copy=False)
    return np.linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=1).astype(dtype, copy=False)


REDUCTIONS: tuple[OpDef, ...] = (
    # exact with zeros: one zero gets the product of the others, several give 0 (as PyTorch)
    OpDef(
        "prod",
        _prod_vjp,
        None,
        product,  # as sum: in float64 for float16 and float32, rounded once
        api="Tensor.prod",
        formulas=("∂prod(x)/∂xᵢ = Π_{j≠i} xⱼ",),
    ),
    OpDef(
        "var",
        _var_vjp,
        None,
        # float16 and float32 summed in float64 (`wide`), as std, rounded once: the mean subtracted too
        _var,
        api="Tensor.var",
        formulas=("∂var(x)/∂xᵢ = 2(xᵢ − mean)/(n − ddof)",),
        adds_up=True,
    ),
    # at a constant input (std 0, a kink) the gradient is 0, as PyTorch's
    OpDef(
        "std",
        _std_vjp,
        None,
        _std,
        api="Tensor.std",
        formulas=("∂std(x)/∂xᵢ = (xᵢ − mean)/((n − ddof)·std)",),
        adds_up=True,
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
        running_sum,  # float16 and float32 run in float64, rounded once (as PyTorch's)
        api="Tensor.cumsum",
        formulas=("∂cumsum(x)ₖ/∂xᵢ = 1 where k ≥ i, else 0",),
        adds_up=True,
    ),
    # exact with zeros (no division by an entry), as PyTorch
    OpDef(
        "cumprod",
        _cumprod_vjp,
        None,
        running_product,  # as cumsum: in float64 for float16 and float32
        api="Tensor.cumprod",
        formulas=("∂cumprod(x)ₖ/∂xᵢ = Π_{j≤k, j≠i} xⱼ where k ≥ i, else 0",),
    ),
)
