"""interpolate's antialias=True, for "bilinear" and "bicubic" on input (N, C, H, W), as PyTorch's (and PIL's):
each axis resampled by a filter stretched by the downsampling factor, so that every input pixel under an
output pixel counts (plain bilinear reads two neighbours only, and aliases where it shrinks by more than
2). Each axis is one product with a constant matrix of weights (its rows a filter's taps, normalised to
sum to 1, added in their order as PyTorch adds them: bilinear's weights are its own bit for bit), so the
gradient is that product's: each input pixel gets the outputs it fed, by their weights."""

from __future__ import annotations

import math

import numpy as np

from autograd import Tensor

# the modes antialias=True is for, and their filter's half-width in input pixels before stretching: a
# triangle (linear) and Keys' cubic
_SUPPORT = {"bilinear": 1.0, "bicubic": 2.0}
ANTIALIASED = tuple(_SUPPORT)
# the cubic's constant with antialias, PIL's -0.5 (without it PyTorch's bicubic takes -0.75)
_CUBIC_A = -0.5


def antialiased(x: Tensor, sizes: tuple[int, ...], scales: list[float | None], mode: str, align: bool) -> Tensor:
    """x (N, C, H, W) resampled to `sizes` (H_out, W_out), the width first, then the height (PyTorch's order);
    `scales`: each axis's scale_factor where it sets the step (else None: the sizes' ratio)."""
    dtype = x.dtype.type
    for axis in (3, 2):
        n_in, n_out = x.shape[axis], sizes[axis - 2]
        if n_in == n_out:  # PyTorch's copies an axis that keeps its size, whatever the scale_factor (1.1 of 9 is 9)
            continue
        weights = Tensor(_weights(n_in, n_out, _step(n_in, n_out, scales[axis - 2], align, dtype), mode, dtype))
        x = x @ weights.T if axis == 3 else weights @ x  # (.., W_in) @ (W_in, W_out); (H_out, H_in) @ (.., H_in, W)
    return x


def _step(n_in: int, n_out: int, scale: float | None, align: bool, dtype: type) -> np.floating:
    """Input pixels per output pixel (PyTorch's area_pixel_compute_scale): the corners' span ratio with align,
    else 1 / scale_factor or the sizes' ratio."""
    if align:
        return dtype(n_in - 1) / dtype(n_out - 1) if n_out > 1 else dtype(0)
    return dtype(1.0 / scale) if scale is not None else dtype(n_in) / dtype(n_out)


def _weights(n_in: int, n_out: int, step: np.floating, mode: str, dtype: type) -> np.ndarray:
    """(n_out, n_in): output i's taps, from the input pixels whose centres lie within the filter's support of
    its centre step * (i + 1/2), the filter stretched by step where it shrinks, each row normalised by its
    taps' sum, added in their order (PyTorch's). Every row at once: each of at most 2 * ceil(support) + 1
    taps from its first, those past its last 0 (a Python loop per output pixel took 0.16 s for 10,000)."""
    one, half = dtype(1), dtype(0.5)
    support = dtype(_SUPPORT[mode]) * step if step >= 1 else dtype(_SUPPORT[mode])
    stretch = one / step if step >= 1 else one
    most = min(2 * math.ceil(support) + 1, n_in)  # PyTorch's taps at most, and no more than the input has
    centre = step * (np.arange(n_out).astype(dtype) + half)
    # PyTorch adds its 0.5s in float64 (a double literal), then casts: toward zero for the ends, to the dtype
    # for the filter's argument (in float32 with three roundings, 1 in 10 shrinking rows was up to 33 ulp off)
    first = np.maximum(((centre - support).astype(np.float64) + 0.5).astype(np.int64), 0)
    last = np.minimum(np.minimum(((centre + support).astype(np.float64) + 0.5).astype(np.int64), n_in), first + most)
    pixel = first[:, None] + np.arange(most)  # (n_out, most): each row's taps' input pixels
    inside = pixel < last[:, None]
    taps = (((pixel.astype(dtype) - centre[:, None]).astype(np.float64) + 0.5) * np.float64(stretch)).astype(dtype)
    rows = np.where(inside, _filter(np.abs(taps), mode), dtype(0))
    total = np.cumsum(rows, axis=1, dtype=dtype)[:, -1]  # a running sum: each row's taps added in order
    rows = np.where((total != 0)[:, None], rows / np.where(total != 0, total, one)[:, None], rows)
    weights = np.zeros((n_out, n_in), dtype)
    weights[np.nonzero(inside)[0], pixel[inside]] = rows[inside]
    return weights


def _filter(d: np.ndarray, mode: str) -> np.ndarray:
    """The filter at distances d >= 0: 1 - d within 1 (linear); Keys' cubic with a = -0.5 within 2 (cubic)."""
    one = d.dtype.type(1)
    if mode == "bilinear":
        return np.where(d < one, one - d, 0).astype(d.dtype)
    a = d.dtype.type(_CUBIC_A)
    near = ((a + 2) * d - (a + 3)) * d * d + one
    far = ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
    return np.where(d < one, near, np.where(d < 2, far, 0)).astype(d.dtype)
