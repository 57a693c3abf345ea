"""The op table's average pools: avg_pool2d and avg_pool3d, each window's mean, and their gradients, each
other's adjoints (so every order of derivatives is exact):

    avg_pool(x)         each window's sum (a GEMM of ones over im2col, as conv2d's) divided once by its divisor
    avg_pool_grad(g)    each output's share g / divisor added back over its window (conv_transpose's col2im)

A window's divisor is its count (of entries inside the input and the padding, or inside the input alone
without `count_include_pad`; the rows ceil_mode's extra padding adds never count), or `divisor_override`.
The geometry is their keyword parameters, checked and normalised by `autograd.pool`: `kernel`, `stride`,
`padding` ((before, after) per axis, ceil_mode's rows added after).

A sum that passes the largest float is computed again on scaled operands (scaled_contractions), and divided
there, before the one ldexp that scales it back: four 1e308 average to 1e308 (Tensor.mean's), where the sum
divided after was inf, as PyTorch's is. Sums that fit are divided as they are, PyTorch's bits.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from .conv_columns import Padding, Pair, im2col
from .op_def import ANYWHERE, OpDef, tensor_op
from .op_table_conv import conv_transpose2d
from .scaled_contractions import checked

_NAMED = {(kind, dims): tensor_op(kind.format(dims)) for kind in ("avg_pool{}d", "avg_pool{}d_grad") for dims in (2, 3)}


def counts(size: Pair, kernel: Pair, stride: Pair, pad: Pair, out: Pair, include: bool) -> np.ndarray:
    """The output's shape (out_h, out_w in 2-d): each window's count, PyTorch's divisor: its entries
    inside the input and the padding `pad` before it (the rows ceil_mode adds are not counted), or inside
    the input alone without `include`."""
    per_axis = []
    for n, k, s, p, m in zip(size, kernel, stride, pad, out):
        # a stride past the padded input leaves one window: its start alone (a stride of 2**63 overflowed int64)
        starts = np.arange(m) * min(s, n + 2 * p + 1) - p
        ends = np.minimum(starts + k, n + p)
        inside = np.minimum(ends, n) - np.maximum(starts, 0)
        per_axis.append(ends - starts if include else inside)
    return functools.reduce(np.multiply.outer, per_axis)


def _divisors(
    dtype: np.dtype, size: Pair, out: Pair, kernel: Pair, stride: Pair, padding: Padding, include: bool, override: Any
) -> Any:
    """What each window's sum is divided by, in `dtype`: its count (`counts`), or divisor_override."""
    if override is not None:
        return dtype.type(override)
    return counts(size, kernel, stride, tuple(before for before, _ in padding), out, include).astype(dtype)


def avg_pool2d(
    x: np.ndarray, *, kernel: Pair, stride: Pair, padding: Padding, count_include_pad: bool, divisor_override: Any
) -> np.ndarray:
    """Each window's sum divided once by its divisor (module docstring): x (N, C, *spatial), each plane pooled
    alone, as conv2d's GEMM of one channel against a kernel of ones."""
    n, c, size = x.shape[0], x.shape[1], x.shape[2:]
    cols, out = im2col(x.reshape(n * c, 1, *size), kernel, stride, padding, (1,) * len(kernel), 1)
    divisor = np.reshape(
        _divisors(x.dtype, size, out, kernel, stride, padding, count_include_pad, divisor_override), (-1,)
    )
    ones = np.ones((1, 1, math.prod(kernel)), x.dtype)
    # divided inside the retry of an overflowed sum, before its ldexp: a mean that fits comes out finite
    means = checked(lambda w, windows: np.matmul(w, windows) / divisor, (ones, cols), ones.shape[-1], "avg_pool")
    return means.reshape(n, c, *out)


def avg_pool2d_grad(
    g: np.ndarray,
    *,
    size: Pair,
    kernel: Pair,
    stride: Pair,
    padding: Padding,
    count_include_pad: bool,
    divisor_override: Any,
) -> np.ndarray:
    """The adjoint of avg_pool2d in its input of spatial `size`: each output's share g / divisor added back over
    its window (conv_transpose2d of the shares with a kernel of ones), for each plane alone."""
    n, c, out = g.shape[0], g.shape[1], g.shape[2:]
    shares = g / _divisors(g.dtype, size, out, kernel, stride, padding, count_include_pad, divisor_override)
    ones = np.ones((1, 1, *kernel), g.dtype)
    planes = shares.reshape(n * c, 1, *out)
    undilated = (1,) * len(kernel)
    return conv_transpose2d(
        planes, ones, stride=stride, padding=padding, dilation=undilated, groups=1, size=size
    ).reshape(n, c, *size)


def _avg_pool_vjp(g, out, x, *, stride, **geometry):
    return (_NAMED["avg_pool{}d_grad", len(stride)](g, size=np.shape(x)[2:], stride=stride, **geometry),)


def _avg_pool_grad_vjp(g, out, gy, *, size, stride, **geometry):
    return (_NAMED["avg_pool{}d", len(stride)](g, stride=stride, **geometry),)


def _pools(dims: int) -> tuple[OpDef, ...]:
    """The average pool entries of `dims` spatial axes: the same forwards and rules, named for their axes."""
    return (
        # each window's mean: its gradient each output's share of g (÷ its divisor) back over its window
        OpDef(
            f"avg_pool{dims}d",
            _avg_pool_vjp,
            None,
            avg_pool2d,
            (ANYWHERE,),
            api=f"autograd.avg_pool{dims}d",
            formulas=(
                "∂avgpool(x)/∂xᵢ = Σ 1/n over the windows holding xᵢ, n a window's count (divisor_override if given)",
            ),
            adds_up=True,
        ),
        # the rules' own: avg_pool's gradient, g's shares spread over the windows; its own rule is avg_pool again
        OpDef(
            f"avg_pool{dims}d_grad",
            _avg_pool_grad_vjp,
            None,
            avg_pool2d_grad,
            (ANYWHERE,),
            formulas=("the gradient, each window's mean",),
            adds_up=True,
        ),
    )


POOL: tuple[OpDef, ...] = (*_pools(2), *_pools(3))
