"""Activations, losses and accuracy for Tensors, and for lists of Values (the scalar engine).

Losses average over the batch. Predictions and targets must have the same shape: a (N, 1)
prediction against (N,) targets would broadcast to (N, N) and silently train on nonsense.
A target that is a node (a Tensor that requires grad, a Value) gets its gradient, as in PyTorch;
any other target (arrays, lists, numbers) is a constant.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import autograd
from autograd import Op, ShapeError, Tensor, Value, raw

Predictions = Tensor | Value | Sequence[Value]

relu, tanh, sigmoid = autograd.relu, autograd.tanh, autograd.sigmoid


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    return x.softmax(axis=axis)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    return x.log_softmax(axis=axis)


def cross_entropy(logits: Tensor, labels: Any) -> Tensor:
    """Mean of -log softmax(logits)[label]; logits (N, C), integer labels (N,). Fused and stable."""
    return autograd.cross_entropy(logits, labels)


def mse_loss(pred: Predictions, target: Any) -> Tensor | Value:
    """Mean squared error (the lesson's squared error)."""
    return _average([(p - t) ** 2 for p, t in _pairs(pred, target, "mse_loss")])


def l1_loss(pred: Predictions, target: Any) -> Tensor | Value:
    """Mean absolute error (the lesson's absolute error)."""
    return _average([abs(p - t) for p, t in _pairs(pred, target, "l1_loss")])


def hinge_loss(scores: Predictions, labels: Any) -> Tensor | Value:
    """micrograd's max-margin loss: mean of relu(1 - label * score), labels -1 or +1 (labels 0 would
    train nothing: `2 * labels - 1` turns 0/1 into -1/+1)."""
    pairs = _pairs(scores, labels, "hinge_loss")
    bad = _first_bad([t for _, t in pairs], lambda x: np.abs(x) == 1)
    if bad is not None:
        raise ValueError(f"hinge_loss: labels must be -1 or +1, got {bad}; for labels 0/1 pass 2 * labels - 1")
    return _average([(1 - p * t).relu() for p, t in pairs])


def binary_cross_entropy(probs: Predictions, targets: Any) -> Tensor | Value:
    """Mean of -(t log p + (1 - t) log(1 - p)) for probabilities p (after a sigmoid), targets in [0, 1].

    As PyTorch: each log is held at -100 or above, and the gradient in p is (p - t) / max(p (1 - p), 1e-12),
    so p of exactly 0 or 1 (a confident float32 sigmoid) gives a finite loss and finite gradients."""
    pairs = _pairs(probs, targets, "binary_cross_entropy")
    bad = _first_bad([p for p, _ in pairs], _in_unit)
    if bad is not None:
        raise ValueError(f"binary_cross_entropy: probabilities must lie in [0, 1], got {bad}; pass sigmoid(scores)")
    bad = _first_bad([t for _, t in pairs], _in_unit)
    if bad is not None:
        raise ValueError(
            f"binary_cross_entropy: targets must lie in [0, 1], got {bad}; for labels -1/+1 pass (labels + 1) / 2"
        )
    return _average([_bce(p, t) for p, t in pairs])


def _in_unit(x: np.ndarray) -> np.ndarray:
    return (x >= 0) & (x <= 1)


def _log_at_least(x: Any) -> Any:
    """log x held at -100 or above, as PyTorch holds binary cross-entropy's logs: -100 at x = 0."""
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(x), -100.0)


def _at_least(x: Any, lo: float) -> Any:
    """max(x, lo) for arrays and Tensors, and for floats and Values (a derivative rule gets either)."""
    return x.clip(lo) if isinstance(x, Tensor | np.ndarray) else max(x, lo)


# As PyTorch: logs held at -100, d/dp = (p - t) / max(p (1 - p), EPSILON): finite at p = 0 or 1, yet not 0 when
# wrong. EPSILON is PyTorch's 1e-12 as a float32 (9.9999998e-13), so gradients match it to the last bit.
_EPSILON = float(np.float32(1e-12))
_neg_logit = Op(
    "neg_logit",
    lambda p: _log_at_least(1 - p) - _log_at_least(p),
    lambda g, out, p: (-g / _at_least(p * (1 - p), _EPSILON),),
)
_bce = Op(
    "binary_cross_entropy",
    lambda p, t: -t * _log_at_least(p) - (1 - t) * _log_at_least(1 - p),
    lambda g, out, p, t: (g * (p - t) / _at_least(p * (1 - p), _EPSILON), g * _neg_logit(p)),
)


def accuracy(pred: Any, labels: Any, threshold: float | None = None) -> float:
    """The fraction predicted right. Scores of shape (N, C): the arg max is the class. One score
    per example: above `threshold` is the positive class (+1, or 1 where labels are 0 and 1);
    by default the threshold is 0 for labels -1/+1 and 0.5 for labels 0/1 (probabilities)."""
    scores = _scores(pred)
    labels = np.asarray(raw(labels))
    if scores.ndim == 2 and scores.shape[1] > 1:
        return _class_accuracy(scores, labels, threshold)
    if scores.size != labels.size:
        raise ShapeError(f"accuracy: predictions of shape {scores.shape} and labels of shape {labels.shape} differ")
    kinds = set(np.unique(labels).tolist())
    if not (kinds <= {-1, 1} or kinds <= {0, 1}):
        odd = sorted(kinds - {-1, 0, 1})
        raise ValueError(
            f"accuracy: one score per example needs labels 0/1 or -1/+1, got {odd[0] if odd else 'both -1 and 0'}; "
            "for more classes give scores of shape (N, C)"
        )
    negative = -1 if -1 in kinds else 0
    threshold = (0.0 if negative else 0.5) if threshold is None else threshold
    return float(np.mean(np.where(scores.ravel() > threshold, 1, negative) == labels.ravel()))


