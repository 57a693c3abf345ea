"""grid_sample, as torch.nn.functional.grid_sample: the input (N, C, H, W) or (N, C, D, H, W) read at the
points of a grid (N, *out, 2 or 3) of coordinates in [-1, 1] (x first, then y, then z), by "bilinear"
("trilinear" in 3-d), "nearest" or "bicubic" (4-d) interpolation, with padding_mode "zeros", "border" or
"reflection" for points outside. Built from autograd's differentiable ops (products, sums) and one pair
of its own: every corner's pixels looked up at once by flat index (`pixels_at`), whose gradient adds them
back by np.bincount (`pixels_added`), each the other's rule; so the gradients w.r.t. the input and the grid,
and their second derivatives, are those ops' rules.

A coordinate is read as PyTorch 2.13's CPU kernels read it: unnormalised to the input's pixels, then
clipped (border: at the edge and beyond, the gradient is 0) or reflected about the edges (reflection: the
gradient's sign flips with each reflection) and clipped; bicubic pads each of its 16 taps so instead. A
coordinate that is NaN (or an infinity where no position follows from it: reflected, mixed with its
neighbours under zeros, or bicubic's) gives NaN for its point, with a NaN gradient w.r.t. its grid entries
and none to the input: PyTorch gives NaN for those under zeros with bilinear; under border and reflection
it reads memory outside the input (a crash, or a number from nowhere); its nearest with zeros gives 0 for
a NaN (see docs/edge-points.md)."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from autograd import Op, ShapeError, Tensor, check_memory, pad, stack, where

from .arguments import check_choice, check_flag, layer_input
from .upsample import cubic_weights

MODES = ("bilinear", "nearest", "bicubic")
PADDING_MODES = ("zeros", "border", "reflection")
_LAYOUTS = {
    4: "(N, C, H, W) with a grid (N, H_out, W_out, 2)",
    5: "(N, C, D, H, W) with a grid (N, D_out, H_out, W_out, 3)",
}
# the arrays of the output's size that the look-ups hold at once, per corner (a look-up, its product with the
# weight, the running sum; each one's gradient; the where that zeroed a look-up outside, before the input was
# framed, is counted still), and once more for the layouts (the framed input's, the output's and their
# gradients); and of the grid's points (positions, indices, masks and
# weights and their gradients) per axis and per corner: tracemalloc's peaks are 0.23 to 0.80 of the count
# over 21 cases of every mode and padding (0.26 to 0.96 with a look-up per corner, which all corners at
# once replaced; with 4 per corner, 1.23 for one channel of trilinear under border)
_PER_CORNER, _LAYOUT_ARRAYS, _POINT_PER_AXIS, _POINT_PER_CORNER = 8, 4, 12, 7


def grid_sample(
    input: Any,
    grid: Any,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    align_corners: bool | None = None,
) -> Tensor:
    """`input` (N, C, *spatial) sampled at the points of `grid` (N, *out, k), k = 2 (x, y) or 3 (x, y, z)
    in [-1, 1]: -1 and 1 are the corner pixels' centres with align_corners, else their outer edges (the
    default). Gives (N, C, *out)."""
    x, grid = layer_input("grid_sample", input), layer_input("grid_sample", grid)
    mode = check_choice("grid_sample", "mode", mode, MODES)
    padding_mode = check_choice("grid_sample", "padding_mode", padding_mode, PADDING_MODES)
    align = False if align_corners is None else check_flag("grid_sample", "align_corners", align_corners)
    _check_shapes(x, grid)
    if mode == "bicubic" and x.ndim != 4:
        raise ShapeError(f"grid_sample: mode 'bicubic' is for input (N, C, H, W), got shape {x.shape} (PyTorch's)")
    dims = x.ndim - 2
    n, c, out = x.shape[0], x.shape[1], grid.shape[1:-1]
    corners, n_points = {"nearest": 1, "bilinear": 2**dims, "bicubic": 4**dims}[mode], n * math.prod(out)
    check_memory(
        "grid_sample",
        f"an output of shape {(n, c, *out)} and the arrays it and its gradient build",
        (_PER_CORNER * corners + _LAYOUT_ARRAYS) * c * n_points
        + (_POINT_PER_AXIS * dims + _POINT_PER_CORNER * corners) * n_points
        + _LAYOUT_ARRAYS * math.prod(x.shape),
        x.dtype,
        "give a smaller grid, or a smaller input or batch",
    )
    # per spatial axis, slowest first (z, y, x): the grid's last entry is the first axis's coordinate
    coords, unknown = [], np.zeros(grid.shape[:-1], bool)
    for axis in range(dims):
        position, lost = _position(grid[..., dims - 1 - axis], x.shape[2 + axis], mode, padding_mode, align)
        coords.append(position)
        unknown |= lost
    # (C, N, *spatial) framed by a pixel of zeros: a look-up at (n, *index) reads C values, 0 just outside;
    # the channels first, so that the weights of the grid's points broadcast over them and are summed back
    # from C arrays (a sum over a last axis of 3 took 16 ms of bilinear's 46 for 8 images of 64 x 64)
    points = pad(x.permute(1, 0, *range(2, x.ndim)), (1, 1) * dims)
    if mode == "bicubic":
        sampled = _cubic(points, coords, padding_mode, align)
    else:
        sampled = _nearest(points, coords) if mode == "nearest" else _linear(points, coords)
    sampled = sampled.permute(1, 0, *range(2, dims + 2))
    if not unknown.any():
        return sampled
    # a point at an unknown position is NaN, and so is its gradient w.r.t. its grid entries (g * NaN); the
    # inner where keeps that gradient from the other points (and reads no infinity there)
    lost = sum(where(unknown, grid[..., k], x.dtype.type(0)) for k in range(dims)) * x.dtype.type(np.nan)
    return where(unknown[:, None], lost[:, None], sampled)


def _check_shapes(x: Tensor, grid: Tensor) -> None:
    """The input's and the grid's ranks, the grid's last axis, the batch, the dtypes, before any work."""
    if x.ndim not in _LAYOUTS:
        raise ShapeError(f"grid_sample takes input {' or '.join(_LAYOUTS.values())}, got input of shape {x.shape}")
    dims = x.ndim - 2
    if grid.ndim != x.ndim:
        raise ShapeError(
            f"grid_sample of input {x.shape} takes a grid of {x.ndim} axes ({_LAYOUTS[x.ndim]}), got {grid.shape}"
        )
    if grid.shape[-1] != dims:
        raise ShapeError(
            f"grid_sample: the grid's last axis holds a point's {dims} coordinates for input of {dims} spatial axes, "
            f"so its size must be {dims}, got grid of shape {grid.shape}"
        )
    if grid.shape[0] != x.shape[0]:
        raise ShapeError(
            f"grid_sample: the grid's batch {grid.shape[0]} differs from the input's {x.shape[0]}: "
            "give one grid per input"
        )
    if not all(x.shape[2:]):
        raise ShapeError(f"grid_sample needs an input of spatial sizes at least 1, got shape {x.shape}")
    for name, t in (("input", x), ("grid", grid)):
        if t.dtype not in (np.float32, np.float64):
            raise TypeError(
                f"grid_sample computes in float32 or float64, got {name} of {t.dtype}: cast it with .astype"
            )
    if x.dtype != grid.dtype:
        raise TypeError(
            f"grid_sample: input is {x.dtype} and grid {grid.dtype}: give both the same dtype (PyTorch's rule)"
        )


