"""The op table's convolution and pooling entries: conv2d, its two adjoints, max_pool2d and its scatter,
and their 3-d forms (conv3d, conv_transpose3d, conv3d_weight, max_pool3d), the same functions.

Arrays are (batch, channels, *spatial), kernels PyTorch's (out, in / groups, *kernel): two spatial
axes for the 2-d entries, three (depth, height, width) for the 3-d ones. The geometry of every entry
is its keyword parameters, already checked and normalised by `autograd.conv`: `stride` and
`dilation` one int per axis, `padding` one (before, after) per axis, `groups`. Each forward and rule
below serves any number of axes; the entries differ only in their names (what a graph shows), and a
rule calls the entries of its own number of axes (`_of`).

conv2d is im2col (a strided view of the windows, copied once) and a GEMM per image and group,
so results come out (batch, channels, height, width) in order, without a transpose. Its rule
needs two more ops, and the three are each other's derivatives, so every order is exact:
    conv2d(x, w)            y = windows of x · w
    conv_transpose2d(g, w)  its adjoint in x: each window's share of g added back (col2im); at
                            stride 1, where that copies less, g's windows times the flipped kernel
    conv2d_weight(x, g)     its adjoint in w: windows of x · g, summed over the batch and positions
max_pool2d's rule scatters g to each window's maximum (`max_pool2d_grad`, a scatter into an array of
any shape, max_pool3d's too) where PyTorch puts it: the first in-bounds entry equal to it, or the last
NaN of a window holding NaN; that scatter's rule gathers through `getitem`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from .conv_columns import (
    Padding,
    Pair,
    col2im,
    correlation_padding,
    flipped,
    im2col,
    images_by_group,
    kernel_entries,
    kernel_offsets,
    lowest,
    padded,
    span,
    weights_by_group,
)
from .graph import raw
from .half_precision import added_at, adding_in
from .op_def import ANYWHERE, OpDef, tensor_op
from .scaled_contractions import checked

_max_pool2d_grad, _getitem = tensor_op("max_pool2d_grad"), tensor_op("getitem")
_NAMED = {
    (kind, dims): tensor_op(kind.format(dims))
    for kind in ("conv{}d", "conv_transpose{}d", "conv{}d_weight")
    for dims in (2, 3)
}


def _of(kind: str, stride: Pair) -> Any:
    """The entry `kind` ("conv{}d", ...) of as many spatial axes as the geometry has (one stride each)."""
    return _NAMED[kind, len(stride)]


# ---- forwards ----


def conv2d(x: np.ndarray, w: np.ndarray, *, stride: Pair, padding: Padding, dilation: Pair, groups: int) -> np.ndarray:
    """Cross-correlation, as PyTorch's conv2d (and conv3d): a GEMM per image and group over im2col."""
    cols, out_size = im2col(x, w.shape[2:], stride, padding, dilation, groups)
    by_group = weights_by_group(w, groups)  # right where a partial sum overflows: scaled_contractions
    out = checked(np.matmul, (by_group, cols), by_group.shape[-1], "conv")  # (N, groups, O/groups, prod(out_size))
    return out.reshape(x.shape[0], w.shape[0], *out_size)


def conv_transpose2d(
    g: np.ndarray, w: np.ndarray, *, stride: Pair, padding: Padding, dilation: Pair, groups: int, size: Pair
) -> np.ndarray:
    """The adjoint of conv2d in its input, of spatial size `size`: PyTorch's conv_transpose2d
    (w is (in, out / groups, *kernel) here, the same array as the conv's (out, in / groups, *kernel))."""
    pads = correlation_padding(g, w, stride, padding, dilation, groups, size)
    if pads is not None:
        return conv2d(g, flipped(w, groups), stride=stride, padding=pads, dilation=dilation, groups=groups)
    cg, kernel = w.shape[1], w.shape[2:]
    n, positions = g.shape[0], g.shape[2:]
    # float16's columns and their sums are float32, rounded once (`adding_in`): in float16, where
    # overlapping windows cancel, the output was 8499 units in the last place off (PyTorch's 1.8)
    dtype = np.result_type(w, g)
    by_group = weights_by_group(w, groups).transpose(0, 2, 1), images_by_group(g, groups)

    def summed(w_cols: np.ndarray, images: np.ndarray) -> np.ndarray:
        cols = np.matmul(w_cols, images, dtype=adding_in(dtype))  # (N, groups, Cg*prod(kernel), prod(positions))
        return col2im(cols.reshape(n, groups * cg, *kernel, *positions), size, stride, padding, dilation)

    # each output a sum of at most (O/groups)·prod(kernel) products, right where a partial sum overflows
    out = checked(summed, by_group, by_group[0].shape[-1] * math.prod(kernel), "conv_transpose")
    return out if out.dtype == dtype else out.astype(dtype)


