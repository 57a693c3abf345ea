"""Tensor functions that are not methods: cross_entropy, nll_loss, multi_margin_loss, concatenate, stack, where."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Real
from typing import Any

import numpy as np

from . import shape_args as args
from . import tensor_ops as ops
from .compile_record import needs_grad
from .creation_args import refuse_text
from .cross_entropy_options import DEFAULTS, REDUCTIONS
from .dtype_fits import check_fits
from .graph import Node, raw
from .modes import choice, short
from .ordered import check_ordered
from .shape_args import is_int
from .tensor_class import Tensor, _apply
from .tensor_data import array_of, kept, numbers_array
from .tensor_indexing import boolean
from .type_names import repr_of, type_name

_NOT_GIVEN: Any = object()  # stack's axis not passed (None is passed, and refused, as numpy and PyTorch refuse it)


def cross_entropy(
    logits: Tensor,
    labels: Any,
    *,
    ignore_index: int | None = None,
    weight: Any = None,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
) -> Tensor:
    """The mean over the batch of -log softmax(logits)[label]: logits (batch, classes), integer labels
    (batch,); or logits (batch, classes, d1, ...), labels (batch, d1, ...), the classes along axis 1; or
    one example, logits (classes,) and a label of shape () (PyTorch's unbatched input).
    Fused and stable for logits of any size; its gradient is (softmax - one hot) / batch.
    A row whose label is `ignore_index` counts for nothing, nor in the batch (NaN when every row's
    is, as PyTorch), and gets a gradient of 0. The op keeps a copy of the caller's labels (a later write
    into them cannot change this loss's gradient), which a compiled step's tape knows for the labels it
    was given (tensor_data.kept), so that it replays each call's labels, whichever are ignored.
    PyTorch's options for class indices too: `weight`, a constant per class (the mean divides by the kept
    labels' weights: by 0 where they add up to 0, NaN or ±inf as PyTorch's), `label_smoothing` in [0, 1] and
    `reduction` ("mean", "sum", or "none": each row's loss, 0 where ignored); cross_entropy_options has the
    formulas."""
    params = _labelled("cross_entropy", logits, labels, ignore_index, weight, label_smoothing, reduction)
    return _apply(ops.cross_entropy, (logits,), params)


def nll_loss(
    log_probs: Tensor, labels: Any, *, ignore_index: int | None = None, weight: Any = None, reduction: str = "mean"
) -> Tensor:
    """The mean over the batch of -log_probs[label], for log-probabilities (log_softmax's output) of the
    shapes cross_entropy takes, with its `ignore_index`, `weight` and `reduction` (PyTorch's nll_loss):
    cross_entropy is nll_loss of log_softmax, fused. Its gradient is minus the label's weight (1 without)
    over the mean's denominator at each kept row's label, 0 elsewhere; its second derivative is 0."""
    return _apply(
        ops.nll_loss, (log_probs,), _labelled("nll_loss", log_probs, labels, ignore_index, weight, 0.0, reduction)
    )


def multi_margin_loss(
    scores: Tensor, labels: Any, *, p: int = 1, margin: float = 1.0, weight: Any = None, reduction: str = "mean"
) -> Tensor:
    """PyTorch's multi-class hinge: per row of scores (N, C) with its label y (or one example (C,) with a
    label of shape ()), the sum over the classes i != y of w_y max(0, margin - x_y + x_i)^p over C (p 1 or 2,
    `weight` one number per class, 1 without), then `reduction`'s mean or sum of the rows (or "none"). Its
    gradient at a term met exactly (0) is 0, as PyTorch's kernel; labels and weights are read on each call."""
    name = "multi_margin_loss"
    if not is_int(p) or p not in (1, 2):
        raise ValueError(f"{name}: p must be 1 or 2 (as PyTorch's), got {repr_of(p)}")
    if isinstance(margin, bool) or not isinstance(margin, Real) or not np.isfinite(margin):
        raise TypeError(f"{name}: margin must be a finite number, got {repr_of(margin)}")
    _check_reduction(name, reduction)
    data = array_of(raw(scores), name)  # rows of different lengths named, as the labels' are
    if data.ndim not in (1, 2):
        raise ops.ShapeError(f"{name}: scores must be (N, C) rows or one (C,) vector, got shape {data.shape}")
    labels = kept(array_of(raw(labels), name), labels)
    ops.check_labels(data, labels, None, name)
    params = {"labels": labels, "p": int(p), "margin": float(margin)}
    if weight is not None:
        params["weight"] = _class_weight(name, data, weight)
    losses = _apply(ops.multi_margin_loss, (scores,), params)
    return losses if reduction == "none" else losses.sum() if reduction == "sum" else losses.mean()


def _labelled(
    name: str, scores: Tensor, labels: Any, ignore_index: Any, weight: Any, label_smoothing: Any, reduction: Any
) -> dict[str, Any]:
    """The parameters of op `name` (cross_entropy, nll_loss): the labels (a copy the op keeps, `kept`),
    checked against the scores, the ignore_index, and the options not at their defaults, checked."""
    if ignore_index is not None and not is_int(ignore_index):
        raise TypeError(f"{name}: ignore_index must be an integer or None, got {type_name(ignore_index)}")
    labels = kept(array_of(raw(labels), name), labels)
    data = array_of(raw(scores), name)  # rows of different lengths named, as the labels' are
    ops.check_labels(data, labels, ignore_index, name)
    params = {"labels": labels} if ignore_index is None else {"labels": labels, "ignore_index": int(ignore_index)}
    plain = label_smoothing.__class__ in (int, float) and label_smoothing == 0 and reduction.__class__ is str
    if weight is not None or not plain or reduction != "mean":  # the plain mean takes none (no array's truth)
        params |= _options(name, data, weight, label_smoothing, reduction)
    return params


def _check_reduction(name: str, reduction: Any) -> None:
    choice(reduction, REDUCTIONS, f"{name}: reduction")


def _options(name: str, scores: np.ndarray, weight: Any, label_smoothing: Any, reduction: Any) -> dict[str, Any]:
    """The options of op `name` as the op takes them, checked; only those not at their defaults."""
    _check_reduction(name, reduction)
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, Real):
        raise TypeError(f"{name}: label_smoothing must be a number, got {type_name(label_smoothing)}")
    if not 0 <= label_smoothing <= 1:
        raise ValueError(f"{name}: label_smoothing must be in [0, 1], got {label_smoothing}")
    given = {"label_smoothing": float(label_smoothing), "reduction": reduction}
    options = {key: value for key, value in given.items() if value != DEFAULTS[key]}
    if weight is not None:
        options["weight"] = _class_weight(name, scores, weight)
    return options


def _class_weight(name: str, scores: np.ndarray, weight: Any) -> Any:
    """`weight` checked (one finite real number per class, a constant) and kept as the caller gave it, a
    Tensor or an array, whose numbers the op reads on each call in the scores' dtype: a compiled step's
    replays read them as they are then, as eager does. Other sequences as an array."""
    if isinstance(weight, Tensor) and needs_grad(weight):
        raise TypeError(f"{name}: weight is a constant and takes no gradient; give weight.detach()")
    data = array_of(raw(weight), f"{name}'s weight")
    classes = scores.shape[1] if scores.ndim > 1 else scores.shape[0]
    if data.shape != (classes,):
        raise ops.ShapeError(f"{name}: weight of shape {data.shape}: give one per class, shape ({classes},)")
    if data.dtype.kind not in "iuf" or not np.all(np.isfinite(data)):
        raise (TypeError if data.dtype.kind not in "iuf" else ValueError)(
            f"{name}: weight must hold finite real numbers, got {data.dtype} {data}"
        )
    return weight if isinstance(weight, Tensor | np.ndarray) else data


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """The tensors joined along an existing axis (numpy's name; numpy's axis=None, which flattens, is
    refused: flatten each first, t.reshape(-1))."""
    joined = _joined(tensors, "concatenate")
    return _apply(ops.concatenate, joined, {"axis": _join_axis(axis, joined, 0, "concatenate")})


def cat(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """PyTorch's name and argument for `concatenate`."""
    joined = _joined(tensors, "cat")
    return _apply(ops.concatenate, joined, {"axis": _join_axis(dim, joined, 0, "cat")})


def stack(tensors: Sequence[Any], axis: Any = _NOT_GIVEN, *, dim: Any = _NOT_GIVEN) -> Tensor:
    """The tensors, of one shape, along a new axis `axis` of the result (0 by default), or `dim`:
    numpy and PyTorch both call it stack, under their own names for the axis. Give one of them."""
    if axis is not _NOT_GIVEN and dim is not _NOT_GIVEN:
        raise TypeError("stack() got both axis= (numpy's name) and dim= (PyTorch's): pass one")
    given = dim if axis is _NOT_GIVEN else axis
    joined = _joined(tensors, "stack")
    return _apply(ops.stack, joined, {"axis": _join_axis(0 if given is _NOT_GIVEN else given, joined, 1, "stack")})


def _joined(tensors: Any, what: str) -> tuple[Any, ...]:
    """The tensors to join, from a list or tuple (numpy's any iterable of them); text is refused,
    whose bytes would be read as tensors of small ints, and a set, which would join them in no fixed
    order (PyTorch's stack and cat refuse one too)."""
    expected = "takes a sequence of tensors (a list or tuple)"
    refuse_text(tensors, what, expected)
    check_ordered(what, "tensors", tensors)
    try:
        joined = tuple(tensors)
    except TypeError:
        raise TypeError(f"{what}: {expected}, got {type_name(tensors)} {short(tensors)}") from None
    if not joined:  # was "list index out of range", or numpy's "need at least one array"
        raise ValueError(f"{what}: needs at least one tensor, got {type_name(tensors)} {short(tensors)}")
    return joined


def _join_axis(axis: Any, tensors: tuple[Any, ...], added: int, what: str) -> Any:
    """The axis to join along, checked as every dim is (an int, not a bool, None or a float, in range)
    against the first tensor's dims, plus the one stack adds. With no tensors, numpy's refusal says so."""
    if tensors:
        args.dim(axis, numbers_array(raw(tensors[0]), what).ndim + added, what)
    return axis


def where(cond: Any, x: Any, y: Any) -> Tensor:
    """x where cond holds, else y (cond is a constant: no gradient flows to it). cond is boolean (a
    comparison), as in PyTorch: numbers are not read as true where nonzero. A Python int beside an
    integer tensor takes its dtype, so it must fit it (numpy's where stores 300 into int8 as 44), and a Python
    number beside a float tensor must fit that (1e300 beside float32 was infinity), as PyTorch refuses both."""
    for number, other in ((x, y), (y, x)):
        numbers_typed = isinstance(other, Node | np.ndarray | np.generic)  # what gives the number its dtype
        if isinstance(number, int | float) and not isinstance(number, bool) and numbers_typed:
            kind = np.result_type(raw(other))
            if kind.kind in "iu" and isinstance(number, int) or kind.kind == "f":  # 1e300 beside float32: inf
                check_fits(number, kind, "where")
    return _apply(ops.where, (x, y), {"cond": boolean(cond, "where", "condition")})
