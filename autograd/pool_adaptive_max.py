"""Adaptive max pooling, as PyTorch's: adaptive_max_pool2d and adaptive_max_pool1d (its form at height 1),
with return_indices.

The windows are adaptive_avg_pool2d's (along an axis of length n, output i reads entries floor(i n / size)
to ceil((i + 1) n / size) - 1; unequal and overlapping where the size does not divide n). Each window's
maximum is chosen as max_pool2d chooses it, PyTorch's rule for both pools: the first entry equal to it in
row-major order, or the window's last NaN. The output is x's entries gathered there (`getitem`), so the
gradient goes to them, added up where one entry is the maximum of overlapping windows (PyTorch's), and
every order of derivatives is getitem's. The places are data made of x's numbers: a compiled step that
pools so is told (it is not replayed with the recorded places).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import compile_read_hooks
from . import tensor_ops as ops
from .compile_record import RECORDING
from .conv_args import adaptive_size, as_given, at_height_one, one_example_too, operand, rank, single, without_height
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
    """adaptive_max_pool2d of a 4-d x of height and width at least 1 to `size`, checked; (values,
    indices) where `indices`."""
    n, c, h, w = x.shape
    (row_starts, rows), (column_starts, columns) = _windows(h, size[0]), _windows(w, size[1])
    entries = n * c * size[0] * size[1] * rows.shape[1] * columns.shape[1]
    check_memory(
        fn,
        f"the windows of an output of shape {as_given(fn, (n, c, *size))}",
        3 * entries,
        x.dtype,
        "give a smaller output_size",
    )
    if RECORDING and isinstance(x, Node):  # the places come from x's numbers: a replay would reuse them
        compile_read_hooks.read_data(x, 4, by=fn)
    data = np.asarray(raw(x))
    which = _first_maxima(data, rows, columns)  # (n, c, oh, ow): the entry of each window, row-major
    r = row_starts[:, None] + which // columns.shape[1]
    q = column_starts + which % columns.shape[1]
    place = r * w + q
    flat = np.arange(n * c, dtype=np.int64).reshape(n, c, 1, 1) * (h * w) + place
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


def _first_maxima(data: np.ndarray, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """(n, c, oh, ow): the offset in each window (row-major over its longest rows and columns) of its first
    maximum, or of its last NaN."""
    n, c = data.shape[:2]
    (oh, kh), (ow, kw) = rows.shape, columns.shape
    inside = ((rows >= 0)[:, :, None, None] & (columns >= 0)[None, None]).transpose(0, 2, 1, 3).reshape(oh, ow, -1)
    windows = data[:, :, np.maximum(rows, 0)[:, :, None, None], np.maximum(columns, 0)[None, None]]
    windows = windows.transpose(0, 1, 2, 4, 3, 5).reshape(n, c, oh, ow, kh * kw)  # (n, c, oh, ow, entries)
    windows = np.where(inside, windows, lowest(data.dtype))
    top = windows.max(axis=-1, keepdims=True)  # NaN where the window holds one
    first = np.argmax((windows == top) & inside, axis=-1)
    if data.dtype.kind != "f":
        return first
    nans = np.isnan(windows) & inside
    last_nan = kh * kw - 1 - np.argmax(nans[..., ::-1], axis=-1)
    return np.where(nans.any(axis=-1), last_nan, first)
