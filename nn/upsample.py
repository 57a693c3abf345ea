"""interpolate and Upsample, as torch.nn.functional.interpolate and torch.nn.Upsample, for modes
"nearest", "nearest-exact", "linear" (input (N, C, L)), "bilinear" and "bicubic" (input (N, C, H, W),
antialias=True too: upsample_antialias.py), "trilinear" (input (N, C, D, H, W)) and "area" (an adaptive
average pool to the output's size). Each axis is resampled by
looking up input entries at constant indices (and, linear and cubic, mixing two or four with constant
weights), computed as PyTorch's CPU kernels compute them, so a compiled step replays it and the gradient
is the look-up's: each input entry gets the sum of the outputs that read it, times its weights."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d, check_memory

from .arguments import as_sequence, check_choice, check_count, check_flag, check_number, is_int, layer_input
from .module import Module
from .upsample_antialias import ANTIALIASED, antialiased

# mode: the spatial axes it takes (nearest: any; area: 1 to 3, as PyTorch's adaptive average pools)
MODES = {"nearest": None, "nearest-exact": None, "linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}
MODES["area"] = (1, 2, 3)
MIXING = ("linear", "bilinear", "bicubic", "trilinear")  # the modes that mix neighbours: align_corners is theirs
_AREA = {1: adaptive_avg_pool1d, 2: adaptive_avg_pool2d, 3: adaptive_avg_pool3d}
_LAYOUTS = {1: "(N, C, L)", 2: "(N, C, H, W)", 3: "(N, C, D, H, W)"}
# the arrays of each pass's output size that a pass and its gradient hold at once: nearest a look-up and its
# gradient; linear two look-ups, their products and sum, and their gradients, and the next pass's gradient
# of them (10 held 1.17 of the count, upsampled 300 to 3000 then shrunk); cubic four. Area: its output and
# gradient here, the windows (of the input's size) counted by the adaptive average pool it calls. And of each
# output axis's length, its positions, indices and weights (int64: one channel of 1-d nearest held 2.2 times a
# count without them). tracemalloc's peaks: 0.5 to 0.98 of the count
PASS_ARRAYS = {"nearest": 2, "nearest-exact": 2, "area": 2, "bicubic": 22}
PASS_ARRAYS.update(dict.fromkeys(("linear", "bilinear", "trilinear"), 12))
AXIS_ARRAYS = 6
# PyTorch's cubic convolution constant (Keys' kernel with a = -0.75, as OpenCV's)
_CUBIC_A = -0.75


def interpolate(
    x: Tensor,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """x (N, C, *spatial) resampled to `size` (an int or one per spatial axis), or to floor(size *
    scale_factor) (a number or one per axis), by `mode`: "nearest" (input index floor(out * scale)),
    "nearest-exact" (floor((out + 1/2) * scale): the pixel under the output's centre),
    "linear", "bilinear", "trilinear" (two neighbours per axis), "bicubic" (four, Keys' cubic with
    a = -0.75, PyTorch's; its overshoot is not clamped) (align_corners: the corner pixels' centres
    aligned, else their edges), or "area" (the mean of each output's window, adaptive_avg_pool's).
    antialias=True (bilinear and bicubic, (N, C, H, W)): the filter stretched to every pixel an output covers."""
    x = layer_input("interpolate", x)
    mode, align_corners, recompute = _options(size, scale_factor, mode, align_corners, recompute_scale_factor)
    axes, takes = x.ndim - 2, MODES[mode]
    if check_flag("interpolate", "antialias", antialias) and (mode not in ANTIALIASED or x.ndim != 4):
        raise ValueError(
            f"interpolate: antialias=True is for the modes {' and '.join(ANTIALIASED)} of input (N, C, H, W), "
            f"got mode {mode!r} and input of shape {x.shape}: give antialias=False"
        )
    if axes < 1 or not (takes is None or axes == takes or (isinstance(takes, tuple) and axes in takes)):
        wanted = (
            "(N, C, *spatial)"
            if takes is None
            else " or ".join(_LAYOUTS[n] for n in takes)
            if isinstance(takes, tuple)
            else _LAYOUTS[takes]
        )
        raise ShapeError(f"interpolate with mode {mode!r} takes input {wanted}, got shape {x.shape}")
    if not all(x.shape[2:]):  # nothing to read from: an IndexError of numpy's, or antialias's zeros, before
        raise ShapeError(f"interpolate needs an input of spatial sizes at least 1, got shape {x.shape}")
    sizes, factors = _per_axis("size", size, axes, _size), _per_axis("scale_factor", scale_factor, axes, _factor)
    out_sizes = _output_sizes(x, sizes, factors)
    given = ("size", size) if size is not None else ("scale_factor", scale_factor)
    check_fits(x.shape, out_sizes, mode, x.dtype, given, antialias)
    if mode == "area":  # PyTorch's: the adaptive average pool to the output's size (its scale_factor unused)
        return _AREA[axes](x, out_sizes)
    # float16 is resampled in float32 and rounded once, forward and backward, as PyTorch's: in float16 a
    # constant 1000 came back 1000.5 in places, bilinear was 1757 ulps off and its gradient 2653
    half = x.dtype == np.float16
    x = x.astype(np.float32) if half else x
    scales = [None if recompute or factors is None else factors[k] for k in range(axes)]
    if antialias:
        x = antialiased(x, out_sizes, scales, mode, bool(align_corners))
    for k, n_out in enumerate(out_sizes if not antialias else ()):
        x = _resample(x, 2 + k, n_out, scales[k], mode, bool(align_corners))
    return x.astype(np.float16) if half else x


def _output_sizes(x: Tensor, sizes: tuple[int, ...] | None, factors: tuple[float, ...] | None) -> tuple[int, ...]:
    """The output's size along each spatial axis: `sizes`, or each input size times its factor, rounded
    down (PyTorch's); a factor that leaves an axis empty is refused."""
    if sizes is not None:
        return sizes
    out = tuple(math.floor(n * f) for n, f in zip(x.shape[2:], factors))  # type: ignore[arg-type]
    for k, (n, f, m) in enumerate(zip(x.shape[2:], factors, out)):  # type: ignore[arg-type]
        if m < 1:
            raise ShapeError(f"interpolate: scale_factor {f} makes axis {2 + k} of size {n} empty")
    return out


def check_fits(
    shape: tuple[int, ...], out_sizes: tuple[int, ...], mode: str, dtype: Any, given: Any, antialias: bool = False
) -> None:
    """Refuse at once, before any allocation, an output whose arrays no memory holds (`given`: the argument
    that asked for it, its name and value): each pass's, one axis resampled after another, the arrays it and its
    gradient hold of its output's size (PASS_ARRAYS; antialias's product per axis: its output and gradient,
    the width resampled first), the arrays of each axis's length (AXIS_ARRAYS), and the input's gradient."""
    wide = np.dtype(np.float32) if dtype == np.float16 else np.dtype(dtype)  # float16 is resampled in float32
    order = range(len(out_sizes))[::-1] if antialias else range(len(out_sizes))
    now, shapes = list(shape), []
    for k in order:
        now[2 + k] = out_sizes[k]
        shapes.append(tuple(now))
    entries = 2 * math.prod(shape) + (2 if antialias else PASS_ARRAYS[mode]) * sum(math.prod(s) for s in shapes)
    entries += AXIS_ARRAYS * sum(out_sizes)
    if antialias:  # each axis's matrix of weights, its output by its input, and the copy a product may make
        entries += 2 * sum(n * m for n, m in zip(shape[2:], out_sizes))
    name, value = given
    out = tuple(int(n) for n in shapes[-1])
    check_memory(
        "interpolate",
        f"{name} {value!r}: an output of shape {out} and the arrays it and its gradient build",
        entries,
        wide,
        f"give a smaller {name}, or a smaller input or batch",
    )


def _options(size: Any, scale_factor: Any, mode: Any, align_corners: Any, recompute: Any) -> tuple[str, Any, bool]:
    """The options that do not depend on the input, checked: what Upsample checks when made."""
    mode = check_choice("interpolate", "mode", mode, MODES)
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate takes one of size and scale_factor: give one, not both or neither")
    if align_corners is not None:
        check_flag("interpolate", "align_corners", align_corners)
        if mode not in MIXING:
            raise ValueError(f"interpolate: align_corners is for the modes {', '.join(MIXING)}, not {mode}")
    for name, value, check in (("size", size, _size), ("scale_factor", scale_factor, _factor)):
        if value is not None:  # each entry checked now; their count at the call, against the input's axes
            _per_axis(name, value, None, check)
    if recompute is not None and check_flag("interpolate", "recompute_scale_factor", recompute) and size is not None:
        raise ValueError("interpolate: recompute_scale_factor is for scale_factor; with size give neither")
    return mode, align_corners, bool(recompute)


def _size(n: Any) -> int:
    return check_count("interpolate", "size", n)


def _factor(f: Any) -> float:
    return check_number("interpolate", "scale_factor", f, "a finite number above 0", lambda f: 0 < f < math.inf)


def _per_axis(name: str, value: Any, axes: int | None, check: Any) -> tuple[Any, ...] | None:
    """`value` (None, one for every axis, or a tuple of one per axis) as a tuple of `axes` (None: as
    many as given), each checked."""
    if value is None:
        return None
    one = is_int(value) or isinstance(value, float | np.floating)
    values = [value] * (axes or 1) if one else as_sequence("interpolate", name, value, "a number or one per axis")
    if axes is not None and len(values) != axes:
        raise ShapeError(f"interpolate: {name} has {len(values)} entries for input of {axes} spatial axes")
    return tuple(check(v) for v in values)


def _resample(x: Tensor, axis: int, n_out: int, scale: float | None, mode: str, align_corners: bool) -> Tensor:
    n_in, dtype = x.shape[axis], np.float64 if x.dtype == np.float64 else np.float32  # PyTorch's opmath type
    cut = (slice(None),) * axis
    dst = np.arange(n_out, dtype=dtype)
    if mode == "nearest":
        # PyTorch's exact cases, a copy and each entry twice, in its 2-d kernel only: its 1-d and 3-d ones take
        # floor(out / scale_factor) there too (scale_factor 1.3 of a size 3 is [0, 0, 1], not a copy)
        if x.ndim == 4 and (n_out == n_in or n_out == 2 * n_in):
            return x[cut + (np.arange(n_out) * n_in // n_out,)]
        index = np.floor((dst * _step(n_in, n_out, scale, dtype)).astype(np.float32))
        return x[cut + (np.minimum(index.astype(np.int64), n_in - 1),)]
    if mode == "nearest-exact":  # the pixel under the output's centre, in float32 as PyTorch's (12.5 * 0.08 is 1)
        index = np.floor(((dst + dtype(0.5)) * _step(n_in, n_out, scale, dtype)).astype(np.float32))
        return x[cut + (np.minimum(index.astype(np.int64), n_in - 1),)]
    if n_out == n_in and mode != "bicubic":  # PyTorch's linear kernels copy an axis that keeps its size, whatever
        return x  # the scale_factor; its cubic one reads it at the factor's positions (1.3 of a size 3 mixes)
    if align_corners:
        step = dtype(n_in - 1) / dtype(n_out - 1) if n_out > 1 else dtype(0)
        source = step * dst
    else:
        source = _step(n_in, n_out, scale, dtype) * (dst + dtype(0.5)) - dtype(0.5)
    along = (-1,) + (1,) * (x.ndim - axis - 1)  # a weight per output position, broadcast over the later axes
    if mode == "bicubic":  # four neighbours, from floor(source) - 1, their indices clamped to the input
        low = np.floor(source)
        t = (source - low).astype(dtype)
        first = low.astype(np.int64) - 1
        mixed = None
        for k, w in enumerate(cubic_weights(t)):
            part = x[cut + (np.clip(first + k, 0, n_in - 1),)] * w.astype(x.dtype).reshape(along)
            mixed = part if mixed is None else mixed + part
        return mixed
    source = np.maximum(source, 0)  # the linear modes clamp a source before the first entry to it
    low = np.minimum(np.floor(source).astype(np.int64), n_in - 1)
    high = low + (low < n_in - 1)
    weight = np.clip(source - low, 0, 1).astype(x.dtype).reshape(along)
    return x[cut + (low,)] * (1 - weight) + x[cut + (high,)] * weight


def _step(n_in: int, n_out: int, scale: float | None, dtype: Any) -> Any:
    """Input pixels per output pixel (without align_corners), 1 / scale_factor or the sizes' ratio, in `dtype`, the
    input's opmath type (float64 for float64, else float32), as PyTorch's; the nearest modes multiply in it and round
    the product to float32 before their floor, PyTorch's floorf (output 9994 of 10000 -> 9999 reads input 9994 in
    float64, 9995 in float32, where float32 took 9995 for both)."""
    return dtype(1.0 / scale) if scale is not None else dtype(n_in) / dtype(n_out)


def cubic_weights(t: Any) -> tuple[Any, ...]:
    """The four weights of Keys' cubic convolution at a fraction t (an array, or a Tensor: grid_sample's
    weights move with its grid) past the second of four neighbours, PyTorch's formulas (A = -0.75): the
    outer two at distances 1 + t and 2 - t, the inner at t and 1 - t."""
    a = t.dtype.type(_CUBIC_A)

    def near(d: Any) -> Any:  # |d| <= 1
        return ((a + 2) * d - (a + 3)) * d * d + 1

    def far(d: Any) -> Any:  # 1 < |d| < 2
        return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a

    return far(t + 1), near(t), near(1 - t), far(2 - t)


class Upsample(Module):
    """`interpolate` as a layer, its options bound when made and checked then, as torch.nn.Upsample:
    Upsample(scale_factor=2), Upsample(size=(8, 8), mode="bilinear", align_corners=False)."""

    def __init__(
        self,
        size: Any = None,
        scale_factor: Any = None,
        mode: str = "nearest",
        align_corners: bool | None = None,
        recompute_scale_factor: bool | None = None,
    ) -> None:
        _options(size, scale_factor, mode, align_corners, recompute_scale_factor)
        if size is not None:  # an output too large for any input, refused when made: the smallest input's
            sizes = _per_axis("size", size, None, _size)
            check_fits((1, 1, *(1 for _ in sizes)), sizes, mode, np.float32, ("size", size))
        self.size, self.scale_factor, self.mode = size, scale_factor, mode
        self.align_corners, self.recompute_scale_factor = align_corners, recompute_scale_factor

    def forward(self, x: Tensor) -> Tensor:
        options = (self.size, self.scale_factor, self.mode, self.align_corners, self.recompute_scale_factor)
        return interpolate(x, *options)

    def extra_repr(self) -> str:
        factor = self.scale_factor  # PyTorch's repr shows its factors as floats: scale_factor=2.0
        factors = tuple(map(float, factor)) if isinstance(factor, tuple | list) else float(factor or 0)
        given = f"scale_factor={factors}" if self.size is None else f"size={self.size}"
        return f"{given}, mode={self.mode!r}"
