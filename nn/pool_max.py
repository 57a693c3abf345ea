"""The max pools' companions as PyTorch's layers: MaxUnpool1d/2d/3d (a max pool's indices undone:
autograd.pool_indices), AdaptiveMaxPool1d/2d/3d (autograd.pool_adaptive_max),
and Unfold and Fold (autograd.folding), each its functional with the options kept as attributes, read
at each call."""

from __future__ import annotations

from typing import Any

from autograd import (
    Tensor,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    adaptive_max_pool3d,
    fold,
    max_unpool1d,
    max_unpool2d,
    max_unpool3d,
    unfold,
)

from .arguments import kept_size
from .layer_trial import tried
from .module import Module


def _size(layer: Module, value: Any) -> Any:
    """A size option as the layer keeps it (kept_size); the functional checks it at each call."""
    return kept_size(value)


class MaxUnpool2d(Module):
    """Zeros holding each value at its max pool's index (stride: the kernel size by default), as PyTorch's:
    `unpool(values, indices)` or with `output_size=`, the pooled input's size where the stride left rows over."""

    dims = 2
    unpool = staticmethod(max_unpool2d)
    setting_checks = dict.fromkeys(("kernel_size", "stride", "padding"), _size)

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        self.kernel_size, self.padding = kernel_size, padding
        self.stride = self.kernel_size if stride is None else stride

    def forward(self, input: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        return self.unpool(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(MaxUnpool2d):
    """MaxUnpool2d's of (batch, channels, length), as PyTorch's."""

    dims = 1
    unpool = staticmethod(max_unpool1d)


class MaxUnpool3d(MaxUnpool2d):
    """MaxUnpool2d's of (batch, channels, D, H, W), as PyTorch's."""

    dims = 3
    unpool = staticmethod(max_unpool3d)


class AdaptiveMaxPool2d(Module):
    """The maximum over the windows giving `output_size`, as PyTorch's (its gradient to each window's first
    maximum, or its last NaN); return_indices=True gives (values, indices) for MaxUnpool2d."""

    dims = 2
    pool = staticmethod(adaptive_max_pool2d)
    setting_checks = {"output_size": _size}

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        self.output_size, self.return_indices = output_size, return_indices
        tried(self, (1,) * self.dims, {}, self.dims, output=output_size)

    def forward(self, x: Tensor) -> Any:
        return self.pool(x, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(AdaptiveMaxPool2d):
    """AdaptiveMaxPool2d's of (batch, channels, length), as PyTorch's."""

    dims = 1
    pool = staticmethod(adaptive_max_pool1d)


class AdaptiveMaxPool3d(AdaptiveMaxPool2d):
    """AdaptiveMaxPool2d's of (batch, channels, D, H, W), as PyTorch's."""

    dims = 3
    pool = staticmethod(adaptive_max_pool3d)


class Unfold(Module):
    """A batch of images as the columns of its sliding windows, as PyTorch's (autograd.unfold)."""

    setting_checks = dict.fromkeys(("kernel_size", "dilation", "padding", "stride"), _size)

    def __init__(self, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> None:
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, x: Tensor) -> Tensor:
        return unfold(x, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, stride={self.stride}"


class Fold(Unfold):
    """Columns of sliding windows added back into images of `output_size`, as PyTorch's (autograd.fold)."""

    setting_checks = dict.fromkeys(("output_size", "kernel_size", "dilation", "padding", "stride"), _size)

    def __init__(
        self, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
    ) -> None:
        super().__init__(kernel_size, dilation, padding, stride)
        self.output_size = output_size

    def forward(self, x: Tensor) -> Tensor:
        return fold(x, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}, {super().extra_repr()}"