def _class_accuracy(scores: np.ndarray, labels: np.ndarray, threshold: float | None) -> float:
    """The fraction of rows whose arg max is the label, labels being class indices 0..C-1."""
    n, classes = scores.shape
    if threshold is not None:
        raise ValueError("accuracy: threshold is for one score per example; class scores (N, C) take the arg max")
    if labels.size != n:
        raise ShapeError(
            f"accuracy: {n} rows of class scores but labels of shape {labels.shape}; give one class index "
            "per row (for one-hot labels, labels.argmax(axis=1))"
        )
    labels = labels.ravel()
    odd = labels[(labels != np.round(labels)) | (labels < 0) | (labels >= classes)]
    if odd.size:
        raise ValueError(f"accuracy: class labels must be integers in [0, {classes}), got {odd[0]}")
    return float(np.mean(scores.argmax(axis=1) == labels))


def _scores(pred: Any) -> np.ndarray:
    """The predictions' numbers (from a Tensor, an array, a list of Values or of lists of Values), checked."""
    if isinstance(pred, list | tuple):
        pred = [[raw(v) for v in row] if isinstance(row, list | tuple) else raw(row) for row in pred]
    scores = np.asarray(raw(pred), dtype=float)
    if scores.size == 0:
        raise ValueError("accuracy: no predictions")
    nan = int(np.isnan(scores).sum())
    if nan:
        raise ValueError(f"accuracy: {nan} of {scores.size} predictions are NaN (did training diverge?)")
    return scores


def _pairs(pred: Predictions, target: Any, name: str) -> list[tuple[Any, Any]]:
    """(prediction, target) per example for Values; a Tensor prediction is one pair, whole."""
    if isinstance(pred, Tensor):
        if pred.size == 0:
            raise ValueError(f"{name}: no predictions (a batch of shape {pred.shape})")
        return [(pred, _tensor_target(pred, target, name))]
    preds = [pred] if isinstance(pred, Value) else list(pred) if isinstance(pred, list | tuple) else None
    odd = type(pred).__name__ if preds is None else _first_odd(preds, Value)
    if odd:
        raise TypeError(f"{name}: predictions must be a Tensor, a Value or a list of Values, got {odd}")
    if not preds:
        raise ValueError(f"{name}: no predictions (an empty list)")
    targets = _value_targets(target, name)
    if len(targets) != len(preds):
        raise ShapeError(f"{name}: {len(preds)} predictions but {len(targets)} targets; give one target per prediction")
    return list(zip(preds, targets))


def _tensor_target(pred: Tensor, target: Any, name: str) -> Tensor | np.ndarray:
    """A target Tensor that requires grad as it is; anything else as a constant array of pred's dtype."""
    if isinstance(target, Tensor) and target.requires_grad:
        t = target
    else:
        t = np.asarray(raw(target))
        if t.dtype.kind not in "biuf":
            raise TypeError(f"{name}: targets must be numbers, an array or a Tensor, got {type(target).__name__}")
        t = t.astype(pred.dtype)
    if t.shape != pred.shape:
        raise ShapeError(
            f"{name}: predictions of shape {pred.shape} and targets of shape {t.shape} differ; "
            f"reshape one to the other (e.g. targets.reshape{pred.shape})"
        )
    return t


def _value_targets(target: Any, name: str) -> list[Any]:
    """One target per Value prediction: Values as they are, numbers as floats."""
    if isinstance(target, Tensor) and target.requires_grad:
        raise TypeError(
            f"{name}: Value predictions cannot pass gradients to a Tensor that requires grad; "
            "give Values as targets, or predict with Tensors"
        )
    items = [target] if isinstance(target, Value) else np.ravel(np.asarray(raw(target), dtype=object)).tolist()
    odd = _first_odd(items, Value | numbers.Real)
    if odd:
        raise TypeError(f"{name}: targets must be numbers or Values, got {odd}")
    return [t if isinstance(t, Value) else float(t) for t in items]


def _first_odd(items: list[Any], kind: Any) -> str:
    """The first item that is not of `kind`, with its type ('' when all are)."""
    for x in items:
        if not isinstance(x, kind):
            return f"{type(x).__name__} {x!r}"
    return ""


def _first_bad(items: list[Any], ok: Callable[[np.ndarray], np.ndarray]) -> float | None:
    """The first number (of arrays, Tensors, Values, numbers) for which `ok` is False (NaN never is ok)."""
    data = np.concatenate([np.ravel(raw(x)) for x in items]).astype(float)
    bad = data[~ok(data)]
    return float(bad[0]) if bad.size else None


def _average(terms: list[Any]) -> Tensor | Value:
    """The mean over the batch: of the one Tensor term's elements, or of the Value terms."""
    if len(terms) == 1 and isinstance(terms[0], Tensor):
        return terms[0].mean()
    return sum(terms[1:], terms[0]) * (1.0 / len(terms))
