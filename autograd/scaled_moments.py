"""Moments and norms computed on entries scaled by a power of two where squaring them would overflow
or underflow: var (degree 2), std and the 2-norm (degree 1) are right wherever their result fits the
dtype. The fast result is checked first (one look at the small result), so most inputs pay nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .graph import raw


def result_dtype(x: np.ndarray) -> np.dtype:
    """The dtype of std and norm: a float's own; float64 for integers and bools (as numpy's)."""
    return x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)


def working(x: np.ndarray) -> np.ndarray:
    """x in the floats std and norm are computed in: float16 widened to float32 (its sums overflow
    at 65504, its squares of small spreads underflow; numpy's mean widens it too). var and std then
    sum in float64 (`wide`), given as numpy's dtype= (no float64 copy of x)."""
    return x.astype(np.promote_types(result_dtype(x), np.float32), copy=False)


def _moderate(a: np.ndarray) -> bool:
    """Whether every entry of `a` is 0, inf, NaN (frexp's exponent 0) or within 2**±(maxexp/4) of 1
    (float32: 2**±32), where squares and sums of them neither overflow nor underflow."""
    return bool(np.all(np.abs(np.frexp(a)[1]) <= np.finfo(a.dtype).maxexp // 4))


def _moderate_results(out: np.ndarray) -> bool:
    """Whether every entry of a var, std or 2-norm result (each ≥ 0, or NaN) is within 2**±(maxexp/4) of 1
    (nonzero, finite and moderate, as `_moderate` asks): by its smallest and largest, two reductions of the
    small result (NaN fails both comparisons)."""
    bound = 2.0 ** (np.finfo(out.dtype).maxexp // 4)
    return bool(out.min() >= 1 / bound and out.max() <= bound) if out.size else True


def scale_for(out: np.ndarray, x: Any, axis: Any) -> np.ndarray | None:
    """For var, std or the 2-norm `out` computed on x as it is, None if it is right: its entries nonzero,
    finite and moderate (an overflowed square makes a result inf or NaN; squares that underflowed
    are below 2**-(maxexp/2) of the result's), or every slice's largest |x| is (most inputs: no
    pass over x at all). Else, per output (kept as 1), the power of two 2**-e in x's dtype bringing
    the largest |x| into [0.5, 1): multiplying by it is exact, so results on scaled entries equal
    unscaled ones wherever those are right."""
    if _moderate_results(out):
        return None
    data = raw(x)
    # two reductions and no |x| array: the largest magnitude is the larger of max and -min
    biggest = np.maximum(np.max(data, axis, keepdims=True, initial=0), -np.min(data, axis, keepdims=True, initial=0))
    if _moderate(biggest):
        return None
    e = np.maximum(np.frexp(biggest)[1], 2 - np.finfo(data.dtype).maxexp)  # all-subnormal: 2**-e stays finite
    return np.ldexp(np.ones((), data.dtype), -e)


def homogeneous(reduce: Callable[[np.ndarray], np.ndarray], x: np.ndarray, axis: Any, degree: int = 1) -> np.ndarray:
    """reduce(x) for var (degree 2), std or the 2-norm (reduce(x·s) = reduce(x)·s**degree for s > 0),
    computed again as reduce(x·s)/s**degree where it needs scaling (`scale_for`): right wherever the
    result fits the dtype."""
    dtype, x = result_dtype(x), working(x)
    with np.errstate(over="ignore", under="ignore"):  # what scaling is for: a second try follows
        out = reduce(x)
    scale = scale_for(out, x, axis)
    if scale is not None:
        out = reduce(x * scale)
        for _ in range(degree):  # each division exact but where the result leaves the normal floats
            out = out / np.reshape(scale, np.shape(out))
    return out.astype(dtype, copy=False)


def in_scaled_units(out: Any, x: Any, axis: Any, again: Callable[[Any], Any]) -> tuple[Any, Any]:
    """(out·s, x·s) where the forward needed scaling (`scale_for`), else (out, x): std's and the
    2-norm's gradients are the same at x·s (their ratios (x - mean)/std and x/‖x‖ do not change),
    but their parts are near 1 there, neither overflowing nor underflowing; s is a constant
    (locally), so create_graph differentiates through it as through the unscaled rule. Where out
    holds a subnormal or an infinity, out·s would keep its rounding (the 2-norm of [5e-324, 5e-324]
    is 5e-324, and x/‖x‖ came out [1, 1], not 1/√2) or its inf: `again(x·s)`, the result on x·s, instead."""
    scale = scale_for(raw(out), x, axis)
    if scale is None:
        return out, x
    result = np.asarray(raw(out))
    if not (((result >= np.finfo(result.dtype).tiny) & (result < np.inf)) | (result == 0) | np.isnan(result)).all():
        return again(x * scale), x * scale
    return out * np.reshape(scale, np.shape(out)), x * scale
