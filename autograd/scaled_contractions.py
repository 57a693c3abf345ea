"""Sums of products (matmul, einsum, convolution's columns, and all built on them: tensordot, dot, linear,
their gradients) whose products or partial sums overflow where the result fits: [1e308, 1e308, -1e308] @
ones(3) is 1e308, where numpy's (and PyTorch's) is inf.

The fast result is kept wherever it is finite (one check of the result, numpy's overflow warning silenced
while it is made). Its non-finite entries are computed again on operands scaled by powers of two, each
one's largest finite |entry| brought into [2**(h-1), 2**h) with k·h + bits(terms) under the dtype's
largest exponent (k operands), so that no product or partial sum can overflow; the result is scaled back
by one ldexp, rounding once (to inf where the exact result is beyond the range, with numpy's warning).
Scaling is exact but where an entry falls below the normal floats; for two operands what that loses is
far under the rounding error of any floating-point sum of the same terms (an entry recomputed had terms
summing past the largest float: see `_refuse_unsure`). float16 is computed again in float32 instead (its 5
exponent bits leave scaling no room).

Where a matrix product's operands hold fewer numbers than its result (a weight's gradient, `x.T @ g`, at a batch
smaller than the layer: 128 x (784 + 256) against 784 x 256), their norms are read instead (`product_fits`): a
bound under which no partial sum can overflow makes numpy's result right as it is, unread."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .scaled_sums import first_try, vdot

# np.vdot's sum of squares of up to this many float32 entries is within k * 2**-24 of the true sum (recursive
# summation, the worst case): under half of it, so twice the computed sum bounds the true one
SQUARES_AT_MOST = 2**22
# what squares lost to underflow may hide, as a bound on a norm (up to 2**22 squares below float32's least
# subnormal, 1.4e-45, sum to under 6e-39, whose square root is under 1e-19; float64's are smaller)
UNDERFLOWED = 1e-18
_LARGEST = {"f": float(np.finfo(np.float32).max), "d": float(np.finfo(np.float64).max)}


def norms_bound(a: np.ndarray, b: np.ndarray) -> float:
    """A bound on ||a|| * ||b|| (Frobenius norms) from the two sums of squares (np.vdot: one BLAS pass each,
    silent), inf where it cannot tell (NaN or an infinity in either, squares past the range, more than
    SQUARES_AT_MOST entries). It bounds every entry of an outer product of the two, and the sum of |a[i, t] *
    b[t, j]| over t of a matrix product's entry (Cauchy-Schwarz: at most ||a[i]|| * ||b[:, j]||)."""
    if max(a.size, b.size) > SQUARES_AT_MOST:
        return math.inf
    sa, sb = float(vdot(a, a)), float(vdot(b, b))
    if not (math.isfinite(sa) and math.isfinite(sb)):
        return math.inf
    return (math.sqrt(2.0 * sa) + UNDERFLOWED) * (math.sqrt(2.0 * sb) + UNDERFLOWED)


def reads_less(m: int, k: int, n: int) -> bool:
    """Whether the operands of an (m, k) @ (k, n) product hold fewer numbers than its result: reading them for
    `product_fits` costs less than reading the result for a non-finite entry."""
    return k * (m + n) < m * n


