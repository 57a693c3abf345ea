"""Convolutional layers on Tensor, as PyTorch's: Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d,
ConvTranspose3d, Flatten (and the pooling layers of nn.pool, named here too).

Weights are held in PyTorch's layout and under its names (`weight`, `bias`), so state dicts,
nn.save files and nn.export's PyTorch state dicts carry them as they are. Initialisation is
PyTorch's default: weight and bias uniform in +-1/sqrt(fan_in) (Kaiming uniform with a = sqrt(5)).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import (
    ShapeError,
    Tensor,
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
    repr_of,
    type_name,
)

from .arguments import check_axis, check_count, check_flag, is_int, kept_size, layer_input
from .arguments_factory import factory_dtype
from .conv_output_size import output_padding_for
from .conv_padding import check_mode, extended
from .layer_trial import OPTION_DEFAULTS, tried
from .module import Module
from .parameter import check_parameters
from .pool import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d  # noqa: F401 (a CNN's layers, named together)
from .rng import generator


def _count(owner: str, name: str, n: Any) -> int:
    """`n` as an int, once check_count (nn's one check of sizes) has taken it: an int of at least 1."""
    return check_count(owner, name, n)


def _kernel(owner: str, size: Any, dims: int) -> tuple[int, ...]:
    wanted = f"an int or {'one int' if dims == 1 else f'{dims} ints'}"  # not "1 ints" (Conv1d)
    if not (is_int(size) or isinstance(size, tuple | list)):
        raise TypeError(f"{owner}: kernel_size must be {wanted}, got {type_name(size)} {size!r}")
    sizes = (size,) * dims if is_int(size) else tuple(size)
    if len(sizes) != dims:
        raise ValueError(f"{owner}: kernel_size must be {wanted}, got {repr_of(size)}")
    return tuple(_count(owner, "kernel_size", k) for k in sizes)


def _uniform(rng: np.random.Generator, shape: tuple[int, ...], fan_in: int, dtype: Any) -> Tensor:
    bound = 1 / math.sqrt(fan_in)
    return Tensor(rng.uniform(-bound, bound, shape).astype(dtype), requires_grad=True, dtype=dtype)


SPATIAL_AXES = {1: ("length",), 2: ("height", "width"), 3: ("depth", "height", "width")}  # after the channels


class _Conv(Module):
    """What the convolutions and the transposed ones share: channel checks, PyTorch's initialisation, the repr."""

    transposed = False
    parameter_slots = frozenset({"weight", "bias"})
    option_names: tuple[str, ...] = ("stride", "padding", "dilation")
    # kept as kept_size makes them, set later too (`conv.stride = np.array([2, 2])`: (2, 2)); the
    # functional checks them at each call
    setting_checks = dict.fromkeys(option_names, lambda conv, value: kept_size(value))
    setting_checks["padding_mode"] = lambda conv, mode: check_mode(type(conv).__name__, mode, conv.transposed)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel: tuple[int, ...],
        groups: int,
        bias: bool,
        dtype: Any,  # factory_dtype's: the device checked
        seed: int | None,
        options: dict[str, Any],
        padding_mode: str = "zeros",
    ) -> None:
        owner = type(self).__name__
        self.padding_mode = check_mode(owner, padding_mode, self.transposed)
        in_channels, out_channels = (
            _count(owner, "in_channels", in_channels),
            _count(owner, "out_channels", out_channels),
        )
        groups = _count(owner, "groups", groups)
        bias = check_flag(owner, "bias", bias)
        if in_channels % groups or out_channels % groups:
            raise ValueError(
                f"{owner}: groups={groups} must divide in_channels ({in_channels}) and out_channels ({out_channels})"
            )
        shape = (in_channels, out_channels // groups) if self.transposed else (out_channels, in_channels // groups)
        fan_in = shape[1] * math.prod(kernel)  # PyTorch's: the weight's second axis times the kernel
        sizes = {"in_channels": in_channels, "out_channels": out_channels, "kernel_size": kernel}
        check_parameters(owner, sizes, [(*shape, *kernel)] + [(out_channels,)] * bias, dtype)
        rng = generator(seed, owner)
        self.weight = _uniform(rng, (*shape, *kernel), fan_in, dtype)
        self.bias = _uniform(rng, (out_channels,), fan_in, dtype) if bias else None
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        for name, value in options.items():  # stride, padding, ...: attributes, as PyTorch's, read at each call
            setattr(self, name, value)
        tried(self, kernel, self.options(), len(kernel), in_channels, dtype)

    def checked_input(self, x: Any) -> Tensor:
        """x as a Tensor; one whose channel axis (1, or 0 without a batch axis) is not the layer's in_channels is a
        ShapeError naming the layer, as Linear's: the functional's names conv2d and a weight the learner never
        wrote. An input of another rank is left to the functional, which names the shapes it takes."""
        name = type(self).__name__
        x = x if x.__class__ is Tensor else layer_input(name, x)
        dims = self.weight.ndim - 2
        if x.ndim not in (dims + 1, dims + 2):
            return x
        takes = self.weight.shape[0] if self.transposed else self.weight.shape[1] * self.groups
        got = x.shape[x.ndim - dims - 1]
        if got != takes:
            axes = ("batch",) * (x.ndim == dims + 2) + ("channels",) + SPATIAL_AXES[dims]
            kernel = tuple(self.weight.shape[2:])
            raise ShapeError(
                f"{name}({takes}, {self.out_channels}, kernel_size={kernel}) takes inputs of {takes} channels (axis "
                f"{x.ndim - dims - 1} of ({', '.join(axes)})), got an input of shape {x.shape} ({got} "
                f"channel{'s' * (got != 1)}: make the layer's in_channels {got}, or give it inputs of {takes} channels)"
            )
        return x

    def options(self) -> dict[str, Any]:
        """The geometry the functional is given (stride, padding, ...), as the attributes hold it now."""
        return {name: getattr(self, name) for name in self.option_names}

    def extra_repr(self) -> str:
        """PyTorch's: channels, kernel_size and stride, then what differs from the defaults, as tuples."""
        kernel = tuple(self.weight.shape[2:])
        as_tuple = lambda v: (v,) * len(kernel) if is_int(v) else v  # noqa: E731
        shown = [f"{self.in_channels}, {self.out_channels}", f"kernel_size={kernel}"]
        shown += [
            f"{name}={value}" if isinstance(value, str) else f"{name}={as_tuple(value)!r}"  # padding=same, as PyTorch
            for name, value in self.options().items()
            if name == "stride" or as_tuple(value) != as_tuple(OPTION_DEFAULTS[name])
        ]
        if self.groups != 1:
            shown.append(f"groups={self.groups}")
        if self.bias is None:
            shown.append("bias=False")
        if self.padding_mode != "zeros":
            shown.append(f"padding_mode={self.padding_mode}")
        return ", ".join(shown)


class _Forward(_Conv):
    """What Conv1d, Conv2d and Conv3d share: PyTorch's arguments, in its order; they differ in their axes."""

    dims = 2
    conv = staticmethod(conv2d)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, ...],
        stride: int | tuple[int, ...] = 1,
        padding: int | tuple[int, ...] | str = 0,
        dilation: int | tuple[int, ...] = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
        *,
        seed: int | None = None,
    ) -> None:
        kernel = _kernel(type(self).__name__, kernel_size, self.dims)
        options = {"stride": stride, "padding": padding, "dilation": dilation}
        dtype = factory_dtype(type(self).__name__, device, dtype)
        super().__init__(in_channels, out_channels, kernel, groups, bias, dtype, seed, options, padding_mode)

    def forward(self, x: Tensor) -> Tensor:
        x, options = extended(
            type(self).__name__, self.checked_input(x), self.padding_mode, self.options(), self.weight.shape[2:]
        )
        return self.conv(x, self.weight, self.bias, groups=self.groups, **options)


