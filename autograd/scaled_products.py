"""Products of many floats that neither underflow nor overflow on their way: prod's and cumprod's
forwards, and their gradients' products of the other entries, on arrays.

A product rounded step by step leaves the float range where its partial products do, even when the
answer lies well inside it: float64's [1e-200, 1e-200, 1e300] gave 0 where it is 1e-100, and prod's
gradient at [1e-160, 3e-161, 1e-5, 1e160] sent 2.99898e-161 where it is 3e-161 (a partial product
subnormal on the way). Here each entry is a mantissa in [0.5, 1) and a power of two (np.frexp):
mantissas are multiplied in blocks of BLOCK (a block's product stays above 2**-BLOCK, a normal
float64), exponents added as integers, and the result rounded once at the end (np.ldexp). Where no
partial product can leave the normal range (`in_range`, from the entries' exponents), numpy's own
product is used, as before; where that bound is too loose to tell (it grows with the count: 2000 ones
fail it), numpy's running product is computed in float64 and kept where none of its steps left the
range (`_left_the_range`), so only products that did leave it pay for the mantissas. The numbers m·2**e
are mantissa_exponent's (its exponents here integers)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .mantissa_exponent import apart, joined, normalized, times

BLOCK = 512  # mantissas in [0.5, 1): a block's running product stays above 2**-512


def in_range(x: np.ndarray, count: int) -> bool:
    """Whether no product of up to `count` entries of x can leave the normal float64 range (or
    x's own, for float16 and float32 computed in float64): the common case, numpy's product exact
    to rounding there. Zeros, infinities and NaN count as in range (numpy's IEEE rules apply)."""
    if x.size == 0 or x.dtype.kind != "f":
        return True
    exponents = np.frexp(x)[1]
    largest = max(int(exponents.max()), -int(exponents.min()))
    return largest * count < np.finfo(np.float64).maxexp - 2


def running(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The running product along the last axis of float64 `rows`, as (mantissa, exponent): the product
    of entries 0..k is mantissa[k]·2**exponent[k]."""
    n = rows.shape[-1]
    padded = -(-n // BLOCK) * BLOCK
    mantissa, exponent = np.frexp(np.concatenate([rows, np.ones(rows.shape[:-1] + (padded - n,))], axis=-1))
    blocks = rows.shape[:-1] + (padded // BLOCK, BLOCK)
    m, e = np.cumprod(mantissa.reshape(blocks), -1), np.cumsum(exponent.reshape(blocks), -1, dtype=np.int64)
    if padded > BLOCK:  # each block goes on from the product of the blocks before it
        total_m, total_e = running_of_normalized(*normalized(m[..., -1], e[..., -1]))
        m, e = m * _shifted(total_m, 1.0)[..., None], e + _shifted(total_e, 0)[..., None]
    m, e = normalized(m, e)
    return m.reshape(rows.shape[:-1] + (padded,))[..., :n], e.reshape(rows.shape[:-1] + (padded,))[..., :n]


def running_of_normalized(m: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`running` of the numbers m·2**e, m already a mantissa: exponents carried beside, not in floats."""
    rm, re = running(m)
    return rm, re + np.cumsum(e, -1, dtype=np.int64)


def _shifted(a: np.ndarray, first: Any) -> np.ndarray:
    """a moved one place along its last axis, `first` in front: running products made exclusive."""
    return np.concatenate([np.full(a.shape[:-1] + (1,), first, a.dtype), a[..., :-1]], axis=-1)


def exclusive(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each entry's product of the entries before it along the last axis (1 for the first)."""
    m, e = running(rows)
    return _shifted(m, 1.0), _shifted(e, 0)


def _times(g: np.ndarray, m: np.ndarray, e: np.ndarray) -> np.ndarray:
    """g·m·2**e rounded once at the end: g's own power of two joins the exponent, so a g·m that
    would underflow or overflow as a float does not."""
    return joined(times(apart(g), (m, e)))


def _reduced(x: np.ndarray, axis: Any) -> list[int]:
    """The axes of x reduced over, non-negative and sorted (None: all)."""
    return list(range(x.ndim)) if axis is None else sorted({a % x.ndim for a in np.atleast_1d(axis)})


def _as_rows(x: np.ndarray, axis: Any) -> tuple[np.ndarray, tuple[int, ...]]:
    """x in float64 with the axes reduced over laid out as one last axis, and the order of axes that
    laid it out (for `_from_rows`)."""
    reduced = _reduced(x, axis)
    order = tuple(i for i in range(x.ndim) if i not in reduced) + tuple(reduced)
    moved = np.transpose(x.astype(np.float64), order)
    return moved.reshape(moved.shape[: x.ndim - len(reduced)] + (-1,)), order


def _from_rows(rows: np.ndarray, order: tuple[int, ...], shape: tuple[int, ...]) -> np.ndarray:
    """Rows laid out by `_as_rows` back in x's shape."""
    return np.transpose(rows.reshape(tuple(shape[i] for i in order)), np.argsort(order))


def _left_the_range(rows: np.ndarray, run: np.ndarray) -> bool:
    """Whether numpy's running product `run` of float64 `rows` (along the last axis) left the normal range
    on its way by rounding: a subnormal step, an underflow to 0 or an overflow to ±inf that no entry 0 or
    ±inf made itself (those follow IEEE's rules, as the exact product does)."""
    size, normal = np.abs(run), np.finfo(np.float64)
    if size.min() >= normal.tiny and size.max() <= normal.max:  # every step a normal float: the common case
        return False
    before = _shifted(run, 1.0)
    with np.errstate(invalid="ignore"):
        under = (size < normal.tiny) & ((size > 0) | ((rows != 0) & (before != 0)))
        return bool((under | (np.isinf(run) & np.isfinite(rows) & np.isfinite(before))).any())


def _running_rows(rows: np.ndarray) -> np.ndarray:
    """The running product of float64 `rows` along the last axis, each entry rounded once: numpy's where
    none of its steps left the range, else in mantissas and exponents."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):  # a step out of the range is looked for
        run = np.cumprod(rows, -1)
    return joined(running(rows)) if _left_the_range(rows, run) else run


def product(x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
    """The product of x over `axis`, in float64 rounded once."""
    reduced = _reduced(x, axis)
    shape = tuple(1 if i in reduced else n for i, n in enumerate(x.shape) if keepdims or i not in reduced)
    return _running_rows(_as_rows(x, axis)[0])[..., -1].reshape(shape)


def running_product(x: np.ndarray, axis: int) -> np.ndarray:
    """cumprod of x along `axis`, in float64, each entry rounded once."""
    return np.moveaxis(_running_rows(np.moveaxis(x.astype(np.float64), axis, -1)), -1, axis)


def others_times(g: np.ndarray, x: np.ndarray, axis: Any) -> np.ndarray:
    """prod's gradient: g (spread over x's shape) times each entry's product of the other entries
    reduced with it, in float64, rounded once: exact with zeros (no division)."""
    rows, order = _as_rows(x, axis)
    before_m, before_e = exclusive(rows)
    after_m, after_e = exclusive(rows[..., ::-1])
    g_rows, _ = _as_rows(g, axis)
    sent = _times(g_rows, before_m * after_m[..., ::-1], before_e + after_e[..., ::-1])
    return _from_rows(sent, order, x.shape)


def running_others_times(g: np.ndarray, x: np.ndarray, axis: int) -> np.ndarray:
    """cumprod's gradient Σ_{k≥i} g_k · Π_{j≤k, j≠i} x_j in float64: for every i, the running products
    of x with xᵢ replaced by 1 (O(n²) in the axis' length), each term rounded once before the sum."""
    rows, gs = np.moveaxis(x.astype(np.float64), axis, -1), np.moveaxis(g.astype(np.float64), axis, -1)
    n = rows.shape[-1]
    without_i = np.where(np.eye(n, dtype=bool), 1.0, rows[..., None, :])  # [..., i, k]: xₖ, 1 at k = i
    m, e = running(without_i)
    with np.errstate(invalid="ignore"):  # 0·inf past the diagonal, where no term is taken
        terms = np.where(np.triu(np.ones((n, n), dtype=bool)), _times(gs[..., None, :], m, e), 0.0)  # k ≥ i
    return np.moveaxis(terms.sum(-1), -1, axis)
