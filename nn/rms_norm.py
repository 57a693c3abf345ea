"""Root-mean-square normalisation, as PyTorch's: F.rms_norm and RMSNorm. Each sample is divided by the root
of the mean of its squares over its last axes (no mean taken away, unlike LayerNorm), plus eps inside the
root, then scaled by weight. Built from Tensor ops, so the gradient flows through the root too."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Tensor

from .arguments import check_real
from .arguments_factory import factory_dtype
from .module import Module
from .norm import affine_parameters, affine_tensors
from .norm_functions import _check_affine, normalized_input
from .norm_roots import normal_slices, plain_root_is_right
from .norm_settings import normalized_sizes, sample_input
from .state_checks import checked


def rms_norm(
    input: Tensor,  # noqa: A002 (PyTorch's name)
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    eps: float | None = None,
) -> Tensor:
    """torch.nn.functional.rms_norm: x / sqrt(mean(x²) + eps) over the last axes, those of
    `normalized_shape`, times weight (of `normalized_shape`, or None). eps None is the machine epsilon of
    the dtype computed in (PyTorch's): float64's 2.2e-16, float32's 1.2e-7, and float32's for float16,
    which is computed in float32 (its squares overflow from 256) and rounded back."""
    x, shape = normalized_input("rms_norm", input, normalized_shape)
    eps = None if eps is None else check_real("rms_norm", "eps", eps, 0)
    k = len(shape)
    _check_affine("rms_norm", weight, None, shape)
    if x.dtype == np.float16:
        return rms_norm(x.astype(np.float32), shape, weight, eps).astype(np.float16)
    axes = tuple(range(x.ndim - k, x.ndim))
    eps = np.finfo(x.dtype).eps if eps is None else eps
    with np.errstate(over="ignore", under="ignore"):  # squares past the range: a first try, the hypot path redoes it
        mean_square = (x * x).mean(axis=axes, keepdims=True)
    # x·rsqrt(mean(x²) + eps), PyTorch's: most inputs. Not below tiny^(2/3) (2e-206, float32's 5e-26), where rsqrt's
    # slope −v^(−3/2)/2 overflows: the gradient was inf there (float32 [1e-14, 2e-14] with eps 1e-30), not about 1/rms
    if plain_root_is_right(mean_square, eps, math.prod(shape), float(np.finfo(x.dtype).tiny) ** (2 / 3)):
        y = x * (mean_square + eps).rsqrt()
        return y if weight is None else y * weight
    # elsewhere the root mean square as the 2-norm (an op right wherever it fits) over √n, and hypot for the root of its
    # square plus eps: x * rsqrt(mean(x²) + eps) was refused from values of 1.3e154 (float32's 1.8e19) and inf
    # below 1e-162 with eps 0, where the outputs are near ±1
    x, _, norm, scale = normal_slices(x, (x, None), lambda x: (x, None), axes, "rms_norm", "values")
    root_count = math.sqrt(math.prod(shape))
    y = x / (norm.hypot(root_count * math.sqrt(eps) * scale) * (1 / root_count))
    return y if weight is None else y * weight


class RMSNorm(Module):
    """Divide each sample by the root mean square of its last axes, those of `normalized_shape` (an int: the
    last axis), eps inside the root (None: the machine epsilon of the input's dtype, PyTorch's), in training
    and eval alike; then scale by weight (1 to start), of `normalized_shape`, unless `elementwise_affine` is
    False. No bias, as PyTorch's."""

    parameter_slots = frozenset({"weight"})
    # eps: None, or a finite number >= 0 (a negative one, NaN or inf make outputs NaN)
    setting_checks = {
        "normalized_shape": lambda layer, shape: normalized_sizes(shape, "RMSNorm"),
        "eps": lambda layer, eps: None if eps is None else checked(layer, "eps", eps),
    }

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float | None = None,
        elementwise_affine: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        dtype = factory_dtype("RMSNorm", device, dtype)
        weight, _ = affine_parameters("RMSNorm", elementwise_affine, False, "elementwise_affine")
        self.normalized_shape, self.eps = normalized_shape, eps  # each checked (setting_checks)
        size = ("normalized_shape", self.normalized_shape)
        self.weight = affine_tensors("RMSNorm", size, self.normalized_shape, (weight, False), dtype)[0]

    def forward(self, x: Tensor) -> Tensor:
        return rms_norm(sample_input(self, x), self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.weight is not None}"  # PyTorch's
