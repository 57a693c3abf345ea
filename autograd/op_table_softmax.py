"""The op table's softmax family, stable for large logits: logsumexp, softmax, log_softmax and the
fused cross_entropy, each once as the other tensor-only entries are (op_table_tensor)."""

from __future__ import annotations

import numpy as np

from . import tensor_forwards as forward
from .graph import raw  # the data behind a node, for constants in rules (the one-hot labels)
from .op_def import OpDef, tensor_op
from .op_table_tensor import kept_shape

_exp, _softmax, _where = tensor_op("exp"), tensor_op("softmax"), tensor_op("where")


def _logsumexp_vjp(g, out, x, *, axis, keepdims):
    kept = kept_shape(np.shape(x), axis)
    return (g.reshape(kept) * _exp(x - out.reshape(kept)),)


def _cross_entropy_vjp(g, out, logits, *, labels, ignore_index=None):
    """(softmax - one hot) / rows kept; 0 on ignored rows (PyTorch's documented choice), by a where,
    not a product: an ignored row's softmax may be NaN (a row of -inf or NaN logits)."""
    rows, classes, ignored = forward.kept_rows(labels, ignore_index)
    one_hot = np.zeros(np.shape(logits), dtype=np.result_type(raw(logits)))
    one_hot[rows, classes] = 1
    grad = (_softmax(logits, axis=1) - one_hot) * (g / max(len(rows), 1))  # every row ignored: all 0 below
    return (grad if ignored is None else _where(0.0, grad, cond=ignored[:, None]),)


SOFTMAX: tuple[OpDef, ...] = (
    OpDef(
        "logsumexp",
        _logsumexp_vjp,
        None,
        forward.logsumexp,
        api="Tensor.logsumexp",
        formulas=("∂logsumexp(x)/∂xᵢ = softmax(x)ᵢ",),
        adds_up=True,
    ),
    OpDef(
        "softmax",
        lambda g, out, x, *, axis: (out * (g - (g * out).sum(axis=axis, keepdims=True)),),
        None,
        forward.softmax,
        api="Tensor.softmax",
        formulas=("∂sᵢ/∂xⱼ = sᵢ(δᵢⱼ − sⱼ)",),
        adds_up=True,
    ),
    OpDef(
        "log_softmax",
        lambda g, out, x, *, axis: (g - _exp(out) * g.sum(axis=axis, keepdims=True),),
        None,
        forward.log_softmax,
        api="Tensor.log_softmax",
        formulas=("∂log sᵢ/∂xⱼ = δᵢⱼ − sⱼ",),
        adds_up=True,
    ),
    # fused and stable: the mean over the rows kept (label not ignore_index) of -log softmax(logits)[label]
    OpDef(
        "cross_entropy",
        _cross_entropy_vjp,
        None,
        forward.cross_entropy,
        api="autograd.cross_entropy",
        formulas=("∂CE/∂logits = (softmax − one hot) / rows kept; 0 on ignored rows",),
        adds_up=True,
    ),
)
