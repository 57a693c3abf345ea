"""triplet_margin_with_distance_loss, as torch.nn.functional's: triplet_margin_loss (losses_margins.py) with any
distance of two Tensors, PyTorch's keyword-only options, written over autograd's ops (and the distance's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import autograd
from autograd import Tensor, repr_of, type_name

from .arguments import check_flag, check_number
from .distances import pairwise_distance
from .loss_positions import torch_positions
from .losses_half import narrowed, widened_inputs
from .losses_margins import _clamp_min0, _tensors
from .losses_pairs import reduce

__all__ = ["triplet_margin_with_distance_loss"]


@torch_positions(module_keywords=True)  # PyTorch's options are keyword-only, its class's too
def triplet_margin_with_distance_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    *,
    distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """triplet_margin_loss with any distance: max(0, margin + d(a, p) - d(a, n)) per row, d the
    `distance_function` (None: pairwise_distance, p = 2) of two Tensors, one distance per row; `swap`: d(a, n)
    the smaller of it and d(p, n). A float16 triplet is given to it in float32, the loss rounded once."""
    name = "triplet_margin_with_distance_loss"
    a, pos, neg = _tensors(name, anchor, positive, negative, promote=True, names=("positive", "negative"))
    if distance_function is not None and not callable(distance_function):
        raise TypeError(
            f"{name}: distance_function must be a function of two Tensors or None, got {repr_of(distance_function)}"
        )
    margin = check_number(name, "margin", margin, "a number > 0 (as PyTorch's)", lambda m: m > 0)
    swap = check_flag(name, "swap", swap)
    (a, pos, neg), dtype = widened_inputs([a, pos, neg])
    distance = _distances(name, distance_function or pairwise_distance)
    far = distance(a, neg)
    if swap:
        far = autograd.minimum(far, distance(pos, neg))
    losses = _clamp_min0(margin + distance(a, pos) - far)
    return narrowed(reduce([losses], reduction, name), dtype)


def _distances(name: str, function: Callable[[Tensor, Tensor], Any]) -> Callable[[Tensor, Tensor], Tensor]:
    """`function`, its result refused unless it is a Tensor (a number or a Value would make no loss per row)."""

    def distance(x: Tensor, y: Tensor) -> Tensor:
        d = function(x, y)
        if not isinstance(d, Tensor):
            raise TypeError(
                f"{name}: distance_function must give a Tensor of distances, got {type_name(d)} {repr_of(d)}"
            )
        return d

    return distance