class Conv2d(_Forward):
    """y = conv2d(x, weight) + bias, x (batch, in_channels, H, W); weight (out, in / groups, kh, kw)."""


class Conv1d(_Forward):
    """y = conv1d(x, weight) + bias, x (batch, in_channels, length); weight (out, in / groups, k)."""

    dims = 1
    conv = staticmethod(conv1d)


class Conv3d(_Forward):
    """y = conv3d(x, weight) + bias, x (batch, in_channels, D, H, W); weight (out, in / groups, kd, kh, kw):
    volumes and video, as PyTorch's."""

    dims = 3
    conv = staticmethod(conv3d)


class _Transposed(_Conv):
    """What ConvTranspose1d, ConvTranspose2d and ConvTranspose3d share: PyTorch's arguments, in its order."""

    transposed = True
    dims = 2
    option_names = ("stride", "padding", "dilation", "output_padding")  # PyTorch's order in its repr
    setting_checks = {**_Conv.setting_checks, **dict.fromkeys(option_names, _Conv.setting_checks["stride"])}

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, ...],
        stride: int | tuple[int, ...] = 1,
        padding: int | tuple[int, ...] = 0,
        output_padding: int | tuple[int, ...] = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: int | tuple[int, ...] = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
        *,
        seed: int | None = None,
    ) -> None:
        kernel = _kernel(type(self).__name__, kernel_size, self.dims)
        options = {"stride": stride, "padding": padding, "output_padding": output_padding, "dilation": dilation}
        dtype = factory_dtype(type(self).__name__, device, dtype)
        super().__init__(in_channels, out_channels, kernel, groups, bias, dtype, seed, options, padding_mode)

    def forward(self, x: Tensor, output_size: Any = None) -> Tensor:
        """The transposed convolution of x; `output_size` (PyTorch's: the output's spatial sizes, or its whole
        shape) picks the output's size where a stride above 1 leaves it open, in place of output_padding."""
        options, x = self.options(), self.checked_input(x)
        if output_size is not None:
            kernel = tuple(self.weight.shape[2:])
            options["output_padding"] = output_padding_for(type(self).__name__, x, output_size, options, kernel)
        return self.conv(x, self.weight, self.bias, groups=self.groups, **options)


