"""The tensor ops on numpy: one entry per op, its forward beside its derivative rule.

Rules run on ndarrays (a plain backward) and on Tensors (`create_graph`) alike: they use
operators, the methods both have (`reshape`, `transpose`, `sum`) and the Ops defined here.
`unbroadcast` is the one helper every broadcasting rule uses to sum a gradient back to its
input's shape. `needs` says which inputs anyone will read a gradient for; costly rules skip
the others (the constant input of a matmul, the number in `x * 2`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .graph import raw  # the data behind a node, for constants in rules (masks, signs)
from .op import Op
from .op_table import _ENGINES, BY_NAME, TABLE, OpDef

Axis = int | tuple[int, ...] | None


def unbroadcast(g: Any, shape: tuple[int, ...]) -> Any:
    """Sum g over the axes that broadcasting added or stretched, back to `shape`."""
    return g if np.shape(g) == shape else sum_to(g, shape=shape)


def _sum_to(x: np.ndarray, *, shape: tuple[int, ...]) -> np.ndarray:
    lead = x.ndim - len(shape)
    stretched = tuple(lead + i for i, n in enumerate(shape) if n == 1 and x.shape[lead + i] != 1)
    return np.sum(x, axis=tuple(range(lead)) + stretched, keepdims=True).reshape(shape)


def _kept_shape(shape: tuple[int, ...], axis: Axis) -> tuple[int, ...]:
    """`shape` with the reduced axes kept as 1: the shape of a reduction with keepdims=True."""
    if axis is None:
        return (1,) * len(shape)
    axes = {a % len(shape) for a in ((axis,) if isinstance(axis, int) else axis)}
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _reduce_vjp(g: Any, x: Any, axis: Axis) -> Any:
    """g of a reduction over `axis`, spread back over x's shape."""
    return broadcast_to(g.reshape(_kept_shape(np.shape(x), axis)), shape=np.shape(x))


sum_to = Op("sum_to", _sum_to, lambda g, out, x, *, shape: (broadcast_to(g, shape=np.shape(x)),))
broadcast_to = Op(
    "broadcast_to",
    lambda x, *, shape: np.broadcast_to(x, shape),
    lambda g, out, x, *, shape: (unbroadcast(g, np.shape(x)),),
)


# ---- the elementwise ops: the op table's entries on arrays ----


def _elementwise(d: OpDef) -> Op:
    """The table's op `d` on arrays. A unary op's gradient already has its input's shape: the
    rule serves as it is. A binary op's gradients are summed back to their inputs' shapes
    (numpy broadcasting), and kept only for inputs that need one."""
    rule, skips = d.vjp, d.skips
    if d.arity == 1:
        return Op(d.name, d.tensor, rule, d.domain, formulas=d.formulas)

    def vjp(g, out, a, b, needs):
        ga, gb = rule(g, out, a, b, needs=needs) if skips else rule(g, out, a, b)
        return (
            unbroadcast(ga, np.shape(a)) if needs[0] else None,
            unbroadcast(gb, np.shape(b)) if needs[1] else None,
        )

    return Op(d.symbol, d.tensor, vjp, d.domain, takes_needs=True, formulas=d.formulas)


ELEMENTWISE: dict[str, Op] = {d.name: _elementwise(d) for d in TABLE}
_power = BY_NAME["power"]
# `x ** 2`: the exponent is a constant keyword, so no gradient is formed for it
power_const = Op(
    "**",
    lambda x, *, c: np.power(x, c),
    lambda g, out, x, *, c: _power.vjp(g, out, x, c, (True, False))[:1],
    formulas=_power.formulas[:1],
)
globals().update(ELEMENTWISE)  # tensor_ops.exp, tensor_ops.add, ...: every op by its table name
_exp = ELEMENTWISE["exp"]


def _with_axis(g: Any, axis: int) -> Any:
    """g with a new axis of length 1 at `axis` (-1 or -2)."""
    s = np.shape(g)
    cut = len(s) + axis + 1
    return g.reshape(s[:cut] + (1,) + s[cut:])


def _matmul_vjp(g, out, a, b, needs):
    """A vector a is made a row and a vector b a column, so one rule serves every case;
    batch axes that broadcasting added are summed away."""
    a_shape, b_shape = np.shape(a), np.shape(b)
    if len(a_shape) == 1:
        a, g = a.reshape((1, -1)), _with_axis(g, -2)
    if len(b_shape) == 1:
        b, g = b.reshape((-1, 1)), _with_axis(g, -1)
    ga = _as_shape(unbroadcast(_product(g, b.swapaxes(-1, -2)), np.shape(a)), a_shape) if needs[0] else None
    gb = _as_shape(unbroadcast(_product(a.swapaxes(-1, -2), g), np.shape(b)), b_shape) if needs[1] else None
    return ga, gb


