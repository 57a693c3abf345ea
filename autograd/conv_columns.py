"""The geometry of convolution as GEMMs, for the op table's entries (`op_table_conv`): padding, the
windows of an input (im2col) and their adjoint (col2im), and the kernel of conv2d's adjoint taken as
a correlation.

Arrays are (batch, channels, *spatial): (batch, channels, height, width) for conv2d, (batch,
channels, depth, height, width) for conv3d; kernels PyTorch's (out, in / groups, *kernel). `stride`
and `dilation` hold one int per spatial axis, `padding` one (before, after) per axis: every function
here serves any number of spatial axes, so conv3d is conv2d's code with one more axis.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

Pair = tuple[int, ...]  # one int per spatial axis (a pair for the 2-d ops)
Padding = tuple[tuple[int, int], ...]  # (before, after) per spatial axis


def padded(x: np.ndarray, padding: Padding, fill: float = 0.0) -> np.ndarray:
    if not any(sum(padding, ())):
        return x
    return np.pad(x, ((0, 0), (0, 0), *padding), constant_values=fill)


def lowest(dtype: np.dtype) -> float:
    """What max pooling pads with: -inf, or the least integer of an integer dtype."""
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min if dtype.kind in "iu" else False


def span(kernel: Pair, dilation: Pair) -> Pair:
    """The extent a dilated kernel covers along each axis."""
    return tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))


def window_view(x: np.ndarray, kernel: Pair, stride: Pair, padding: Padding, dilation: Pair) -> np.ndarray:
    """The windows of padded x as a strided view (N, C, *out, *kernel): im2col before its copy."""
    axes = tuple(range(2, 2 + len(kernel)))
    view = sliding_window_view(padded(x, padding), span(kernel, dilation), axis=axes)
    return view[(slice(None),) * 2 + tuple(slice(None, None, s) for s in stride + dilation)]


def kernel_entries(kernel: Pair) -> Iterator[tuple[int, ...]]:
    """Each entry of a kernel, its index along each axis, in row-major order; made one at a time (itertools'
    product and np.ndindex held tens of kilobytes for a kernel of 1,500, over conv_limits' count)."""
    for k in range(math.prod(kernel)):
        entry = []
        for size in reversed(kernel):
            k, i = divmod(k, size)
            entry.append(i)
        yield tuple(reversed(entry))


def kernel_offsets(kernel: Pair, stride: Pair, dilation: Pair, out: Pair) -> Iterator[tuple[slice, ...]]:
    """Per kernel entry, in row-major order: the slices of the padded input, one per axis, it meets at
    every one of the `out` output positions."""
    for entry in kernel_entries(kernel):
        yield tuple(slice(i * d, i * d + s * (m - 1) + 1, s) for i, d, s, m in zip(entry, dilation, stride, out))


def im2col(
    x: np.ndarray, kernel: Pair, stride: Pair, padding: Padding, dilation: Pair, groups: int, size: Pair | None = None
) -> tuple[np.ndarray, Pair]:
    """im2col, per image: (N, groups, C/groups * prod(kernel), prod(out)), rows in the order of a
    kernel's entries; and the output's spatial size, or only its first `size` positions. Per image, so
    that GEMMs give (N, C, *out) in order."""
    windows = window_view(x, kernel, stride, padding, dilation)
    if size is not None:
        windows = windows[(slice(None),) * 2 + tuple(slice(m) for m in size)]
    d = len(kernel)
    n, c, out = windows.shape[0], windows.shape[1], windows.shape[2 : 2 + d]
    order = (0, 1, *range(2 + d, 2 + 2 * d), *range(2, 2 + d))  # (N, C, *kernel, *out)
    rows = c // groups * math.prod(kernel)
    return windows.transpose(order).reshape(n, groups, rows, math.prod(out)), out


def weights_by_group(w: np.ndarray, groups: int) -> np.ndarray:
    """(O, C/groups, *kernel) as (groups, O/groups, C/groups*prod(kernel)): a GEMM's matrix per group."""
    return w.reshape(groups, w.shape[0] // groups, -1)


def images_by_group(a: np.ndarray, groups: int) -> np.ndarray:
    """(N, C, *spatial) as (N, groups, C/groups, prod(spatial)): a GEMM's matrix per image and group
    (sizes spelled out, not -1: a batch of 0 has none to infer from)."""
    n, c = a.shape[:2]
    return a.reshape(n, groups, c // groups, math.prod(a.shape[2:]))


def col2im(cols: np.ndarray, size: Pair, stride: Pair, padding: Padding, dilation: Pair) -> np.ndarray:
    """The adjoint of im2col: cols (N, C, *kernel, *out), each kernel entry's values added where
    it read, the padding cut off: (N, C, *size). One pass per kernel entry."""
    d = len(size)
    n, c, kernel, out_size = cols.shape[0], cols.shape[1], cols.shape[2 : 2 + d], cols.shape[2 + d :]
    out = np.zeros((n, c, *(m + sum(p) for m, p in zip(size, padding))), cols.dtype)
    for entry, where in zip(kernel_entries(kernel), kernel_offsets(kernel, stride, dilation, out_size)):
        out[(slice(None),) * 2 + where] += cols[(slice(None),) * 2 + entry]
    return out[(slice(None),) * 2 + tuple(slice(before, before + m) for (before, _), m in zip(padding, size))]


def correlation_padding(
    g: np.ndarray, w: np.ndarray, stride: Pair, padding: Padding, dilation: Pair, groups: int, size: Pair
) -> Padding | None:
    """At stride 1 the adjoint is itself a correlation: of g, padded to reach every output position,
    with the kernel flipped and its channel axes swapped (`flipped`). That path copies g's windows
    (im2col) where col2im adds the GEMM's columns back one kernel entry at a time, in runs of one
    image row: several times slower an entry. The padding that path needs, where it is taken at no
    cost elsewhere: no more of g's channels than the output's and an output no larger than g along
    each axis (a padding of "same" or more), so that its GEMM does no more work than col2im's, its
    windows are no more than col2im's columns and g padded no larger than col2im's plane; no padding
    cut off (a negative pad); and a finite kernel (its entries times the padding's zeros would add
    NaN where col2im adds nothing). Where it is taken, the sums run in another order: an intermediate
    sum can overflow in one order and not the other (float16 most)."""
    o, cg, kernel = w.shape[0], w.shape[1], w.shape[2:]
    if any(s != 1 for s in stride) or o > groups * cg or any(m > n for m, n in zip(size, g.shape[2:])):
        return None
    reach = tuple(d * (k - 1) for d, k in zip(dilation, kernel))
    before = tuple(r - p[0] for r, p in zip(reach, padding))
    pads = tuple((b, m - n - b + r) for b, m, n, r in zip(before, size, g.shape[2:], reach))
    if min(sum(pads, ())) < 0 or (w.dtype.kind in "fc" and not np.isfinite(w).all()):
        return None
    return pads


def flipped(w: np.ndarray, groups: int) -> np.ndarray:
    """A convolution's kernel (O, C/groups, *kernel) as the kernel of its adjoint's correlation,
    (C, O/groups, *kernel), turned by half a circle along every axis: each group's two channel axes swapped."""
    o, cg, kernel = w.shape[0], w.shape[1], w.shape[2:]
    by_group = w.reshape(groups, o // groups, cg, *kernel).swapaxes(1, 2)
    return by_group[(Ellipsis,) + (slice(None, None, -1),) * len(kernel)].reshape(groups * cg, o // groups, *kernel)
