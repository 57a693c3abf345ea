"""Tensors made from data (`tensor`, a copy) or from nothing: zeros, ones, full, eye, arange,
linspace and the `_like` forms; random tensors (rand, randn, randint, manual_seed,
default_generator) are in `random_tensors`.

Shapes are given as PyTorch takes them, `zeros(2, 3)`, or as numpy does, `zeros((2, 3))`.
Every function takes `dtype=` (float32 by default, as Tensor's own default for Python numbers;
randint: int64) and `requires_grad=`. The `_like` forms take another tensor's shape and dtype.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

from . import compile_casts
from .compile_record import RECORDING
from .creation_args import check_count, dtype_of, like, real_number, shape_of
from .creation_memory import check_made
from .devices import takes_device
from .dtype_fits import check_fits
from .modes import short
from .random_tensors import default_generator, manual_seed, rand, rand_like, randint, randn, randn_like
from .shape_args import is_int
from .subnormals import refuse_flushed
from .tensor_class import Tensor
from .tensor_data import as_array, kept, refuse_rounded
from .tensor_grad_checks import checked_requires_grad

__all__ = [
    "arange",
    "default_generator",
    "eye",
    "full",
    "full_like",
    "linspace",
    "manual_seed",
    "ones",
    "ones_like",
    "rand",
    "rand_like",
    "randint",
    "randn",
    "randn_like",
    "tensor",
    "zeros",
    "zeros_like",
]


def _made(data: np.ndarray, requires_grad: bool, what: str) -> Tensor:
    """`data` as a Tensor made by `what` (zeros, arange), which its requires_grad's refusal names."""
    return Tensor(data, requires_grad=checked_requires_grad(requires_grad, data.dtype, what), dtype=data.dtype)


