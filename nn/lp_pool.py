"""Power-average pooling, as PyTorch's: F.lp_pool1d/2d/3d and LPPool1d/2d/3d. Each window gives
(Σ xᵖ)^(1/p), built on autograd's avg_pool (the mean of xᵖ times the window's size) and max_pool (p = ±inf),
so that the gradient, second derivatives and compiled steps come from those ops."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import (
    Tensor,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    max_pool1d,
    max_pool2d,
    max_pool3d,
    raw,
    validate,
    where,
)

from .arguments import check_number, is_int, kept_size, layer_input
from .layer_trial import tried
from .lp_pool_caller import Caller
from .lp_pool_direct import direct_gradient
from .lp_pool_scaled import kept_for_checks, needs_scaling, rescaled
from .module import Module
from .norm_roots import same_path
from .p_norm_below_one import below_one_power, below_one_root


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False) -> Tensor:  # noqa: A002
    """torch.nn.functional.lp_pool1d: (Σ xᵖ)^(1/p) over each window of input (N, C, L) or (C, L), p =
    `norm_type` (stride: the kernel size by default); see `lp_pool2d` for the choices."""
    return _lp_pool("lp_pool1d", 1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False) -> Tensor:  # noqa: A002
    """torch.nn.functional.lp_pool2d: (Σ xᵖ)^(1/p) over each window of input (N, C, H, W) or (C, H, W),
    p = `norm_type`, computed as PyTorch's: the window's mean of xᵖ times its kernel's size. So a negative
    sum gives NaN unless 1/p is a whole number (p = 1: the plain sum, signs kept), a window that sums to 0
    gets gradient 0 (the sum passes through relu(s) - relu(-s), flat at 0), and ceil_mode's last, partial
    window is its own mean times the full kernel's size (PyTorch's). p = inf is the largest |x| of each
    window, -inf the smallest (max_pool of |x|)."""
    return _lp_pool("lp_pool2d", 2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False) -> Tensor:  # noqa: A002
    """torch.nn.functional.lp_pool3d: (Σ xᵖ)^(1/p) over each window of input (N, C, D, H, W) or (C, D, H, W),
    p = `norm_type`; see `lp_pool2d` for the choices."""
    return _lp_pool("lp_pool3d", 3, input, norm_type, kernel_size, stride, ceil_mode)


_POOLS = {1: (max_pool1d, avg_pool1d), 2: (max_pool2d, avg_pool2d), 3: (max_pool3d, avg_pool3d)}


def _lp_pool(
    name: str, dims: int, x: Any, p: Any, kernel_size: Any, stride: Any, ceil_mode: Any, dtype: Any = None
) -> Tensor:
    """lp_pool of x for the user's function `name` (`dtype`: the user's, where x was widened)."""
    x = layer_input(name, x)
    caller = Caller(name, x.dtype if dtype is None else dtype)
    p = _norm_type(name, p)
    max_pool, avg_pool = _POOLS[dims]
    if math.isinf(p):
        largest = max_pool(x.abs() if p > 0 else -x.abs(), kernel_size, stride, 0, 1, ceil_mode)
        return largest if p > 0 else -largest
    if _widened(x.dtype, p):
        return _in_float64(name, dims, x, p, kernel_size, stride, ceil_mode)
    kernel = kept_size(kernel_size)
    size = kernel**dims if is_int(kernel) else math.prod(kernel)

    def sum_of(terms: Tensor) -> Tensor:  # avg_pool checks the sizes and ceil_mode, naming avg_pool
        mean = avg_pool(terms, kernel_size, stride, 0, ceil_mode)
        # relu(s) - relu(-s) is s, flat at 0; sign(s)·relu(|s|) was too, but its product's rule met the gradient 0
        # of a window taken scaled with its inf mean (a sum past the floats): 0 * inf warned "invalid value"
        return (mean.relu() - (-mean).relu()) * size

    scales = p > 1 or p < 0  # sums past the floats, taken again scaled (lp_pool_scaled; 0 < p <= 1: see there)
    with np.errstate(**({"over": "ignore", "invalid": "ignore", "divide": "ignore"} if scales else {})):
        total = sum_of(_powers(x, p))  # warnings there were of overflow beside right numbers
    kernels = (kernel,) * dims if is_int(kernel) else tuple(kernel)
    strides = kept_size(stride) if stride is not None else kernels
    strides = (strides,) * dims if is_int(strides) else tuple(strides)
    scaling = scales and needs_scaling(total, x, p)
    if scaling and x.dtype == np.float32:
        # scaled in float32, 2^k was held at 2^-104 (2^-k of the gradient finite) and (x·2^-k)^p underflowed:
        # [2e-38, 2e-38] at p = 7 gave 0 for 2.208e-38, gradient [0, 0]; in float64 no window meets its ends
        wide = _in_float64(name, dims, x, p, kernel_size, stride, ceil_mode)
        return where(np.zeros(wide.shape, bool), kept_for_checks(total, x, p), wide)
    if scaling:
        # the window's largest |x| carries its sum for p > 1, its smallest for p < 0
        top_of = lambda v: (1 if p > 0 else -1) * max_pool(v if p > 0 else -v, kernel_size, stride, 0, 1, ceil_mode)  # noqa: E731
        out, scaled, ks = rescaled(x, p, total, sum_of, lambda t: _root(t, p), top_of, size, (kernels, strides), caller)
    else:
        out, scaled, ks = _root(total, p), None, None
    # the loss weight through the root's slope, then each entry's, may leave the floats where their product fits
    return direct_gradient(out, x, p, kernels, strides, size, scaled, ks, caller=caller) if p != 1 else out


def _in_float64(name: str, dims: int, x: Tensor, p: float, kernel_size: Any, stride: Any, ceil_mode: Any) -> Tensor:
    """lp_pool taken in float64 and rounded once to x's dtype at the end (the gradient too)."""
    return _lp_pool(name, dims, x.astype(np.float64), p, kernel_size, stride, ceil_mode, x.dtype).astype(x.dtype)


