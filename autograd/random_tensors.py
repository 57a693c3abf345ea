"""Random tensors (rand, randn, randint and their `_like` forms) and the default generator that
unseeded calls draw from, which `manual_seed` seeds.

Every function takes `generator=`: a numpy Generator (drawn from, so its state advances) or an
int seed (a fresh Generator, so the same seed gives the same tensor). Without one they draw from
the default generator: `default_generator()` returns it, for other code (nn's initialisation) to
draw from too, so that `autograd.manual_seed(0)` makes a whole run repeatable. Seeding swaps the
generator under a lock, and numpy's generators lock their own state on each draw, so threads
may share it safely; runs that draw from several threads at once are not repeatable, though.
"""

from __future__ import annotations

import numbers
import threading
from typing import Any

import numpy as np

from .creation_args import float_dtype, shape_of
from .tensor import Tensor

_lock = threading.Lock()
_default = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed the default generator (PyTorch's `torch.manual_seed`): every unseeded random tensor,
    and nn's initialisation, then repeat from run to run. Returns the new default generator."""
    global _default
    new = _as_generator(seed, "manual_seed")
    with _lock:
        _default = new
    return new


def default_generator() -> np.random.Generator:
    """The Generator unseeded calls draw from (seeded by `manual_seed`)."""
    return _default


def _as_generator(generator: Any, name: str) -> np.random.Generator:
    if generator is None:
        return _default
    if isinstance(generator, np.random.Generator):
        return generator
    if isinstance(generator, numbers.Integral) and not isinstance(generator, bool):
        if generator < 0:
            raise ValueError(f"{name}: a seed is a non-negative int, got {generator}")
        return np.random.default_rng(int(generator))
    raise TypeError(f"{name}: generator= takes a numpy Generator or an int seed, got {type(generator).__name__}")


def rand(*shape: Any, generator: Any = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform on [0, 1): `rand(2, 3)` or `rand((2, 3))`; float32 by default."""
    kind = float_dtype(dtype, "rand")
    drawn = np.float32 if kind == np.float32 else np.float64  # numpy draws these two
    data = _as_generator(generator, "rand").random(shape_of(shape, "rand"), dtype=drawn).astype(kind)
    if kind.itemsize < 4:  # float16: rounding may reach 1, which [0, 1) excludes
        data = np.minimum(data, np.nextafter(kind.type(1), kind.type(0)))
    return Tensor(data, requires_grad=requires_grad, dtype=kind)


def randn(*shape: Any, generator: Any = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal (mean 0, standard deviation 1): `randn(2, 3)` or `randn((2, 3))`; float32 by default."""
    kind = float_dtype(dtype, "randn")
    data = _as_generator(generator, "randn").standard_normal(shape_of(shape, "randn"))
    return Tensor(data.astype(kind), requires_grad=requires_grad, dtype=kind)


def randint(
    low: int, high: Any = None, size: Any = (), *, generator: Any = None, dtype: Any = None, requires_grad=False
) -> Tensor:
    """Integers drawn uniformly from [low, high): numpy's `randint(low, high, size)` or, as
    PyTorch, `randint(high, size)` (low 0). int64 by default (PyTorch's and numpy's), a constant."""
    if isinstance(high, tuple | list):  # PyTorch's randint(high, size)
        low, high, size = 0, low, high
    if high is None:  # numpy's randint(high)
        low, high = 0, low
    for bound in (low, high):
        if not isinstance(bound, numbers.Integral) or isinstance(bound, bool):
            raise TypeError(f"randint: low and high are ints, got {bound!r}")
    if low >= high:
        raise ValueError(f"randint draws from [low, high): low {low} must be below high {high}")
    kind = np.dtype(np.int64 if dtype is None else dtype)
    data = _as_generator(generator, "randint").integers(low, high, shape_of((size,), "randint"))
    return Tensor(data.astype(kind), requires_grad=requires_grad, dtype=kind)


def rand_like(t: Any, *, generator: Any = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """rand of t's shape, in t's dtype (or `dtype`)."""
    shape, kind = _like(t, dtype, "rand_like")
    return rand(shape, generator=generator, dtype=kind, requires_grad=requires_grad)


def randn_like(t: Any, *, generator: Any = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """randn of t's shape, in t's dtype (or `dtype`)."""
    shape, kind = _like(t, dtype, "randn_like")
    return randn(shape, generator=generator, dtype=kind, requires_grad=requires_grad)


def _like(t: Any, dtype: Any, name: str) -> tuple[tuple[int, ...], np.dtype]:
    data = np.asarray(t.data if isinstance(t, Tensor) else t)
    return data.shape, float_dtype(data.dtype if dtype is None else dtype, name)