@takes_device
def tensor(data: Any, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A Tensor of a copy of `data`, as PyTorch's `torch.tensor`: a numpy array, a torch tensor or a
    buffer given is copied, so that later writes to it do not reach the tensor (`Tensor(array)` holds
    the array itself, as `torch.from_numpy`). Dtypes as Tensor's: Python numbers and lists float32
    unless `dtype` says otherwise; what carries a dtype (a numpy array, a torch tensor, a buffer) keeps it."""
    refuse_flushed("tensor()")  # a cast to the dtype would read a subnormal as 0 (float32 1e-40)
    array = as_array(data, dtype, "tensor()")
    if isinstance(data, np.ndarray) and np.may_share_memory(array, data):
        # kept: noted as a copy of the caller's array while a step is recorded, so that each replay copies its call's
        return Tensor(kept(array, data), requires_grad=requires_grad, dtype=array.dtype)
    if not isinstance(data, np.ndarray | list | tuple):  # numpy reads a torch tensor, a buffer, an __array__ in place
        array = array.copy()
    made = Tensor(array, requires_grad=requires_grad, dtype=array.dtype)
    if RECORDING and array is not data:  # a cast or a list's numbers: made from them, as in Tensor()
        compile_casts.tensor_made(made, data)
    return made


@takes_device
def zeros(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros: `zeros(2, 3)` or `zeros((2, 3))`."""
    return _made(np.zeros(*_checked(shape, dtype, "zeros")), requires_grad, "zeros")


@takes_device
def ones(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones: `ones(2, 3)` or `ones((2, 3))`."""
    return _made(np.ones(*_checked(shape, dtype, "ones")), requires_grad, "ones")


@takes_device
def full(shape: Any, fill_value: Any, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of `fill_value`: `full((2, 3), 1.5)` (or `full(3, 1.5)`); float32 unless `dtype`
    says otherwise (an int fill value too, unlike numpy and PyTorch, which infer the dtype). A value
    the dtype cannot hold (1e5 in float16, 300 or NaN in int8) is refused, as PyTorch refuses it;
    a float in an integer dtype is truncated toward zero (2.7 gives 2), as PyTorch's."""
    if dtype is None and is_int(fill_value):  # float32, where PyTorch's full of an int is int64
        refuse_rounded(np.array([int(fill_value)], dtype=object), "full", "an integer fill value is given")
    return _filled(shape_of((shape,), "full"), fill_value, dtype_of(dtype, "full"), requires_grad, "full")


@takes_device
def eye(n: int, m: int | None = None, k: int = 0, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """n × m (m = n by default) with ones on diagonal k (0: the main one, numpy's k) and zeros elsewhere."""
    rows, cols = shape_of((n, n if m is None else m), "eye")
    if not is_int(k):
        raise TypeError(f"eye: the diagonal k is an int, got {short(k)}")
    kind = dtype_of(dtype, "eye")
    check_made("eye", (rows, cols), kind)
    return _made(np.eye(rows, cols, int(k), dtype=kind), requires_grad, "eye")


@takes_device
def arange(start: Any, stop: Any = None, step: Any = 1, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """start, start + step, ... below stop (`arange(n)`: 0 to n - 1), as numpy and PyTorch; float32
    by default (numpy and PyTorch give integers for integer arguments: pass dtype=int for them).
    Integer arguments are counted exactly; float ones in float64 and then cast, as PyTorch, so
    float32 values are the nearest to the exact ones. For an integer dtype start, stop and step are
    first truncated toward zero, as PyTorch's int64 arange (0.3 is then a step of 0, refused).
    Values the dtype cannot hold are refused, and so is bool (PyTorch has no bool arange)."""
    refuse_flushed("arange")  # first: its checks would read a subnormal step as 0
    if stop is None:
        start, stop = 0, start
    kind = dtype_of(dtype, "arange")
    if kind.kind == "b":
        raise TypeError("arange: bool has no ranges (PyTorch refuses it too): compare an integer one, arange(n) > 0")
    given = [real_number(value, "arange") for value in (start, stop, step)]
    for value in given:
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"arange: start, stop and step are finite numbers, got {value}")
    start, stop, step = [int(value) for value in given] if kind.kind in "iu" else given
    if step == 0:
        truncated = f" ({given[2]} truncates to 0 in {kind})" if given[2] != 0 else ""
        raise ValueError(f"arange: step must not be 0{truncated}")
    if all(isinstance(value, int) for value in (start, stop, step)):
        values = _integer_range(start, stop, step, kind)  # its count and memory checked first
        if dtype is None:  # float32, chainrule's default, where PyTorch's arange of integers is int64
            _refuse_rounded_range(start, stop, step)
        return _made(values, requires_grad, "arange")
    try:
        bounds = float(start), float(stop), float(step)
    except OverflowError:
        raise ValueError("arange: start, stop and step must fit float64 (below 1.8e308 in size)") from None
    return _made(_float_range(*bounds, kind), requires_grad, "arange")


def _checked(shape: tuple[Any, ...], dtype: Any, name: str) -> tuple[tuple[int, ...], np.dtype]:
    """zeros' and ones' (and their _like forms') shape and dtype, read and checked to fit in memory."""
    size, kind = shape_of(shape, name), dtype_of(dtype, name)
    check_made(name, size, kind)
    return size, kind


def _refuse_rounded_range(start: int, stop: int, step: int) -> None:
    """ValueError where float32 would round one of range(start, stop, step): past 2**24 (0 to 2**24 all fit)."""
    count = max(-((start - stop) // step), 0)
    ends = [start, start + (count - 1) * step] if count else [0]
    if max(map(abs, ends)) <= 2**24:
        return
    what, given = "arange", "ranges of integers are given"
    ints = _range_ints(start, step, count)
    if ints is not None:
        refuse_rounded(ints, what, given)
        return
    values = range(start, stop, step)
    for i in range(0, count, 2**16):  # past int64: Python's ints, a block at a time (objects take 5 times the room)
        refuse_rounded(np.array(values[i : i + 2**16], dtype=object), what, given)


def _range_ints(start: int, step: int, count: int) -> np.ndarray | None:
    """The `count` values start + step * i in int64, exactly, where every one fits it; else None."""
    last = start + (count - 1) * step
    if all(-(2**63) <= value < 2**63 for value in (start, last, step, last - start)):  # then every step * i fits too
        return start + step * np.arange(count, dtype=np.int64)
    return None


def _integer_range(start: int, stop: int, step: int, kind: np.dtype) -> np.ndarray:
    """range(start, stop, step) in `kind`, exact however large: the count and the last value are
    found in Python ints, so that a range beyond the dtype is refused rather than wrapped."""
    count = max(-((start - stop) // step), 0)  # ceil((stop - start) / step), exactly
    check_count(count, "arange")
    check_made("arange", (count,), kind, np.int64)
    if count == 0:
        return np.zeros(0, kind)
    check_fits(start, kind, "arange")
    check_fits(start + (count - 1) * step, kind, "arange")
    ints = _range_ints(start, step, count)
    if ints is not None:
        return ints.astype(kind)
    # beyond int64 (uint64's upper half, or a float dtype's huge integers): Python's ints, one by one
    exact = kind if kind.kind in "iu" else np.float64
    return np.fromiter(range(start, stop, step), dtype=exact, count=count).astype(kind)


def _float_range(start: float, stop: float, step: float, kind: np.dtype) -> np.ndarray:
    """start + step * i for i below PyTorch's count ceil((stop - start) / step), in float64, cast to `kind`."""
    span = (stop - start) / step
    # span is inf when the division overflows float64: more values than any memory holds
    count = 0 if span <= 0 else sys.maxsize if span == math.inf else math.ceil(span)
    check_count(count, "arange")
    check_made("arange", (count,), kind, np.float64)
    values = start + step * np.arange(count, dtype=np.float64)
    for end in values[:1].tolist() + values[-1:].tolist():  # the extremes: the first and the last
        check_fits(end, kind, "arange")
    return values.astype(kind, copy=False)  # float64: the values themselves, as check_made counted


@takes_device
def linspace(
    start: Any, stop: Any, steps: int | None = None, *, num: int | None = None, dtype: Any = None, requires_grad=False
) -> Tensor:
    """`steps` evenly spaced values from start to stop, both included (PyTorch's steps, numpy's
    num: give one; numpy's default is 50; 0 gives an empty tensor). Computed in float64 and then
    cast; a value the dtype cannot hold is refused, as PyTorch refuses it."""
    refuse_flushed("linspace")  # its values computed in numpy would be 0 where subnormal
    if steps is not None and num is not None:
        raise TypeError("linspace() got both steps= (PyTorch's name) and num= (numpy's): pass one")
    count = 50 if steps is None and num is None else steps if num is None else num
    if not is_int(count):
        raise TypeError(f"linspace: steps is an int, got {short(count)}")
    if count < 0:
        raise ValueError(f"linspace: steps must be at least 0, got {count}")
    kind = dtype_of(dtype, "linspace")
    ends = [real_number(value, "linspace") for value in (start, stop)]
    try:
        start, stop = [float(value) for value in ends]
    except OverflowError:
        raise ValueError("linspace: start and stop must fit float64 (below 1.8e308 in size)") from None
    if not math.isfinite(stop - start):  # NaN or infinite ends, or a span beyond float64: no number is right
        raise ValueError(f"linspace: start and stop are finite (and less than 1.8e308 apart), got {start} and {stop}")
    check_made("linspace", (int(count),), kind, np.float64)
    values = np.linspace(start, stop, int(count))
    if count:
        check_fits(float(values.min()), kind, "linspace")
        check_fits(float(values.max()), kind, "linspace")
    return _made(values.astype(kind, copy=False), requires_grad, "linspace")


@takes_device
def zeros_like(t: Any, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros of t's shape and dtype (or `dtype`); t a Tensor or an array."""
    shape, kind = like(t, dtype, "zeros_like")
    return _made(np.zeros(*_checked((shape,), kind, "zeros_like")), requires_grad, "zeros_like")


@takes_device
def ones_like(t: Any, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones of t's shape and dtype (or `dtype`)."""
    shape, kind = like(t, dtype, "ones_like")
    return _made(np.ones(*_checked((shape,), kind, "ones_like")), requires_grad, "ones_like")


@takes_device
def full_like(t: Any, fill_value: Any, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """`fill_value` in t's shape and dtype (or `dtype`)."""
    shape, kind = like(t, dtype, "full_like")
    return _filled(shape, fill_value, kind, requires_grad, "full_like")


def _filled(shape: tuple[int, ...], fill_value: Any, kind: np.dtype, requires_grad: bool, name: str) -> Tensor:
    refuse_flushed(name)  # a cast to the dtype would read a subnormal as 0 (float32 1e-40)
    value = real_number(fill_value, name)
    check_fits(value, kind, name)
    check_made(name, shape, kind)
    if kind.kind in "iu":
        value = int(value)  # exact, where numpy would go through a float for a large uint64
    elif kind.kind == "b":
        value = bool(value)  # any nonzero is True; numpy could not convert an int past int64 (2**70)
    return _made(np.full(shape, value, kind), requires_grad, name)
