"""Tensor functions that are not methods: cross_entropy, concatenate, stack, where."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import tensor_ops as ops
from .graph import raw
from .tensor import Tensor, _apply


def cross_entropy(logits: Tensor, labels: Any, *, ignore_index: int | None = None) -> Tensor:
    """The mean over the batch of -log softmax(logits)[label]: logits (batch, classes), integer labels
    (batch,). Fused and stable for logits of any size; its gradient is (softmax - one hot) / batch.
    A row whose label is `ignore_index` counts for nothing, nor in the batch (NaN when every row's
    is, as PyTorch), and gets a gradient of 0. The labels reach the op as they are, so a compiled
    step replays each call's labels, whichever are ignored."""
    if ignore_index is not None and (isinstance(ignore_index, bool) or not isinstance(ignore_index, int | np.integer)):
        raise TypeError(f"cross_entropy: ignore_index must be an integer or None, got {type(ignore_index).__name__}")
    labels = np.asarray(raw(labels))
    ops.check_labels(np.asarray(raw(logits)), labels, ignore_index)
    params = {"labels": labels} if ignore_index is None else {"labels": labels, "ignore_index": int(ignore_index)}
    return _apply(ops.cross_entropy, (logits,), params)


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    return _apply(ops.concatenate, tuple(tensors), {"axis": axis})


def cat(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """PyTorch's name and argument for `concatenate`."""
    return concatenate(tensors, axis=dim)


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    return _apply(ops.stack, tuple(tensors), {"axis": axis})


def where(cond: Any, x: Any, y: Any) -> Tensor:
    """x where cond holds, else y (cond is a constant: no gradient flows to it)."""
    return _apply(ops.where, (x, y), {"cond": np.asarray(raw(cond), dtype=bool)})