def _as_shape(x: Any, shape: tuple[int, ...]) -> Any:
    """x reshaped only where it must be: a reshape makes a view, and a leaf's view gets copied."""
    return x if np.shape(x) == shape else x.reshape(shape)


def _product(x: Any, y: Any) -> Any:
    """x @ y. Where the contracted axis has length 1 (the weight gradient of a batch of one),
    numpy's matmul takes a slow path: np.dot does that outer product five times faster."""
    if isinstance(x, np.ndarray) and x.ndim == 2 and x.shape[1] == 1 and np.ndim(y) == 2:
        return np.dot(x, y)
    return x @ y


matmul = Op("@", np.matmul, _matmul_vjp, takes_needs=True)


# ---- other elementwise functions ----


def _clip_vjp(g, out, x, *, lo, hi):
    inside = np.ones(np.shape(x), dtype=bool)  # the gradient passes where lo <= x <= hi (as PyTorch)
    if lo is not None:
        inside &= raw(x) >= lo
    if hi is not None:
        inside &= raw(x) <= hi
    return (g * inside,)


clip = Op("clip", lambda x, *, lo, hi: np.clip(x, lo, hi), _clip_vjp)


# ---- reductions ----


def _extreme_vjp(g, out, x, *, axis, keepdims):
    """Ties share the gradient equally (as PyTorch's amax and amin)."""
    kept = _kept_shape(np.shape(x), axis)
    hit = raw(x) == np.reshape(raw(out), kept)
    share = hit / np.sum(hit, axis=axis, keepdims=True)
    return (g.reshape(kept) * share.astype(np.result_type(raw(x)), copy=False),)


def _mean_vjp(g, out, x, *, axis, keepdims):
    count = np.size(x) // max(np.size(out), 1)
    return (_reduce_vjp(g / count, x, axis),)


reduce_sum = Op(
    "sum",
    lambda x, *, axis, keepdims: np.sum(x, axis, keepdims=keepdims),
    lambda g, out, x, *, axis, keepdims: (_reduce_vjp(g, x, axis),),
)
mean = Op("mean", lambda x, *, axis, keepdims: np.mean(x, axis, keepdims=keepdims), _mean_vjp)
reduce_max = Op("max", lambda x, *, axis, keepdims: np.max(x, axis, keepdims=keepdims), _extreme_vjp)
reduce_min = Op("min", lambda x, *, axis, keepdims: np.min(x, axis, keepdims=keepdims), _extreme_vjp)


# ---- shapes and indexing ----


def _inverse(axes: tuple[int, ...] | None, ndim: int) -> tuple[int, ...] | None:
    """The axes that undo `transpose(axes)`; negative axes count from the end."""
    return None if axes is None else tuple(np.argsort([a % ndim for a in axes]))


