"""Convolution and pooling as users call them, with PyTorch's arguments: conv1d, conv2d,
conv_transpose1d, conv_transpose2d, adaptive_avg_pool2d here; max_pool2d and avg_pool2d from
`autograd.pool`.

Each checks its arguments and names what is wrong and how to fix it (a ShapeError for shapes that
do not fit, a ValueError for a bad number, a TypeError for the wrong kind of thing), then applies
the op table's entries (`op_table_conv`). conv1d and conv_transpose1d are their 2-d forms at height
1, and adaptive_avg_pool2d a mean, an avg_pool2d or a mean per window along each axis, so they need
no rules of their own. They take Tensors (recording the graph) or arrays (computing only), as
`autograd.exp` does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import tensor_ops as ops
from .conv_args import (
    adaptive_size,
    fits,
    groups_of,
    nonempty,
    operand,
    padding_of,
    pair,
    rank,
    single,
)
from .conv_columns import Pair
from .conv_limits import check_memory, check_transposed, check_windows
from .dtypes import REAL_KINDS
from .pool import avg_pool2d, max_pool2d, mean_dtype  # noqa: F401 (max_pool2d: the pools are named from here too)
from .tensor_ops import ShapeError

IntOrPair = int | tuple[int, int]


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
    x, weight = _summed(x, "conv2d"), _summed(weight, "conv2d")
    rank("conv2d", "input", x, 4, "(batch, channels, height, width)")
    rank("conv2d", "weight", weight, 4, "(out_channels, in_channels / groups, kh, kw)")
    nonempty("conv2d", "weight", weight, (0, 2, 3), "(out_channels, in_channels / groups, kh, kw)")
    stride, dilation = pair("conv2d", "stride", stride), pair("conv2d", "dilation", dilation)
    return _conv("conv2d", x, weight, bias, stride, padding, dilation, groups)


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
    x, weight = _summed(x, "conv1d"), _summed(weight, "conv1d")
    rank("conv1d", "input", x, 3, "(batch, channels, length)")
    rank("conv1d", "weight", weight, 3, "(out_channels, in_channels / groups, k)")
    nonempty("conv1d", "weight", weight, (0, 2), "(out_channels, in_channels / groups, k)")
    stride, dilation = single("conv1d", "stride", stride, 1), single("conv1d", "dilation", dilation, 1)
    if not isinstance(padding, str):
        padding = (0, single("conv1d", "padding", padding, 0))
    (n, c, length), (o, cg, k) = x.shape, weight.shape
    rows = x.reshape(n, c, 1, length)
    out = _conv("conv1d", rows, weight.reshape(o, cg, 1, k), bias, (1, stride), padding, (1, dilation), groups)
    return out.reshape(n, o, out.shape[3])


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
    x, weight = _summed(x, fn), _summed(weight, fn)
    rank(fn, "input", x, 4, "(batch, channels, height, width)")
    rank(fn, "weight", weight, 4, "(in_channels, out_channels / groups, kh, kw)")
    _transposed_channels(fn, x, weight, "(in, out / groups, kh, kw)")
    stride, dilation = pair(fn, "stride", stride), pair(fn, "dilation", dilation)
    pad, extra = pair(fn, "padding", padding, 0), pair(fn, "output_padding", output_padding, 0)
    return _transposed(fn, x, weight, bias, stride, pad, extra, groups, dilation)


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
    x, weight = _summed(x, fn), _summed(weight, fn)
    rank(fn, "input", x, 3, "(batch, channels, length)")
    rank(fn, "weight", weight, 3, "(in_channels, out_channels / groups, k)")
    _transposed_channels(fn, x, weight, "(in, out / groups, k)")
    stride, dilation = (1, single(fn, "stride", stride, 1)), (1, single(fn, "dilation", dilation, 1))
    pad, extra = (0, single(fn, "padding", padding, 0)), (0, single(fn, "output_padding", output_padding, 0))
    (n, c, length), (i, o, k) = x.shape, weight.shape
    rows, kernel = x.reshape(n, c, 1, length), weight.reshape(i, o, 1, k)
    out = _transposed(fn, rows, kernel, bias, stride, pad, extra, groups, dilation)
    return out.reshape(n, out.shape[1], out.shape[3])


def _transposed_channels(fn: str, x: Any, weight: Any, layout: str) -> None:
    """A transposed convolution's weight takes the input's channels along its first axis."""
    if x.shape[1] != weight.shape[0]:
        raise ShapeError(
            f"{fn}: the input has {x.shape[1]} channels, but the weight {weight.shape} takes "
            f"{weight.shape[0]}: its first axis is the input's channels, {layout}"
        )


def _transposed(
    fn: str, x: Any, weight: Any, bias: Any, stride: Pair, pad: Pair, extra: Pair, groups: Any, dilation: Pair
) -> Any:
    """conv_transpose2d of 4-d operands (conv_transpose1d's too), after the checks that need their shapes."""
    # as PyTorch: an input of no rows or columns, or an empty weight, leaves an output no entry reaches
    nonempty(fn, "input", x, (2, 3), "(batch, channels, height, width)")
    nonempty(fn, "weight", weight, (0, 1, 2, 3), "(in_channels, out_channels / groups, kh, kw)")
    groups = groups_of(fn, groups, weight.shape[0], weight.shape[0])
    kernel = weight.shape[2:]
    if any(e >= s and e >= d for e, s, d in zip(extra, stride, dilation)):
        raise ValueError(
            f"{fn}: output_padding {extra} must be smaller than the stride {stride} or the dilation "
            f"{dilation}, on each axis"
        )
    size = tuple(
        (n - 1) * s - 2 * p + d * (k - 1) + e + 1
        for n, s, p, d, k, e in zip(x.shape[2:], stride, pad, dilation, kernel, extra)
    )
    if min(size) < 1:
        raise ShapeError(f"{fn}: padding {pad} leaves an output of size {size}: use less padding")
    check_transposed(x, weight, groups, stride, pad, dilation, size)
    out = ops.conv_transpose2d(
        x, weight, stride=stride, padding=((pad[0],) * 2, (pad[1],) * 2), dilation=dilation, groups=groups, size=size
    )
    return _plus_bias(fn, out, bias, weight.shape[1] * groups)


def adaptive_avg_pool2d(x: Any, output_size: int | tuple[int | None, int | None]) -> Any:
    """The mean over the windows giving `output_size`, as torch.nn.functional.adaptive_avg_pool2d (None
    in a pair keeps that axis's input size: `(None, 3)`): along an axis of length n, output i averages
    entries floor(i n / size) to ceil((i + 1) n / size) - 1. Each output reads its own window only, so
    an inf or NaN reaches only the outputs (and, backward, the inputs) it should, as in PyTorch: an
    avg_pool2d where the sizes divide, else means along each axis."""
    x = operand(x, "adaptive_avg_pool2d")
    rank("adaptive_avg_pool2d", "input", x, 4, "(batch, channels, height, width)")
    n, c, h, w = x.shape
    if not (h and w):  # every window would be empty: a mean of nothing
        raise ShapeError(f"adaptive_avg_pool2d needs an input of height and width at least 1, got shape {x.shape}")
    oh, ow = adaptive_size("adaptive_avg_pool2d", output_size, (h, w))
    # integers average to floats on every path (avg_pool2d's dtype, see mean_dtype), where the (1, 1)
    # path's numpy mean gave float64 and the others float32; PyTorch refuses integers here, but its
    # avg_pool2d takes int64, and one rule for both averages keeps nn.AdaptiveAvgPool2d on a raw image working
    x = x if x.dtype.kind == "f" else x.astype(mean_dtype(x))
    if (oh, ow) == (1, 1):
        return x.mean(axis=(2, 3), keepdims=True)
    if not (h % oh or w % ow):
        return avg_pool2d(x, (h // oh, w // ow))
    entries = _adaptive_entries(x.shape, (oh, ow))
    check_memory(
        "adaptive_avg_pool2d",
        f"an output of shape {(n, c, oh, ow)} and the arrays that make it",
        entries,
        x.dtype,
        "give a smaller output_size",
    )
    # each pass pools the leading axis of a contiguous matrix: its rows add as whole arrays, where a
    # mean along the short last axes of (batch, channels, h, w) loops in numpy over a few entries at a time
    heights = _window_means(ops.reshape(ops.transpose(x, axes=(2, 0, 1, 3)), shape=(h, n * c * w)), oh)
    across = ops.transpose(ops.reshape(heights, shape=(oh, n, c, w)), axes=(3, 0, 1, 2))
    widths = _window_means(ops.reshape(across, shape=(w, oh * n * c)), ow)
    return ops.transpose(ops.reshape(widths, shape=(ow, oh, n, c)), axes=(2, 3, 1, 0))


def _adaptive_entries(shape: tuple[int, ...], size: Pair) -> int:
    """At most the entries of every array adaptive pooling's means along each axis make, all alive at once
    in a recorded graph (about 4 times the output, where its first check counted the output alone): the
    input cast and laid out for the first pass, that pass's, the layout for the second, the second's."""
    n, c, h, w = shape
    oh, ow = size
    return 2 * n * c * h * w + _pass_entries(h, oh, n * c * w) + oh * n * c * w + _pass_entries(w, ow, oh * n * c)


def _pass_entries(length: int, size: int, m: int) -> int:
    """At most the entries `_window_means` makes pooling `length` rows of `m` into `size`: equal windows a
    mean alone; else the rows gathered (the windows' lengths add up to at most length + size - 1), their
    means, those joined and put in order, and the two indices (each kept by its op as a copy)."""
    return size * m if length % size == 0 else (length + 4 * size) * m + 4 * (length + size)


def _window_means(rows: Any, size: int) -> Any:
    """(size, m): the mean of each of adaptive pooling's `size` windows over the rows of (n, m), each
    window's own (a matrix of window weights would make 0 times an inf NaN in every output and gradient).
    The windows come in two or three lengths: those of one length are gathered at once, (count, length,
    m), and averaged together, then put back in order. A few ops whatever the size, where a loop over
    the windows made three graph nodes each and ran for minutes at a size of a million."""
    n, m = rows.shape
    if n % size == 0:  # equal windows side by side
        return ops.mean(ops.reshape(rows, shape=(size, n // size, m)), axis=1, keepdims=False)
    window = np.arange(size)
    starts = window * n // size
    lengths = -(-(window + 1) * n // size) - starts
    means, placed = [], []
    for length in np.unique(lengths):
        which = np.flatnonzero(lengths == length)
        gathered = ops.getitem(rows, index=starts[which, None] + np.arange(length))  # (count, length, m)
        means.append(ops.mean(gathered, axis=1, keepdims=False))
        placed.append(which)
    joined = ops.concatenate(*means, axis=0) if len(means) > 1 else means[0]
    return ops.getitem(joined, index=np.argsort(np.concatenate(placed)))


def _conv(fn: str, x: Any, weight: Any, bias: Any, stride: Pair, padding: Any, dilation: Pair, groups: Any) -> Any:
    """conv2d of 4-d operands (conv1d's too), after the checks that need their shapes."""
    groups = groups_of(fn, groups, x.shape[1], weight.shape[0])
    if x.shape[1] != weight.shape[1] * groups:
        takes = weight.shape[1] * groups
        raise ShapeError(
            f"{fn}: the input has {x.shape[1]} channels (axis 1), but the weight of shape {weight.shape} with "
            f"groups={groups} takes {takes}: give input of {takes} channels, or a weight whose second axis is "
            f"{x.shape[1] // groups} (in_channels / groups)"
        )
    kernel = weight.shape[2:]
    pads = padding_of(fn, padding, kernel, stride, dilation)
    fits(fn, x.shape[2:], kernel, pads, dilation)
    check_windows(fn, x, kernel, stride, pads, dilation, weight)
    out = ops.conv2d(x, weight, stride=stride, padding=pads, dilation=dilation, groups=groups)
    return _plus_bias(fn, out, bias, weight.shape[0])


# ---- checks: each names the function, the argument, and what it must be ----


def _plus_bias(fn: str, out: Any, bias: Any, channels: int) -> Any:
    if bias is None:
        return out
    bias = operand(bias, fn)
    if bias.shape != (channels,):
        raise ShapeError(f"{fn}: bias must have shape ({channels},), one per output channel, got {bias.shape}")
    return out + bias.reshape(1, channels, 1, 1)


def _summed(x: Any, fn: str) -> Any:
    """A convolution's input or weight: an operand, not of bools (refused, as PyTorch refuses them):
    numpy's GEMM of bools is a logical OR, so a convolution of ones gave True, not a count. The pools
    keep bools: a maximum of bools is their OR, exact, and an average casts them to floats, as integers."""
    x = operand(x, fn)
    if x.dtype.kind not in REAL_KINDS:
        raise TypeError(f"{fn} takes numbers, not bools (dtype {x.dtype}): convert them first, x.astype(np.float32)")
    return x
