"""Layers that only move entries, as torch.nn's: Unflatten (one axis split into several), PixelShuffle
and PixelUnshuffle (channels traded for resolution), ChannelShuffle (the channels of g groups interleaved),
and the functions pixel_shuffle, pixel_unshuffle, channel_shuffle."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from autograd import ShapeError, Tensor

from .arguments import as_sequence, check_axis, check_count, is_int, layer_input, shown
from .module import Module


def pixel_shuffle(x: Tensor, upscale_factor: int) -> Tensor:
    """(*, C r², H, W) -> (*, C, H r, W r), r = upscale_factor, as torch.nn.functional.pixel_shuffle:
    channel c r² + i r + j goes to row offset i and column offset j of channel c."""
    x, r = layer_input("pixel_shuffle", x), check_count("pixel_shuffle", "upscale_factor", upscale_factor)
    if x.ndim < 3 or x.shape[-3] % (r * r):
        raise ShapeError(
            f"pixel_shuffle takes input (*, C, H, W) whose C is divisible by upscale_factor² ({r * r}), "
            f"got shape {x.shape}"
        )
    *batch, c, h, w = x.shape
    n = len(batch)
    y = x.reshape(*batch, c // (r * r), r, r, h, w)
    return y.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2).reshape(*batch, c // (r * r), h * r, w * r)


def pixel_unshuffle(x: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H r, W r) -> (*, C r², H, W), r = downscale_factor: pixel_shuffle undone, as
    torch.nn.functional.pixel_unshuffle."""
    x, r = layer_input("pixel_unshuffle", x), check_count("pixel_unshuffle", "downscale_factor", downscale_factor)
    if x.ndim < 3 or x.shape[-2] % r or x.shape[-1] % r:
        raise ShapeError(
            f"pixel_unshuffle takes input (*, C, H, W) whose H and W are divisible by downscale_factor ({r}), "
            f"got shape {x.shape}"
        )
    *batch, c, h, w = x.shape
    n = len(batch)
    y = x.reshape(*batch, c, h // r, r, w // r, r)
    return y.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3).reshape(*batch, c * r * r, h // r, w // r)


class PixelShuffle(Module):
    """`pixel_shuffle` as a layer: PixelShuffle(upscale_factor)."""

    setting_checks = {"upscale_factor": lambda m, r: check_count("PixelShuffle", "upscale_factor", r)}

    def __init__(self, upscale_factor: int) -> None:
        self.upscale_factor = upscale_factor

    def forward(self, x: Tensor) -> Tensor:
        return pixel_shuffle(x, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """`pixel_unshuffle` as a layer: PixelUnshuffle(downscale_factor)."""

    setting_checks = {"downscale_factor": lambda m, r: check_count("PixelUnshuffle", "downscale_factor", r)}

    def __init__(self, downscale_factor: int) -> None:
        self.downscale_factor = downscale_factor

    def forward(self, x: Tensor) -> Tensor:
        return pixel_unshuffle(x, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


def channel_shuffle(input: Tensor, groups: int) -> Tensor:  # noqa: A002
    """(N, C, *) with its channels read as `groups` groups of C / groups and interleaved, as
    torch.nn.functional.channel_shuffle: channel i·(C/g) + j goes to j·g + i (ShuffleNet's)."""
    x, g = layer_input("channel_shuffle", input), check_count("channel_shuffle", "groups", groups)
    if x.ndim < 3 or x.shape[1] % g:
        raise ShapeError(
            f"channel_shuffle takes input (N, C, *) of at least 3 dims whose C is divisible by groups ({g}), "
            f"got shape {x.shape}"
        )
    n, c, *rest = x.shape
    axes = range(3, x.ndim + 1)
    return x.reshape(n, g, c // g, *rest).permute(0, 2, 1, *axes).reshape(x.shape)


class ChannelShuffle(Module):
    """`channel_shuffle` as a layer: ChannelShuffle(groups)."""

    setting_checks = {"groups": lambda m, g: check_count("ChannelShuffle", "groups", g)}

    def __init__(self, groups: int) -> None:
        self.groups = groups

    def forward(self, x: Tensor) -> Tensor:
        return channel_shuffle(x, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"


def _sizes(sizes: Any) -> tuple[int, ...]:
    """Unflatten's unflattened_size: sizes of at least 0, one of them -1 at most (inferred)."""
    sizes = as_sequence("Unflatten", "unflattened_size", sizes, "a tuple of sizes")
    if not sizes or not all(is_int(s) and s >= -1 for s in sizes) or sum(s == -1 for s in sizes) > 1:
        raise TypeError(
            f"Unflatten: unflattened_size must be a non-empty tuple of sizes >= 0 (one may be -1), got {shown(sizes)}"
        )
    return tuple(int(s) for s in sizes)


class Unflatten(Module):
    """Axis `dim` split into axes of `unflattened_size` (Flatten's inverse), as torch.nn.Unflatten:
    Unflatten(1, (2, 5)) makes (N, 10) (N, 2, 5)."""

    setting_checks = {
        "dim": lambda m, dim: check_axis("Unflatten", "dim", dim),
        "unflattened_size": lambda m, sizes: _sizes(sizes),
    }

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        self.dim, self.unflattened_size = dim, unflattened_size

    def forward(self, x: Tensor) -> Tensor:
        x = layer_input("Unflatten", x)
        if not -x.ndim <= self.dim < x.ndim:
            raise ShapeError(f"Unflatten: dim {self.dim} is not an axis of input of shape {x.shape}")
        dim, sizes = self.dim % x.ndim, self.unflattened_size
        known = math.prod(s for s in sizes if s != -1)
        fits = x.shape[dim] == known if -1 not in sizes else known and x.shape[dim] % known == 0
        if not fits:
            raise ShapeError(
                f"Unflatten: axis {self.dim} of input of shape {x.shape} has {x.shape[dim]} entries, which "
                f"unflattened_size {sizes} cannot hold"
            )
        return x.reshape(*x.shape[:dim], *sizes, *x.shape[dim + 1 :])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