class ConvTranspose2d(_Transposed):
    """The adjoint of a Conv2d in its input (upsampling), x (batch, in_channels, H, W); weight
    (in, out / groups, kh, kw), PyTorch's layout."""

    conv = staticmethod(conv_transpose2d)


class ConvTranspose1d(_Transposed):
    """The adjoint of a Conv1d in its input (upsampling), x (batch, in_channels, length); weight
    (in, out / groups, k), PyTorch's layout."""

    dims = 1
    conv = staticmethod(conv_transpose1d)


class ConvTranspose3d(_Transposed):
    """The adjoint of a Conv3d in its input (upsampling volumes), x (batch, in_channels, D, H, W); weight
    (in, out / groups, kd, kh, kw), PyTorch's layout."""

    dims = 3
    conv = staticmethod(conv_transpose3d)


class Flatten(Module):
    """Axes start_dim..end_dim merged into one: (batch, C, H, W) -> (batch, C*H*W) by default."""

    setting_checks = {
        name: lambda flatten, axis, name=name: check_axis("Flatten", name, axis) for name in ("start_dim", "end_dim")
    }

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        x = layer_input("Flatten", x)
        for name, axis in (("start_dim", self.start_dim), ("end_dim", self.end_dim)):
            if not -x.ndim <= axis < x.ndim:
                raise ShapeError(f"Flatten: {name} {axis} is not an axis of input of shape {x.shape}")
        start, end = self.start_dim % x.ndim, self.end_dim % x.ndim
        if start > end:
            raise ValueError(
                f"Flatten: start_dim {self.start_dim} comes after end_dim {self.end_dim} for {x.ndim} axes"
            )
        merged = math.prod(x.shape[start : end + 1])  # spelled out, not -1: a batch of 0 has none to infer from
        return x.reshape(*x.shape[:start], merged, *x.shape[end + 1 :])

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
