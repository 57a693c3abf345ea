"""Activations, losses and accuracy for Tensors, and for lists of Values (the scalar engine).

Losses average over the batch. Predictions and targets must have the same shape: a (N, 1)
prediction against (N,) targets would broadcast to (N, N) and silently train on nonsense.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

import autograd
from autograd import ShapeError, Tensor, Value, raw

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
    """micrograd's max-margin loss: mean of relu(1 - label * score), labels -1 or +1."""
    return _average([(1 - p * t).relu() for p, t in _pairs(scores, labels, "hinge_loss")])


def binary_cross_entropy(probs: Predictions, targets: Any) -> Tensor | Value:
    """Mean of -(t log p + (1 - t) log(1 - p)) for probabilities p (after a sigmoid), targets 0 or 1.
    On Tensors the logs are held at -100 or above, as PyTorch does, so p of 0 or 1 stays finite."""
    return _average([-(t * _log(p) + (1 - t) * _log(1 - p)) for p, t in _pairs(probs, targets, "binary_cross_entropy")])


def _log(p: Tensor | Value) -> Tensor | Value:
    return p.clip(lo=_LOG_FLOOR).log() if isinstance(p, Tensor) else p.log()


_LOG_FLOOR = float(np.exp(-100.0))


def accuracy(pred: Any, labels: Any, threshold: float | None = None) -> float:
    """The fraction predicted right. Scores of shape (N, C): the arg max is the class. One score
    per example: above `threshold` is the positive class (+1, or 1 where labels are 0 and 1);
    by default the threshold is 0 for labels -1/+1 and 0.5 for labels 0/1 (probabilities)."""
    scores = np.asarray([p.data for p in pred] if isinstance(pred, (list, tuple)) else raw(pred))
    labels = np.asarray(raw(labels))
    if scores.ndim == 2 and scores.shape[1] > 1:
        return float(np.mean(scores.argmax(axis=1) == labels))
    scores = scores.reshape(labels.shape)
    negative = -1 if np.any(labels < 0) else 0
    threshold = (0.0 if negative else 0.5) if threshold is None else threshold
    return float(np.mean(np.where(scores > threshold, 1, negative) == labels))


def _targets(pred: Tensor, target: Any, name: str) -> np.ndarray:
    t = np.asarray(raw(target), dtype=pred.dtype)
    if t.shape != pred.shape:
        raise ShapeError(
            f"{name}: predictions of shape {pred.shape} and targets of shape {t.shape} differ; "
            f"reshape one to the other (e.g. targets.reshape{pred.shape})"
        )
    return t


def _pairs(pred: Predictions, target: Any, name: str) -> list[tuple[Any, Any]]:
    """(prediction, target) per example for Values; a Tensor prediction is one pair, whole."""
    if isinstance(pred, Tensor):
        return [(pred, _targets(pred, target, name))]
    if isinstance(pred, Value):
        return [(pred, float(raw(target)))]
    targets = list(np.ravel(raw(target)))
    if len(targets) != len(pred):
        raise ShapeError(f"{name}: {len(pred)} predictions but {len(targets)} targets")
    return list(zip(pred, (float(t) for t in targets)))


def _average(terms: list[Any]) -> Tensor | Value:
    """The mean over the batch: of the one Tensor term's elements, or of the Value terms."""
    if len(terms) == 1 and isinstance(terms[0], Tensor):
        return terms[0].mean()
    return sum(terms[1:], terms[0]) * (1.0 / len(terms))
