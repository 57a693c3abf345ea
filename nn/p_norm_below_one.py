"""The p-norm of the last axis for 0 < p < 1 as an op of its own: its value and slope taken on d/m, m a power of 2
near the row's largest |d| (exact), so that the sum S of |d/m|^p lies in [1, 2n] and the root S^(1/p) loses no
digits to the rounding of 1/p (unscaled, that rounding was multiplied by ln S: 216 ulp at a row of 3e300, p=0.9),
and the slope S^(1/p-1) · |d/m|^(p-1) never passes through g · m (g · m · |d/m|^(p-1) before dividing by m was
inf beside a difference of 1e300 for a loss weight of 2). Its second derivatives differentiate that slope taken
on d/`shape` instead (`shape` the scale `_scale_below_one` chooses, 1 or the largest |d|), the form whose
second derivatives stay in range."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Node, Op, Tensor, where

from .gradient_of import with_gradient_of


def _wide(dtype: np.dtype) -> type:
    """The type the op computes in: one whose normal range holds every d/m (float32's in float64; float64's in
    numpy's long double where that is wider), so that an entry far below the row's largest (3e37 beside 1e-3 in
    float32: 1e-3 / 2^124 is subnormal) keeps its digits (it had 6e-6 of its slope off in float32)."""
    if dtype == np.float64 and np.finfo(np.longdouble).maxexp > np.finfo(np.float64).maxexp:
        return np.longdouble
    return np.float64 if dtype.itemsize <= 8 else dtype.type


def _numbers(d: np.ndarray, m: np.ndarray, p: float) -> tuple[np.ndarray, np.ndarray]:
    """The norm (kept axis) and its slope, computed wide (`_wide`) on d/m and rounded once to d's dtype."""
    wide = _wide(d.dtype)
    u = d.astype(wide) / np.asarray(m).astype(wide)
    size = np.abs(u)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # a row holding inf: inf, as torch's
        total = (size**p).sum(axis=-1, keepdims=True)
        norm = np.asarray(m).astype(wide) * total ** (1 / wide(p))
        slope = np.where(u != 0, total ** (1 / wide(p) - 1) * size ** (wide(p) - 1) * np.sign(u), 0)
        return norm.astype(d.dtype), slope.astype(d.dtype)  # a float32 distance past 3.4e38: inf


def _forward(d: Any, m: Any, shape: Any, p: float) -> Any:
    return _numbers(d, m, p)[0]


_slope_numbers = Op(
    "p_norm_below_one_slope", lambda d, m, p: _numbers(d, m, p)[1], lambda g, out, d, m, p: (None, None)
)


def _slope(d: Any, m: Any, p: float) -> Any:
    """The gradient of ‖d‖_p, taken on d/m: S^(1/p-1) · |d/m|^(p-1) · sign(d), S the sum of |d/m|^p; a 0 entry
    takes none (|0|^(p-1) is infinite: PyTorch's 0, g · inf was NaN). On arrays and on nodes alike."""
    kept = d != 0
    u = where(kept, d, 1.0) / m
    size = abs(u)
    total = where(kept, size**p, 0.0).sum(axis=-1, keepdims=True)
    return where(kept, total ** (1 / p - 1) * size ** (p - 1) * where(u < 0, -1.0, 1.0), 0.0)


def _rule(g: Any, out: Any, d: Any, m: Any, shape: Any, p: float) -> tuple[Any, None, None]:
    """g times the slope; where the rule runs on nodes (second derivatives asked for), the slope's own gradient
    is that of `_slope` taken at `shape` (on plain arrays that form is not needed: its S^(1/p-1) may overflow)."""
    if not isinstance(d, Node):
        return (g * _numbers(d, m, p)[1], None, None)
    return (g * with_gradient_of(_slope_numbers(d, m, p=p), _slope(d, shape, p)), None, None)


_below_one = Op("p_norm_below_one", _forward, _rule)


def below_one_norm(d: Tensor, m: Tensor, shape: Tensor, *, p: float) -> Tensor:
    """‖d‖_p along the last axis (kept), 0 < p < 1, d's rows scaled by `m` (powers of 2, one a row), the second
    derivatives by `shape` (see the module's docstring)."""
    return _below_one(d, m, shape, p=p)
