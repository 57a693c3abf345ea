"""Activations, losses and accuracy in one namespace, as torch.nn.functional. The losses are
nn.losses' (predictions against targets of the same shape, for Tensors and for lists of Values)
and nn.losses_classes' (class scores: cross_entropy, nll_loss)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, raw

from .activations import FUNCTIONS
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    hinge_loss,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    smooth_l1_loss,
)
from .losses_classes import cross_entropy, nll_loss

__all__ = [
    "accuracy",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge_loss",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "log_softmax",
    "mse_loss",
    "nll_loss",
    "smooth_l1_loss",
    "softmax",
]
__all__ += sorted(FUNCTIONS)

globals().update(FUNCTIONS)  # relu, gelu, leaky_relu, ...: the activation layers' functions


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    return x.softmax(axis=axis)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    return x.log_softmax(axis=axis)


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
