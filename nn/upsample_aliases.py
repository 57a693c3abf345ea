"""PyTorch's older spellings of interpolate, kept there and here so that ported code runs: the layers
UpsamplingNearest2d and UpsamplingBilinear2d (Upsample with its mode bound; bilinear with align_corners=True),
and the functions upsample, upsample_nearest and upsample_bilinear, which warn as PyTorch's do (deprecated:
interpolate is the one to call)."""

from __future__ import annotations

import warnings
from typing import Any

from autograd import Tensor

from .upsample import Upsample, interpolate


class UpsamplingNearest2d(Upsample):
    """Upsample(size, scale_factor, mode="nearest"), as torch.nn.UpsamplingNearest2d."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Upsample(size, scale_factor, mode="bilinear", align_corners=True), as torch.nn.UpsamplingBilinear2d:
    the corner pixels' centres aligned, of input (N, C, H, W)."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


def upsample(
    input: Tensor,  # noqa: A002
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
) -> Tensor:
    """torch.nn.functional.upsample: interpolate(input, size, scale_factor, mode, align_corners), warning
    as PyTorch's that it is deprecated."""
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:  # noqa: A002
    """torch.nn.functional.upsample_nearest: interpolate(..., mode="nearest"), deprecated as PyTorch's."""
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:  # noqa: A002
    """torch.nn.functional.upsample_bilinear: interpolate(..., mode="bilinear", align_corners=True) of
    input (N, C, H, W), deprecated as PyTorch's."""
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def _deprecated(name: str) -> None:
    # stacklevel 3: the line that called nn.functional's function
    warnings.warn(f"nn.functional.{name} is deprecated, as in PyTorch: call nn.functional.interpolate", stacklevel=3)


__all__ = ["UpsamplingBilinear2d", "UpsamplingNearest2d", "upsample", "upsample_bilinear", "upsample_nearest"]
