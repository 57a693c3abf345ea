"""The normalisations as torch.nn.functional's: layer_norm, batch_norm, group_norm; the layers of
nn/norm.py call them (one place for each computation). Built from Tensor ops, so the gradient flows
through the statistics too."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, raw, repr_of, type_name

from .arguments import check_count, check_flag, check_real, layer_input
from .norm_roots import normal_slices, plain_root_is_right, subnormal_deviations
from .norm_settings import normalized_sizes


def layer_norm(
    x: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """torch.nn.functional.layer_norm: each sample normalised over its last axes, those of
    `normalized_shape`, by their mean and biased variance; then times weight and plus bias (each of
    `normalized_shape`, or None)."""
    x, shape = normalized_input("layer_norm", x, normalized_shape)
    eps = check_real("layer_norm", "eps", eps, 0)
    _check_affine("layer_norm", weight, bias, shape)
    y, _, _ = standardize(x, tuple(range(x.ndim - len(shape), x.ndim)), eps, "layer_norm", keep_std=False)
    return _scale_and_shift(y, weight, bias, shape)


def normalized_input(owner: str, x: Any, normalized_shape: Any) -> tuple[Tensor, tuple[int, ...]]:
    """layer_norm's and rms_norm's input as a Tensor and normalized_shape as sizes, refused unless these are
    the input's last axes."""
    x, shape = layer_input(owner, x), normalized_sizes(normalized_shape, owner)
    if x.shape[-len(shape) :] != shape:
        raise ShapeError(
            f"{owner}: normalized_shape {shape} must be the last axes of the input, got input of shape {x.shape}"
        )
    return x, shape


def group_norm(
    x: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None, eps: float = 1e-5
) -> Tensor:
    """torch.nn.functional.group_norm: the channels (axis 1 of input (N, C, ...)) split into `num_groups`
    groups of consecutive channels, each sample's group normalised by its mean and biased variance; then
    each channel times weight and plus bias (each (C,), or None)."""
    x, num_groups = layer_input("group_norm", x), check_count("group_norm", "num_groups", num_groups)
    eps = check_real("group_norm", "eps", eps, 0)
    if x.ndim < 2 or x.shape[1] % num_groups:
        raise ShapeError(
            f"group_norm takes input (N, C, ...) whose C is divisible by num_groups ({num_groups}), got shape {x.shape}"
        )
    _check_affine("group_norm", weight, bias, (x.shape[1],))
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    if x.size == 0:  # a batch of 0: nothing to normalise (numpy's mean of nothing would warn)
        return _scale_and_shift(x, weight, bias, shape)
    y, _, _ = standardize(x.reshape(x.shape[0], num_groups, -1), (2,), eps, "group_norm", keep_std=False)
    return _scale_and_shift(y.reshape(x.shape), weight, bias, shape)