def product_fits(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether no partial sum of the matrix product a @ b (2-d, both float32 or both float64, each C- or
    F-contiguous, as a BLAS product sums its products) can overflow, and so numpy's result is right and finite
    as it is: twice `norms_bound` within the dtype's range (a computed partial sum is within (1 + k * eps) of its
    terms' magnitudes' sum, under twice it for k up to SQUARES_AT_MOST). False says only "read the result"."""
    largest = _LARGEST.get(a.dtype.char)
    return (
        largest is not None
        and b.dtype == a.dtype
        and a.shape[-1] <= SQUARES_AT_MOST
        and (a.flags.c_contiguous or a.flags.f_contiguous)
        and (b.flags.c_contiguous or b.flags.f_contiguous)
        and 2.0 * norms_bound(a.ravel(order="K"), b.ravel(order="K")) <= largest
    )


def checked(compute: Callable[..., Any], operands: Sequence[np.ndarray], terms: int, name: str) -> Any:
    """compute(*operands), a sum of `terms` products of one entry of each operand (matmul: the contracted
    length), right wherever its result fits the dtype: numpy's where that is finite, else again, scaled.
    matmul's of two matrices (rows by columns) reads their norms instead of its result where that reads less
    and proves it right (`product_fits`)."""
    if terms < 2 and len(operands) < 3:  # each entry one product rounded once (an outer product): nothing to redo
        return compute(*operands)
    if name == "matmul" and len(operands) == 2:
        a, b = operands
        if a.ndim == b.ndim == 2 and reads_less(a.shape[0], terms, b.shape[1]) and product_fits(a, b):
            return compute(a, b)  # no partial sum can overflow: numpy's result, unread (and no warning to silence)
    out, right = first_try(compute, *operands)  # numpy's overflow warning silenced: the second try warns if it must
    if right:
        return out
    kept = np.isfinite(out)
    if out.dtype.itemsize < 4:  # float16: float32 holds any sum of float16 products; rounded once (warns past it)
        again = compute(*(x.astype(np.float32) for x in operands)).astype(out.dtype)
    else:
        again = _scaled(compute, operands, terms, name, kept)
        # NaN again where the first try is ±inf: an infinite entry times one that scaling flushed to 0 ([inf, 1] @
        # [1e-300, 1e300] is inf, not inf·0); scaled operands cannot overflow, so the first try's infinity is real
        kept |= np.isnan(again)
    return np.where(kept, out, again)[()]


def _largest_finite(x: np.ndarray) -> Any:
    """The largest finite |entry| of x (0 if none)."""
    return np.max(np.abs(x), where=np.isfinite(x), initial=0)


def _scaled(compute: Callable[..., Any], operands: Sequence[np.ndarray], terms: int, name: str, kept: Any) -> Any:
    """compute(*operands) on operands scaled by powers of two (module docstring), scaled back by one ldexp."""
    dtype = np.result_type(*operands)
    h = (np.finfo(dtype).maxexp - 1 - terms.bit_length()) // len(operands)
    scaled, shift = [], 0
    for x in operands:
        e = int(np.frexp(_largest_finite(x))[1])
        scaled.append(x * np.ldexp(np.ones((), dtype), h - e))  # exact where x·2**(h-e) stays normal
        shift += e - h
    with np.errstate(over="ignore", under="ignore"):  # none overflows now; inf - inf among the inputs warns
        out = compute(*scaled)
        if len(operands) > 2:
            _refuse_unsure(out, compute, scaled, terms, h, name, kept)
    return np.ldexp(np.where(kept, 0, out), shift)  # warns where the result is past the range, as numpy would


def _refuse_unsure(
    out: Any, compute: Callable[..., Any], scaled: Sequence[Any], terms: int, h: int, name: str, kept: Any
) -> None:
    """Raise where what scaling lost may exceed a rounding: with three operands or more, an entry's terms can
    overflow on the way (1e308·1e308·1e-300) while a factor scaled below the normal floats loses its bits.
    Each scaled entry is off by at most half the least subnormal, times the other factors (< 2**h each);
    that is `_unsure` where it is not below one rounding of the sum of the terms' magnitudes."""
    info = np.finfo(np.result_type(*scaled))
    k = len(scaled)
    lost = terms * 2 * k * np.ldexp(info.smallest_subnormal, (k - 1) * max(h, 0))
    size = compute(*(np.abs(x) for x in scaled))
    unsure = ~kept & np.isfinite(out) & (lost > size * info.eps / 2)
    if np.any(unsure):
        raise FloatingPointError(
            f"{name}: a product of {k} operands passes the float range on its way to an entry whose own value "
            f"is too small to compute in {info.dtype} (entry {tuple(int(i) for i in np.argwhere(unsure)[0])}); "
            "contract two operands at a time, or rescale them"
        )
