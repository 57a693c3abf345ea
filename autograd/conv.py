"""Convolution as users call it, with PyTorch's arguments: conv1d, conv2d, conv3d, conv_transpose1d,
conv_transpose2d, conv_transpose3d; the pools (max_pool2d, avg_pool2d and their 1-d and 3-d forms: autograd.pool;
the adaptive average pools: autograd.pool_adaptive) are named from here too.

Each checks its arguments and names what is wrong and how to fix it (a ShapeError for shapes that
do not fit, a ValueError for a bad number, a TypeError for the wrong kind of thing), then applies
the op table's entries (`op_table_conv`). conv1d and conv_transpose1d are their 2-d forms at height
1, so they need no rules of their own; the 3-d forms are the same code with one more axis. They take
Tensors (recording the graph) or arrays (computing only), as `autograd.exp` does.
"""

from __future__ import annotations

from typing import Any

from . import tensor_ops as ops
from .conv_args import (
    LAYOUTS,
    as_given,
    at_height_one,
    fits,
    groups_of,
    nonempty,
    on_both_sides,
    one_example_too,
    operand,
    padding_of,
    pair,
    rank,
    same_padding,  # noqa: F401 (public: nn's padding_mode extends its input by it)
    single,
    without_height,
)
from .conv_columns import Pair
from .conv_limits import check_transposed, check_windows
from .dtypes import REAL_KINDS

# the pools, named from here too (as before they had files of their own)
from .pool import avg_pool1d, avg_pool2d, avg_pool3d, max_pool1d, max_pool2d, max_pool3d  # noqa: F401
from .pool_adaptive import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d  # noqa: F401
from .tensor_ops import ShapeError

IntOrPair = int | tuple[int, int]
IntOrTriple = int | tuple[int, int, int]
# a kernel's axes for each number of spatial dimensions, as the messages name them
KERNEL_AXES = {1: "k", 2: "kh, kw", 3: "kd, kh, kw"}


@one_example_too(4)
def conv2d(
    x: Any,
    weight: Any,
    bias: Any = None,
    stride: IntOrPair = 1,
    padding: IntOrPair | str = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
) -> Any:
    """2-d cross-correlation, as torch.nn.functional.conv2d: x (batch, in, H, W), weight
    (out, in / groups, kh, kw), bias (out,) or None; padding an int, a pair, "valid" or "same"."""
    x, weight, layout = _operands("conv2d", x, weight, 2)
    nonempty("conv2d", "weight", weight, (0, 2, 3), layout)
    stride, dilation = pair("conv2d", "stride", stride), pair("conv2d", "dilation", dilation)
    return _conv("conv2d", x, weight, bias, stride, padding, dilation, groups)


@one_example_too(5)
def conv3d(
    x: Any,
    weight: Any,
    bias: Any = None,
    stride: IntOrTriple = 1,
    padding: IntOrTriple | str = 0,
    dilation: IntOrTriple = 1,
    groups: int = 1,
) -> Any:
    """3-d cross-correlation, as torch.nn.functional.conv3d: x (batch, in, D, H, W), weight
    (out, in / groups, kd, kh, kw), bias (out,) or None; padding an int, a triple, "valid" or "same"."""
    x, weight, layout = _operands("conv3d", x, weight, 3)
    nonempty("conv3d", "weight", weight, (0, 2, 3, 4), layout)
    stride, dilation = pair("conv3d", "stride", stride, dims=3), pair("conv3d", "dilation", dilation, dims=3)
    return _conv("conv3d", x, weight, bias, stride, padding, dilation, groups)


@one_example_too(3)
def conv1d(
    x: Any,
    weight: Any,
    bias: Any = None,
    stride: int = 1,
    padding: int | str = 0,
    dilation: int = 1,
    groups: int = 1,
) -> Any:
    """1-d cross-correlation, as torch.nn.functional.conv1d: x (batch, in, length), weight
    (out, in / groups, k): a conv2d of height 1."""
    x, weight, layout = _operands("conv1d", x, weight, 1)
    nonempty("conv1d", "weight", weight, (0, 2), layout)
    stride, dilation = single("conv1d", "stride", stride, 1), single("conv1d", "dilation", dilation, 1)
    if not isinstance(padding, str):
        padding = (0, single("conv1d", "padding", padding, 0))
    kernel = at_height_one(weight)
    out = _conv("conv1d", at_height_one(x), kernel, bias, (1, stride), padding, (1, dilation), groups)
    return without_height(out)