def batch_norm(
    x: Tensor,
    running_mean: Any,
    running_var: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """torch.nn.functional.batch_norm, input (N, C, ...): with `training`, each channel normalised by
    the batch's mean and biased variance over every axis but 1, and the running statistics (arrays or
    Tensors of shape (C,), or None: not kept) moved toward the batch's by `momentum`, in place, the
    variance unbiased; else by the running ones. Then times weight and plus bias (each (C,), or None)."""
    x = layer_input("batch_norm", x)
    training = check_flag("batch_norm", "training", training)
    momentum, eps = check_real("batch_norm", "momentum", momentum, 0, 1), check_real("batch_norm", "eps", eps, 0)
    if x.ndim < 2:
        raise ShapeError(f"batch_norm takes input of shape (N, C, ...), got shape {x.shape}")
    stats, shape = per_channel("batch_norm", x, running_mean, running_var, weight, bias)
    if not training:
        return by_running(x, stats, weight, bias, shape, eps, "batch_norm with training=False")
    count = x.size // x.shape[1]
    if count <= 1:  # no mean of nothing; one value is its own mean (and has no unbiased variance)
        raise ValueError(f"batch_norm in training needs more than one value per channel, got input of shape {x.shape}")
    kept = any(s is not None for s in stats)  # running statistics to move: only then is the std read (a look)
    y, mean, std = standardize(x, (0, *range(2, x.ndim)), eps, "batch_norm", keep_std=kept)
    if kept:
        moved(stats, (mean.data.reshape(-1), std.reshape(-1) ** 2 * (count / (count - 1))), momentum)
    return _scale_and_shift(y, weight, bias, shape)


def per_channel(owner: str, x: Tensor, running_mean: Any, running_var: Any, weight: Any, bias: Any) -> tuple:
    """What batch_norm and instance_norm check alike of their (N, C, ...) input's per-channel arguments: the
    running statistics (as `_statistics` takes them, None where not kept) and the shape (1, C, 1, ...) they
    and the affine parameters broadcast in."""
    channels = (x.shape[1],)
    given = (("running_mean", running_mean), ("running_var", running_var))
    stats = [_statistics(name, s, channels, owner) for name, s in given]
    _check_affine(owner, weight, bias, channels)
    return stats, (1, *channels) + (1,) * (x.ndim - 2)


def by_running(x: Tensor, stats: Sequence[Any], weight: Any, bias: Any, shape: tuple, eps: float, how: str) -> Tensor:
    """x normalised by the running statistics `stats` (both needed: a ValueError saying `how` the call asked
    for them), then scaled and shifted."""
    if any(s is None for s in stats):
        raise ValueError(f"{how} normalises by running_mean and running_var: give both")
    mean, var = (raw(s).reshape(shape) for s in stats)
    return _scale_and_shift((x - mean) / np.sqrt(var + eps), weight, bias, shape)


def moved(stats: Sequence[Any], batch: Sequence[np.ndarray], momentum: float) -> None:
    """Each running statistic kept (not None) moved toward the batch's by `momentum`, in place."""
    for s, values in zip(stats, batch):
        if s is not None:
            _write(s, (1 - momentum) * raw(s) + momentum * values)


def standardize(
    x: Tensor, axes: tuple[int, ...], eps: float, kind: str, keep_std: bool = True
) -> tuple[Tensor, Tensor, np.ndarray | None]:
    """(x - mean) / sqrt(var + eps) over `axes`, with the mean and the biased std (an array; both kept as
    axes of size 1; the std None unless `keep_std`: reading it makes a compiled evaluation's data). float16
    is standardized in float32, as PyTorch's half layers do: its squares overflow from deviations of 256, and
    a mean rounded to it is off by units of the spread.
    sqrt(var + eps) where that is right (`_plain_variance_is_right`: most inputs); else the root is
    hypot(std, sqrt(eps)), std the 2-norm of the deviations (an op right wherever it fits) over √n: var + eps
    overflowed for deviations of 1.3e154 (refused) and underflowed to 0 for deviations of 1e-200 with eps 0
    (outputs inf, not ±1). Deviations whose 2-norm overflows are refused (`kind`'s error). A replay of a
    compiled step checks that its variances take the path recorded (else it runs eagerly)."""
    if x.dtype == np.float16:
        y, mean, spread = standardize(x.astype(np.float32), axes, eps, kind, keep_std)
        return y.astype(np.float16), mean, spread
    centered, mean = _deviations(x, axes)
    count = math.prod(x.shape[a] for a in axes)
    with np.errstate(over="ignore", under="ignore"):  # squares past the range: a first try, the hypot path redoes it
        var = (centered * centered).mean(axis=axes, keepdims=True)
    if plain_root_is_right(var, eps, count) and not subnormal_deviations(centered, var, axes):
        # the std read from var only where the caller keeps it (batch_norm's running statistics): a read of var's
        # numbers makes it data a compiled evaluation cannot make again
        return centered / (var + eps).sqrt(), mean, np.sqrt(raw(var)) if keep_std else None
    of = "deviations from the mean"
    centered, mean, norm, scale = normal_slices(x, (centered, mean), lambda x: _deviations(x, axes), axes, kind, of)
    root_count = math.sqrt(count)
    # an array: the running statistics read it, no op recorded
    spread = raw(norm) / root_count / scale if keep_std else None
    return centered / (norm.hypot(root_count * math.sqrt(eps) * scale) * (1 / root_count)), mean, spread


def _deviations(x: Tensor, axes: tuple[int, ...]) -> tuple[Tensor, Tensor]:
    mean = x.mean(axis=axes, keepdims=True)
    return x - mean, mean


def _scale_and_shift(y: Tensor, weight: Tensor | None, bias: Tensor | None, shape: tuple[int, ...]) -> Tensor:
    """y * weight + bias, the affine parameters reshaped to `shape` to broadcast against y."""
    if weight is not None:
        y = y * weight.reshape(shape)
    return y + bias.reshape(shape) if bias is not None else y


def _check_affine(owner: str, weight: Any, bias: Any, shape: tuple[int, ...]) -> None:
    """ShapeError unless weight and bias (each a Tensor, or None) are of `shape`."""
    for name, value in (("weight", weight), ("bias", bias)):
        if value is None:
            continue
        if not isinstance(value, Tensor):
            raise TypeError(f"{owner}: {name} must be a Tensor or None, got {type_name(value)}")
        if value.shape != shape:
            raise ShapeError(f"{owner}: {name} must be of shape {shape}, got {value.shape}")


def _statistics(name: str, value: Any, shape: tuple[int, ...], owner: str) -> Any:
    """A running statistic of batch_norm (or instance_norm, the `owner`): None, or a floating array or
    Tensor (not requiring grad) of `shape`. Of another dtype than the input, numpy's promotion applies
    (PyTorch's refuses it)."""
    if value is None:
        return None
    if not isinstance(value, np.ndarray | Tensor) or value.dtype.kind != "f":
        raise TypeError(
            f"{owner}: {name} must be a floating-point array or Tensor, or None, got {repr_of(value)}"[:200]
        )
    if isinstance(value, Tensor) and value.requires_grad:
        raise TypeError(f"{owner}: {name} is a statistic, updated in place: give one that does not require grad")
    if value.shape != shape:
        raise ShapeError(f"{owner}: {name} must be of shape {shape} (one per channel), got {value.shape}")
    return value


def _write(buffer: np.ndarray | Tensor, values: np.ndarray) -> None:
    """buffer[...] = values, through a Tensor over the buffer (in its dtype: no copy), whose version
    counts the change: a step being compiled (autograd.compile) learns so, and runs eagerly, since a
    replay would not make the change."""
    (buffer if isinstance(buffer, Tensor) else Tensor(buffer, dtype=buffer.dtype))[...] = values
