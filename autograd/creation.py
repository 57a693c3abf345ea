"""Tensors made from nothing: zeros, ones, full, eye, arange, linspace and the `_like` forms;
random tensors (rand, randn, randint, manual_seed, default_generator) are in `random_tensors`.

Shapes are given as PyTorch takes them, `zeros(2, 3)`, or as numpy does, `zeros((2, 3))`.
Every function takes `dtype=` (float32 by default, as Tensor's own default for Python numbers;
randint: int64) and `requires_grad=`. The `_like` forms take another tensor's shape and dtype.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .creation_args import dtype_of, shape_of
from .random_tensors import default_generator, manual_seed, rand, rand_like, randint, randn, randn_like
from .tensor import Tensor

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
    "zeros",
    "zeros_like",
]


def _made(data: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor(data, requires_grad=requires_grad, dtype=data.dtype)


def zeros(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros: `zeros(2, 3)` or `zeros((2, 3))`."""
    return _made(np.zeros(shape_of(shape, "zeros"), dtype_of(dtype, "zeros")), requires_grad)


def ones(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones: `ones(2, 3)` or `ones((2, 3))`."""
    return _made(np.ones(shape_of(shape, "ones"), dtype_of(dtype, "ones")), requires_grad)


def full(shape: Any, fill_value: Any, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of `fill_value`: `full((2, 3), 1.5)` (or `full(3, 1.5)`); float32 unless `dtype`
    says otherwise (an int fill value too, unlike numpy and PyTorch, which infer the dtype)."""
    return _made(
        np.full(shape_of((shape,), "full"), _number(fill_value, "full"), dtype_of(dtype, "full")), requires_grad
    )


def eye(n: int, m: int | None = None, k: int = 0, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """n × m (m = n by default) with ones on diagonal k (0: the main one, numpy's k) and zeros elsewhere."""
    rows, cols = shape_of((n, n if m is None else m), "eye")
    if not isinstance(k, numbers.Integral) or isinstance(k, bool):
        raise TypeError(f"eye: the diagonal k is an int, got {k!r}")
    return _made(np.eye(rows, cols, int(k), dtype=dtype_of(dtype, "eye")), requires_grad)


def arange(start: Any, stop: Any = None, step: Any = 1, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """start, start + step, ... below stop (`arange(n)`: 0 to n - 1), as numpy and PyTorch; float32
    by default (numpy and PyTorch give integers for integer arguments: pass dtype=int for them).
    Computed in float64 and then cast, as PyTorch, so float32 values are the nearest to the exact ones."""
    if stop is None:
        start, stop = 0, start
    for value in (start, stop, step):
        if not math.isfinite(_number(value, "arange")):
            raise ValueError(f"arange: start, stop and step are finite numbers, got {value}")
    if step == 0:
        raise ValueError("arange: step must not be 0")
    kind = dtype_of(dtype, "arange")
    if all(isinstance(v, numbers.Integral) for v in (start, stop, step)):  # exact, however large
        return _made(np.arange(start, stop, step).astype(kind), requires_grad)
    count = max(math.ceil((stop - start) / step), 0)
    return _made((start + step * np.arange(count, dtype=np.float64)).astype(kind), requires_grad)


def linspace(
    start: Any, stop: Any, steps: int | None = None, *, num: int | None = None, dtype: Any = None, requires_grad=False
) -> Tensor:
    """`steps` evenly spaced values from start to stop, both included (PyTorch's steps, numpy's
    num: give one; numpy's default is 50). Computed in float64 and then cast."""
    if steps is not None and num is not None:
        raise TypeError("linspace() got both steps= (PyTorch's name) and num= (numpy's): pass one")
    count = 50 if steps is None and num is None else steps if num is None else num
    if not isinstance(count, numbers.Integral) or isinstance(count, bool):
        raise TypeError(f"linspace: steps is an int, got {count!r}")
    if count < 1:
        raise ValueError(f"linspace: steps must be at least 1, got {count}")
    values = np.linspace(_number(start, "linspace"), _number(stop, "linspace"), int(count))
    return _made(values.astype(dtype_of(dtype, "linspace")), requires_grad)


def zeros_like(t: Any, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros of t's shape and dtype (or `dtype`); t a Tensor or an array."""
    shape, kind = _like(t, dtype, "zeros_like")
    return zeros(shape, dtype=kind, requires_grad=requires_grad)


def ones_like(t: Any, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones of t's shape and dtype (or `dtype`)."""
    shape, kind = _like(t, dtype, "ones_like")
    return ones(shape, dtype=kind, requires_grad=requires_grad)


def full_like(t: Any, fill_value: Any, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """`fill_value` in t's shape and dtype (or `dtype`)."""
    shape, kind = _like(t, dtype, "full_like")
    return full(shape, fill_value, dtype=kind, requires_grad=requires_grad)


def _like(t: Any, dtype: Any, name: str) -> tuple[tuple[int, ...], np.dtype]:
    data = np.asarray(t.data if isinstance(t, Tensor) else t)
    return data.shape, dtype_of(data.dtype if dtype is None else dtype, name)


def _number(value: Any, name: str) -> Any:
    if isinstance(value, Tensor) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: needs a real number, got {value!r}")
    return value
