"""The op table's softmax family, stable for large logits: logsumexp, softmax, log_softmax, the fused
cross_entropy and nll_loss (of log_softmax's output), each once as the other tensor-only entries are
(op_table_tensor)."""

from __future__ import annotations

import numpy as np

from . import tensor_forwards as forward
from .cross_entropy_options import (
    class_rows,
    cross_entropy_grad,
    denominator,
    from_class_rows,
    label_weights,
    minus_label_weights,
    nll_grad,
    options_grad,
    row_factor,
    smoothing_terms,
    zero_sum_grad,
)
from .graph import raw  # the data behind a node, for constants in rules (the labels, the largest entries)
from .op_def import OpDef, tensor_op
from .op_table_math import LN2
from .op_table_tensor import kept_shape, unbroadcast
from .rule_functions import gated, where

_exp, _softmax, _where = tensor_op("exp"), tensor_op("softmax"), tensor_op("where")


def _summed(x, axis):
    """x summed over `axis`, the axis kept, by `unbroadcast`: numpy's sum in x's dtype on arrays and the
    sum_to op on nodes, so that a create_graph backward gives a plain one's bits (Tensor.sum adds float16
    and float32 in float64: its rows of a float32 softmax's gradient came out an ulp apart)."""
    if np.ndim(x) == 0:  # softmax of one number (PyTorch's axis 0 or -1 of a 0-d tensor): its own sum
        return x
    return unbroadcast(x, kept_shape(np.shape(x), axis))


def _logsumexp_vjp(g, out, x, *, axis, keepdims):
    # softmax(x), not exp(x - out): out rounds at x's size, so x - out was off by up to half a unit
    # in the last place of x (2.9e-5 relative at logits of 1e12, all of it at 1e16). A row holding
    # +inf has a softmax of NaN throughout; there exp(x - out), 0 off its infinities (PyTorch's)
    kept = kept_shape(np.shape(x), axis)
    weights = _softmax(x, axis=axis)
    infinite = np.reshape(raw(out), kept) == np.inf
    if np.any(infinite):
        weights = where(_exp(x - out.reshape(kept)), weights, cond=np.broadcast_to(infinite, np.shape(x)))
    return (g.reshape(kept) * weights,)


def _softmax_vjp(g, out, x, *, axis):
    """s · (g - Σⱼ gⱼsⱼ), the bracket taken about c, g at the row's entry k whose s is above 1/2 (its
    unique largest), else 0: g - Σⱼ gⱼsⱼ = (g - c) + Σⱼ sⱼ(c - gⱼ), as Σ s = 1, so g_k - g_k·s_k is
    never formed, which cancels where s_k is near 1 (logits [50, 0]: 0 for 1.9e-22). With no such
    entry, c = 0 gives the plain bracket's bits, and that is what is computed."""
    top = raw(out) > 0.5
    if not top.any():
        return (out * (g - _summed(g * out, axis)),)
    c = _summed(gated(g, top), axis)
    return (out * ((g - c) + _summed(out * (c - g), axis)),)


def _log_softmax_vjp(g, out, x, *, axis):
    """g - s·Σg (s = exp(out)); at a row's entry k whose s is above 1/2, as rest(s)·Σg - rest(g), the
    rests the sums over the row's other entries (s_k = 1 - rest(s)): 1 - s_k cancels where s_k is near 1."""
    s, total = _exp(out), _summed(g, axis)
    top = raw(out) > -LN2
    if not top.any():
        return (g - s * total,)
    rest = _summed(s * ~top, axis) * total - _summed(gated(g, ~top), axis)
    return (where(rest, g - s * total, cond=top),)


