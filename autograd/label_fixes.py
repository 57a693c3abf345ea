"""What to do with class labels of a non-integer dtype: one rule for every loss of class scores, autograd's
(cross_entropy, nll_loss, multi_margin_loss) and nn.functional's, so that each names the same fix and never
one that fails next (labels.astype(int) of one-hot rows keeps their wrong shape)."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np


def label_fix(labels: Any, scores_shape: Sequence[int], name: str, probabilities: bool = False) -> str:
    """The fix for `labels` of a non-integer dtype given to loss `name` with scores of `scores_shape`:
    astype(int) only for whole numbers of the labels' shape (it would turn 0.5 into 0); argmax over the
    class axis for rows of the scores' own shape (one-hot rows), whose probabilities nn.functional's
    cross_entropy takes (`probabilities`: the caller takes them itself), as PyTorch's does; else the shape
    class indices need. `labels` and `scores_shape` as code of one's own holds them: an array or a list, a
    tuple or a list (compared as tuples: a list is never equal to an array's shape)."""
    labels, scores_shape = np.asarray(labels), tuple(scores_shape)
    need = scores_shape[:1] + scores_shape[2:] if len(scores_shape) > 1 else ()
    if labels.shape == need:
        return "convert them with labels.astype(int)" if _whole(labels) else "pass class indices 0, 1, ..., classes - 1"
    if labels.shape == tuple(scores_shape) and not probabilities:
        argmax = f"{one_hot_fix(scores_shape)} gives their classes"
        if name == "cross_entropy":  # autograd's fused op takes class indices only; nn's, as PyTorch's, both
            return f"{argmax}; class probabilities go to nn.functional.cross_entropy, which takes them as PyTorch's"
        if name == "nll_loss":
            return f"{argmax}; it takes no class probabilities (PyTorch's neither): nn.functional.cross_entropy does"
        return argmax
    also = f", or class probabilities of the scores' shape {tuple(scores_shape)}" if probabilities else ""
    return f"pass class indices 0, 1, ..., classes - 1, of shape {need}{also}"


def one_hot_fix(scores_shape: tuple[int, ...]) -> str:
    """The fix for one-hot rows (labels of the scores' own shape, integers too) where class indices go."""
    return f"for one-hot rows, labels.argmax(axis={1 if len(scores_shape) > 1 else 0})"


def one_hot_hint(labels: Any, scores_shape: Sequence[int]) -> str:
    """`one_hot_fix` in parentheses, for a shape error, where `labels` have the scores' own shape; else ""."""
    return f" ({one_hot_fix(scores_shape)})" if np.shape(labels) == tuple(scores_shape) else ""


def _whole(labels: np.ndarray) -> bool:
    """Whether every label is a whole number, which astype(int) keeps: floats, or the numbers of an object
    array (a pandas column of objects)."""
    if labels.dtype.kind == "f":
        return bool(np.all(np.mod(labels, 1) == 0))
    return labels.dtype == object and all(
        isinstance(v, numbers.Integral) or (isinstance(v, numbers.Real) and float(v).is_integer()) for v in labels.flat
    )
