"""Sums, means and running sums whose partial sums overflow where the result fits: [1e308, 1e308, 1, 2]'s
mean is 5e307, and [1e308, 1e308, -1e308]'s sum 1e308, where numpy's (and PyTorch's) are inf.

The fast result is kept wherever it is finite (one check on the small result, numpy's overflow warning
silenced while it is made: `first_try`); the entries that are not are computed again on x·2**-k, k the bits
of the count and one more, so that no partial sum of n entries of at most the largest float can overflow.
Multiplying by a power of two is exact but for entries below 2**(k - 1022), whose lost bits are far under one
rounding of a sum that overflowed; dividing the result by the power again rounds once, to inf where the exact
result is beyond the float range (which inf rounds), and numpy warns of that overflow then only, as it does
of any other."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

# float32/float64 arrays from this many entries are summed by BLAS against ones (np.dot: a sixth of np.add.reduce's
# instructions an entry, some 6 thousand more a call), in rows of _ROW entries (the ones kept per dtype: 256 KiB of
# float32)
_BLAS_FROM = 4096
_ROW = 1 << 16
_ONES: dict[np.dtype, np.ndarray] = {}
# np.vdot and np.dot without numpy's `__array_function__` dispatch (a Python stub called on every call, 1.35 thousand
# of np.vdot's 6.6 thousand instructions on 256 float32 entries): the same C function, for the engine's own ndarrays
vdot = getattr(np.vdot, "_implementation", np.vdot)
dot = getattr(np.dot, "_implementation", np.dot)


def finite(out: Any) -> bool:
    """Whether every entry of a float result is finite: a 0-d one by math.isfinite, an array by its sum of squares
    first (`squares_finite`: one BLAS pass reading the array alone, which answers for every finite array whose
    squares sum within the range: n float32 entries under 1.8e19 / sqrt(n); four of 1.7e19 go on to the sum), else
    by its sum (a NaN or an infinity makes it NaN or inf; finite entries whose sum overflows are a false alarm: the
    second try gives them again; call it where numpy's overflow warning is silenced, as `first_try` does), by BLAS
    against ones from _BLAS_FROM entries. On an array a product has just written, the squares take 0.6 of the time
    of the dot with ones (30 against 49 us on 200,704 float32, 9 against 14 on 32,768, medians after other memory
    traffic; 6.7 against 9.1 thousand instructions on 256 entries)."""
    if out.ndim == 0:
        return math.isfinite(out)
    return squares_finite(out) or _sum_finite(out)


def _sum_finite(out: Any) -> bool:
    """`finite`'s answer past its sum of squares (which said "look closer"): whether out's sum is finite."""
    if out.size >= _BLAS_FROM and out.dtype.char in "fd" and out.dtype.isnative and out.flags.c_contiguous:
        return math.isfinite(_blas_sum(out.reshape(-1)))
    return math.isfinite(np.add.reduce(out, axis=None))


def squares_finite(x: np.ndarray) -> bool:
    """True if x (a float32 or float64 array, C-contiguous) has a finite sum of squares (np.vdot: one BLAS pass,
    silent), and so only finite entries: squares are never negative, so a NaN or an infinity makes the sum NaN or
    inf. False says only "look closer": such an entry, or squares past the range (entries beyond 1.8e19 in
    float32), or another dtype or layout. For a small array it costs two thirds of a reduce (6.7 thousand
    instructions against 9.1 for 256 float32 entries; np.isfinite and .all(), 12.1)."""
    return x.dtype.char in "fd" and x.flags.c_contiguous and math.isfinite(vdot(x, x))


def _blas_sum(flat: np.ndarray) -> Any:
    """The sum of a contiguous float32/float64 vector by BLAS: a dot with ones, in rows of _ROW past that length."""
    ones = _ONES.get(flat.dtype)
    if ones is None:
        ones = _ONES[flat.dtype] = np.ones(_ROW, flat.dtype)
        ones.setflags(write=False)
    n = flat.size
    if n <= _ROW:
        return dot(flat, ones[:n])
    whole = n - n % _ROW
    return np.add.reduce(dot(flat[:whole].reshape((-1, _ROW)), ones)) + dot(flat[whole:], ones[: n - whole])


@np.errstate(over="ignore", invalid="ignore")  # as a decorator: half the instructions of a `with` block per call
def first_try(compute: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, bool]:
    """(compute(*args, **kwargs), whether that is right as it is: not a float, or finite), numpy's overflow and
    invalid-value warnings silenced: a first try whose non-finite entries are computed again (an overflow there
    is no error: [1e308, 1e308, -1e308]'s sum is 1e308), so that only a result past the range warns, from the
    second try."""
    out = compute(*args, **kwargs)
    # `finite`'s first test, one call fewer; past it its sum (a 0-d result's too: its reduce is itself), not both again
    return out, out.dtype.kind != "f" or squares_finite(out) or _sum_finite(out)


def unless_overflowed(
    x: np.ndarray, axis: Any, keepdims: bool | None, reduce: Callable[..., Any], out: Any = None
) -> Any:
    """reduce(x over axis) (np.sum, np.mean, np.cumsum; keepdims None: cumsum's, which takes none; np.add.reduce
    writing into `out` if given), its non-finite entries computed again on scaled entries (a NaN or inf among
    x's gives the same there: inf - inf is NaN on either scale, with numpy's warning)."""
    given = {} if keepdims is None else {"keepdims": keepdims}
    result, right = first_try(reduce, x, axis, **given, **({} if out is None else {"out": out}))
    if right:
        return result
    axes = range(x.ndim) if axis is None else (axis,) if isinstance(axis, int | np.integer) else axis
    power = np.ldexp(np.ones((), x.dtype), -(math.prod(x.shape[a] for a in axes).bit_length() + 1))
    scaled = reduce(x * power, axis, **given)
    again = np.where(np.isfinite(result), result, scaled / power)  # warns where the result is past the range
    if out is None:
        return again
    np.copyto(out, again)
    return out
