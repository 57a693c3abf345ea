"""Local response normalisation, as PyTorch's F.local_response_norm and nn.LocalResponseNorm (AlexNet's):
each entry divided by (k + alpha · the mean of the squares of `size` neighbouring channels)^beta. Built on
autograd's pad and avg_pool2d as PyTorch's is, so that gradients, second derivatives and compiled steps come
from those ops."""

from __future__ import annotations

import math
from functools import partial
from typing import Any

from autograd import ShapeError, Tensor, avg_pool2d, pad

from .arguments import check_number, is_int, layer_input
from .module import Module


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> Tensor:  # noqa: A002
    """torch.nn.functional.local_response_norm: x / (k + alpha/size · Σ x²)^beta, the sum over the channels
    c - size//2 to c + (size-1)//2 (those that exist: the rest count as zeros, still divided by `size`, as
    PyTorch's) of an input (N, C, *) of at least 3 dims; an empty input is returned as it is."""
    x = layer_input("local_response_norm", input)
    size, alpha, beta, k = _settings("local_response_norm", size, alpha, beta, k)
    if x.ndim < 3:
        raise ShapeError(
            f"local_response_norm: the input must be (N, C, *) of at least 3 dims, as PyTorch's, got shape "
            f"{x.shape}; add a batch axis (x[None]) to one example"
        )
    if x.size == 0:
        return x
    n, c = x.shape[:2]
    squares = (x * x).reshape(n, 1, c, math.prod(x.shape[2:]))  # channels as the height of one plane
    # zeros past c - 1 on either side reach no window of more than zeros: padded no further (size 10**12)
    before, after = min(size // 2, c - 1), min((size - 1) // 2, c - 1)
    kernel = before + after + 1
    window = avg_pool2d(pad(squares, (0, 0, before, after)), (kernel, 1), 1)
    scale = alpha if kernel == size else alpha * kernel / size  # the sum over the window, divided by size
    return x / (window.reshape(x.shape) * scale + k) ** beta


def _settings(owner: str, size: Any, alpha: Any, beta: Any, k: Any) -> tuple[int, float, float, float]:
    """size as an int of at least 1; alpha, beta and k as real numbers (PyTorch's floats: any, NaN too)."""
    factors = {"alpha": alpha, "beta": beta, "k": k}
    return (_checked(owner, "size", size), *(_checked(owner, name, v) for name, v in factors.items()))


def _checked(owner: str, name: str, value: Any) -> Any:
    """One setting refused as PyTorch's would fail on it, kept as given (an int an int, as PyTorch's repr shows)."""
    if name == "size":
        return check_number(owner, "size", value, "an int >= 1", lambda s: s >= 1, integer=True)
    number = check_number(owner, name, value, "a real number", lambda v: True)
    return int(value) if is_int(value) else number


def _layer_setting(name: str, layer: Module, value: Any) -> Any:
    return _checked(type(layer).__name__, name, value)


class LocalResponseNorm(Module):
    """F.local_response_norm over `size` neighbouring channels of input (N, C, *), as PyTorch's."""

    setting_checks = {name: partial(_layer_setting, name) for name in ("size", "alpha", "beta", "k")}

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, x: Tensor) -> Tensor:
        return local_response_norm(layer_input(type(self).__name__, x), self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
