"""The op table's unfold and fold: a batch of images as the columns of its sliding windows, and back.

    unfold(x)   (N, C, H, W) -> (N, C * kh * kw, L): each window's entries (channel, then the kernel's
                rows and columns) as a column, L windows in row-major order (im2col, PyTorch's layout)
    fold(cols)  (N, C * kh * kw, L) -> (N, C, H, W): each column's entries added back where they were
                read (col2im), the padding cut off; where windows overlap, their entries add up

The two are each other's adjoints, so each is the other's derivative, and every order of derivatives is
exact. The geometry is their keyword parameters, checked and normalised by `autograd.folding`: `kernel`,
`dilation`, `stride` pairs, `padding` ((top, bottom), (left, right)); fold's `size` is its (H, W).
"""

from __future__ import annotations

import numpy as np

from .conv_columns import Padding, Pair, col2im, im2col, span
from .op_def import OpDef, tensor_op

_unfold, _fold = tensor_op("unfold"), tensor_op("fold")


def windows(size: Pair, kernel: Pair, dilation: Pair, padding: Padding, stride: Pair) -> Pair:
    """The count of windows along each axis of a plane of `size`."""
    return tuple(  # type: ignore[return-value]
        (n + sum(p) - s) // st + 1 for n, s, p, st in zip(size, span(kernel, dilation), padding, stride)
    )


def unfold(x: np.ndarray, *, kernel: Pair, dilation: Pair, padding: Padding, stride: Pair) -> np.ndarray:
    cols, _ = im2col(x, kernel, stride, padding, dilation, 1)  # (N, 1, C * kh * kw, L)
    return cols.reshape(x.shape[0], cols.shape[-2], cols.shape[-1])  # spelled out: a batch of 0 infers no -1


def fold(cols: np.ndarray, *, size: Pair, kernel: Pair, dilation: Pair, padding: Padding, stride: Pair) -> np.ndarray:
    n, rows, _ = cols.shape
    ho, wo = windows(size, kernel, dilation, padding, stride)
    per_entry = cols.reshape(n, rows // (kernel[0] * kernel[1]), *kernel, ho, wo)
    return col2im(per_entry, size, stride, padding, dilation)


FOLD: tuple[OpDef, ...] = (
    # zeros padding, as PyTorch's; the gradient is each window's share of g added back (fold)
    OpDef(
        "unfold",
        lambda g, out, x, *, kernel, dilation, padding, stride: (
            _fold(g, size=np.shape(x)[2:], kernel=kernel, dilation=dilation, padding=padding, stride=stride),
        ),
        None,
        unfold,
        api="autograd.unfold",
        formulas=("∂unfold(x)/∂x: fold(g), each entry's gradients from every window holding it, added",),
    ),
    # overlapping windows add up (PyTorch's); the gradient reads each column's entries back (unfold)
    OpDef(
        "fold",
        lambda g, out, cols, *, size, kernel, dilation, padding, stride: (
            _unfold(g, kernel=kernel, dilation=dilation, padding=padding, stride=stride),
        ),
        None,
        fold,
        api="autograd.fold",
        formulas=("∂fold(c)/∂c: unfold(g), each column entry's gradient read where it was added",),
        adds_up=True,
    ),
)