def _cross_entropy_vjp(g, out, logits, *, labels, ignore_index=None, saved=None, **options):
    """(softmax - one hot) / rows kept; 0 on ignored rows (PyTorch's documented choice), by a where,
    not a product: an ignored row's softmax may be NaN (a row of -inf or NaN logits). At a label whose
    s is above 1/2, s - 1 is minus the sum of the row's other entries: s - 1 cancels where s is near 1
    (elsewhere it does not, and that sum would add the rounding of all the row's entries). `options`
    (weight, label_smoothing, reduction) as cross_entropy_options's formulas. On arrays (a plain
    backward) as `cross_entropy_grad` or `options_grad` computes it in place, the softmax, the rows kept and
    the labels' indices from what the forward saved where it did; on nodes, recorded, the same bits.
    Logits (batch, classes, d1, ...): the rule of their class rows, moved back."""
    if logits.ndim != 2:
        rows = class_rows(logits)
        (grad,) = _cross_entropy_vjp(
            g, out, rows, labels=labels.reshape(-1), ignore_index=ignore_index, saved=saved, **options
        )
        return (from_class_rows(grad, logits.shape),)
    if isinstance(logits, np.ndarray):
        if saved is None:  # nothing kept (a second backward): computed again
            kept, at, softmax = forward.kept_rows(labels, ignore_index), None, forward.softmax(logits, axis=1)
        else:  # the forward's exponentials and row sums (their quotient a new array), rows kept and label indices
            exp, total, kept, at = saved
            softmax = np.divide(exp, total)
        return (options_grad(softmax, kept, g, **options) if options else cross_entropy_grad(softmax, kept, g, at=at),)
    kept = forward.kept_rows(labels, ignore_index)
    rows, classes, ignored = kept
    one_hot = np.zeros(np.shape(logits), dtype=np.result_type(raw(logits)))
    one_hot[rows, classes] = 1
    s = _softmax(logits, axis=1)
    grad = s - one_hot
    at = raw(s) > 0.5  # the one-hot's entries whose s is above 1/2, checked for any such s first (cheap)
    if at.any():
        at &= one_hot == 1
        grad = where(0 - _summed(s * ~at, 1), grad, cond=at)
    if options:
        grad = _with_options(grad, s, kept, g, **options)
    else:
        grad = grad * (g / max(len(rows), 1))  # every row ignored: all 0 below
    return (grad if ignored is None else _where(0.0, grad, cond=ignored[:, None]),)


def _with_options(grad, s, kept, g, *, weight=None, label_smoothing=0.0, reduction="mean"):
    """The recorded rule's (softmax - one hot) `grad` weighed, smoothed and scaled as `options_grad` does it."""
    rows, classes, _ = kept
    if reduction == "mean" and rows.size and not denominator(classes, weight, np.result_type(raw(s))):
        return zero_sum_grad(s, kept, g, weight, label_smoothing, lambda x: _summed(x, 1))
    if weight is not None:
        grad = grad * label_weights(s, rows, classes, weight)
    if label_smoothing:
        spread, total, each = smoothing_terms(s, label_smoothing, weight)
        grad = grad * (1 - label_smoothing) + spread * (s * total - each)
    return grad * row_factor(g, reduction, classes, weight, np.result_type(raw(s)))


def _nll_loss_vjp(g, out, log_probs, *, labels, ignore_index=None, weight=None, reduction="mean"):
    """At each kept row's label, minus its weight (1 without) times g over the mean's denominator (g for a
    sum, each row's g for "none"); 0 elsewhere, and on ignored rows (PyTorch's). On arrays `nll_grad` computes
    it; on nodes (create_graph) the same product, placed by a where: linear in g, constant in log_probs, so
    a second derivative through it is 0. Scores (batch, classes, d1, ...) or (classes,): as rows, moved back."""
    shape, dtype = np.shape(log_probs), np.result_type(raw(log_probs))
    kept = forward.kept_rows(labels.reshape(-1), ignore_index)
    rows_shape = (labels.size, shape[1] if len(shape) > 1 else shape[0])
    if isinstance(log_probs, np.ndarray):
        grad = nll_grad(g, kept, np.empty(rows_shape, dtype), weight=weight, reduction=reduction)
        return (from_class_rows(grad, shape),)
    rows, classes, _ = kept
    at_labels = np.zeros(rows_shape, bool)
    at_labels[rows, classes] = True
    with np.errstate(invalid="ignore"):  # as nll_grad's
        factor = row_factor(g, reduction, classes, weight, dtype)
        grad = _where(minus_label_weights(labels.size, dtype, rows, classes, weight) * factor, 0.0, cond=at_labels)
    return (from_class_rows(grad, shape),)


