"""Layers and functions that work along one axis, as PyTorch's: Softmax, LogSoftmax and Softmin (the same
axis rules), Softmax2d (over the channels), GLU and the functions softmax, log_softmax, softmin and glu."""

from __future__ import annotations

import warnings
from typing import Any

import autograd
from autograd import ShapeError, Tensor

from .arguments import check_axis, layer_input
from .arguments_factory import parameter_dtype
from .function_modules import FunctionModule
from .module import Module


def implied_axis(name: str, x: Tensor, axis: int | None, stacklevel: int = 3) -> int:
    """The axis a softmax-like function (Softmax's, F.softmax's...) takes: `axis`, or given none, the
    last, as JAX's softmax; PyTorch's picks dim 1 of input of 4 axes and 0 of 3 (a choice it
    deprecates), so there a UserWarning asks for the axis."""
    if axis is not None:
        return axis
    if x.ndim >= 3:
        warnings.warn(
            f"{name}() was given no axis, and takes the last of input of shape {x.shape}, where PyTorch's "
            f"{name}() takes dim 1 of 4 axes (0 of 3): give {name}(dim=...) (or axis=) to say which",
            UserWarning,
            stacklevel=stacklevel,
        )
    return -1


def one_axis(name: str, dim: int | None, axis: int | None) -> int | None:
    """The axis given as `dim` (PyTorch's name) or `axis` (numpy's), refused if given as both."""
    if axis is not None and dim is not None:
        raise TypeError(f"{name}() got both dim= (PyTorch's name) and axis= (numpy's): pass one")
    return dim if axis is None else axis


class Softmax(Module):
    """Probabilities over `dim` (`axis`, numpy's name, by keyword). For training, give the logits to
    cross_entropy instead: it is the stable fused form of log(softmax). Given no axis, the last one
    (implied_axis: a UserWarning where PyTorch's would pick another)."""

    setting_checks = {
        "axis": lambda softmax, axis: None if axis is None else check_axis(type(softmax).__name__, "axis", axis)
    }

    def __init__(self, dim: int | None = None, *, axis: int | None = None) -> None:
        self.axis = one_axis(type(self).__name__, dim, axis)

    def forward(self, x: Tensor) -> Tensor:
        name = type(self).__name__
        x = layer_input(name, x)
        return self.along(x, implied_axis(f"nn.{name}", x, self.axis))

    @staticmethod
    def along(x: Tensor, axis: int) -> Tensor:
        """The layer's function along `axis` (LogSoftmax and Softmin give theirs)."""
        return x.softmax(axis=axis)

    @property
    def dim(self) -> int | None:
        """PyTorch's name of `axis`: `softmax.dim = 0` sets it too."""
        return self.axis

    @dim.setter
    def dim(self, value: int | None) -> None:
        self.axis = value

    def extra_repr(self) -> str:
        # the axis it takes, by PyTorch's name (torch's shows dim=1): given none, the last, so dim=-1 (axis=None
        # read as no axis, or numpy's all of them, where it is the last: nn.Softmax() in examples/lesson.py)
        return f"dim={-1 if self.axis is None else self.axis}"


class Softmax2d(Module):
    """Softmax over the channels of each pixel, as torch.nn.Softmax2d: input (N, C, H, W) or (C, H, W)."""

    def forward(self, x: Tensor) -> Tensor:
        x = layer_input("Softmax2d", x)
        if x.ndim not in (3, 4):
            raise ShapeError(f"Softmax2d takes input (N, C, H, W) or (C, H, W), got shape {x.shape}")
        return x.softmax(axis=-3)


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
