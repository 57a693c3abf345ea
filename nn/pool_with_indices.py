"""torch.nn.functional's max_pool{1,2,3}d_with_indices and adaptive_max_pool{1,2,3}d_with_indices: the max pools
with return_indices=True, whatever their own return_indices says (PyTorch's ignore it), so that ported code
that calls them gets (output, indices) as there."""

from __future__ import annotations

from typing import Any

from autograd import (
    Tensor,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    adaptive_max_pool3d,
    max_pool1d,
    max_pool2d,
    max_pool3d,
)

from .arguments import check_flag


def max_pool1d_with_indices(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """max_pool1d's (output, indices), as torch's (its return_indices, checked, changes nothing)."""
    check_flag("max_pool1d_with_indices", "return_indices", return_indices)
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True)


def max_pool2d_with_indices(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """max_pool2d's (output, indices), as torch's (its return_indices, checked, changes nothing)."""
    check_flag("max_pool2d_with_indices", "return_indices", return_indices)
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True)


def max_pool3d_with_indices(
    input: Tensor,  # noqa: A002
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """max_pool3d's (output, indices), as torch's (its return_indices, checked, changes nothing)."""
    check_flag("max_pool3d_with_indices", "return_indices", return_indices)
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True)


def adaptive_max_pool1d_with_indices(
    input: Tensor,  # noqa: A002
    output_size: Any,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """adaptive_max_pool1d's (output, indices), as torch's (its return_indices, checked, changes nothing)."""
    check_flag("adaptive_max_pool1d_with_indices", "return_indices", return_indices)
    return adaptive_max_pool1d(input, output_size, return_indices=True)


def adaptive_max_pool2d_with_indices(
    input: Tensor,  # noqa: A002
    output_size: Any,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """adaptive_max_pool2d's (output, indices), as torch's (its return_indices, checked, changes nothing)."""
    check_flag("adaptive_max_pool2d_with_indices", "return_indices", return_indices)
    return adaptive_max_pool2d(input, output_size, return_indices=True)


def adaptive_max_pool3d_with_indices(
    input: Tensor,  # noqa: A002
    output_size: Any,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """adaptive_max_pool3d's (output, indices), as torch's (its return_indices, checked, changes nothing)."""
    check_flag("adaptive_max_pool3d_with_indices", "return_indices", return_indices)
    return adaptive_max_pool3d(input, output_size, return_indices=True)


__all__ = [
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices",
    "max_pool1d_with_indices",
    "max_pool2d_with_indices",
    "max_pool3d_with_indices",
]
