"""Dropout2d and its function dropout2d: dropout of whole channels of images, as torch.nn.Dropout2d."""

from __future__ import annotations

from autograd import ShapeError, Tensor

from .arguments import layer_input
from .layers import Dropout, dropped


def dropout2d(x: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """torch.nn.functional.dropout2d: with `training`, each channel of each sample of input (N, C, H, W)
    zeroed with probability p and the rest scaled by 1 / (1 - p), drawn from nn's default generator; else x."""
    if isinstance(x, Tensor):
        _check_images("dropout2d", x)
    return dropped("dropout2d", x, p, training, inplace, channel_mask_shape)


def channel_mask_shape(shape: tuple[int, ...]) -> tuple[int, ...]:
    """One draw per channel of each sample: (N, C, 1, 1)."""
    return (*shape[:2], 1, 1)


def _check_images(owner: str, x: Tensor) -> None:
    if x.ndim != 4:
        raise ShapeError(
            f"{owner} takes input of shape (N, C, H, W), got shape {x.shape}"
            + ("; for one image (C, H, W) add the batch axis, x.unsqueeze(0)" if x.ndim == 3 else "")
        )


class Dropout2d(Dropout):
    """In training mode, zero each channel of each sample (x[n, c], of input (N, C, H, W)) with
    probability p and scale the rest by 1 / (1 - p); in eval mode, pass x through. Neighbouring
    pixels are alike, so dropping single ones regularises little: dropping a channel does.
    `seed` makes the draws repeatable."""

    def forward(self, x: Tensor) -> Tensor:
        x = layer_input("Dropout2d", x)
        _check_images("Dropout2d", x)
        return super().forward(x)

    def mask_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return channel_mask_shape(shape)
