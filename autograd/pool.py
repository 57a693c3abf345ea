"""max_pool2d and avg_pool2d as users call them, with PyTorch's arguments (ceil_mode, count_include_pad,
divisor_override too), max_pool1d and avg_pool1d, their forms at height 1, and max_pool3d and avg_pool3d,
the same code with one more axis.

Each checks its arguments (autograd.conv_args) and applies the op table's entry of its name (the 1-d forms
the 2-d ones': op_table_conv's max pools, op_table_pool's average pools, each window's sum divided once by its
count, right where the sum passes the largest float but the mean fits). ceil_mode is padding added after
the input, as many rows and columns as the last window (one that starts inside the input) needs: -inf
to the maximum, zeros to the sum, and never counted by the average (PyTorch's).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import tensor_ops as ops
from .conv_args import (
    at_height_one,
    fits,
    one_example_too,
    operand,
    pair,
    pool_geometry,
    single,
    windows_meet_input,
    without_height,
)
from .conv_columns import Padding, Pair
from .conv_limits import check_windows
from .modes import flag, short
from .pool_indices import where_maxima
from .shape_args import is_int

IntOrPair = int | tuple[int, int]
IntOrTriple = int | tuple[int, int, int]


@one_example_too(4)
def max_pool2d(
    x: Any,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The maximum of each window, as torch.nn.functional.max_pool2d (stride defaults to the kernel
    size; padding counts as -inf; ceil_mode keeps a last, partial window). Its gradient goes to each
    window's first maximum inside the input, or to the last NaN of a window holding NaN, as PyTorch's;
    a window wholly in the padding is refused. return_indices=True gives (values, indices): where each
    maximum is, as an int64 index into its (height * width) plane, PyTorch's (for max_unpool2d)."""
    x = operand(x, "max_pool2d")
    kernel, stride, pads = pool_geometry("max_pool2d", x, kernel_size, stride, padding)
    dilation = pair("max_pool2d", "dilation", dilation)
    return _max_pool("max_pool2d", x, kernel, stride, pads, dilation, ceil_mode, return_indices)


