"""Layers and functions that work along one axis, as PyTorch's: LogSoftmax and Softmin (Softmax's
kin: the same axis rules), GLU and the functions softmax, log_softmax, softmin and glu."""

from __future__ import annotations

from typing import Any

import autograd
from autograd import ShapeError, Tensor

from .arguments import check_axis, layer_input, parameter_dtype
from .function_modules import FunctionModule
from .layers import Softmax, implied_axis, one_axis


def _along(
    name: str,
    input: Any,
    dim: int | None,
    dtype: Any,
    axis: int | None,  # noqa: A002 (PyTorch's name)
) -> tuple[Tensor, int]:
    """softmax's, log_softmax's and softmin's input as a Tensor (cast to `dtype` first if given, as
    PyTorch's), and the axis they take (`dim` or `axis`; given neither, implied_axis's)."""
    x = layer_input(name, input)
    if dtype is not None:
        x = x.to(parameter_dtype(name, dtype))
    return x, implied_axis(f"F.{name}", x, one_axis(name, dim, axis), stacklevel=4)


def softmax(
    input: Tensor,  # noqa: A002 (PyTorch's names, in its order)
    dim: int | None = None,
    _stacklevel: int = 3,
    dtype: Any = None,
    *,
    axis: int | None = None,
) -> Tensor:
    """Probabilities along `dim` (`axis`, numpy's name; given neither, the last: implied_axis), the input
    cast to `dtype` first if given, as torch.nn.functional.softmax; an array is taken as a Tensor.
    `_stacklevel`, the depth of PyTorch's warning, is taken and changes nothing."""
    x, axis = _along("softmax", input, dim, dtype, axis)
    return x.softmax(axis=axis)


def log_softmax(
    input: Tensor,  # noqa: A002
    dim: int | None = None,
    _stacklevel: int = 3,
    dtype: Any = None,
    *,
    axis: int | None = None,
) -> Tensor:
    """Log-probabilities along `dim` (`axis`), as torch.nn.functional.log_softmax; otherwise as softmax."""
    x, axis = _along("log_softmax", input, dim, dtype, axis)
    return x.log_softmax(axis=axis)


def softmin(
    input: Tensor,  # noqa: A002
    dim: int | None = None,
    _stacklevel: int = 3,
    dtype: Any = None,
    *,
    axis: int | None = None,
) -> Tensor:
    """softmax(-x) along `dim` (`axis`), as torch.nn.functional.softmin; otherwise as softmax."""
    x, axis = _along("softmin", input, dim, dtype, axis)
    return (-x).softmax(axis=axis)


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
        return (-x).softmax(axis=axis)


class GLU(FunctionModule):
    """`glu` as a layer: the input's halves along `dim` (-1 by default), a * sigmoid(b)."""

    function = staticmethod(glu)
    setting_checks = {"dim": lambda layer, dim: check_axis("GLU", "dim", dim)}

    def __init__(self, dim: Any = -1) -> None:
        self.keep_options({"dim": dim})