def _position(g: Tensor, size: int, mode: str, padding: str, align: bool) -> tuple[Tensor, np.ndarray]:
    """The pixel position (a Tensor, differentiable w.r.t. the grid) of normalised coordinates `g` along an
    axis of `size` pixels, after padding_mode's clip or reflection, and where that position is unknown."""
    dtype = g.dtype.type
    scale = dtype(size - 1) / 2 if align else dtype(size) / 2
    unnormalised = (g + 1) * scale if align else (g + 1) * scale - dtype(0.5)
    at = unnormalised.data
    unknown = np.isnan(at)
    if padding == "reflection" or mode == "bicubic" or padding == "zeros" and mode != "nearest":
        unknown |= np.isinf(at)  # reflected from infinity, or weighed by inf - floor(inf)
    finite = np.isfinite(at)
    if not finite.all():  # an infinity read just past its edge (border's edge, nearest's outside), NaN at 0 (its
        # point is NaN), neither moving with the grid
        at = np.where(finite, at, np.where(at > 0, dtype(size + 1), np.where(at < 0, dtype(-2), dtype(0))))
        unnormalised = where(finite, unnormalised, at)
    if padding == "zeros" or mode == "bicubic":  # bicubic pads each of its taps (`_cubic`), not the point
        return unnormalised, unknown
    value, slope = _padded(at, size, padding, align)
    # the position's value, moving with the grid at `slope` (unnormalised - its own data is exactly 0)
    return (unnormalised - unnormalised.data) * slope + value, unknown


