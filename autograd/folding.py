"""unfold and fold as users call them, with PyTorch's arguments (torch.nn.functional.unfold and fold):
each checks its arguments and applies the op table's entry (autograd.op_table_fold)."""

from __future__ import annotations

from typing import Any

from . import tensor_ops as ops
from .conv_args import fits, on_both_sides, one_example_too, operand, pair, rank
from .conv_columns import Padding, Pair
from .conv_limits import check_memory
from .op_table_fold import windows
from .tensor_ops import ShapeError

IntOrPair = int | tuple[int, int]


@one_example_too(4)
def unfold(
    input: Any,  # noqa: A002 (PyTorch's name)
    kernel_size: IntOrPair,
    dilation: IntOrPair = 1,
    padding: IntOrPair = 0,
    stride: IntOrPair = 1,
) -> Any:
    """The sliding windows of a batch of images as columns, as torch.nn.functional.unfold: (N, C, H, W)
    gives (N, C * kh * kw, L), each column one window's entries (channel by channel, each the kernel's
    rows in order), L windows row by row; padding counts as zeros. (C, H, W) gives (C * kh * kw, L)."""
    x = operand(input, "unfold")
    rank("unfold", "input", x, 4, "(batch, channels, height, width)")
    kernel, dilation, pads, stride = _geometry("unfold", kernel_size, dilation, padding, stride)
    fits("unfold", x.shape[2:], kernel, pads, dilation)
    n, c = x.shape[:2]
    out = windows(x.shape[2:], kernel, dilation, pads, stride)
    entries = n * c * kernel[0] * kernel[1] * out[0] * out[1]
    check_memory(
        "unfold",
        f"an output of shape {(n, c * kernel[0] * kernel[1], out[0] * out[1])}",
        entries,
        x.dtype,
        "give a smaller kernel, padding or a larger stride",
    )
    return ops.unfold(x, kernel=kernel, dilation=dilation, padding=pads, stride=stride)


@one_example_too(3)
def fold(
    input: Any,  # noqa: A002 (PyTorch's name)
    output_size: IntOrPair,
    kernel_size: IntOrPair,
    dilation: IntOrPair = 1,
    padding: IntOrPair = 0,
    stride: IntOrPair = 1,
) -> Any:
    """unfold's columns added back into images, as torch.nn.functional.fold: (N, C * kh * kw, L) gives
    (N, C, *output_size), each entry of a column added where unfold would read it (so overlapping
    windows add up: fold(unfold(x)) is x times the count of windows holding each entry); the padding is
    cut off. L must be the count of windows of output_size. (C * kh * kw, L) gives (C, H, W)."""
    cols = operand(input, "fold")
    rank("fold", "input", cols, 3, "(batch, channels * kh * kw, windows)")
    size = pair("fold", "output_size", output_size)
    kernel, dilation, pads, stride = _geometry("fold", kernel_size, dilation, padding, stride)
    n, rows, count = cols.shape
    if rows % (kernel[0] * kernel[1]):
        raise ShapeError(
            f"fold: input of shape {cols.shape} has {rows} rows, not a multiple of the kernel's "
            f"{kernel[0]} * {kernel[1]} entries: give the kernel_size that unfolded it"
        )
    fits("fold", size, kernel, pads, dilation)
    out = windows(size, kernel, dilation, pads, stride)
    if count != out[0] * out[1]:
        raise ShapeError(
            f"fold: input of shape {cols.shape} has {count} windows, where output_size {size} with this "
            f"kernel, dilation, padding and stride has {out[0]} * {out[1]} = {out[0] * out[1]}"
        )
    padded = n * rows // (kernel[0] * kernel[1]) * (size[0] + sum(pads[0])) * (size[1] + sum(pads[1]))
    check_memory("fold", "the padded output", padded, cols.dtype, "give less padding")
    return ops.fold(cols, size=size, kernel=kernel, dilation=dilation, padding=pads, stride=stride)


def _geometry(fn: str, kernel_size: Any, dilation: Any, padding: Any, stride: Any) -> tuple[Pair, Pair, Padding, Pair]:
    """The kernel, dilation, padding (on both sides) and stride, each an int or a pair, checked."""
    kernel = pair(fn, "kernel_size", kernel_size)
    dilation = pair(fn, "dilation", dilation)
    pads = on_both_sides(pair(fn, "padding", padding, least=0))
    return kernel, dilation, pads, pair(fn, "stride", stride)
