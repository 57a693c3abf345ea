"""Where a max pool's maxima are, as PyTorch's indices (max_pool2d's return_indices), and max_unpool1d,
max_unpool2d and max_unpool3d, which put values back at such indices in zeros.

An index is a position in its (height * width) plane ((depth * height * width) volume in 3-d), counted
without the padding, int64, as PyTorch's. max_unpool2d is the op table's `max_pool2d_grad` (values
written into zeros at the indices), whose rule gathers the gradient back from them: the gradient of each
input is the output's gradient at its index, PyTorch's, and every order of derivatives follows from that pair.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import compile_read_hooks
from . import tensor_ops as ops
from .compile_record import RECORDING
from .conv_args import LAYOUTS, as_given, at_height_one, operand, pair, rank, single, without_height
from .conv_columns import Padding, Pair
from .conv_limits import check_memory
from .graph import Node, raw
from .modes import short
from .op_table_conv import first_maxima
from .tensor_ops import ShapeError

IntOrPair = int | tuple[int, int]
IntOrTriple = int | tuple[int, int, int]


def where_maxima(
    x: Any, out: Any, kernel: Pair, stride: Pair, pads: Padding, dilation: Pair, by: str, depth: int = 5
) -> Any:
    """The int64 Tensor of where each window's maximum `out` lies in x's plane (the first in-bounds entry
    equal to it, or the window's last NaN: where max_pool2d's gradient goes). Data made of x's numbers: a
    compiled step is told (`by`: the pool's call, `depth`: the frame of its caller, as read_data counts them)."""
    if RECORDING and isinstance(x, Node):  # a replay would reuse the recorded indices
        compile_read_hooks.read_data(x, depth, by=by)
    data = np.asarray(raw(x))
    flat = first_maxima(data, np.asarray(raw(out)), kernel, stride, pads, dilation)
    indices = flat % math.prod(data.shape[2:])
    return type(out)(indices) if isinstance(out, Node) else indices  # a constant's pool: arrays, as its values


def max_unpool2d(
    input: Any,  # noqa: A002 (PyTorch's name)
    indices: Any,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    output_size: Any = None,
) -> Any:
    """max_pool2d's indices undone, as torch.nn.functional.max_unpool2d: zeros of the pooled input's size
    ((H - 1) * stride - 2 * padding + kernel_size per axis, or `output_size`, which may say up to a
    stride less or more, with or without the batch and channel sizes), holding each value of `input`
    at its index in its plane. (channels, height, width) without a batch axis too."""
    x, where, alone = _operands("max_unpool2d", input, indices, 4)
    kernel = pair("max_unpool2d", "kernel_size", kernel_size)
    stride = kernel if stride is None else pair("max_unpool2d", "stride", stride)
    pad = pair("max_unpool2d", "padding", padding, least=0)
    out = _unpool("max_unpool2d", x, where, kernel, stride, pad, output_size)
    return out[0] if alone else out


def max_unpool3d(
    input: Any,  # noqa: A002 (PyTorch's name)
    indices: Any,
    kernel_size: IntOrTriple,
    stride: IntOrTriple | None = None,
    padding: IntOrTriple = 0,
    output_size: Any = None,
) -> Any:
    """max_pool3d's indices undone, as torch.nn.functional.max_unpool3d: max_unpool2d's with one more axis,
    the indices counting in each (depth * height * width) volume. (channels, D, H, W) without a batch axis too."""
    x, where, alone = _operands("max_unpool3d", input, indices, 5)
    kernel = pair("max_unpool3d", "kernel_size", kernel_size, dims=3)
    stride = kernel if stride is None else pair("max_unpool3d", "stride", stride, dims=3)
    pad = pair("max_unpool3d", "padding", padding, least=0, dims=3)
    out = _unpool("max_unpool3d", x, where, kernel, stride, pad, output_size)
    return out[0] if alone else out


def max_unpool1d(
    input: Any,  # noqa: A002 (PyTorch's name)
    indices: Any,
    kernel_size: int,
    stride: int | None = None,
    padding: int = 0,
    output_size: Any = None,
) -> Any:
    """max_pool1d's indices undone, as torch.nn.functional.max_unpool1d: (batch, channels, length) or
    (channels, length), max_unpool2d's of height 1."""
    x, where, alone = _operands("max_unpool1d", input, indices, 3)
    kernel = (1, single("max_unpool1d", "kernel_size", kernel_size, 1))
    stride = kernel if stride is None else (1, single("max_unpool1d", "stride", stride, 1))
    pad = (0, single("max_unpool1d", "padding", padding, 0))
    out = _unpool("max_unpool1d", at_height_one(x), at_height_one(where), kernel, stride, pad, output_size)
    return without_height(out)[0] if alone else without_height(out)


def _operands(fn: str, input: Any, indices: Any, ndim: int) -> tuple[Any, np.ndarray, bool]:  # noqa: A002
    """The values (a Tensor, or a constant's array), the indices (an array of integers of the same shape),
    and whether they were one example's, given a batch axis of one here."""
    x = operand(input, fn)
    if RECORDING and isinstance(indices, Node):  # the index the op keeps is made of their numbers
        compile_read_hooks.read_data(indices, 3, by=fn)
    where = operand(indices, fn)
    where = np.asarray(raw(where))
    if where.dtype.kind not in "iu":
        raise TypeError(f"{fn}: indices must be integers (max_pool's return_indices), got dtype {where.dtype}")
    if x.ndim not in (ndim, ndim - 1):
        rank(fn, "input", x, ndim, LAYOUTS[ndim - 2])
    if where.shape != tuple(x.shape):
        raise ShapeError(f"{fn}: indices must have the input's shape {tuple(x.shape)}, got shape {where.shape}")
    if x.ndim == ndim - 1:  # one example: PyTorch's unbatched form
        return x[None], where[None], True
    return x, where, False


def _unpool(fn: str, x: Any, where: np.ndarray, kernel: Pair, stride: Pair, pad: Pair, output_size: Any) -> Any:
    """max_unpool2d of a 4-d x (max_unpool1d's at height 1) or max_unpool3d of a 5-d one, its arguments parsed."""
    n, c = x.shape[:2]
    size = _output_size(fn, tuple(x.shape[2:]), kernel, stride, pad, output_size)
    plane = math.prod(size)
    if where.size and (where.min() < 0 or where.max() >= plane):
        bad = int(where.min() if where.min() < 0 else where.max())
        raise IndexError(
            f"{fn}: index {bad} lies outside an output plane of {as_given(fn, size)} ({plane} entries): "
            "give the indices of the max pool whose output this undoes, and its input's size as output_size"
        )
    # the output first: a stride of 2**63 made a plane beyond int64, numpy's "Python int too large to convert to C long"
    check_memory(
        fn, f"an output of shape {as_given(fn, (n, c, *size))}", n * c * plane, x.dtype, "give a smaller stride"
    )
    flat = (np.arange(n * c, dtype=np.int64).reshape(n, c, *(1,) * len(size)) * plane + where).ravel()
    _check_repeats(fn, np.asarray(raw(x)).ravel(), flat)
    return ops.max_pool2d_grad(x, index=flat.reshape(x.shape), shape=(n, c, *size), overlapping=False)


def _check_repeats(fn: str, values: np.ndarray, flat: np.ndarray) -> None:
    """ValueError where two values go to one place and differ: which would be kept is no rule (PyTorch's
    is undefined). Overlapping windows' maxima repeat an index with one value each time, which is fine."""
    order = np.argsort(flat, kind="stable")
    placed = flat[order]
    same_place = np.flatnonzero(placed[1:] == placed[:-1])
    if not same_place.size:
        return
    a, b = values[order][same_place], values[order][same_place + 1]
    differ = (a != b) & ~(np.isnan(a) & np.isnan(b)) if values.dtype.kind == "f" else a != b
    if differ.any():
        k = same_place[np.flatnonzero(differ)[0]]
        raise ValueError(
            f"{fn}: two values ({short(a[k].item())} and {short(b[k].item())}) have the same index: one place "
            "cannot hold both; repeated indices must carry equal values (as overlapping max pool windows give)"
        )


def _output_size(fn: str, size: Pair, kernel: Pair, stride: Pair, pad: Pair, output_size: Any) -> Pair:
    """The unpooled plane's size: the default, or output_size within a stride of it (PyTorch's bounds)."""
    default = tuple((n - 1) * s - 2 * p + k for n, s, p, k in zip(size, stride, pad, kernel))
    if output_size is None:
        if min(default) < 1:
            raise ValueError(f"{fn}: the output would be of size {as_given(fn, default)}: use less padding")
        return default  # type: ignore[return-value]
    one_d = fn.endswith("1d")
    given = tuple(output_size) if isinstance(output_size, tuple | list) else (output_size,)
    axes = 1 if one_d else len(size)
    if len(given) == axes + 2:  # with the batch and channel sizes, as PyTorch takes them
        given = given[2:]
    if len(given) != axes:
        raise TypeError(
            f"{fn}: output_size must be {axes} ints (or {axes + 2}, with batch and channels), got {short(output_size)}"
        )
    wanted = ((1,) if one_d else ()) + tuple(single(fn, "output_size", n, 1) for n in given)
    for n, d, s in zip(wanted, default, stride):
        if not d - s < n < d + s:
            raise ValueError(
                f"{fn}: output_size {short(output_size)} must be within a stride of {as_given(fn, default)} "
                f"(from {as_given(fn, tuple(m - t + 1 for m, t in zip(default, stride)))} to "
                f"{as_given(fn, tuple(m + t - 1 for m, t in zip(default, stride)))})"
            )
    return wanted  # type: ignore[return-value]
