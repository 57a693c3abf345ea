"""multilabel_margin_loss, as torch.nn.functional's: each row's hinge between every one of its target classes
and every class that is not one, written over autograd's ops, the targets included (comparisons, cumsum), so
that a compiled step replays on each call's targets, checked through autograd.validate."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import autograd
from autograd import Tensor, check_memory, where

from .arguments import as_array
from .loss_positions import torch_positions
from .losses_half import narrowed, widened_inputs
from .losses_margins import _tensors
from .losses_pairs import reduce, require

__all__ = ["multilabel_margin_loss"]


@torch_positions("size_average", "reduce", "reduction")
def multilabel_margin_loss(input: Tensor, target: Any, *, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Per row of class scores x (N, C), or one (C,): Σ_j Σ_i max(0, 1 - (x[y_j] - x[i])) / C, y_j the row's
    target classes (its target's entries before the first -1; one given twice counts twice, as PyTorch's), i
    the classes that are none of them. Targets are integers in [-1, C) (all of them, as PyTorch's checks), of
    x's shape; a term met exactly (0) has slope 0, as PyTorch's kernel."""
    name = "multilabel_margin_loss"
    (x,) = _tensors(name, input)
    if x.ndim not in (1, 2):
        raise autograd.ShapeError(f"{name}: scores must be (N, C) rows or one (C,) vector, got shape {x.shape}")
    classes = x.shape[-1]
    labels = as_array(name, "the target", autograd.raw(target))
    if labels.dtype.kind not in "iu":
        raise TypeError(
            f"{name}: target must be integer class indices (-1 ends a row's), got {labels.dtype}: convert them "
            "with target.astype(int)"
        )
    if labels.shape != x.shape:
        raise autograd.ShapeError(
            f"{name}: target must be of the scores' shape {x.shape} (each row's class indices, -1 ending them), "
            f"got {labels.shape}"
        )
    require(
        [target if isinstance(target, np.ndarray | Tensor) else labels],
        lambda v: (v >= -1) & (v < classes),
        lambda bad: f"{name}: target {bad:g} is no class of scores with {classes}: give 0 to {classes - 1}, -1 to end",
    )
    y = target if isinstance(target, Tensor) else Tensor(labels, dtype=labels.dtype)
    rows = (x if x.ndim == 2 else x.reshape(1, classes), y.reshape(-1, classes))
    (scores,), dtype = widened_inputs([rows[0]])
    pairs = (rows[0].shape[0], classes, classes)  # each row's targets against its classes, a few arrays of them
    check_memory(name, f"the hinges of every target and class, arrays of shape {pairs}", 6 * math.prod(pairs),
                 scores.dtype, "score fewer rows at once (the loss of chunks of the batch)")  # fmt: skip
    losses = _hinges(scores, rows[1], classes).reshape(x.shape[:-1])
    return narrowed(reduce([losses], reduction, name), dtype)


def _hinges(x: Tensor, y: Tensor, classes: int) -> Tensor:
    """Each row's loss from its targets, by Tensor ops on them: counts[n, c], how often class c is among row n's
    targets (those before its first -1); the hinge of each target c against each class i that is none."""
    valid = (y == -1).cumsum(axis=1) == 0  # before the row's first -1
    picks = (y.unsqueeze(2) == np.arange(classes)) & valid.unsqueeze(2)  # (N, slot, class)
    one, zero = np.ones((), x.dtype), np.zeros((), x.dtype)  # in x's dtype: Python's 1.0 would make float64
    counts = where(picks, one, zero).sum(axis=1)  # (N, C)
    others = where(counts > 0, zero, one)  # the classes that are no target
    z = 1.0 - x.unsqueeze(2) + x.unsqueeze(1)  # [n, c, i]: 1 - (x[c] - x[i])
    weights = counts.unsqueeze(2) * others.unsqueeze(1)
    return (where(weights > 0, z, 0.0).relu() * weights).sum(axis=(1, 2)) / classes