@one_example_too(5)
def max_pool3d(
    x: Any,
    kernel_size: IntOrTriple,
    stride: IntOrTriple | None = None,
    padding: IntOrTriple = 0,
    dilation: IntOrTriple = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The maximum of each window, as torch.nn.functional.max_pool3d: x (batch, channels, D, H, W), each
    option max_pool2d's with one more axis; return_indices' indices count in the (D * H * W) volume."""
    x = operand(x, "max_pool3d")
    kernel, stride, pads = pool_geometry("max_pool3d", x, kernel_size, stride, padding, dims=3)
    dilation = pair("max_pool3d", "dilation", dilation, dims=3)
    return _max_pool("max_pool3d", x, kernel, stride, pads, dilation, ceil_mode, return_indices)


@one_example_too(3)
def max_pool1d(
    x: Any,
    kernel_size: int,
    stride: int | None = None,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The maximum of each window, as torch.nn.functional.max_pool1d: x (batch, channels, length), a
    max_pool2d of height 1."""
    x = operand(x, "max_pool1d")
    kernel, stride, pads = pool_geometry("max_pool1d", x, kernel_size, stride, padding, dims=1)
    dilation = (1, single("max_pool1d", "dilation", dilation, 1))
    out = _max_pool("max_pool1d", at_height_one(x), kernel, stride, pads, dilation, ceil_mode, return_indices)
    return tuple(map(without_height, out)) if isinstance(out, tuple) else without_height(out)


def _max_pool(
    fn: str, x: Any, kernel: Pair, stride: Pair, pads: Padding, dilation: Pair, ceil_mode: Any, return_indices: Any
) -> Any:
    """max_pool2d of a 4-d x (max_pool1d's too) or max_pool3d of a 5-d one, after its arguments are parsed."""
    indices = flag(return_indices, f"{fn}: return_indices")
    # after ceil_mode's padding: its one window may reach past the input and the padding (PyTorch's)
    pads = _ceil_padding(fn, x.shape[2:], kernel, stride, pads, dilation, ceil_mode)
    fits(fn, x.shape[2:], kernel, pads, dilation)
    check_windows(fn, x, kernel, stride, pads, dilation)
    windows_meet_input(fn, x.shape[2:], kernel, stride, pads, dilation)
    pooled = ops.max_pool2d if len(kernel) == 2 else ops.max_pool3d
    out = pooled(x, kernel=kernel, stride=stride, padding=pads, dilation=dilation)
    if not indices:
        return out
    return out, where_maxima(x, out, kernel, stride, pads, dilation, f"{fn}(return_indices=True)")


@one_example_too(4)
def avg_pool2d(
    x: Any,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Any:
    """The mean of each window, as torch.nn.functional.avg_pool2d: padding counts as zeros, and in the
    count too unless count_include_pad=False; ceil_mode's extra rows and columns never count;
    divisor_override divides every window's sum by that number instead."""
    x = operand(x, "avg_pool2d")
    kernel, stride, pads = pool_geometry("avg_pool2d", x, kernel_size, stride, padding)
    return avg_pool_4d("avg_pool2d", x, kernel, stride, pads, ceil_mode, count_include_pad, divisor_override)


@one_example_too(5)
def avg_pool3d(
    x: Any,
    kernel_size: IntOrTriple,
    stride: IntOrTriple | None = None,
    padding: IntOrTriple = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Any:
    """The mean of each window, as torch.nn.functional.avg_pool3d: x (batch, channels, D, H, W), each
    option avg_pool2d's with one more axis."""
    x = operand(x, "avg_pool3d")
    kernel, stride, pads = pool_geometry("avg_pool3d", x, kernel_size, stride, padding, dims=3)
    return avg_pool_4d("avg_pool3d", x, kernel, stride, pads, ceil_mode, count_include_pad, divisor_override)


@one_example_too(3)
def avg_pool1d(
    x: Any,
    kernel_size: int,
    stride: int | None = None,
    padding: int = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Any:
    """The mean of each window, as torch.nn.functional.avg_pool1d: x (batch, channels, length), an
    avg_pool2d of height 1 (PyTorch's avg_pool1d has no divisor_override)."""
    x = operand(x, "avg_pool1d")
    kernel, stride, pads = pool_geometry("avg_pool1d", x, kernel_size, stride, padding, dims=1)
    out = avg_pool_4d("avg_pool1d", at_height_one(x), kernel, stride, pads, ceil_mode, count_include_pad, None)
    return without_height(out)


def avg_pool_4d(
    fn: str, x: Any, kernel: Pair, stride: Pair, pads: Padding, ceil_mode: Any, count_include_pad: Any, divisor: Any
) -> Any:
    """avg_pool2d of a 4-d x (avg_pool1d's and an adaptive pool's too, `fn` naming it) or avg_pool3d of a
    5-d one, its arguments parsed."""
    if x.dtype == np.float16:  # its sums and shares in float32, rounded once at the end, as PyTorch's CPU kernels
        out = avg_pool_4d(fn, x.astype(np.float32), kernel, stride, pads, ceil_mode, count_include_pad, divisor)
        return out.astype(np.float16)
    include = flag(count_include_pad, f"{fn}: count_include_pad")
    divisor = _divisor_override(divisor, fn)
    undilated = (1,) * len(kernel)
    pads = _ceil_padding(fn, x.shape[2:], kernel, stride, pads, undilated, ceil_mode)
    fits(fn, x.shape[2:], kernel, pads, undilated)
    check_windows(fn, x, kernel, stride, pads, undilated, dtype=mean_dtype(x))
    x = x if x.dtype.kind == "f" else x.astype(mean_dtype(x))
    # each window's sum divided once, as PyTorch's: a kernel of 1/count rounded each entry's share, which lost the
    # subnormals' bits (the mean of [5e-324, 5e-324] was 0, of three 3e-45 in float32 4e-45 for 3e-45) and was an
    # ulp off elsewhere; a sum past the largest float divided before it is scaled back (op_table_pool), so that
    # four 1e308 average to 1e308, not PyTorch's inf
    pooled = ops.avg_pool2d if len(kernel) == 2 else ops.avg_pool3d
    return pooled(x, kernel=kernel, stride=stride, padding=pads, count_include_pad=include, divisor_override=divisor)


def mean_dtype(x: Any) -> np.dtype:
    """An average's dtype: x's floating dtype (float16 stays float16), floats for integers."""
    return x.dtype if x.dtype.kind == "f" else np.result_type(x.dtype, np.float32)


def _ceil_padding(
    fn: str, size: tuple[int, ...], kernel: Pair, stride: Pair, pads: Padding, dilation: Pair, ceil_mode: Any
) -> Padding:
    """`pads` with, under ceil_mode, the rows and columns after the input that PyTorch's last window
    reaches: its output has ceil((n + 2p - span) / s) + 1 windows, less one if the last would start
    past the input and the padding before it (so every window starts inside the input). A kernel
    longer than the padded input by less than the stride so still has one window, as in PyTorch."""
    if not flag(ceil_mode, f"{fn}: ceil_mode"):
        return pads
    grown = []
    for n, k, s, (before, after), d in zip(size, kernel, stride, pads, dilation):
        span = d * (k - 1) + 1
        count = -(-(n + before + after - span) // s) + 1
        if (count - 1) * s >= n + before:
            count -= 1
        grown.append((before, after + max(0, (count - 1) * s + span - (n + before + after))))
    return tuple(grown)  # type: ignore[return-value]


def _divisor_override(value: Any, fn: str) -> int | None:
    """None, or a nonzero int (PyTorch's: it divides each window's sum)."""
    if value is None:
        return None
    if not is_int(value):
        raise TypeError(f"{fn}: divisor_override must be an int or None, got {short(value)}")
    if value == 0:
        raise ValueError(f"{fn}: divisor_override must not be 0 (it divides each window's sum): give None")
    return int(value)
