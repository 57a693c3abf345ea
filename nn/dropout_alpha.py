"""Alpha dropout, as PyTorch's: AlphaDropout and alpha_dropout (each element), FeatureAlphaDropout and
feature_alpha_dropout (whole channels), for SELU networks. A dropped entry is set to SELU's negative saturation
rather than 0, then every entry is moved by an affine map that keeps a standard input's mean 0 and variance 1."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from autograd import ShapeError, Tensor, drawn

from .dropout import Dropout, channel_mask_shape, dropped
from .rng import kept

# SELU's negative saturation, -scale * alpha (PyTorch's constant): a dropped entry's value before the affine map
SATURATION = 1.7580993408473766


def alpha_dropout(x: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """torch.nn.functional.alpha_dropout: with `training` (False unless given, as PyTorch's), each entry dropped
    with probability p, drawn from nn's default generator (see AlphaDropout); else x."""
    return dropped("alpha_dropout", x, p, training, inplace, lambda shape: shape, _alpha_mixed)


def feature_alpha_dropout(x: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """torch.nn.functional.feature_alpha_dropout: alpha_dropout of whole channels, x[n, c] of input (N, C, ...)."""
    if isinstance(x, Tensor):
        _check_channels("feature_alpha_dropout", x)
    return dropped("feature_alpha_dropout", x, p, training, inplace, _channel_mask_shape, _alpha_mixed)


def _alpha_mixed(x: Tensor, p: float, draws: Callable[[], np.random.Generator], shape: tuple[int, ...]) -> Tensor:
    """Alpha dropout's masking step (nn.dropout's `dropped` checks its arguments): `mixed` with a mask of `shape`."""
    dtype = x.dtype  # the draw holds it, not x (a compiled step's recording would keep x alive)
    return mixed(x, p, drawn(lambda: _scaled_keep(draws(), p, shape, dtype), dtype))


def _scale(p: float) -> float:
    """PyTorch's a: the factor that keeps the variance 1, 1 / sqrt((SATURATION² p + 1)(1 - p))."""
    return 1 / math.sqrt((SATURATION**2 * p + 1) * (1 - p))


def _scaled_keep(rng: np.random.Generator, p: float, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """a where kept (probability 1 - p), 0 where dropped."""
    return np.multiply(kept(rng, p, shape), np.asarray(_scale(p), dtype), dtype=dtype)


def mixed(x: Tensor, p: float, keep: Tensor) -> Tensor:
    """PyTorch's x·a + SATURATION·a·p where kept and SATURATION·a·(p - 1) where dropped, `keep` being a or 0:
    written (x + SATURATION)·keep + SATURATION·a·(p - 1), one product with the drawn constant, so that a compiled
    step draws it again (a second constant made from it would be kept as recorded)."""
    return (x + SATURATION) * keep + SATURATION * _scale(p) * (p - 1)


def _channel_mask_shape(shape: tuple[int, ...]) -> tuple[int, ...]:
    """One draw per channel of (N, C, ...): dropout's channel mask with every dim past C spatial."""
    return channel_mask_shape(shape, len(shape) - 2)


def _check_channels(owner: str, x: Tensor) -> None:
    if x.ndim < 2:
        raise ShapeError(f"{owner} drops channels of input (N, C, ...), at least 2-d, got shape {x.shape}")


class AlphaDropout(Dropout):
    """In training mode, each entry dropped with probability p (`seed`, by keyword, makes it repeatable) and set to
    SELU's negative saturation, then all moved by PyTorch's affine map, which keeps a standard input's mean 0 and
    variance 1 (as SELU keeps them: use it with SELU); in eval mode, x passes through. A compiled step draws a new
    mask on each replay."""

    masking = staticmethod(_alpha_mixed)


class FeatureAlphaDropout(AlphaDropout):
    """AlphaDropout of whole channels, x[n, c] of input (N, C, ...), as PyTorch's FeatureAlphaDropout."""

    def check_input(self, name: str, x: Tensor) -> None:
        _check_channels(name, x)

    def mask_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return _channel_mask_shape(shape)