def conv2d_weight(
    x: np.ndarray, g: np.ndarray, *, stride: Pair, padding: Padding, dilation: Pair, groups: int, kernel: Pair
) -> np.ndarray:
    """The adjoint of conv2d in its weight: each window of x times g, summed over images and positions
    (the first of g's size: a conv_transpose2d's output_padding of a stride or more leaves x windows
    that no position of its input reached)."""
    cols, _ = im2col(x, kernel, stride, padding, dilation, groups, g.shape[2:])
    # the windows times g's transpose, then the small sum transposed: the same products and sums as
    # g times the windows' transpose, bit for bit, and 5-30% faster in OpenBLAS (the long operand untransposed)
    # float16: each image's products and their sum over the batch in float32, rounded once (each image's
    # rounded to float16 first put the gradient of a batch of 8 888 units in the last place off)
    dtype = np.result_type(cols, g)
    wide = adding_in(dtype)
    gt = images_by_group(g, groups).transpose(0, 1, 3, 2)
    # (N, groups, Cg*|kernel|, O/groups) summed over images, right where a partial sum overflows (scaled_contractions)
    total = checked(
        lambda c, t: np.matmul(c, t, dtype=wide).sum(axis=0),
        (cols, gt),
        cols.shape[0] * cols.shape[-1],
        "conv weight gradient",
    )
    total = total if wide == dtype else total.astype(dtype)
    return total.transpose(0, 2, 1).reshape(g.shape[1], -1, *kernel)


