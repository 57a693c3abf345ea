"""Adaptive max pooling, as PyTorch's: adaptive_max_pool2d, adaptive_max_pool1d (its form at height 1) and
adaptive_max_pool3d (the same code with one more axis), with return_indices.

The windows are adaptive_avg_pool2d's (along an axis of length n, output i reads entries floor(i n / size)
to ceil((i + 1) n / size) - 1; unequal and overlapping where the size does not divide n). Each window's
maximum is chosen as max_pool2d chooses it, PyTorch's rule for both pools: the first entry equal to it in
row-major order, or the window's last NaN. The output is x's entries gathered there (`getitem`), so the
gradient goes to them, added up where one entry is the maximum of overlapping windows (PyTorch's), and
every order of derivatives is getitem's. The places are data made of x's numbers: a compiled step that
pools so is told (it is not replayed with the recorded places).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from . import compile_read_hooks
from . import tensor_ops as ops
from .compile_record import RECORDING
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
from .conv_columns import Pair, lowest
from .conv_limits import check_memory
from .graph import Node, raw
from .modes import flag
from .tensor_ops import ShapeError


@one_example_too(4)
def adaptive_max_pool2d(x: Any, output_size: int | tuple[int | None, int | None], return_indices: bool = False) -> Any:
    """The maximum over the windows giving `output_size`, as torch.nn.functional.adaptive_max_pool2d (None
    in a pair keeps that axis's input size); with return_indices, (values, indices), each maximum's place
    in its (height * width) plane, int64, as PyTorch's."""
    x = operand(x, "adaptive_max_pool2d")
    rank("adaptive_max_pool2d", "input", x, 4, "(batch, channels, height, width)")
    indices = flag(return_indices, "adaptive_max_pool2d: return_indices")
    n, c, h, w = x.shape
    if not (h and w):  # every window would be empty: a maximum of nothing
        raise ShapeError(f"adaptive_max_pool2d needs an input of height and width at least 1, got shape {x.shape}")
    size = adaptive_size("adaptive_max_pool2d", output_size, (h, w))
    return _adaptive_max("adaptive_max_pool2d", x, size, indices)


@one_example_too(5)
def adaptive_max_pool3d(x: Any, output_size: Any, return_indices: bool = False) -> Any:
    """The maximum over the windows giving `output_size`, as torch.nn.functional.adaptive_max_pool3d: x
    (batch, channels, D, H, W), adaptive_max_pool2d's with one more axis; the indices count in each
    (D * H * W) volume."""
    x = operand(x, "adaptive_max_pool3d")
    rank("adaptive_max_pool3d", "input", x, 5, LAYOUTS[3])
    indices = flag(return_indices, "adaptive_max_pool3d: return_indices")
    if not all(x.shape[2:]):  # every window would be empty: a maximum of nothing
        raise ShapeError(
            f"adaptive_max_pool3d needs an input of depth, height and width at least 1, got shape {x.shape}"
        )
    size = adaptive_size("adaptive_max_pool3d", output_size, x.shape[2:])
    return _adaptive_max("adaptive_max_pool3d", x, size, indices)


@one_example_too(3)
def adaptive_max_pool1d(x: Any, output_size: int, return_indices: bool = False) -> Any:
    """The maximum over the windows giving `output_size`, as torch.nn.functional.adaptive_max_pool1d: x
    (batch, channels, length), an adaptive_max_pool2d of height 1."""
    x = operand(x, "adaptive_max_pool1d")
    rank("adaptive_max_pool1d", "input", x, 3, "(batch, channels, length)")
    indices = flag(return_indices, "adaptive_max_pool1d: return_indices")
    if x.shape[2] == 0:
        raise ShapeError(f"adaptive_max_pool1d needs an input of length at least 1, got shape {x.shape}")
    size = single("adaptive_max_pool1d", "output_size", output_size, 1)
    out = _adaptive_max("adaptive_max_pool1d", at_height_one(x), (1, size), indices)
    return tuple(map(without_height, out)) if indices else without_height(out)


def _adaptive_max(fn: str, x: Any, size: Pair, indices: bool) -> Any:
    """adaptive max pooling of x (batch, channels, *spatial), each spatial axis at least 1 long, to `size`,
    checked; (values, indices) where `indices`."""
    n, c, spatial = x.shape[0], x.shape[1], tuple(x.shape[2:])
    what = f"the windows of an output of shape {as_given(fn, (n, c, *size))}"
    # the output itself first: the windows below are arrays of output_size's length (10**9: 7.45 GiB)
    check_memory(fn, what, 3 * n * c * math.prod(size), x.dtype, "give a smaller output_size")
    windows = [_windows(length, o) for length, o in zip(spatial, size)]  # (starts, entries) per axis
    entries = n * c * math.prod(size) * math.prod(e.shape[1] for _, e in windows)
    check_memory(fn, what, 3 * entries, x.dtype, "give a smaller output_size")
    if RECORDING and isinstance(x, Node):  # the places come from x's numbers: a replay would reuse them
        compile_read_hooks.read_data(x, 4, by=fn)
    data = np.asarray(raw(x))
    which = _first_maxima(data, [e for _, e in windows])  # (n, c, *size): the entry of each window, row-major
    offsets = np.unravel_index(which, tuple(e.shape[1] for _, e in windows))
    place = np.zeros(which.shape, np.int64)
    for axis, ((starts, _), offset) in enumerate(zip(windows, offsets)):
        at = starts.reshape((-1,) + (1,) * (len(size) - 1 - axis)) + offset
        place = place * spatial[axis] + at
    flat = np.arange(n * c, dtype=np.int64).reshape(n, c, *(1,) * len(size)) * math.prod(spatial) + place
    values = ops.getitem(ops.reshape(x, shape=(-1,)), index=flat)
    if not indices:
        return values
    return values, type(values)(place) if isinstance(values, Node) else place


def _windows(length: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Each window's first entry along an axis (size,), and its entries (size, longest), -1 past its end."""
    i = np.arange(size)
    starts = i * length // size
    ends = -(-(i + 1) * length // size)
    entries = starts[:, None] + np.arange(int((ends - starts).max()))
    return starts, np.where(entries < ends[:, None], entries, -1)


def _first_maxima(data: np.ndarray, entries: list[np.ndarray]) -> np.ndarray:
    """(n, c, *size): the offset in each window (row-major over its longest extent along each axis) of its
    first maximum, or of its last NaN. `entries` per axis: (size, longest), -1 past a window's end."""
    dims = len(entries)
    size, longest = tuple(e.shape[0] for e in entries), tuple(e.shape[1] for e in entries)

    def along(axis: int, a: np.ndarray) -> np.ndarray:
        """An axis's (size, longest) array laid out over (*size, *longest), its own two axes in place."""
        shape = [1] * (2 * dims)
        shape[axis], shape[dims + axis] = a.shape
        return a.reshape(shape)

    inside = functools.reduce(np.logical_and, [along(a, e >= 0) for a, e in enumerate(entries)])
    windows = data[(slice(None), slice(None), *(along(a, np.maximum(e, 0)) for a, e in enumerate(entries)))]
    flat = windows.shape[:2] + size + (math.prod(longest),)  # (n, c, *size, entries)
    windows = windows.reshape(flat)
    inside = np.broadcast_to(inside, size + longest).reshape(flat[2:])
    windows = np.where(inside, windows, lowest(data.dtype))
    top = windows.max(axis=-1, keepdims=True)  # NaN where the window holds one
    first = np.argmax((windows == top) & inside, axis=-1)
    if data.dtype.kind != "f":
        return first
    nans = np.isnan(windows) & inside
    last_nan = flat[-1] - 1 - np.argmax(nans[..., ::-1], axis=-1)
    return np.where(nans.any(axis=-1), last_nan, first)
