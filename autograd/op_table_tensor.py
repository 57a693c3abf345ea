"""The op table's tensor-only entries: reductions, shapes, indexing (matmul: op_table_matmul; the softmax family:
op_table_softmax).

Each op once, as the elementwise entries of `op_table`: its numpy forward (taking the op's
keyword parameters: an axis, a shape) beside ONE rule, which runs on arrays (a plain backward)
and on Tensors (`create_graph`) alike, and how users call it (`api`). Rules call other ops
through `tensor_op` (a reduction's rule broadcasts, indexing's adds at the index), and
`unbroadcast` is the one helper that sums a gradient back over the axes broadcasting added.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import tensor_forwards as forward
from .graph import raw  # the data behind a node, for constants in rules (masks, signs)
from .op_def import ANYWHERE, OpDef, tensor_op
from .rule_functions import gated, gated_off_nan
from .tensor_forwards import Axis

_sum_to, _broadcast_to, _getitem, _index_add = (
    tensor_op(n) for n in ("sum_to", "broadcast_to", "getitem", "index_add")
)
_where = tensor_op("where")


def unbroadcast(g: Any, shape: tuple[int, ...]) -> Any:
    """Sum g over the axes that broadcasting added or stretched, back to `shape` (tensor_forwards.gradient_sum):
    an array whose leading axes alone were added (a bias's gradient) by one reduction, without sum_to's steps, into
    an array of `shape` of its own (a reshape's view of the kept-axes sum was copied again by backward's
    `_accumulate` for the leaf's .grad)."""
    if g.__class__ is not np.ndarray:  # a Tensor, under create_graph: through the op, recorded
        return g if np.shape(g) == shape else _sum_to(g, shape=shape)
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    if lead > 0 and shape and g.shape[lead:] == shape:
        summed = np.empty(shape, g.dtype)
        forward.gradient_sum(g, tuple(range(lead)), summed.reshape((1,) * lead + shape))
        return summed
    return forward.sum_to(g, shape=shape)


def kept_shape(shape: tuple[int, ...], axis: Axis) -> tuple[int, ...]:
    """`shape` with the reduced axes kept as 1: the shape of a reduction with keepdims=True."""
    if axis is None:
        return (1,) * len(shape)
    axes = {a % len(shape) for a in ((axis,) if isinstance(axis, int) else axis)}
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _spread(g: Any, x: Any, axis: Axis) -> Any:
    """g of a reduction over `axis`, spread back over x's shape."""
    return _broadcast_to(g.reshape(kept_shape(np.shape(x), axis)), shape=np.shape(x))


# ---- rules of one line or two ----


def _clip_vjp(g, out, x, *, lo, hi):
    inside = np.ones(np.shape(x), dtype=bool)  # the gradient passes where lo <= x <= hi (as PyTorch)
    if lo is not None:
        inside &= raw(x) >= lo
    if hi is not None:
        inside &= raw(x) <= hi
    return (gated_off_nan(g, inside, x),)  # NaN at NaN: the NaN policy, rule_functions


def extreme_shares(x: np.ndarray, out: np.ndarray, axis: Any) -> np.ndarray:
    """Each entry's share of the gradient of a largest (or smallest) value `out` of x over axis: ties share
    it equally (as PyTorch's amax and amin). Where the extreme is NaN (a NaN in its slice), every entry of
    the slice gets NaN: which entry NaN beats is unknown, and every share depends on it (the NaN policy,
    rule_functions; PyTorch 2.13's amax and amin too, where its max() of every entry splits it between the NaNs).
    In x's float dtype."""
    top = np.reshape(out, kept_shape(np.shape(x), axis))
    hit = x == top
    with np.errstate(invalid="ignore"):  # 0 of 0 entries where the extreme is NaN: NaN, as it should be
        return (hit / np.sum(hit, axis=axis, keepdims=True)).astype(np.result_type(x), copy=False)


def _extreme_vjp(g, out, x, *, axis, keepdims):
    share = extreme_shares(raw(x), raw(out), axis)
    return (gated(g.reshape(kept_shape(np.shape(x), axis)), share),)  # PyTorch's max(): 0 off it


def _mean_vjp(g, out, x, *, axis, keepdims):
    count = np.size(x) // max(np.size(out), 1)
    # a mean of nothing: its gradient is empty, spread from g as it is (g/0 warned "divide by zero" on the way)
    return (_spread(g / count if count else g, x, axis),)


def _inverse(axes: tuple[int, ...] | None, ndim: int) -> tuple[int, ...] | None:
    """The axes that undo `transpose(axes)`; negative axes count from the end."""
    return None if axes is None else tuple(np.argsort([a % ndim for a in axes]))


def _concatenate_vjp(g, out, *xs, axis):
    axis %= np.ndim(out)
    ends = np.cumsum([np.shape(x)[axis] for x in xs])
    lead = (slice(None),) * axis
    return tuple(g[lead + (slice(end - np.shape(x)[axis], end),)] for x, end in zip(xs, ends))


def _stack_vjp(g, out, *xs, axis):
    axis %= np.ndim(out)
    return tuple(g[(slice(None),) * axis + (i,)] for i in range(len(xs)))


def _where_vjp(g, out, x, y, *, cond, unpicked=0.0):
    picked_x = _where(g, unpicked, cond=cond, unpicked=unpicked)
    return unbroadcast(picked_x, np.shape(x)), unbroadcast(
        _where(unpicked, g, cond=cond, unpicked=unpicked), np.shape(y)
    )


def _reducing(
    name: str,
    forward: Any,
    vjp: Any,
    formula: str,
    api: str = "",
    adds_up: bool = False,
    flat_pieces: bool = False,
    shape_only: tuple[int, ...] = (),
) -> OpDef:
    return OpDef(
        name,
        vjp,
        None,
        forward,
        formulas=(formula,),
        api=api or f"Tensor.{name}",
        adds_up=adds_up,
        flat_pieces=flat_pieces,
        shape_only=shape_only,
    )


_ONE, _TWO = (ANYWHERE,), (ANYWHERE, ANYWHERE)
TENSOR_ONLY: tuple[OpDef, ...] = (
    # the gradient passes where lo <= x <= hi, the bounds included (PyTorch's choice)
    OpDef(
        "clip",
        _clip_vjp,
        None,
        lambda x, *, lo, hi: np.clip(x, lo, hi),
        api="Tensor.clip",
        formulas=("∂clip(x)/∂x = 1 where lo ≤ x ≤ hi, else 0",),
        flat_pieces=True,
    ),
    _reducing(
        "sum",
        forward.total,
        lambda g, out, x, *, axis, keepdims: (_spread(g, x, axis),),
        "∂sum(x)/∂xᵢ = 1",
        adds_up=True,
        shape_only=(0,),
    ),
    _reducing("mean", forward.mean, _mean_vjp, "∂mean(x)/∂xᵢ = 1/n", adds_up=True, shape_only=(0,)),
    # ties share the gradient equally (PyTorch's amax/amin)
    _reducing(
        "max",
        lambda x, *, axis, keepdims: np.max(x, axis, keepdims=keepdims),
        _extreme_vjp,
        "∂max(x)/∂xᵢ = 1 at the max (shared by ties)",
        flat_pieces=True,
    ),
    _reducing(
        "min",
        lambda x, *, axis, keepdims: np.min(x, axis, keepdims=keepdims),
        _extreme_vjp,
        "∂min(x)/∂xᵢ = 1 at the min (shared by ties)",
        flat_pieces=True,
    ),
    # a cast: the gradient goes back in the input's own dtype
    OpDef(
        "astype",
        lambda g, out, x, *, dtype: (g.astype(np.result_type(raw(x))),),
        None,
        lambda x, *, dtype: np.asarray(x).astype(dtype),
        api="Tensor.astype",
        formulas=("the gradient, cast back",),
        shape_only=(0,),
    ),
    OpDef(
        "reshape",
        lambda g, out, x, *, shape: (g.reshape(np.shape(x)),),
        None,
        lambda x, *, shape: np.reshape(x, shape),
        api="Tensor.reshape",
        formulas=("the gradient, reshaped back",),
        shape_only=(0,),
    ),
    OpDef(
        "transpose",
        lambda g, out, x, *, axes: (g.transpose(_inverse(axes, np.ndim(x))),),
        None,
        lambda x, *, axes: np.transpose(x, axes),
        api="Tensor.transpose",
        formulas=("the gradient, axes put back",),
        shape_only=(0,),
    ),
    # a repeated index adds up its gradients
    OpDef(
        "getitem",
        lambda g, out, x, *, index: (_index_add(g, index=index, shape=np.shape(x)),),
        None,
        lambda x, *, index: x[index],
        api="Tensor.__getitem__",
        formulas=("the gradient, added at the index",),
        shape_only=(0,),
        scatters=True,
    ),
    OpDef(
        "concatenate",
        _concatenate_vjp,
        None,
        lambda *xs, axis: np.concatenate(xs, axis),
        _TWO,
        api="autograd.concatenate",
        formulas=("each input's slice of the gradient",) * 2,
        shape_only=(0, 1),
    ),
    OpDef(
        "stack",
        _stack_vjp,
        None,
        lambda *xs, axis: np.stack(xs, axis),
        _TWO,
        api="autograd.stack",
        formulas=("each input's slice of the gradient",) * 2,
        shape_only=(0, 1),
    ),
    # the condition is a constant: no gradient flows to it. `unpicked`, the gradient's zero where an input is not
    # picked: +0 (PyTorch's) for the user's where; the rules' own selections (rule_functions.where) give −0, the
    # identity of the sum their input's gradient is, so a piece's −0 limit stays −0 beside the other piece
    OpDef(
        "where",
        _where_vjp,
        None,
        lambda x, y, *, cond, unpicked=0.0: np.where(cond, x, y),
        _TWO,
        api="autograd.where",
        broadcasts=True,
        formulas=("1 where cond holds, else 0", "0 where cond holds, else 1"),
        shape_only=(0, 1),
    ),
    # the rules' own ops: unbroadcasting, spreading a reduction back, indexing's gradient
    OpDef(
        "sum_to",
        lambda g, out, x, *, shape: (_broadcast_to(g, shape=np.shape(x)),),
        None,
        forward.sum_to,
        formulas=("the gradient, broadcast back",),
        shape_only=(0,),
        adds_up=True,
    ),
    OpDef(
        "broadcast_to",
        lambda g, out, x, *, shape: (unbroadcast(g, np.shape(x)),),
        None,
        lambda x, *, shape: np.broadcast_to(x, shape),
        formulas=("the gradient, summed back",),
        shape_only=(0,),
    ),
    OpDef(
        "index_add",
        lambda g, out, x, *, index, shape: (_getitem(g, index=index),),
        None,
        forward.index_add,
        formulas=("the gradient at the index",),
        shape_only=(0,),
        adds_up=True,
    ),
)