def _is_basic(index: Any) -> bool:
    """Slices, integers, None and Ellipsis select each element at most once."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice)) for p in parts)


def _index_add(g: np.ndarray, *, index: Any, shape: tuple[int, ...]) -> np.ndarray:
    out = np.zeros(shape, dtype=g.dtype)
    if _is_basic(index):
        out[index] = g
    else:
        np.add.at(out, index, g)  # a repeated index adds up
    return out


# a cast: the gradient goes back in the input's own dtype
astype = Op(
    "astype",
    lambda x, *, dtype: np.asarray(x).astype(dtype),
    lambda g, out, x, *, dtype: (g.astype(np.result_type(raw(x))),),
)
reshape = Op("reshape", lambda x, *, shape: np.reshape(x, shape), lambda g, out, x, *, shape: (g.reshape(np.shape(x)),))
transpose = Op(
    "transpose",
    lambda x, *, axes: np.transpose(x, axes),
    lambda g, out, x, *, axes: (g.transpose(_inverse(axes, np.ndim(x))),),
)
getitem = Op(
    "getitem",
    lambda x, *, index: x[index],
    lambda g, out, x, *, index: (index_add(g, index=index, shape=np.shape(x)),),
)
index_add = Op(
    "index_add",
    _index_add,
    lambda g, out, x, *, index, shape: (getitem(g, index=index),),
)


def _concatenate_vjp(g, out, *xs, axis):
    axis %= np.ndim(out)
    ends = np.cumsum([np.shape(x)[axis] for x in xs])
    lead = (slice(None),) * axis
    return tuple(g[lead + (slice(end - np.shape(x)[axis], end),)] for x, end in zip(xs, ends))


def _stack_vjp(g, out, *xs, axis):
    axis %= np.ndim(out)
    return tuple(g[(slice(None),) * axis + (i,)] for i in range(len(xs)))


concatenate = Op("concatenate", lambda *xs, axis: np.concatenate(xs, axis), _concatenate_vjp)
stack = Op("stack", lambda *xs, axis: np.stack(xs, axis), _stack_vjp)
where = Op(
    "where",
    lambda x, y, *, cond: np.where(cond, x, y),
    lambda g, out, x, y, *, cond: (
        unbroadcast(where(g, 0.0, cond=cond), np.shape(x)),
        unbroadcast(where(0.0, g, cond=cond), np.shape(y)),
    ),
)


# ---- the softmax family, stable for large logits ----


def _shifted(x: np.ndarray, axis: Axis) -> tuple[np.ndarray, np.ndarray]:
    """(x - max, max) along axis: the max is taken out before anything else touches the numbers,
    so exp never overflows and large logits keep their precision; an all -inf row keeps max 0."""
    top = np.max(x, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0)  # all -inf: log(0) = -inf, not NaN
    return x - top, top


def _log_sum_exp_shifted(shifted: np.ndarray, axis: Axis) -> np.ndarray:
    return np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _log_softmax(x: np.ndarray, *, axis: Axis) -> np.ndarray:
    shifted, _ = _shifted(x, axis)
    return shifted - _log_sum_exp_shifted(shifted, axis)


def _logsumexp(x: np.ndarray, *, axis: Axis, keepdims: bool) -> np.ndarray:
    shifted, top = _shifted(x, axis)
    out = _log_sum_exp_shifted(shifted, axis) + top
    return out if keepdims else np.squeeze(out, axis=axis)


def _softmax(x: np.ndarray, *, axis: int) -> np.ndarray:
    e = np.exp(_shifted(x, axis)[0])
    return e / np.sum(e, axis=axis, keepdims=True)


def _logsumexp_vjp(g, out, x, *, axis, keepdims):
    kept = _kept_shape(np.shape(x), axis)
    return (g.reshape(kept) * _exp(x - out.reshape(kept)),)


logsumexp = Op("logsumexp", _logsumexp, _logsumexp_vjp)
softmax = Op("softmax", _softmax, lambda g, out, x, *, axis: (out * (g - (g * out).sum(axis=axis, keepdims=True)),))
log_softmax = Op(
    "log_softmax",
    _log_softmax,
    lambda g, out, x, *, axis: (g - _exp(out) * g.sum(axis=axis, keepdims=True),),
)


def check_labels(logits: np.ndarray, labels: np.ndarray) -> None:
    if np.ndim(logits) != 2:
        raise ShapeError(f"cross_entropy needs logits of shape (batch, classes), got {np.shape(logits)}")
    if labels.dtype.kind not in "iu":
        integral = labels.dtype.kind == "f" and bool(np.all(np.mod(labels, 1) == 0))
        fix = "convert them with labels.astype(int)" if integral else "pass class indices 0, 1, ..., classes - 1"
        raise TypeError(f"cross_entropy needs integer class labels, got labels of dtype {labels.dtype}: {fix}")
    if labels.shape != logits.shape[:1]:
        raise ShapeError(
            f"cross_entropy needs one label per row of logits: labels of shape {logits.shape[:1]}, got {labels.shape}"
        )
    wrong = (labels < 0) | (labels >= logits.shape[1])
    if wrong.any():
        row = int(np.argmax(wrong))
        raise ValueError(
            f"cross_entropy: label {labels[row]} (row {row}) is not a class of these logits, which have "
            f"{logits.shape[1]} columns: labels must be in [0, {logits.shape[1]})"
        )


def _cross_entropy(logits: np.ndarray, *, labels: np.ndarray) -> np.ndarray:
    log_p = _log_softmax(logits, axis=1)
    return -np.mean(log_p[np.arange(len(labels)), labels])


def _cross_entropy_vjp(g, out, logits, *, labels):
    """d/dlogits of the mean negative log-likelihood: (softmax - one hot) / batch."""
    one_hot = np.zeros(np.shape(logits), dtype=np.result_type(raw(logits)))
    one_hot[np.arange(len(labels)), labels] = 1
    return ((softmax(logits, axis=1) - one_hot) * (g / len(labels)),)


# Fused and stable: the mean over the batch of -log softmax(logits)[label].
cross_entropy = Op("cross_entropy", _cross_entropy, _cross_entropy_vjp)


class ShapeError(ValueError):
    """Shapes that do not fit: an op's operands, a gradient and its input, a seed and its root."""


_ENGINES["tensor"].update(ELEMENTWISE, where=where)
