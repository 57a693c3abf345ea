"""Instance normalisation, as PyTorch's: F.instance_norm and InstanceNorm1d/2d. Each sample's channel is
normalised by its own mean and biased variance over the spatial axes (layer_norm's and group_norm's
`standardize`, the same numbers as group_norm with one channel a group); running statistics, where kept,
move toward the batch's average of those per-instance statistics, the variance unbiased, as BatchNorm's."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, guard

from .arguments import check_flag, check_real, layer_input
from .norm import _BatchNorm
from .norm_functions import _scale_and_shift, by_running, moved, per_channel, standardize


def instance_norm(
    input: Tensor,  # noqa: A002 (PyTorch's name)
    running_mean: Any = None,
    running_var: Any = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """torch.nn.functional.instance_norm, input (N, C, ...): with `use_input_stats`, each (sample, channel)
    normalised by its mean and biased variance over the axes after 1, and the running statistics (arrays or
    Tensors (C,), or None) moved toward the batch's mean of them by `momentum`, in place, the variance
    unbiased; else by the running ones. Then times weight and plus bias (each (C,), or None)."""
    x = layer_input("instance_norm", input)
    use_input_stats = check_flag("instance_norm", "use_input_stats", use_input_stats)
    momentum = check_real("instance_norm", "momentum", momentum, 0, 1)
    eps = check_real("instance_norm", "eps", eps, 0)
    if x.ndim < 3:
        raise ShapeError(f"instance_norm takes input of shape (N, C, ...) with a spatial axis, got shape {x.shape}")
    stats, shape = per_channel("instance_norm", x, running_mean, running_var, weight, bias)
    if not use_input_stats:
        return by_running(x, stats, weight, bias, shape, eps, "instance_norm with use_input_stats=False")
    count = int(np.prod(x.shape[2:]))
    if count <= 1:  # one value is its own mean, normalised to 0 whatever it is
        raise ValueError(f"instance_norm needs more than one spatial value per channel, got input of shape {x.shape}")
    axes = tuple(range(2, x.ndim))
    kept = any(s is not None for s in stats)  # running statistics to move: only then is the std read (a look)
    y, mean, std = standardize(x, axes, eps, "instance_norm", keep_std=kept)
    if x.shape[0] and kept:
        unbiased = std**2 * (count / (count - 1))
        moved(stats, (mean.data.mean(axis=0).reshape(-1), unbiased.mean(axis=0).reshape(-1)), momentum)
    return _scale_and_shift(y, weight, bias, shape)


class _InstanceNorm(_BatchNorm):
    """What InstanceNorm1d and InstanceNorm2d share: BatchNorm's settings, parameters and buffers (saved in
    the state dict alike), PyTorch's defaults (affine=False, track_running_stats=False; bias=False keeps a
    weight alone); one example without its batch axis too. momentum=None moves no statistic (PyTorch's: it passes 0)."""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def forward(self, x: Tensor) -> Tensor:
        """Training, or no running statistics kept or tracked: each instance by its own statistics, the running
        ones updated in training if `track_running_stats`. Eval with running statistics tracked: by them.
        `track_running_stats` set False later normalises by the input in eval too, as PyTorch's InstanceNorm
        (its BatchNorm keeps the running ones); the statistics then stay as they are (PyTorch's still move)."""
        kind = type(self).__name__
        x = layer_input(kind, x)
        if x.ndim == self.NDIMS[0] - 1:  # one example
            return self.forward(x[None])[0]
        x = self._check(x)
        kept = "running_mean" in self._buffer_names
        use_input_stats = self.training or not (kept and self.track_running_stats)
        if not use_input_stats:
            guard(self, "statistics_updates")
        updating = self.training and self.track_running_stats and kept
        read = kept and (updating or not use_input_stats)
        stats = (self.running_mean, self.running_var) if read else (None, None)
        factor = (0.0 if self.momentum is None else self.momentum) if updating else 0.0
        y = instance_norm(x, *stats, self.weight, self.bias, use_input_stats, factor, self.eps)
        if updating:
            self.statistics_updates += 1
        return y

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.weight is not None}, "
            f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}"
        )


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of the channels of sequences (N, C, L), or of one (C, L)."""

    NDIMS = (3,)
    INPUT = "(N, C, L) or (C, L)"


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of the channels of images (N, C, H, W), or of one (C, H, W)."""

    NDIMS = (4,)
    INPUT = "(N, C, H, W) or (C, H, W)"


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of the channels of volumes (N, C, D, H, W), or of one (C, D, H, W)."""

    NDIMS = (5,)
    INPUT = "(N, C, D, H, W) or (C, D, H, W)"
