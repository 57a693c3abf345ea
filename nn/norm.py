"""Normalisation layers, as PyTorch's: BatchNorm1d, BatchNorm2d and BatchNorm3d (each channel by the batch's
statistics in training, by running ones in eval), LayerNorm (each sample over its last axes) and
GroupNorm (each sample's groups of channels). Built from Tensor ops, so the gradient flows through
the statistics too."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, guard

from .arguments import check_count, check_flag, layer_input
from .arguments_factory import factory_dtype
from .module import Module
from .norm_functions import batch_norm, group_norm, layer_norm
from .norm_settings import (
    check_groups,
    check_own_shapes,
    momentum_setting,
    normalized_sizes,
    positive_eps,
    sample_input,
)
from .parameter import check_parameters
from .state_checks import checked


def affine_parameters(owner: str, affine: Any, bias: Any, name: str = "affine") -> tuple[bool, bool]:
    """Whether a normalisation layer has a weight and a bias: `affine` (LayerNorm's elementwise_affine)
    gives both, and `bias` False (PyTorch's, since 2.1) drops the bias alone; neither without affine."""
    affine, bias = check_flag(owner, name, affine), check_flag(owner, "bias", bias)
    return affine, affine and bias


def _affine_repr(name: str, weight: Tensor | None, bias: Tensor | None) -> str:
    """What the repr says of the affine parameters: nothing for both, else which are off."""
    if weight is None:
        return f", {name}=False"
    return "" if bias is not None else ", bias=False"


def _filled(value: float, shape: tuple[int, ...], dtype: Any) -> Tensor:
    return Tensor(np.full(shape, value, dtype), requires_grad=True, dtype=dtype)


def affine_tensors(
    owner: str, size: tuple[str, Any], shape: tuple[int, ...], flags: tuple[bool, bool], dtype: Any, buffers: int = 0
) -> tuple[Tensor | None, Tensor | None]:
    """A norm's weight (ones) and bias (zeros) of `shape`, each where its flag says, checked first to fit
    in memory with the `buffers` running statistics of that shape made next; `size`: the argument's name and value."""
    weight, bias = flags
    check_parameters(owner, dict([size]), [shape] * (weight + bias + buffers), dtype, drawn=False)
    return _filled(1.0, shape, dtype) if weight else None, _filled(0.0, shape, dtype) if bias else None


class _BatchNorm(Module):
    """What BatchNorm1d and BatchNorm2d share; they differ in the input shapes they take."""

    NDIMS: tuple[int, ...] = ()
    INPUT = ""  # the shapes taken, for messages
    parameter_slots = frozenset({"weight", "bias"})
    buffer_ranges = {"running_var": (0, math.inf), "num_batches_tracked": (0, math.inf)}  # a variance and a count
    # how many times this layer updated its running statistics: a compiled step that holds them as
    # constants (eval mode) guards it, and records again after they change. The layer's own count, not
    # nn's (STRUCTURE): another model's BatchNorm training in the same loop leaves the step replaying
    statistics_updates = 0
    setting_checks = {
        "num_features": lambda bn, n: check_count(type(bn).__name__, "num_features", n),
        "eps": positive_eps,
        "momentum": momentum_setting,
        "track_running_stats": lambda bn, flag: check_flag(type(bn).__name__, "track_running_stats", flag),
    }

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        dtype = factory_dtype(type(self).__name__, device, dtype)
        weight, bias = affine_parameters(type(self).__name__, affine, bias)
        self.num_features, self.eps, self.momentum = num_features, eps, momentum  # each checked (setting_checks)
        self.track_running_stats = track_running_stats
        size, shape = ("num_features", self.num_features), (self.num_features,)
        buffers = 3 * bool(self.track_running_stats)  # the two, and register_buffer's copy of the one it takes
        self.weight, self.bias = affine_tensors(type(self).__name__, size, shape, (weight, bias), dtype, buffers)
        if self.track_running_stats:
            self.register_buffer("running_mean", np.zeros(self.num_features, dtype))
            self.register_buffer("running_var", np.ones(self.num_features, dtype))
            self.register_buffer("num_batches_tracked", np.array(0, np.int64))

    def forward(self, x: Tensor) -> Tensor:
        """Training (or no running statistics kept): normalise each channel by the batch's mean and biased
        variance over every axis but 1, and update the running statistics if `track_running_stats`.
        Eval: by the running ones. As in PyTorch, whether they are kept is decided when the layer is made:
        `track_running_stats` set later only stops (or resumes) their updates."""
        x = self._check(x)
        kept = "running_mean" in self._buffer_names
        batch_statistics = self.training or not kept
        if batch_statistics and x.size // self.num_features <= 1:
            # an empty batch has no mean; one value is its own mean, normalised to 0 whatever it is (and
            # has no unbiased variance to track): refused in eval too when the batch's statistics are used
            fix = "call .eval() to use the running statistics" if kept else "keep running statistics"
            raise ValueError(
                f"{type(self).__name__} with batch statistics needs more than one value per channel, got input "
                f"of shape {x.shape}; give a larger batch, or {fix}"
            )
        updating = self.training and self.track_running_stats and kept
        if not batch_statistics:
            guard(self, "statistics_updates")
        read = kept and (updating or not batch_statistics)  # the running statistics, to update or to use
        stats = (self.running_mean, self.running_var) if read else (None, None)
        factor = self._factor() if updating else 0.0
        y = batch_norm(x, *stats, self.weight, self.bias, batch_statistics, factor, self.eps)
        if updating:
            self.num_batches_tracked[...] += 1  # in place: not an attribute set, which would count as nn's change
            self.statistics_updates += 1
        return y

    def _factor(self) -> float:
        """How far this batch moves the running statistics: `momentum`, or 1/batches seen when momentum is
        None (the plain average), as PyTorch does. ValueError, nothing changed, if the plain average's
        count was set below 0 (load_state_dict refuses it)."""
        batches = int(self.num_batches_tracked) + 1
        if self.momentum is None and batches < 1:  # 1 / batches would divide by zero or weigh the batch negatively
            raise ValueError(
                f"{type(self).__name__}: num_batches_tracked is {batches - 1}, but a count of batches is >= 0; "
                "set it to 0 (or load a state that has it right)"
            )
        return 1 / batches if self.momentum is None else self.momentum

    def _check(self, x: Tensor) -> Tensor:
        """`x` as a Tensor (`layer_input`), refused unless of a shape this layer takes."""
        kind = type(self).__name__
        x = layer_input(kind, x)
        if x.ndim not in self.NDIMS:
            raise ShapeError(f"{kind} takes input of shape {self.INPUT}, got shape {x.shape}")
        if x.shape[1] != self.num_features:
            raise ShapeError(
                f"{kind}({self.num_features}) got input of shape {x.shape}, whose axis 1 has {x.shape[1]} "
                f"features; make num_features {x.shape[1]}, or give input with {self.num_features} on axis 1"
            )
        check_own_shapes(self, ("weight", "bias", "running_mean", "running_var"), (self.num_features,))
        return x

    def extra_repr(self) -> str:
        text = f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"
        text += _affine_repr("affine", self.weight, self.bias)
        return text + ("" if self.track_running_stats else ", track_running_stats=False")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of features (N, C) or of channels of sequences (N, C, L); weight 1 and
    bias 0 to start, the running mean 0 and variance 1. Its running statistics are buffers: saved
    in the state dict, never trained."""

    NDIMS = (2, 3)
    INPUT = "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of the channels of images (N, C, H, W); otherwise as BatchNorm1d."""

    NDIMS = (4,)
    INPUT = "(N, C, H, W)"


class BatchNorm3d(_BatchNorm):
    """Batch normalisation of the channels of volumes or video (N, C, D, H, W); otherwise as BatchNorm1d."""

    NDIMS = (5,)
    INPUT = "(N, C, D, H, W)"


class LayerNorm(Module):
    """Normalise each sample over its last axes, those of `normalized_shape` (an int: the last axis),
    by their mean and biased variance, in training and eval alike; then scale by weight (1 to start)
    and shift by bias (0), both of `normalized_shape`, unless `elementwise_affine` (or `bias`) is False."""

    parameter_slots = frozenset({"weight", "bias"})
    # eps: a finite number >= 0 (a negative one, NaN or inf make every output NaN; 0 is PyTorch's choice to allow)
    setting_checks = {
        "normalized_shape": lambda ln, shape: normalized_sizes(shape),
        "eps": lambda ln, eps: checked(ln, "eps", eps),
    }

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        dtype = factory_dtype("LayerNorm", device, dtype)
        weight, bias = affine_parameters("LayerNorm", elementwise_affine, bias, "elementwise_affine")
        self.normalized_shape, self.eps = normalized_shape, eps  # each checked (setting_checks)
        size = ("normalized_shape", self.normalized_shape)
        self.weight, self.bias = affine_tensors("LayerNorm", size, self.normalized_shape, (weight, bias), dtype)

    def forward(self, x: Tensor) -> Tensor:
        return layer_norm(sample_input(self, x), self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}" + _affine_repr("elementwise_affine", self.weight, self.bias)


class GroupNorm(Module):
    """Split the channels (axis 1 of input (N, C, ...)) into `num_groups` groups of consecutive
    channels and normalise each sample's group by its mean and biased variance, in training and
    eval alike; then scale and shift each channel (weight 1 and bias 0 to start) if `affine`."""

    parameter_slots = frozenset({"weight", "bias"})
    setting_checks = {
        "num_groups": lambda gn, n: check_count("GroupNorm", "num_groups", n),
        "num_channels": lambda gn, n: check_count("GroupNorm", "num_channels", n),
        "eps": LayerNorm.setting_checks["eps"],
    }

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        dtype = factory_dtype("GroupNorm", device, dtype)
        weight, bias = affine_parameters("GroupNorm", affine, bias)
        self.num_groups, self.num_channels, self.eps = num_groups, num_channels, eps  # each checked (setting_checks)
        check_groups(self)
        size = ("num_channels", self.num_channels)
        self.weight, self.bias = affine_tensors("GroupNorm", size, (self.num_channels,), (weight, bias), dtype)

    def forward(self, x: Tensor) -> Tensor:
        x = layer_input("GroupNorm", x)
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ShapeError(
                f"GroupNorm({self.num_groups}, {self.num_channels}) takes input of shape (N, {self.num_channels}, "
                f"...), got shape {x.shape}; make num_channels match axis 1 of the input"
            )
        check_groups(self)  # settings set one at a time are judged together here, as PyTorch's call does
        check_own_shapes(self, ("weight", "bias"), (self.num_channels,))
        return group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}" + _affine_repr(
            "affine", self.weight, self.bias
        )