def _padded(at: np.ndarray, size: int, padding: str, align: bool) -> tuple[np.ndarray, np.ndarray]:
    """Positions under border or reflection padding, and the slope of each w.r.t. the position given:
    reflected (reflection), then clipped to the pixels; at the edges and beyond a position does not move
    (PyTorch's)."""
    slope = np.ones_like(at)
    if padding == "reflection":
        at, slope = _reflect(at, size, align)
    value = np.clip(at, 0, size - 1).astype(at.dtype)
    return value, np.where((at > 0) & (at < size - 1), slope, 0).astype(at.dtype)


def _reflect(at: np.ndarray, size: int, align: bool) -> tuple[np.ndarray, np.ndarray]:
    """Positions reflected about the edges (the corner pixels' centres with align, else their outer edges)
    into them, and each one's slope, 1 or -1 (PyTorch's: the distance from the low edge taken modulo twice
    the span, folded back once if past the span)."""
    dtype = at.dtype.type
    if align and size <= 1:  # no span to reflect in: every position is the one pixel's
        return np.zeros_like(at), np.zeros_like(at)
    low, twice_span = (dtype(0), dtype(2 * (size - 1))) if align else (dtype(-0.5), dtype(2 * size))
    shifted = at - low
    distance = np.abs(shifted)
    extra = distance - np.trunc(distance / twice_span) * twice_span
    back = twice_span - extra
    folded = extra > back
    slope = np.where(folded != (shifted < 0), dtype(-1), dtype(1))
    return np.where(folded, back, extra) + low, slope


def _look_up(points: Tensor, indices: list[np.ndarray]) -> Tensor:
    """points (C, N, *spatial), framed by a pixel of zeros, at integer positions (one array per spatial axis,
    each from -1 to its size, of one shape broadcast to (..., N, *out): all the corners' positions at once):
    (C, ..., N, *out), 0 where a position lies outside. One look-up of rows by their flat index, whose
    gradient is a bincount per channel (`_pixels_added`): a look-up per corner by (batch, y, x), each scattered back
    by np.add.at, took 17 to 50 times torch's time."""
    framed = points.shape[2:]
    flat = np.arange(points.shape[1]).reshape((-1,) + (1,) * (len(framed)))  # the batch, then each axis
    for i, n in zip(indices, framed):
        flat = flat * n + (i + 1)
    return _PIXELS_AT(points.reshape(points.shape[0], math.prod(points.shape[1:])), index=flat)  # no -1: C may be 0


def _pixels_at(table: np.ndarray, *, index: np.ndarray) -> np.ndarray:
    """Each channel's pixels (a row of `table`, (C, P)) at `index` (ints from 0 to P - 1, of any shape):
    (C, *index.shape), by numpy's take (a tenth of the time of table[:, index])."""
    return np.take(table, index, axis=1)