def _pool_slices(x: np.ndarray, kernel: Pair, stride: Pair, padding: Padding, dilation: Pair) -> Iterator[np.ndarray]:
    """Per kernel entry, in row-major order, what it meets of x padded with -inf at every output position."""
    xp = padded(x, padding, lowest(x.dtype))
    out = tuple((n - k) // s + 1 for n, k, s in zip(xp.shape[2:], span(kernel, dilation), stride))
    for where in kernel_offsets(kernel, stride, dilation, out):
        yield xp[(slice(None),) * 2 + where]


def max_pool2d(x: np.ndarray, *, kernel: Pair, stride: Pair, padding: Padding, dilation: Pair) -> np.ndarray:
    slices = _pool_slices(x, kernel, stride, padding, dilation)
    out = next(slices).copy()
    for part in slices:
        np.maximum(out, part, out=out)
    return out


def first_maxima(
    x: np.ndarray, top: np.ndarray, kernel: Pair, stride: Pair, padding: Padding, dilation: Pair
) -> np.ndarray:
    """Where each window's maximum `top` is, as PyTorch's indices: the first entry (row-major) inside
    the input equal to it (so never the padding, even where the maximum is -inf), or the last NaN of
    a window holding NaN; as an index into x.ravel(), of the pooled output's shape. Every window
    holds an entry of x (autograd.conv refuses one lying wholly in the padding)."""
    size, out, dims = x.shape[2:], top.shape[2:], len(kernel)
    plane = [math.prod(size[a + 1 :]) for a in range(dims)]  # a step along each axis, in x.ravel()
    # each window's first entry along each axis, shaped to broadcast over the output's axes
    corners = [
        (np.arange(m) * s - p[0]).reshape((m,) + (1,) * (dims - 1 - a))
        for a, (m, s, p) in enumerate(zip(out, stride, padding))
    ]
    is_padded = any(sum(padding, ()))
    nans = x.dtype.kind == "f" and bool(np.isnan(top).any())
    which = np.zeros(top.shape, np.min_scalar_type(math.prod(kernel)))  # the offset in the window
    found = np.zeros(top.shape, bool)
    entries = kernel_entries(kernel)
    for k, (part, entry) in enumerate(zip(_pool_slices(x, kernel, stride, padding, dilation), entries)):
        first = (part == top) > found  # a maximum, and none before it in this window: ties keep the first
        if is_padded:  # ... inside the input: an entry of the padding equals a maximum of -inf
            for corner, i, d, n in zip(corners, entry, dilation, size):
                first &= (corner + i * d >= 0) & (corner + i * d < n)
        if nans:  # NaN equals nothing: the last NaN of its window (the padding holds none)
            first |= np.isnan(part)
            which[first] = k
        else:
            which += first * which.dtype.type(k)
        found |= first
    offsets = sum(
        (np.arange(k) * d * step).reshape((k,) + (1,) * (dims - 1 - a))
        for a, (k, d, step) in enumerate(zip(kernel, dilation, plane))
    )
    origin = sum(corner * step for corner, step in zip(corners, plane))
    batch = np.arange(x.shape[0] * x.shape[1]).reshape(x.shape[:2] + (1,) * dims) * math.prod(size)
    return batch + origin + np.ravel(offsets)[which]


def max_pool2d_grad(g: np.ndarray, *, index: np.ndarray, shape: tuple[int, ...], overlapping: bool) -> np.ndarray:
    """g placed at x.ravel()[index], into zeros of x's shape; added up where windows overlap."""
    if overlapping:  # one element can be the maximum of several windows (float16: added in float32)
        return added_at((int(np.prod(shape)),), index.ravel(), g.ravel()).reshape(shape)
    out = np.zeros(int(np.prod(shape)), g.dtype)
    out[index.ravel()] = g.ravel()
    return out.reshape(shape)


# ---- rules ----


def _conv_vjp(g, out, x, w, *, needs, stride, **geometry):
    gx = _of("conv_transpose{}d", stride)(g, w, size=np.shape(x)[2:], stride=stride, **geometry) if needs[0] else None
    gw = _of("conv{}d_weight", stride)(x, g, kernel=np.shape(w)[2:], stride=stride, **geometry) if needs[1] else None
    return gx, gw


def _conv_transpose_vjp(g, out, u, w, *, needs, size, stride, **geometry):
    gu = _cut(_of("conv{}d", stride)(g, w, stride=stride, **geometry), u) if needs[0] else None
    gw = _of("conv{}d_weight", stride)(g, u, kernel=np.shape(w)[2:], stride=stride, **geometry) if needs[1] else None
    return gu, gw


def _conv_weight_vjp(g, out, x, gy, *, needs, kernel, stride, **geometry):
    gx = _of("conv_transpose{}d", stride)(gy, g, size=np.shape(x)[2:], stride=stride, **geometry) if needs[0] else None
    ggy = _cut(_of("conv{}d", stride)(x, g, stride=stride, **geometry), gy) if needs[1] else None
    return gx, ggy


def _cut(positions: Any, like: Any) -> Any:
    """A convolution's output cut to the positions of `like`: past them lie windows of a transposed
    convolution's output_padding (a stride or more, where the dilation allows it) that no input position reached."""
    size = np.shape(like)[2:]
    if np.shape(positions)[2:] == size:
        return positions
    return positions[(slice(None),) * 2 + tuple(slice(m) for m in size)]


def _max_pool_vjp(g, out, x, *, kernel, stride, padding, dilation):
    index = first_maxima(np.asarray(raw(x)), np.asarray(raw(out)), kernel, stride, padding, dilation)
    overlapping = any(s < d * (k - 1) + 1 for s, d, k in zip(stride, dilation, kernel))
    return (_max_pool2d_grad(g, index=index, shape=np.shape(x), overlapping=overlapping),)


def _max_pool2d_grad_vjp(g, out, gy, *, index, shape, overlapping):
    return (_getitem(g.reshape(-1), index=index),)


_TWO = (ANYWHERE, ANYWHERE)


def _convolutions(dims: int) -> tuple[OpDef, ...]:
    """The convolution entries of `dims` spatial axes: the same forwards and rules, named for their axes."""
    return (
        OpDef(
            f"conv{dims}d",
            _conv_vjp,
            None,
            conv2d,
            _TWO,
            skips=True,
            api=f"autograd.conv{dims}d",
            formulas=("∂conv(x,w)/∂x: conv_transpose(g, w)", "∂conv(x,w)/∂w: Σ windows of x · g"),
            adds_up=True,
        ),
        OpDef(
            f"conv_transpose{dims}d",
            _conv_transpose_vjp,
            None,
            conv_transpose2d,
            _TWO,
            skips=True,
            api=f"autograd.conv_transpose{dims}d",
            formulas=("∂convᵀ(u,w)/∂u: conv(g, w)", "∂convᵀ(u,w)/∂w: Σ windows of g · u"),
            adds_up=True,
        ),
        # the rules' own: the convolution's weight gradient, bilinear in x and g
        OpDef(
            f"conv{dims}d_weight",
            _conv_weight_vjp,
            None,
            conv2d_weight,
            _TWO,
            skips=True,
            reference=f"nn.grad.conv{dims}d_weight",
            formulas=("∂/∂x: conv_transpose(g_y, g)", "∂/∂g_y: conv(x, g)"),
            adds_up=True,
        ),
        # the gradient goes to the first maximum of each window inside the input, in row-major order, or to a
        # window's last NaN (PyTorch's indices)
        OpDef(
            f"max_pool{dims}d",
            _max_pool_vjp,
            None,
            max_pool2d,
            api=f"autograd.max_pool{dims}d",
            formulas=("∂maxpool(x)/∂xᵢ = 1 at each window's first maximum (its last NaN, if any)",),
            flat_pieces=True,
        ),
    )


CONV: tuple[OpDef, ...] = (
    *_convolutions(2),
    # the rules' own: max_pool2d's and max_pool3d's gradient, g scattered to the maxima; its own rule gathers
    OpDef(
        "max_pool2d_grad",
        _max_pool2d_grad_vjp,
        None,
        max_pool2d_grad,
        formulas=("the gradient, gathered at the maxima",),
        adds_up=True,
    ),
    *_convolutions(3),
)
