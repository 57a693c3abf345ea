"""The normalisations as torch.nn.functional's: layer_norm, batch_norm, group_norm; the layers of
nn/norm.py call them (one place for each computation). Built from Tensor ops, so the gradient flows
through the statistics too."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, raw, type_name, validate

from .arguments import check_count, check_flag, check_real, layer_input
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
    y, _, _ = standardize(x, tuple(range(x.ndim - len(shape), x.ndim)), eps, "layer_norm")
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
    y, _, _ = standardize(x.reshape(x.shape[0], num_groups, -1), (2,), eps, "group_norm")
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
    y, mean, std = standardize(x, (0, *range(2, x.ndim)), eps, "batch_norm")
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


def standardize(x: Tensor, axes: tuple[int, ...], eps: float, kind: str) -> tuple[Tensor, Tensor, np.ndarray]:
    """(x - mean) / sqrt(var + eps) over `axes`, with the mean and the biased std (an array; both kept as
    axes of size 1). float16 is standardized in float32, as PyTorch's half layers do: its squares
    overflow from deviations of 256, and a mean rounded to it is off by units of the spread.
    sqrt(var + eps) where that is right (`_plain_variance_is_right`: most inputs); else the root is
    hypot(std, sqrt(eps)), std the 2-norm of the deviations (an op right wherever it fits) over √n: var + eps
    overflowed for deviations of 1.3e154 (refused) and underflowed to 0 for deviations of 1e-200 with eps 0
    (outputs inf, not ±1). Deviations whose 2-norm overflows are refused (`kind`'s error). A replay of a
    compiled step checks that its variances take the path recorded (else it runs eagerly)."""
    if x.dtype == np.float16:
        y, mean, std = standardize(x.astype(np.float32), axes, eps, kind)
        return y.astype(np.float16), mean, std
    centered, mean = _deviations(x, axes)
    count = math.prod(x.shape[a] for a in axes)
    with np.errstate(over="ignore", under="ignore"):  # squares past the range: a first try, the hypot path redoes it
        var = (centered * centered).mean(axis=axes, keepdims=True)
    if plain_root_is_right(var, eps, count) and not subnormal_deviations(centered, var, axes):
        return centered / (var + eps).sqrt(), mean, np.sqrt(raw(var))
    of = "deviations from the mean"
    centered, mean, norm, scale = normal_slices(x, (centered, mean), lambda x: _deviations(x, axes), axes, kind, of)
    root_count = math.sqrt(count)
    std = raw(norm) / root_count / scale  # an array: batch_norm's running statistics read it, no op recorded
    return centered / (norm.hypot(root_count * math.sqrt(eps) * scale) * (1 / root_count)), mean, std


def _deviations(x: Tensor, axes: tuple[int, ...]) -> tuple[Tensor, Tensor]:
    mean = x.mean(axis=axes, keepdims=True)
    return x - mean, mean


def subnormal_deviations(centered: Tensor, var: Tensor, axes: tuple[int, ...]) -> bool:
    """Whether some slice's deviations from the mean are subnormal, all of them (not all 0): their squares underflow,
    so its variance is 0, and they have few digits, the mean rounded to the subnormals' grid (layer_norm of
    [5e-324, 5e-324, 1e-323] with eps 1e-300 was 100% off, with eps 1e-5 100 ulps): the hypot path scales them.
    A look at the deviations only where a variance is 0; a replay of a compiled step checks that its variances
    are 0 where the recorded ones were, and then its deviations too (else it runs eagerly)."""
    zero = _holds_zero(raw(var))
    validate(lambda v: same_path("variances", zero, _holds_zero(raw(v))), var)
    if not zero:
        return False
    found = _all_subnormal(raw(centered), axes)
    validate(lambda v: same_path("deviations", found, _all_subnormal(raw(v), axes)), centered)
    return found


def _holds_zero(var: np.ndarray) -> bool:
    return bool(var.min(initial=np.inf) == 0)


def _all_subnormal(centered: np.ndarray, axes: tuple[int, ...]) -> bool:
    top = np.abs(centered).max(axis=axes, initial=0.0)
    return bool(((top > 0) & (top < np.finfo(centered.dtype).tiny)).any())


def normal_slices(
    x: Tensor,
    first: tuple[Tensor, Tensor | None],
    values_of: Callable[[Tensor], tuple[Tensor, Tensor | None]],
    axes: tuple[int, ...],
    kind: str,
    of: str,
) -> tuple[Tensor, Tensor | None, Tensor, np.ndarray | float]:
    """What a hypot root is taken of, and its 2-norms over `axes`, in normal floats: `first`, values_of(x) (the
    deviations from the mean and the mean for standardize, x and None for rms_norm), and again values_of(x·scale)
    where some norm is subnormal (`subnormal_scale`), the mean scaled back: (values, mean, norms, scale), scale
    1.0 where none is. A norm that overflows is refused (`refuse_infinite`, `of` what)."""
    values, mean = first
    norm = values.norm(2, dim=axes, keepdim=True)
    validate(lambda v: refuse_infinite(kind, raw(v), of), norm)  # each replay of a compiled step checks it too
    scale = subnormal_scale(norm)
    if scale is None:
        return values, mean, norm, 1.0
    values, mean = values_of(x * scale)  # those slices again: their values normal floats, all digits kept
    return values, None if mean is None else mean / scale, values.norm(2, dim=axes, keepdim=True), np.asarray(scale)


def subnormal_scale(norm: Tensor) -> np.ndarray | None:
    """Per slice of a hypot path's 2-norms (of deviations, or rms_norm's values), 2^(mantissa bits + 2) where
    the norm is subnormal, else 1; None where none is (most inputs). A subnormal norm, and the mean and the
    deviations under it, have few digits (layer_norm of [1e-320, 3e-320, 4e-320] with eps 0 was 6e-4 off,
    rms_norm's 8e-5): scaled so, every entry of such a slice is a normal float (exactly), and the result, which
    the scale cancels out of (eps scaled too), keeps all its digits. A replay of a compiled step checks that its
    norms ask for the same scales (else it runs eagerly)."""
    scale = _subnormal_scale(raw(norm))
    validate(lambda v: same_path("subnormal norms", True, _same(_subnormal_scale(raw(v)), scale)), norm)
    return scale


def _subnormal_scale(norm: np.ndarray) -> np.ndarray | None:
    small = (norm > 0) & (norm < np.finfo(norm.dtype).tiny)
    if not small.any():
        return None
    return np.where(small, 2.0 ** (np.finfo(norm.dtype).nmant + 2), 1.0).astype(norm.dtype)


def _same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    return a is b or (a is not None and b is not None and np.array_equal(a, b))


def plain_root_is_right(mean_square: Tensor, eps: float, count: int, floor: float = 0.0) -> bool:
    """Whether sqrt(mean_square + eps) (a variance's, or rms_norm's mean of squares, over `count` entries) is right
    to rounding (`_plain_variance_is_right`), and each mean_square + eps at least `floor`; else the caller takes
    the hypot root. A replay of a compiled step checks that its mean squares take the path recorded (else it
    runs eagerly)."""
    plain = _plain_variance_is_right(raw(mean_square), eps, count, floor)
    validate(lambda v: same_path("variances", plain, _plain_variance_is_right(raw(v), eps, count, floor)), mean_square)
    return plain


def _plain_variance_is_right(var: np.ndarray, eps: float, count: int, floor: float = 0.0) -> bool:
    """Whether sqrt(var + eps), var the mean of the squared deviations, is right to rounding: var + eps finite
    (no square overflowed, and neither past half the largest float), and what squares lost below the floats (at
    most `count` times the least subnormal) under half a unit of var + eps (eps or every variance at least 2**54
    times that), and var + eps at least `floor` in each slice (rms_norm's). Two reductions of the small var; NaN
    fails them (the hypot path gives NaN too)."""
    lost, half = count * float(np.finfo(var.dtype).smallest_subnormal) * 2.0**54, np.finfo(var.dtype).max / 2
    top = var.max(initial=0.0)  # var and eps each at most half the largest float: their sum fits (eps 1e308 did not)
    least = var.min(initial=np.inf)
    return bool(top <= half and eps <= half and (eps >= lost or least >= lost) and least + eps >= floor)


def same_path(what: str, recorded: bool, now: bool) -> None:
    """For a compiled replay's `validate`: ValueError (the replay then runs the step eagerly) where this call's
    `what` (its variances, norms) take another path than the recorded call's."""
    if recorded != now:
        raise ValueError(f"the {what} of this call take another path than the recorded ones: run eagerly")


def refuse_infinite(kind: str, norm: np.ndarray, of: str = "deviations from the mean") -> None:
    """ValueError for an infinite 2-norm: only finite input whose 2-norm overflows gives one (an infinite or NaN
    deviation from the mean is NaN, and the outputs NaN, as in PyTorch)."""
    if np.isinf(norm).any():
        raise ValueError(
            f"{kind}: the 2-norm of the {of} of its input overflows {norm.dtype} (above "
            f"{np.finfo(norm.dtype).max:.2g}): the activations before it have blown up; lower the learning rate, "
            "or train in float64 (model.double())"
        )


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
        raise TypeError(f"{owner}: {name} must be a floating-point array or Tensor, or None, got {value!r}"[:200])
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
