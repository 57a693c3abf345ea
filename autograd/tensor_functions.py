"""Tensor functions that are not methods: cross_entropy, concatenate, stack, where."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import tensor_ops as ops
from .graph import raw
from .tensor import Tensor, _apply


def cross_entropy(logits: Tensor, labels: Any) -> Tensor:
    """The mean over the batch of -log softmax(logits)[label]: logits (batch, classes), integer labels
    (batch,). Fused and stable for logits of any size; its gradient is (softmax - one hot) / batch."""
    labels = np.asarray(raw(labels))
    ops.check_labels(np.asarray(raw(logits)), labels)
    return _apply(ops.cross_entropy, (logits,), {"labels": labels})


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
