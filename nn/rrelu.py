"""The randomized leaky ReLU, as PyTorch's F.rrelu and nn.RReLU: in training each negative entry times its own
slope drawn uniformly from [lower, upper] (nn's default generator, `autograd.drawn`, so a compiled step draws anew
on each replay); otherwise leaky_relu with the mean slope, (lower + upper) / 2."""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor, drawn, where

from .arguments import check_flag, check_real, layer_input
from .module import Module
from .rng import generator


def rrelu(
    input: Tensor,  # noqa: A002
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
) -> Tensor:
    """torch.nn.functional.rrelu: x where x > 0, else a·x; a drawn uniformly from [lower, upper] for each entry
    in training (its gradient there a, at x = 0 too, as PyTorch's), (lower + upper) / 2 otherwise. As PyTorch's,
    training is False unless given. `inplace` is PyTorch's, taken; the result is computed out of place."""
    x = layer_input("rrelu", input)
    lower, upper = _bounds("rrelu", lower, upper)
    training = check_flag("rrelu", "training", training)
    check_flag("rrelu", "inplace", inplace)
    if x.dtype.kind != "f":
        raise TypeError(f"rrelu takes floating-point input, got {x.dtype}: convert it first, x.astype(np.float32)")
    if not training:
        return autograd.leaky_relu(x, (lower + upper) / 2)
    dtype, shape = x.dtype, x.shape
    slopes = drawn(lambda: generator(None).uniform(lower, upper, shape).astype(dtype), dtype)
    return where(x > 0, x, x * slopes)


def _bounds(owner: str, lower: Any, upper: Any) -> tuple[float, float]:
    """lower and upper as finite floats, lower <= upper (PyTorch 2.13 refuses lower > upper at every call, in
    training and in eval; RReLU refuses it when made too, where PyTorch's waits for the call)."""
    lower, upper = check_real(owner, "lower", lower), check_real(owner, "upper", upper)
    if lower > upper:
        raise ValueError(f"{owner}: lower must be at most upper, got lower={lower} and upper={upper}")
    return lower, upper


class RReLU(Module):
    """`rrelu` as a layer, random slopes in training mode, the mean slope in eval: RReLU(lower=1/8, upper=1/3)."""

    # each checked when set (kept as given, as PyTorch's repr shows it); lower <= upper at the call too
    setting_checks = {
        "lower": lambda layer, v: (check_real("RReLU", "lower", v), v)[1],
        "upper": lambda layer, v: (check_real("RReLU", "upper", v), v)[1],
        "inplace": lambda layer, v: check_flag("RReLU", "inplace", v),
    }

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False) -> None:
        _bounds("RReLU", lower, upper)
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, x: Tensor) -> Tensor:
        _bounds("RReLU", self.lower, self.upper)
        return rrelu(layer_input("RReLU", x), self.lower, self.upper, self.training)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + (", inplace=True" if self.inplace else "")


__all__ = ["RReLU", "rrelu"]
