"""Pooling layers on Tensor, as PyTorch's: MaxPool2d, AvgPool2d, AdaptiveAvgPool2d and their 1-d and 3-d
forms, each its functional (autograd.pool, autograd.pool_adaptive) with the options kept as
attributes, under PyTorch's names, read at each call."""

from __future__ import annotations

from typing import Any

from autograd import (
    Tensor,
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    max_pool1d,
    max_pool2d,
    max_pool3d,
)

from .arguments import is_int, kept_size
from .layer_trial import tried
from .module import Module


def _size(layer: Module, value: Any) -> Any:
    """A size option as the layer keeps it (kept_size); the functional checks it at each call."""
    return kept_size(value)


class _MaxPool(Module):
    """What MaxPool1d, MaxPool2d and MaxPool3d share: PyTorch's arguments, in its order, and its repr."""

    dims = 2
    pool = staticmethod(max_pool2d)
    setting_checks = dict.fromkeys(("kernel_size", "stride", "padding", "dilation"), _size)

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        self.kernel_size, self.padding, self.dilation = kernel_size, padding, dilation
        self.stride = self.kernel_size if stride is None else stride
        self.return_indices, self.ceil_mode = return_indices, ceil_mode
        tried(self, self.kernel_size, {"padding": padding, "dilation": dilation}, self.dims)

    def forward(self, x: Tensor) -> Tensor:
        return self.pool(
            x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode, self.return_indices
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool2d(_MaxPool):
    """The maximum of each window (stride: the kernel size by default); the gradient goes to each
    window's first maximum (its last NaN, if any), as in PyTorch."""


class MaxPool1d(_MaxPool):
    """MaxPool2d's of (batch, channels, length), as PyTorch's."""

    dims = 1
    pool = staticmethod(max_pool1d)


class MaxPool3d(_MaxPool):
    """MaxPool2d's of (batch, channels, D, H, W), as PyTorch's."""

    dims = 3
    pool = staticmethod(max_pool3d)


class AvgPool2d(Module):
    """The mean of each window (stride: the kernel size by default; padding counts as zeros, in the count
    too unless count_include_pad=False; divisor_override divides each window's sum instead)."""

    dims = 2
    pool = staticmethod(avg_pool2d)
    setting_checks = dict.fromkeys(("kernel_size", "stride", "padding"), _size)

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        self.kernel_size, self.padding = kernel_size, padding
        self.stride = self.kernel_size if stride is None else stride
        self.ceil_mode, self.count_include_pad, self.divisor_override = ceil_mode, count_include_pad, divisor_override
        tried(self, self.kernel_size, {"padding": padding}, self.dims)

    def forward(self, x: Tensor) -> Tensor:
        return self.pool(
            x,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """The mean over the windows giving `output_size`, as PyTorch's (1: the global average of each channel)."""

    dims = 2
    pool = staticmethod(adaptive_avg_pool2d)
    setting_checks = {"output_size": _size}

    def __init__(self, output_size: Any) -> None:
        self.output_size = output_size
        tried(self, (1,) * self.dims, {}, self.dims, output=output_size)

    def forward(self, x: Tensor) -> Tensor:
        return self.pool(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AvgPool3d(AvgPool2d):
    """AvgPool2d's of (batch, channels, D, H, W), as PyTorch's."""

    dims = 3
    pool = staticmethod(avg_pool3d)


class AdaptiveAvgPool3d(AdaptiveAvgPool2d):
    """AdaptiveAvgPool2d's of (batch, channels, D, H, W), as PyTorch's."""

    dims = 3
    pool = staticmethod(adaptive_avg_pool3d)


class AvgPool1d(Module):
    """AvgPool2d's of (batch, channels, length), as PyTorch's (no divisor_override; the sizes kept as
    tuples of one, as PyTorch keeps them)."""

    setting_checks = dict.fromkeys(("kernel_size", "stride", "padding"), _size)

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        self.kernel_size, self.padding = _one(kernel_size), _one(padding)
        self.stride = self.kernel_size if stride is None else _one(stride)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad
        tried(self, self.kernel_size, {"padding": self.padding}, 1)

    def forward(self, x: Tensor) -> Tensor:
        return avg_pool1d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool1d(Module):
    """AdaptiveAvgPool2d's of (batch, channels, length), as PyTorch's."""

    setting_checks = {"output_size": _size}

    def __init__(self, output_size: Any) -> None:
        self.output_size = output_size
        tried(self, (1,), {}, 1, output=output_size)

    def forward(self, x: Tensor) -> Tensor:
        return adaptive_avg_pool1d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


def _one(value: Any) -> Any:
    """An int as PyTorch's AvgPool1d keeps it, a tuple of one (anything else as given: the functional
    checks it)."""
    return (value,) if is_int(value) else value
