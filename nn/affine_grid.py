"""affine_grid, as torch.nn.functional.affine_grid: the grid that grid_sample reads to apply affine maps
`theta` (N, 2, 3), or (N, 3, 4) in 3-d, to an output of `size` (N, C, H, W) or (N, C, D, H, W). Each output
pixel's normalised position (x, y[, z], 1) times theta's rows; a matmul with a constant, so the gradient
w.r.t. theta is matmul's."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, check_memory

from .arguments import as_sequence, check_count, check_flag, layer_input

_THETA = {4: (2, 3), 5: (3, 4)}  # size's length: theta's shape per example


def affine_grid(theta: Any, size: Any, align_corners: bool | None = None) -> Tensor:
    """The sampling grid (N, H, W, 2), or (N, D, H, W, 3), of the affine maps `theta` for an output of
    `size`: output pixel (i, j) at its normalised position (x_j, y_i), -1 and 1 the corner pixels' centres
    with align_corners, else their outer edges (the default), read from theta @ (x_j, y_i, 1)."""
    theta = layer_input("affine_grid", theta)
    align = False if align_corners is None else check_flag("affine_grid", "align_corners", align_corners)
    size = tuple(check_count("affine_grid", "size", n) for n in as_sequence("affine_grid", "size", size, "a shape"))
    if len(size) not in _THETA:
        raise ShapeError(f"affine_grid takes size (N, C, H, W) or (N, C, D, H, W), got {size}")
    rows, cols = _THETA[len(size)]
    if theta.shape != (size[0], rows, cols):
        raise ShapeError(
            f"affine_grid for size {size} takes theta ({size[0]}, {rows}, {cols}): one {rows} x {cols} affine map "
            f"per example, got theta of shape {theta.shape}"
        )
    if theta.dtype not in (np.float32, np.float64):
        raise TypeError(f"affine_grid computes in float32 or float64, got theta of {theta.dtype}: cast it with .astype")
    spatial = size[2:]
    points = math.prod(spatial)
    check_memory(
        "affine_grid",
        f"size {size}: a grid of shape {(size[0], *spatial, rows)} and the arrays it and its gradient build",
        cols * points + 3 * size[0] * points * rows,
        theta.dtype,
        "give a smaller size",
    )
    base = _base(spatial, align, theta.dtype.type)  # (points, cols): (x, y[, z], 1) per output pixel
    grid = Tensor(base) @ theta.transpose(0, 2, 1)  # (N, points, rows), as torch's bmm of the same operands
    return grid.reshape(size[0], *spatial, rows)


def _base(spatial: tuple[int, ...], align: bool, dtype: Any) -> np.ndarray:
    """Each output pixel's normalised position (x, y[, z]) and a 1, x along the last axis, in row order."""
    axes = [_positions(n, align, dtype) for n in spatial]  # slowest axis first
    mesh = np.meshgrid(*axes, indexing="ij")
    columns = [m.reshape(-1) for m in reversed(mesh)] + [np.ones(math.prod(spatial), dtype)]
    return np.stack(columns, axis=1)


def _positions(n: int, align: bool, dtype: Any) -> np.ndarray:
    """n pixels' normalised centres, as torch's linspace(-1, 1, n) computes them (the first half stepped up
    from -1, the rest back from 1), scaled by (n - 1) / n unless align; a single pixel at 0."""
    if n <= 1:
        return np.zeros(n, dtype)
    step = (dtype(1) - dtype(-1)) / dtype(n - 1)
    i = np.arange(n)
    half = i < n // 2
    values = np.where(half, dtype(-1) + step * i.astype(dtype), dtype(1) - step * (n - 1 - i).astype(dtype))
    values = values.astype(dtype)
    return values if align else (values * dtype(n - 1) / dtype(n)).astype(dtype)
