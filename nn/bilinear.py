"""Bilinear and its function bilinear, as torch.nn's: y_k = x1 · A_k x2 + b_k for each output k, the weight in
PyTorch's layout (out_features, in1_features, in2_features) and under its names (weight, bias)."""

from __future__ import annotations

import math
from typing import Any

from autograd import ShapeError, Tensor

from .arguments import check_count, check_flag, layer_input
from .arguments_factory import factory_dtype
from .module import Module
from .parameter import check_parameters
from .rng import generator


def bilinear(x1: Tensor, x2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """torch.nn.functional.bilinear: x1 (*, in1) and x2 (*, in2), of the same leading dims, give (*, out), each
    output k the sum over i, j of x1_i weight[k, i, j] x2_j, plus bias[k]; weight (out, in1, in2), bias (out,)
    or None. Two matrix products of autograd's, so gradients of every order are theirs."""
    x1, x2 = layer_input("bilinear", x1), layer_input("bilinear", x2)
    weight = layer_input("bilinear", weight)
    _check_shapes(x1, x2, weight, None if bias is None else layer_input("bilinear", bias))
    out, in1, in2 = weight.shape
    lead = x1.shape[:-1]
    n = math.prod(lead)  # the rows, counted: reshape's -1 cannot be read from an empty weight
    # x1 @ A, A the weight as (in1, out * in2): each row's x1ᵀ A_k for every k at once, then · x2 over j
    rows = x1.reshape(n, in1) @ weight.permute(1, 0, 2).reshape(in1, out * in2)
    y = (rows.reshape(n, out, in2) * x2.reshape(n, 1, in2)).sum(axis=-1).reshape(*lead, out)
    return y if bias is None else y + bias


def _check_shapes(x1: Tensor, x2: Tensor, weight: Tensor, bias: Tensor | None) -> None:
    """torch's checks of bilinear's shapes, each a ShapeError saying what fits."""
    if weight.ndim != 3:
        raise ShapeError(
            f"bilinear: weight must be 3-d, (out_features, in1_features, in2_features), got shape {weight.shape}"
        )
    out, in1, in2 = weight.shape
    if x1.ndim == 0 or x2.ndim == 0 or x1.shape[:-1] != x2.shape[:-1]:
        raise ShapeError(
            f"bilinear: input1 (*, in1_features) and input2 (*, in2_features) must share their leading dims, got "
            f"shapes {x1.shape} and {x2.shape} (no broadcasting, as PyTorch's)"
        )
    if (x1.shape[-1], x2.shape[-1]) != (in1, in2):
        raise ShapeError(
            f"bilinear: inputs of {x1.shape[-1]} and {x2.shape[-1]} features (the last axes) do not fit weight of "
            f"shape {weight.shape}, which takes {in1} and {in2}"
        )
    if bias is not None and bias.shape != (out,):
        raise ShapeError(f"bilinear: bias must be of shape ({out},), one per output, got {bias.shape}")


class Bilinear(Module):
    """y = x1ᵀ A x2 + b for each of `out_features` matrices A (torch.nn.Bilinear): `weight` (out_features,
    in1_features, in2_features) and `bias` (out_features,), PyTorch's layout and names, both drawn uniform in
    ±1/sqrt(in1_features) as PyTorch's (`seed`, chainrule's, by keyword, makes it repeatable). `device` (the CPU)
    and `dtype` (float32 unless given) are PyTorch's."""

    def __init__(
        self,
        in1_features: int,
        in2_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        seed: int | None = None,
    ) -> None:
        sizes = {
            name: check_count("Bilinear", name, n)
            for name, n in (
                ("in1_features", in1_features),
                ("in2_features", in2_features),
                ("out_features", out_features),
            )
        }
        in1, in2, out = sizes.values()
        bias = check_flag("Bilinear", "bias", bias)
        dtype = factory_dtype("Bilinear", device, dtype)
        check_parameters("Bilinear", sizes, [(out, in1, in2)] + [(out,)] * bias, dtype)
        rng, bound = generator(seed, "Bilinear"), 1 / math.sqrt(in1)
        self.weight = Tensor(rng.uniform(-bound, bound, (out, in1, in2)).astype(dtype), requires_grad=True, dtype=dtype)
        self.bias = (
            Tensor(rng.uniform(-bound, bound, out).astype(dtype), requires_grad=True, dtype=dtype) if bias else None
        )

    @property
    def in1_features(self) -> int:
        return self.weight.shape[1]

    @property
    def in2_features(self) -> int:
        return self.weight.shape[2]

    @property
    def out_features(self) -> int:
        return self.weight.shape[0]

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return bilinear(x1, x2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )
