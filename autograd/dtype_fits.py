"""What a dtype can hold: a number, or every value of an array cast to integers, refused where numpy's
cast would make a number up (the one rule of creation, fills, casts and assignments)."""

from __future__ import annotations

import math
import numbers

import numpy as np


class DoesNotFit(ValueError):
    """A number a dtype cannot hold, refused in a message that names it and what gave it (an op's forward that
    checks its parameters passes it on as it is, not as its domain's error)."""


def check_fits(value: int | float, kind: np.dtype, name: str, fix: str = "") -> None:
    """Refuse a value that `kind` cannot hold, which numpy's cast would change silently (1e5 into
    float16 is inf, 300 into int8 is 44, NaN into int64 is -2**63), as PyTorch refuses it. A float
    stored as an integer is truncated toward zero, but must itself lie in the integer range (127.9
    does not fit int8: PyTorch's rule); any value is a bool (nonzero is True); NaN and infinity are floats.
    `fix`, if given, ends the message (what the caller can do instead: "; pass ...")."""
    if kind.kind == "b":
        return
    if kind.kind in "iu":
        info = np.iinfo(kind)
        if isinstance(value, float) and not math.isfinite(value):
            raise DoesNotFit(f"{name}: {value} cannot be stored in {kind}: integers have no NaN or infinity{fix}")
        if not info.min <= value <= info.max:  # Python compares ints and floats exactly
            raise DoesNotFit(f"{name}: {_shown(value)} does not fit {kind}, which holds {info.min} to {info.max}{fix}")
        return
    try:
        beyond = bool(made_infinite(np.array(value, dtype=np.float64), kind))  # an int as numpy casts it: nearest
    except OverflowError:  # an int beyond any float
        beyond = True
    if beyond:
        raise _infinite(name, _shown(value), kind, fix)


def made_infinite(values: np.ndarray, kind: np.dtype) -> np.ndarray:
    """Where finite `values` become infinity cast to the float dtype `kind`, rounded to nearest as numpy casts
    (65519 is float16's 65504, 65520 its infinity): the one rule of a float that does not fit, for a number
    (check_fits) and for a loss's constant arrays (nn.losses_fits), where numpy's cast warned alone."""
    values = np.asarray(values)  # a number or a list too: a float was "'float' object has no attribute 'astype'"
    with np.errstate(over="ignore"):
        return np.isfinite(values) & np.isinf(values.astype(kind))


def check_float_fits(array: np.ndarray, kind: np.dtype, what: str, fix: str) -> None:
    """Refuse data made into the float dtype `kind` where a finite number of it would become infinity (1e300 in
    float32, 70000 in float16), which numpy's cast does with a warning alone (and PyTorch's tensor() silently),
    naming the first; `fix` ends the message where a wider float exists. An array of objects (Python ints beyond
    int64, 2**200 or 10**400, which numpy made infinity or refused in its own words) is checked number by number.
    Data given (Tensor(), `t[i] = v`, where's numbers): a cast of a Tensor (`.float()`) and arithmetic keep IEEE's
    infinity, as torch's do."""
    if kind.kind != "f":
        return
    fix = f"; {fix}"
    if array.dtype == object:
        for x in array.flat:
            if isinstance(x, numbers.Real) and not isinstance(x, bool | np.bool_):  # others: the caller's to refuse
                check_fits(x, kind, what, fix)
        return
    if array.dtype.kind not in "iuf" or np.can_cast(array.dtype, kind) or array.size == 0:
        return
    largest = np.finfo(kind).max
    if -largest <= np.min(array) and np.max(array) <= largest:  # the common case, two reads (NaN: read on below)
        return
    beyond = made_infinite(array, kind)
    if beyond.any():
        raise _infinite(what, repr(array[beyond].flat[0].item()), kind, fix)


def _infinite(what: str, shown: str, kind: np.dtype, fix: str) -> DoesNotFit:
    """The error of a finite number (`shown`) that `kind` would store as infinity; `fix` (a wider dtype) ends it where
    a wider float exists: none holds what float64 cannot."""
    largest = float(np.finfo(kind).max)
    fix = fix if kind.itemsize < np.dtype(np.float64).itemsize else ""
    return DoesNotFit(
        f"{what}: {shown} does not fit {kind} (largest {largest:.8g}): it would be stored as infinity{fix}"
    )


def check_cast_fits(values: np.ndarray, kind: np.dtype, name: str) -> None:
    """Refuse casting `values` to the integer dtype `kind` (t.long(), astype(np.uint8)) where check_fits
    refuses one of them, naming the first: numpy's cast makes a number up there (NaN into int32 is -2**31,
    300 into uint8 is 44), only a warning said. In-range floats are truncated toward zero, as numpy's."""
    if kind.kind not in "iu" or np.can_cast(values.dtype, kind):
        return  # any value is a bool; every value of a safe cast fits (uint8 into int16, bools into int8)
    # a cast truncates first: 255.9 is 255 in uint8 and -0.5 is 0, as numpy's and PyTorch's casts make them
    # (full() refuses those: a value asked for must be one the dtype holds; a cast keeps what it can)
    outside = ~_within(np.trunc(values) if values.dtype.kind == "f" else values, np.iinfo(kind))
    if outside.any():
        fix = f"; clip the values into {kind}'s range first (t.clip(low, high))"
        if values.dtype.kind == "f":  # clip passes NaN on: it needs replacing too
            fix += " and replace NaN (t.masked_fill(t.isnan(), 0))"
        first = values[outside].flat[0]
        check_fits(first.item() if isinstance(first, np.generic) else first, kind, name, fix)  # object: a Python int


def _within(values: np.ndarray, info: np.iinfo) -> np.ndarray:
    """Where `values` lie in info.min..info.max (not NaN), compared exactly as check_fits compares Python
    numbers. Floats are compared in float64, which holds every float16, float32 and float64 value exactly,
    and info.min (0 or a power of two); info.max (2**k - 1) only below 2**53: above, it rounds to 2**k,
    and no float lies between the two, so there `< 2**k` is `<= info.max`."""
    if values.dtype.kind != "f":
        return (values >= info.min) & (values <= info.max)  # numpy 2 compares integers with Python's exactly
    high = np.float64(info.max)
    below_high = values <= high if int(high) == info.max else values < high
    return (values >= np.float64(info.min)) & below_high


def _shown(value: int | float) -> str:
    """A value for a message; an integer of more than 30 digits by its count of digits."""
    return (
        f"an integer of {len(str(abs(value)))} digits" if isinstance(value, int) and abs(value) > 10**30 else str(value)
    )
