"""Adaptive average pooling, as PyTorch's: adaptive_avg_pool2d, adaptive_avg_pool1d (its form at height 1)
and adaptive_avg_pool3d (the same code with one more axis). A mean, an average pool, or a mean per window
along each axis, so it needs no rule of its own."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import tensor_ops as ops
from .conv_args import (
    LAYOUTS,
    adaptive_size,
    as_given,
    at_height_one,
    one_example_too,
    operand,
    rank,
    single,
    without_height,
)
from .conv_columns import Pair
from .conv_limits import check_memory
from .half_precision import adding_in
from .pool import avg_pool_4d, mean_dtype
from .tensor_ops import ShapeError


@one_example_too(4)
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
    return _adaptive("adaptive_avg_pool2d", x, adaptive_size("adaptive_avg_pool2d", output_size, (h, w)))


@one_example_too(5)
def adaptive_avg_pool3d(x: Any, output_size: int | tuple[int | None, int | None, int | None]) -> Any:
    """The mean over the windows giving `output_size`, as torch.nn.functional.adaptive_avg_pool3d: x
    (batch, channels, D, H, W), each axis's windows adaptive_avg_pool2d's (None keeps that axis's size)."""
    x = operand(x, "adaptive_avg_pool3d")
    rank("adaptive_avg_pool3d", "input", x, 5, LAYOUTS[3])
    if not all(x.shape[2:]):  # every window would be empty: a mean of nothing
        raise ShapeError(
            f"adaptive_avg_pool3d needs an input of depth, height and width at least 1, got shape {x.shape}"
        )
    return _adaptive("adaptive_avg_pool3d", x, adaptive_size("adaptive_avg_pool3d", output_size, x.shape[2:]))


def _adaptive(fn: str, x: Any, size: Pair) -> Any:
    """adaptive average pooling of x (batch, channels, *spatial), each spatial axis at least 1 long, to
    `size`, checked; `fn` names the function (adaptive_avg_pool1d runs as the 2-d form at height 1)."""
    spatial = tuple(x.shape[2:])
    # integers average to floats on every path (avg_pool2d's dtype, see mean_dtype), where the (1, 1)
    # path's numpy mean gave float64 and the others float32; PyTorch refuses integers here, but its
    # avg_pool2d takes int64, and one rule for both averages keeps nn.AdaptiveAvgPool2d on a raw image working
    x = x if x.dtype.kind == "f" else x.astype(mean_dtype(x))
    if all(o == 1 for o in size):  # the mean op's (an array's numpy mean made four 1e308 inf)
        return ops.mean(x, axis=tuple(range(2, x.ndim)), keepdims=True)
    if not any(n % o for n, o in zip(spatial, size)):
        kernel = tuple(n // o for n, o in zip(spatial, size))
        return avg_pool_4d(fn, x, kernel, kernel, ((0, 0),) * len(kernel), False, True, None)
    entries = _adaptive_entries(x.shape, size)
    dtype, wide = x.dtype, adding_in(x.dtype)
    check_memory(
        fn,
        f"an output of shape {as_given(fn, (*x.shape[:2], *size))} and the arrays that make it",
        entries,
        wide,
        "give a smaller output_size",
    )
    # float16's passes run in float32, rounded once at the end, as PyTorch's one pass over each window:
    # the first pass's means rounded to float16 put the second's 149 units in the last place off
    return _uneven(x, size) if wide == dtype else _uneven(x.astype(wide), size).astype(dtype)


def _passes(dims: int) -> list[int]:
    """The order `_uneven` pools the spatial axes in: the first, then the last, then back to the second
    (each pass's layout is the previous one's with its last axis brought to the front)."""
    return [0, *range(dims - 1, 0, -1)]


def _uneven(x: Any, size: Pair) -> Any:
    """adaptive pooling of x to `size` by means along each axis: the windows of one of them at least differ."""
    dims = x.ndim - 2
    # each pass pools the leading axis of a contiguous matrix: its rows add as whole arrays, where a
    # mean along the short last axes of (batch, channels, *spatial) loops in numpy over a few entries at a time
    labels: list[Any] = [0, "n", "c", *range(1, dims)]  # what each axis of `y` is: a spatial axis, or n, c
    y = ops.transpose(x, axes=(2, 0, 1, *range(3, 2 + dims)))
    for step, axis in enumerate(_passes(dims)):
        if step:  # the last axis to the front: the next to pool
            y = ops.transpose(y, axes=(y.ndim - 1, *range(y.ndim - 1)))
            labels = labels[-1:] + labels[:-1]
        shape = y.shape
        means = _window_means(ops.reshape(y, shape=(shape[0], math.prod(shape[1:]))), size[axis])
        y = ops.reshape(means, shape=(size[axis], *shape[1:]))
    return ops.transpose(y, axes=tuple(labels.index(label) for label in ("n", "c", *range(dims))))


def _adaptive_entries(shape: tuple[int, ...], size: Pair) -> int:
    """At most the entries of every array adaptive pooling's means along each axis make, all alive at once
    in a recorded graph (about 4 times the output, where its first check counted the output alone): the
    input cast and laid out for the first pass, each pass's, and each layout for the next."""
    total = current = math.prod(shape)
    entries = 2 * total
    passes = _passes(len(size))
    for step, axis in enumerate(passes):
        length = shape[2 + axis]
        m = current // length
        entries += _pass_entries(length, size[axis], m)
        current = size[axis] * m
        if step < len(passes) - 1:
            entries += current
    return entries


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


@one_example_too(3)
def adaptive_avg_pool1d(x: Any, output_size: int) -> Any:
    """The mean over the windows giving `output_size`, as torch.nn.functional.adaptive_avg_pool1d: x
    (batch, channels, length), an adaptive_avg_pool2d of height 1."""
    x = operand(x, "adaptive_avg_pool1d")
    rank("adaptive_avg_pool1d", "input", x, 3, "(batch, channels, length)")
    if x.shape[2] == 0:
        raise ShapeError(f"adaptive_avg_pool1d needs an input of length at least 1, got shape {x.shape}")
    size = single("adaptive_avg_pool1d", "output_size", output_size, 1)
    return without_height(_adaptive("adaptive_avg_pool1d", at_height_one(x), (1, size)))
