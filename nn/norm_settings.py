"""The normalisation layers' settings checked as they are set (Module.setting_checks), and the shapes of
their own parameters and buffers checked before a call changes anything."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, repr_of, type_name

from .arguments import as_sequence, check_count, is_real, layer_input
from .module import Module
from .state_checks import checked


def positive_eps(bn: Module, eps: Any) -> float:
    """BatchNorm's eps: a finite number (a negative one, NaN or inf make every output NaN) and, unlike
    LayerNorm's and GroupNorm's, not 0: PyTorch refuses 0 in training, where a constant channel gives 0/0."""
    if not checked(bn, "eps", eps):
        raise ValueError(
            f"{type_name(bn)}: eps must be above 0 (it keeps a constant channel from giving 0/0), got {eps}"
        )
    return float(eps)


def momentum_setting(bn: Module, momentum: Any) -> float | None:
    """A fraction in [0, 1], or None for a plain average of the batches seen."""
    kind = type(bn).__name__
    if momentum is None:
        return None
    if not is_real(momentum):
        raise TypeError(f"{kind}: momentum must be a number (or None), got {type_name(momentum)} {repr_of(momentum)}")
    if not 0 <= momentum <= 1:
        raise ValueError(f"{kind}: momentum must lie in [0, 1] (or be None for a plain average), got {momentum}")
    return float(momentum)


def normalized_sizes(normalized_shape: Any, owner: str = "LayerNorm") -> tuple[int, ...]:
    """LayerNorm's normalized_shape as a tuple of sizes: one (the last axis: a number, or a 0-d array,
    refused by check_count unless it is an int) or a list of them (bytes would pass as one of their codes)."""
    one = not isinstance(normalized_shape, Iterable) or (
        isinstance(normalized_shape, np.ndarray) and normalized_shape.ndim == 0
    )
    wanted = "an int or a list of sizes"
    shape = [normalized_shape] if one else as_sequence(owner, "normalized_shape", normalized_shape, wanted)
    if not shape:
        raise ValueError(f"{owner}: normalized_shape must name at least one axis, got ()")
    return tuple(check_count(owner, "each size of normalized_shape", n) for n in shape)


def sample_input(layer: Module, x: Any) -> Tensor:
    """A LayerNorm's or RMSNorm's input as a Tensor, refused unless its last axes are the layer's
    normalized_shape, and unless the layer's own weight (and bias) are still of that shape."""
    kind, shape = type(layer).__name__, layer.normalized_shape
    x = layer_input(kind, x)
    if x.shape[-len(shape) :] != shape:
        raise ShapeError(
            f"{kind}({shape}) normalises the last axes of shape {shape}, got input of shape {x.shape}; make "
            f"normalized_shape {x.shape[-len(shape) :]} or reshape the input"
        )
    check_own_shapes(layer, ("weight", "bias"), shape)
    return x


def check_groups(gn: Module) -> None:
    if gn.num_channels % gn.num_groups:
        raise ValueError(
            f"GroupNorm: num_channels ({gn.num_channels}) must be divisible by num_groups ({gn.num_groups})"
        )


def check_own_shapes(layer: Module, names: tuple[str, ...], need: tuple[int, ...]) -> None:
    """ShapeError, before anything changes, if a parameter or buffer of `layer` (of `names`, those it has)
    was replaced by one of another shape than its settings give it."""
    for name in names:
        value = getattr(layer, name, None)
        if value is not None and value.shape != need:  # a Tensor's or an array's (np.shape would read the data)
            raise ShapeError(
                f"{type_name(layer)}: its {name} has shape {value.shape}, but its settings need {need}; "
                f"give it a {name} of shape {need}, or make a new layer"
            )