def _widened(dtype: np.dtype, p: float) -> bool:
    """Whether lp_pool of `dtype` data is taken in float64 and rounded once: float32 at p < 1/2 (at p = 0.05 its
    own sums were 16 ulp off, gradients 20, torch 2.13's as far; for p < 0 the root's slope S^(1/p - 1) left its
    range at ordinary sizes: gradient 0 for windows of 1e-20 at p = -1.5, NaN for 1e20), float16 at every p."""
    return dtype == np.float16 or (dtype == np.float32 and p < 0.5)


def _powers(x: Tensor, p: float) -> Tensor:
    """x ** p, for p < 1/2 with the slope's exponent p - 1 taken exactly (`below_one_power`: rounded, the slope was
    174 ulp off at p = 0.3, |x| ~ 1e300, 160 at p = -0.1, 7e152); where x < 0 both give NaN for a fractional p
    (torch's), where x is 0 an infinite slope."""
    return below_one_power(x, p) if p < 0.5 else x**p


def _root(total: Tensor, p: float) -> Tensor:
    """total^(1/p). A window that sums to 0 (p > 0) gives 0 and gradient 0, as PyTorch's, taken as such: its
    power's slope there, 0^(1/p − 1) = inf, met relu's 0 (inf · 0, put right later, but numpy warned on the way:
    "divide by zero", "invalid value"). For p < 0 it is inf, numpy's warning then rightly said so."""
    zero = raw(total) == 0
    if p < 0 or not zero.any():
        validate(lambda t: same_path("window sums", False, p > 0 and bool((raw(t) == 0).any())), total)
        return below_one_root(total, p)
    validate(lambda t: same_path("window sums", True, bool(np.array_equal(raw(t) == 0, zero))), total)
    return where(zero, 0.0, below_one_root(where(zero, 1.0, total), p))


def _norm_type(owner: str, p: Any) -> float:
    """p as a float: any number but 0 (1/p) and NaN; ±inf take the largest or smallest |x|. (A layer keeps
    an int p an int, as PyTorch's repr shows it.)"""
    return check_number(owner, "norm_type", p, "a nonzero number (or ±inf)", lambda p: p != 0 and p == p)


class _LPPool(Module):
    """What LPPool1d, LPPool2d and LPPool3d share: PyTorch's arguments, in its order, and its repr."""

    dims = 2
    setting_checks = dict.fromkeys(("kernel_size", "stride"), lambda layer, value: kept_size(value))
    setting_checks["norm_type"] = lambda layer, p: (
        int(p) if _norm_type(type(layer).__name__, p) and is_int(p) else float(p)
    )

    def __init__(self, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False) -> None:
        self.norm_type, self.kernel_size, self.stride, self.ceil_mode = norm_type, kernel_size, stride, ceil_mode
        tried(self, self.kernel_size, {}, self.dims)  # the sizes refused as the layer is made

    def forward(self, x: Tensor) -> Tensor:
        name = type(self).__name__
        return _lp_pool(name, self.dims, x, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self) -> str:
        return (
            f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
            f"ceil_mode={self.ceil_mode}"
        )


class LPPool2d(_LPPool):
    """(Σ xᵖ)^(1/p) over each window of input (N, C, H, W), p = `norm_type`, as F.lp_pool2d (stride: the
    kernel size by default)."""


class LPPool1d(_LPPool):
    """LPPool2d's of (N, C, L), as F.lp_pool1d."""

    dims = 1


class LPPool3d(_LPPool):
    """LPPool2d's of (N, C, D, H, W), as F.lp_pool3d."""

    dims = 3
