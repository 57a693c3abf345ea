"""Layers and functions that work along one axis, as PyTorch's: LogSoftmax and Softmin (Softmax's
kin: the same axis rules), GLU and their functions softmin and glu."""

from __future__ import annotations

from typing import Any

import autograd
from autograd import ShapeError, Tensor

from .arguments import check_axis, layer_input
from .function_modules import FunctionModule
from .layers import Softmax


def softmin(x: Tensor, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """softmax(-x) along `axis` (PyTorch's `dim`; the last by default), as torch.nn.functional.softmin."""
    return (-layer_input("softmin", x)).softmax(axis, dim=dim)


def glu(x: Tensor, dim: int = -1) -> Tensor:
    """The gated linear unit, as torch.nn.functional.glu: x split in halves a, b along `dim`, a * sigmoid(b)."""
    x, dim = layer_input("glu", x), check_axis("glu", "dim", dim)
    if not -x.ndim <= dim < x.ndim:
        raise ShapeError(f"glu: dim {dim} is not an axis of input of shape {x.shape}")
    size = x.shape[dim]
    if size % 2:
        raise ShapeError(f"glu halves axis {dim}, which must be of even size, got input of shape {x.shape}")
    a, b = x.chunk(2, dim)
    return a * autograd.sigmoid(b)


class LogSoftmax(Softmax):
    """Log-probabilities over `axis` (`dim`); given none, the last (see Softmax). For training, give the
    logits to cross_entropy, or these to nll_loss."""

    @staticmethod
    def along(x: Tensor, axis: int) -> Tensor:
        return x.log_softmax(axis=axis)


class Softmin(Softmax):
    """softmax(-x) over `axis` (`dim`); given none, the last (see Softmax)."""

    @staticmethod
    def along(x: Tensor, axis: int) -> Tensor:
        return softmin(x, axis)


class GLU(FunctionModule):
    """`glu` as a layer: the input's halves along `dim` (-1 by default), a * sigmoid(b)."""

    function = staticmethod(glu)
    setting_checks = {"dim": lambda layer, dim: check_axis("GLU", "dim", dim)}

    def __init__(self, dim: Any = -1) -> None:
        self.keep_options({"dim": dim})