def _pixels_added(g: np.ndarray, *, index: np.ndarray, pixels: int) -> np.ndarray:
    """`g` (C, *index.shape) added up by the pixels of `index` into (C, pixels): np.add.at's sums, each in
    the order of its terms (bincount's, in float64: a float32 sum is rounded once, at the end), one pass
    per channel."""
    flat = index.reshape(-1)
    sums = np.zeros((len(g), pixels))  # filled a channel at a time; (0, pixels) for no channels
    for sum_, channel in zip(sums, g):
        sum_[:] = np.bincount(flat, weights=channel.reshape(-1), minlength=pixels)
    return sums.astype(g.dtype, copy=False)


_PIXELS_AT = Op(
    "pixels_at",
    _pixels_at,
    lambda g, out, table, *, index: (_PIXELS_ADDED(g, index=index, pixels=table.shape[1]),),
    formulas=("the gradient, added up at the index",),
)
_PIXELS_ADDED = Op(
    "pixels_added",
    _pixels_added,
    lambda g, out, values, *, index, pixels: (_PIXELS_AT(g, index=index),),
    formulas=("the gradient at the index",),
)


def _sizes(points: Tensor) -> tuple[int, ...]:
    """The input's spatial sizes, inside the frame of zeros around `points`."""
    return tuple(n - 2 for n in points.shape[2:])


def _as_index(position: np.ndarray, size: int) -> np.ndarray:
    """Whole-number positions as indices, those far outside kept just outside (an int64 cast of 1e30 wraps)."""
    return np.clip(position, -1, size).astype(np.int64)


def _nearest(points: Tensor, coords: list[Tensor]) -> Tensor:
    """The pixel nearest each point (a half rounds to even, as PyTorch's CPU kernels)."""
    sizes = _sizes(points)
    return _look_up(points, [_as_index(np.rint(c.data), n) for c, n in zip(coords, sizes)])


def _linear(points: Tensor, coords: list[Tensor]) -> Tensor:
    """Each point mixed from the 2 ** dims pixels around it, each weighed by the product over axes of
    1 - its distance from the point (PyTorch's order: the corners from the low one, slowest axis first),
    all the corners looked up at once."""
    sizes = _sizes(points)
    low = [np.floor(c.data) for c in coords]
    far = [c - lo for c, lo in zip(coords, low)]  # the distance past the low pixel, differentiable
    near = [1 - f for f in far]
    corners = list(itertools.product((0, 1), repeat=len(coords)))
    weights = []
    for corner in corners:
        weight = None
        for k, high in enumerate(corner):
            w = far[k] if high else near[k]
            weight = w if weight is None else weight * w
        weights.append(weight)
    # each axis's index at every corner: (corners, N, *out)
    index = [
        np.stack([_as_index(lo + corner[k], n) for corner in corners]) for k, (lo, n) in enumerate(zip(low, sizes))
    ]
    return (_look_up(points, index) * stack(weights)).sum(1)  # added in the corners' order


def _cubic(points: Tensor, coords: list[Tensor], padding: str, align: bool) -> Tensor:
    """Each point mixed from the 4 x 4 pixels around it by Keys' cubic (a = -0.75) along each axis: rows of 4
    mixed along x first, then those 4 along y (PyTorch's order). Each tap's position is padded (border,
    reflection) or, under zeros, read as 0 outside; the weights move with the point, the taps do not."""
    sizes = _sizes(points)
    low = [np.floor(c.data) for c in coords]
    wy, wx = [stack(cubic_weights(c - lo)) for c, lo in zip(coords, low)]  # (4, N, *out), differentiable
    ty, tx = [np.stack([_tap(lo + k - 1, n, padding, align) for k in range(4)]) for lo, n in zip(low, sizes)]
    taps = _look_up(points, [ty[:, None], tx[None]])  # (C, 4 rows, 4 columns, N, *out)
    rows = (taps * wx).sum(2)  # each row mixed along x, its 4 taps added in order
    return (rows * wy).sum(1)


def _tap(position: np.ndarray, size: int, padding: str, align: bool) -> np.ndarray:
    """A tap's pixel index: its position padded (border, reflection), or as it is under zeros."""
    return _as_index(position if padding == "zeros" else _padded(position, size, padding, align)[0], size)