SOFTMAX: tuple[OpDef, ...] = (
    OpDef(
        "logsumexp",
        _logsumexp_vjp,
        None,
        forward.logsumexp,
        api="Tensor.logsumexp",
        formulas=("∂logsumexp(x)/∂xᵢ = softmax(x)ᵢ",),
        adds_up=True,
        half_in_float32=True,
    ),
    OpDef(
        "softmax",
        _softmax_vjp,
        None,
        forward.softmax,
        api="Tensor.softmax",
        formulas=("∂softmax(x)ᵢ/∂xⱼ = sᵢ(δᵢⱼ − sⱼ), s = softmax(x), δᵢⱼ = 1 where i = j, else 0",),
        adds_up=True,
        half_in_float32=True,
    ),
    OpDef(
        "log_softmax",
        _log_softmax_vjp,
        None,
        forward.log_softmax,
        api="Tensor.log_softmax",
        formulas=("∂log_softmax(x)ᵢ/∂xⱼ = δᵢⱼ − sⱼ, s = softmax(x), δᵢⱼ = 1 where i = j, else 0",),
        adds_up=True,
        half_in_float32=True,
    ),
    # fused and stable: the mean over the rows kept (label not ignore_index) of -log softmax(logits)[label];
    # with a weight per class, label smoothing or another reduction, PyTorch's (cross_entropy_options)
    OpDef(
        "cross_entropy",
        _cross_entropy_vjp,
        None,
        forward.cross_entropy,
        saving=forward.cross_entropy_saving,
        rereads=("weight",),  # the caller's Tensor or array, read again by the rule
        api="autograd.cross_entropy",
        formulas=(
            "∂CE/∂logits = ⟨!weight, !label_smoothing: (softmax − one hot)⟩"
            "⟨!weight, label_smoothing: (softmax − (1 − ε)·one hot − ε/classes)⟩"
            "⟨weight, !label_smoothing: w_y·(softmax − one hot)⟩"
            "⟨weight, label_smoothing: ((1 − ε)·w_y·(softmax − one hot) + ε/classes·Σ_c w_c·(softmax − one hot of c))⟩"
            "⟨reduction='mean', !weight:  / rows kept⟩⟨reduction='mean', weight:  / Σ w_y of the rows kept⟩"
            "⟨ignore_index: ; 0 on ignored rows⟩⟨label_smoothing:  (ε = label_smoothing)⟩",
        ),
        adds_up=True,
        half_in_float32=True,
    ),
    # minus the log-probabilities at the labels, weighed and reduced as cross_entropy's (whose log_softmax it
    # leaves to its caller); ignored rows count for nothing and get a gradient of 0 (PyTorch's nll_loss)
    OpDef(
        "nll_loss",
        _nll_loss_vjp,
        None,
        forward.nll_loss,
        api="autograd.nll_loss",
        rereads=("weight",),
        formulas=(
            "∂NLL/∂log p = ⟨!weight: −1⟩⟨weight: −w_y⟩⟨reduction='mean', !weight:  / rows kept⟩"
            "⟨reduction='mean', weight:  / Σ w_y of the rows kept⟩ at each row's label y; 0 elsewhere"
            "⟨ignore_index:  and on ignored rows⟩",
        ),
        adds_up=True,
        half_in_float32=True,
    ),
)
