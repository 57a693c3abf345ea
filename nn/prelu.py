"""PReLU and its function prelu: leaky ReLU whose slope below 0 is learned, as torch.nn.PReLU."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import ShapeError, Tensor

from .arguments import check_count, check_real, layer_input
from .arguments_factory import factory_dtype
from .module import Module
from .parameter import check_parameters


def prelu(x: Tensor, weight: Tensor) -> Tensor:
    """torch.nn.functional.prelu: x where x > 0, else weight * x, weight of one number or one per channel
    (axis 1 of x; one for input of fewer than 2 axes). At 0 the slope is weight's piece (PyTorch's), and
    weight's own gradient 0. At a NaN input (output NaN) x's gradient is 0 (relu's and clip's, where
    PyTorch's is weight) and weight's NaN, as PyTorch's."""
    x, weight = layer_input("prelu", x), layer_input("prelu", weight)
    channels = x.shape[1] if x.ndim >= 2 else 1
    if weight.ndim > 1 or weight.size not in (1, channels):
        raise ShapeError(
            f"prelu: weight must hold one number or one per channel ({channels}, axis 1 of input of shape "
            f"{x.shape}), as a 0-d or 1-d Tensor, got shape {weight.shape}"
        )
    if weight.size > 1:
        weight = weight.reshape(channels, *(1,) * (x.ndim - 2))
    elif x.ndim == 0:  # PReLU()'s weight, of shape (1,), would broadcast a 0-d input to (1,)
        weight = weight.reshape(())
    # relu(x) + weight·min(x, 0): x above 0, weight·x at and below it. Ops only, no mask read from x, so a
    # compiled step replays it; clip passes the gradient at its bound, 0, so the slope there is weight's
    return autograd.relu(x) + weight * x.clip(hi=0.0)


class PReLU(Module):
    """x where x > 0, else weight * x: `num_parameters` slopes (1, shared, or one per channel, axis 1 of
    the input), each starting at `init`, learned."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None, dtype: Any = None) -> None:
        dtype = factory_dtype("PReLU", device, dtype)
        num_parameters = check_count("PReLU", "num_parameters", num_parameters)
        init = check_real("PReLU", "init", init)
        check_parameters("PReLU", {"num_parameters": num_parameters}, [(num_parameters,)], dtype, drawn=False)
        self.weight = Tensor(np.full(num_parameters, init, dtype), requires_grad=True, dtype=dtype)

    def forward(self, x: Tensor) -> Tensor:
        return prelu(x, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.weight.size}"
