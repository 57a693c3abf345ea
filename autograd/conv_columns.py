"""The geometry of convolution as GEMMs, for the op table's entries (`op_table_conv`): padding, the
windows of an input (im2col) and their adjoint (col2im), and the kernel of conv2d's adjoint taken as
a correlation.

Arrays are (batch, channels, height, width), kernels PyTorch's (out, in / groups, kh, kw); `stride`
and `dilation` are pairs, `padding` ((top, bottom), (left, right)).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

Pair = tuple[int, int]
Padding = tuple[Pair, Pair]


def padded(x: np.ndarray, padding: Padding, fill: float = 0.0) -> np.ndarray:
    if not any(padding[0] + padding[1]):
        return x
    return np.pad(x, ((0, 0), (0, 0), *padding), constant_values=fill)


def lowest(dtype: np.dtype) -> float:
    """What max pooling pads with: -inf, or the least integer of an integer dtype."""
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min if dtype.kind in "iu" else False


def span(kernel: Pair, dilation: Pair) -> Pair:
    """The height and width a dilated kernel covers."""
    return dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1


def window_view(x: np.ndarray, kernel: Pair, stride: Pair, padding: Padding, dilation: Pair) -> np.ndarray:
    """The windows of padded x as a strided view (N, C, Ho, Wo, kh, kw): im2col before its copy."""
    view = sliding_window_view(padded(x, padding), span(kernel, dilation), axis=(2, 3))
    return view[:, :, :: stride[0], :: stride[1], :: dilation[0], :: dilation[1]]


def kernel_offsets(kernel: Pair, stride: Pair, dilation: Pair, out: Pair) -> Iterator[tuple[slice, slice]]:
    """Per kernel entry, row by row: the rows and columns of the padded input it meets at every
    one of the `out` output positions."""
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            r, c = i * dilation[0], j * dilation[1]
            yield (
                slice(r, r + stride[0] * (out[0] - 1) + 1, stride[0]),
                slice(c, c + stride[1] * (out[1] - 1) + 1, stride[1]),
            )


def im2col(
    x: np.ndarray, kernel: Pair, stride: Pair, padding: Padding, dilation: Pair, groups: int, size: Pair | None = None
) -> tuple[np.ndarray, Pair]:
    """im2col, per image: (N, groups, C/groups * kh * kw, Ho * Wo), rows in the order of a kernel's
    entries; and the output's (Ho, Wo), or only its first `size` positions. Per image, so that GEMMs
    give (N, C, H, W) in order."""
    windows = window_view(x, kernel, stride, padding, dilation)
    if size is not None:
        windows = windows[:, :, : size[0], : size[1]]
    n, c, ho, wo, kh, kw = windows.shape
    return windows.transpose(0, 1, 4, 5, 2, 3).reshape(n, groups, c // groups * kh * kw, ho * wo), (ho, wo)


def weights_by_group(w: np.ndarray, groups: int) -> np.ndarray:
    """(O, C/groups, kh, kw) as (groups, O/groups, C/groups*kh*kw): a GEMM's matrix per group."""
    return w.reshape(groups, w.shape[0] // groups, -1)


def images_by_group(a: np.ndarray, groups: int) -> np.ndarray:
    """(N, C, H, W) as (N, groups, C/groups, H*W): a GEMM's matrix per image and group (sizes spelled
    out, not -1: a batch of 0 has none to infer from)."""
    n, c, h, w = a.shape
    return a.reshape(n, groups, c // groups, h * w)


def col2im(cols: np.ndarray, size: Pair, stride: Pair, padding: Padding, dilation: Pair) -> np.ndarray:
    """The adjoint of im2col: cols (N, C, kh, kw, Ho, Wo), each kernel entry's values added where
    it read, the padding cut off: (N, C, *size). One pass per kernel entry."""
    n, c, kh, kw, ho, wo = cols.shape
    (top, bottom), (left, right) = padding
    out = np.zeros((n, c, size[0] + top + bottom, size[1] + left + right), cols.dtype)
    for k, (rows, columns) in enumerate(kernel_offsets((kh, kw), stride, dilation, (ho, wo))):
        out[:, :, rows, columns] += cols[:, :, k // kw, k % kw]
    return out[:, :, top : top + size[0], left : left + size[1]]


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
    o, cg, kh, kw = w.shape
    if stride != (1, 1) or o > groups * cg or size[0] > g.shape[2] or size[1] > g.shape[3]:
        return None
    top, left = dilation[0] * (kh - 1) - padding[0][0], dilation[1] * (kw - 1) - padding[1][0]
    bottom = size[0] - g.shape[2] - top + dilation[0] * (kh - 1)
    right = size[1] - g.shape[3] - left + dilation[1] * (kw - 1)
    if min(top, bottom, left, right) < 0 or (w.dtype.kind in "fc" and not np.isfinite(w).all()):
        return None
    return (top, bottom), (left, right)


def flipped(w: np.ndarray, groups: int) -> np.ndarray:
    """conv2d's kernel (O, C/groups, kh, kw) as the kernel of its adjoint's correlation,
    (C, O/groups, kh, kw), turned by half a circle: each group's two channel axes swapped."""
    o, cg, kh, kw = w.shape
    by_group = w.reshape(groups, o // groups, cg, kh, kw).transpose(0, 2, 1, 3, 4)
    return by_group[..., ::-1, ::-1].reshape(groups * cg, o // groups, kh, kw)
