"""Dropout2d: dropout of whole channels of images, as torch.nn.Dropout2d."""

from __future__ import annotations

from autograd import ShapeError, Tensor

from .arguments import layer_input
from .layers import Dropout


class Dropout2d(Dropout):
    """In training mode, zero each channel of each sample (x[n, c], of input (N, C, H, W)) with
    probability p and scale the rest by 1 / (1 - p); in eval mode, pass x through. Neighbouring
    pixels are alike, so dropping single ones regularises little: dropping a channel does.
    `seed` makes the draws repeatable."""

    def forward(self, x: Tensor) -> Tensor:
        x = layer_input("Dropout2d", x)
        if x.ndim != 4:
            raise ShapeError(f"Dropout2d takes input of shape (N, C, H, W), got shape {x.shape}")
        return super().forward(x)

    def mask_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """One draw per channel of each sample: (N, C, 1, 1)."""
        return (*shape[:2], 1, 1)