@one_example_too(4)
def conv_transpose2d(
    x: Any,
    weight: Any,
    bias: Any = None,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    output_padding: IntOrPair = 0,
    groups: int = 1,
    dilation: IntOrPair = 1,
) -> Any:
    """The adjoint of conv2d in its input (a "deconvolution"), as torch.nn.functional.conv_transpose2d:
    x (batch, in, H, W), weight (in, out / groups, kh, kw); the output's height is
    (H - 1) * stride - 2 * padding + dilation * (kh - 1) + output_padding + 1, and so its width."""
    fn = "conv_transpose2d"
    x, weight, _ = _operands(fn, x, weight, 2, transposed=True)
    stride, dilation = pair(fn, "stride", stride), pair(fn, "dilation", dilation)
    pad, extra = pair(fn, "padding", padding, 0), pair(fn, "output_padding", output_padding, 0)
    return _transposed(fn, x, weight, bias, stride, pad, extra, groups, dilation)


@one_example_too(5)
def conv_transpose3d(
    x: Any,
    weight: Any,
    bias: Any = None,
    stride: IntOrTriple = 1,
    padding: IntOrTriple = 0,
    output_padding: IntOrTriple = 0,
    groups: int = 1,
    dilation: IntOrTriple = 1,
) -> Any:
    """The adjoint of conv3d in its input, as torch.nn.functional.conv_transpose3d: x (batch, in, D, H, W),
    weight (in, out / groups, kd, kh, kw); each output axis as conv_transpose2d's."""
    fn = "conv_transpose3d"
    x, weight, _ = _operands(fn, x, weight, 3, transposed=True)
    stride, dilation = pair(fn, "stride", stride, dims=3), pair(fn, "dilation", dilation, dims=3)
    pad, extra = pair(fn, "padding", padding, 0, dims=3), pair(fn, "output_padding", output_padding, 0, dims=3)
    return _transposed(fn, x, weight, bias, stride, pad, extra, groups, dilation)


@one_example_too(3)
def conv_transpose1d(
    x: Any,
    weight: Any,
    bias: Any = None,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    groups: int = 1,
    dilation: int = 1,
) -> Any:
    """The adjoint of conv1d in its input, as torch.nn.functional.conv_transpose1d: x (batch, in, length),
    weight (in, out / groups, k): a conv_transpose2d of height 1."""
    fn = "conv_transpose1d"
    x, weight, layout = _operands(fn, x, weight, 1, transposed=True)
    nonempty(fn, "input", x, (2,), LAYOUTS[1])
    nonempty(fn, "weight", weight, (0, 1, 2), layout)
    stride, dilation = (1, single(fn, "stride", stride, 1)), (1, single(fn, "dilation", dilation, 1))
    pad, extra = (0, single(fn, "padding", padding, 0)), (0, single(fn, "output_padding", output_padding, 0))
    out = _transposed(fn, at_height_one(x), at_height_one(weight), bias, stride, pad, extra, groups, dilation)
    return without_height(out)


def _weight_layout(dims: int, transposed: bool) -> str:
    """A weight's axes: (out_channels, in_channels / groups, kh, kw); a transposed convolution's in and out
    channels swapped."""
    channels = "in_channels, out_channels" if transposed else "out_channels, in_channels"
    return f"({channels} / groups, {KERNEL_AXES[dims]})"


def _operands(fn: str, x: Any, weight: Any, dims: int, transposed: bool = False) -> tuple[Any, Any, str]:
    """The input and weight of a `dims`-d convolution as operands (`_summed`) of their rank, and the weight's
    layout; a transposed convolution's weight takes the input's channels along its first axis."""
    x, weight, layout = _summed(x, fn), _summed(weight, fn), _weight_layout(dims, transposed)
    rank(fn, "input", x, dims + 2, LAYOUTS[dims])
    rank(fn, "weight", weight, dims + 2, layout)
    if transposed and x.shape[1] != weight.shape[0]:
        raise ShapeError(
            f"{fn}: the input has {x.shape[1]} channels, but the weight {weight.shape} takes "
            f"{weight.shape[0]}: its first axis is the input's channels, (in, out / groups, {KERNEL_AXES[dims]})"
        )
    return x, weight, layout


def _transposed(
    fn: str, x: Any, weight: Any, bias: Any, stride: Pair, pad: Pair, extra: Pair, groups: Any, dilation: Pair
) -> Any:
    """conv_transpose2d of 4-d operands (conv_transpose1d's too) or conv_transpose3d of 5-d ones, after the
    checks that need their shapes."""
    # as PyTorch: an input of no rows or columns, or an empty weight, leaves an output no entry reaches
    dims = x.ndim - 2
    nonempty(fn, "input", x, tuple(range(2, 2 + dims)), LAYOUTS[dims])
    nonempty(fn, "weight", weight, tuple(range(2 + dims)), _weight_layout(dims, transposed=True))
    groups = groups_of(fn, groups, weight.shape[0], weight.shape[0])
    kernel = weight.shape[2:]
    if any(e >= s and e >= d for e, s, d in zip(extra, stride, dilation)):
        extra, stride, dilation = (as_given(fn, v) for v in (extra, stride, dilation))
        raise ValueError(
            f"{fn}: output_padding {extra} must be smaller than the stride {stride} or the dilation {dilation}"
            + ("" if fn.endswith("1d") else ", on each axis")
        )
    size = tuple(
        (n - 1) * s - 2 * p + d * (k - 1) + e + 1
        for n, s, p, d, k, e in zip(x.shape[2:], stride, pad, dilation, kernel, extra)
    )
    if min(size) < 1:
        raise ShapeError(
            f"{fn}: padding {as_given(fn, pad)} leaves an output of size {as_given(fn, size)}: use less padding"
        )
    check_transposed(x, weight, groups, stride, pad, dilation, size, fn)
    transposed = ops.conv_transpose2d if dims == 2 else ops.conv_transpose3d
    out = transposed(x, weight, stride=stride, padding=on_both_sides(pad), dilation=dilation, groups=groups, size=size)
    return _plus_bias(fn, out, bias, weight.shape[1] * groups)


def _conv(fn: str, x: Any, weight: Any, bias: Any, stride: Pair, padding: Any, dilation: Pair, groups: Any) -> Any:
    """conv2d of 4-d operands (conv1d's too) or conv3d of 5-d ones, after the checks that need their shapes."""
    groups = groups_of(fn, groups, x.shape[1], weight.shape[0])
    if x.shape[1] != weight.shape[1] * groups:
        takes, shape = weight.shape[1] * groups, as_given(fn, weight.shape)
        raise ShapeError(
            f"{fn}: the input has {x.shape[1]} channels (axis 1), but the weight of shape {shape} with "
            f"groups={groups} takes {takes}: give input of {takes} channels, or a weight whose second axis is "
            f"{x.shape[1] // groups} (in_channels / groups)"
        )
    kernel = weight.shape[2:]
    pads = padding_of(fn, padding, kernel, stride, dilation)
    fits(fn, x.shape[2:], kernel, pads, dilation)
    check_windows(fn, x, kernel, stride, pads, dilation, weight)
    convolved = ops.conv2d if len(kernel) == 2 else ops.conv3d
    out = convolved(x, weight, stride=stride, padding=pads, dilation=dilation, groups=groups)
    return _plus_bias(fn, out, bias, weight.shape[0])


# ---- checks: each names the function, the argument, and what it must be ----


def _plus_bias(fn: str, out: Any, bias: Any, channels: int) -> Any:
    if bias is None:
        return out
    bias = operand(bias, fn)
    if bias.shape != (channels,):
        raise ShapeError(f"{fn}: bias must have shape ({channels},), one per output channel, got {bias.shape}")
    return out + bias.reshape(1, channels, *(1,) * (out.ndim - 2))


def _summed(x: Any, fn: str) -> Any:
    """A convolution's input or weight: an operand, not of bools (refused, as PyTorch refuses them):
    numpy's GEMM of bools is a logical OR, so a convolution of ones gave True, not a count. The pools
    keep bools: a maximum of bools is their OR, exact, and an average casts them to floats, as integers."""
    x = operand(x, fn)
    if x.dtype.kind not in REAL_KINDS:
        raise TypeError(f"{fn} takes numbers, not bools (dtype {x.dtype}): convert them first, x.astype(np.float32)")
    return x
