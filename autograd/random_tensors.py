"""Random tensors (rand, randn, randint and their `_like` forms), the default generator that
unseeded calls draw from, which `manual_seed` seeds, and `drawn`: a constant made by a draw that
`autograd.compile` makes again on every replay (the random tensors are drawn so: a compiled step
draws new ones on each call, from the generator, as eagerly).

Every function takes `generator=`: a numpy Generator (drawn from, so its state advances) or an
int seed (a fresh Generator, so the same seed gives the same tensor). Without one they draw from
the default generator: `default_generator()` returns it, for other code (nn's initialisation) to
draw from too, so that `autograd.manual_seed(0)` makes a whole run repeatable. Seeding swaps the
generator under a lock, and numpy's generators lock their own state on each draw, so threads
may share it safely; runs that draw from several threads at once are not repeatable, though.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from . import compile_record
from .compile_generators import draw_in
from .creation_args import dtype_of, float_dtype, like, shape_of
from .creation_memory import check_made
from .devices import takes_device
from .shape_args import is_int
from .tensor_class import Tensor
from .tensor_grad_checks import checked_requires_grad
from .tensor_versions import DREW, changed
from .type_names import repr_of, type_name

_lock = threading.Lock()
_default = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed the default generator (PyTorch's `torch.manual_seed`): every unseeded random tensor,
    and nn's initialisation, then repeat from run to run. Returns the new default generator.
    Inside a step being compiled it makes the step run eagerly (a replay would not seed again)."""
    global _default
    # None would keep the generator as it is (generator=None's meaning elsewhere): refused, as PyTorch's
    if not (is_int(seed) or isinstance(seed, np.random.Generator)):
        raise TypeError(f"manual_seed: the seed is a non-negative int (or a numpy Generator), got {repr_of(seed)}")
    new = _as_generator(seed, "manual_seed")
    with _lock:
        _default = new
    compile_record.seeded()
    return new


def default_generator() -> np.random.Generator:
    """The Generator unseeded calls draw from (seeded by `manual_seed`)."""
    return _default


def _as_generator(generator: Any, name: str) -> np.random.Generator:
    if generator is None:
        return _default
    if isinstance(generator, np.random.Generator):
        return generator
    if is_int(generator):
        if generator < 0:
            raise ValueError(f"{name}: a seed is a non-negative int, got {generator}")
        return np.random.default_rng(int(generator))
    raise TypeError(f"{name}: generator= takes a numpy Generator or an int seed, got {type_name(generator)}")


def _source(generator: Any, name: str) -> Callable[[], np.random.Generator]:
    """What each draw takes its generator from: the default one as it is then, the Generator given,
    or a fresh one for a seed (the same numbers on every draw). Checked now."""
    if generator is None:
        return default_generator
    given = _as_generator(generator, name)
    if isinstance(generator, np.random.Generator):
        return lambda: given
    return lambda: np.random.default_rng(int(generator))


def drawn(draw: Callable[[], Any], dtype: Any = None) -> Tensor:
    """A constant Tensor of `draw()`'s numbers (a dropout mask, noise), as `Tensor(draw(), dtype=dtype)`,
    that a compiled step (autograd.compile) draws again on every replay: it calls `draw()` again, in
    the order of the step's draws, so a generator gives the numbers it gives eagerly. `draw` takes
    no arguments; it must depend only on its generator and on settings it reads when called (a
    layer's p), never on the step's tensors (compute those with tensor ops), and return the same
    shape and dtype on every call (a replay that gets another stops, with a CompileWarning)."""
    if not callable(draw):
        raise TypeError(f"drawn takes a function of no arguments returning an array, got {type_name(draw)}")
    rec = compile_record.current()
    changed(DREW)  # a generator moves: a transform does not run f again after it (tracing.trace)
    t = Tensor(draw_in(None if rec is None else rec.random, draw), dtype=dtype)
    compile_record.drew(t, lambda: Tensor(draw(), dtype=dtype)._data)
    return t


def _random(draw: Callable[[], np.ndarray], kind: np.dtype, requires_grad: bool, name: str) -> Tensor:
    """A random tensor: drawn again by a compiled step's replays, unless it requires grad (a parameter). `name`:
    the function making it, which a bad requires_grad's refusal names."""
    if not checked_requires_grad(requires_grad, kind, name):
        return drawn(draw, kind)
    changed(DREW)  # a generator moves all the same (tracing.trace)
    return Tensor(draw(), requires_grad=True, dtype=kind)


@takes_device
def rand(*shape: Any, generator: Any = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform on [0, 1): `rand(2, 3)` or `rand((2, 3))`; float32 by default."""
    kind = float_dtype(dtype, "rand")
    source, size = _source(generator, "rand"), shape_of(shape, "rand")
    made = np.dtype(np.float32 if kind.itemsize <= 4 else np.float64)  # numpy draws these two; float16 from float32s
    check_made("rand", size, kind, made)

    def draw() -> np.ndarray:
        data = source().random(size, dtype=made).astype(kind, copy=False)
        if kind.itemsize < 4:  # float16: rounding may reach 1, which [0, 1) excludes
            np.minimum(data, np.nextafter(kind.type(1), kind.type(0)), out=data)
        return data

    return _random(draw, kind, requires_grad, "rand")


@takes_device
def randn(*shape: Any, generator: Any = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal (mean 0, standard deviation 1): `randn(2, 3)` or `randn((2, 3))`; float32 by default."""
    kind = float_dtype(dtype, "randn")
    source, size = _source(generator, "randn"), shape_of(shape, "randn")
    check_made("randn", size, kind, np.float64)  # numpy draws normals in float64
    return _random(lambda: source().standard_normal(size).astype(kind, copy=False), kind, requires_grad, "randn")


@takes_device
def randint(
    low: int, high: Any = None, size: Any = (), *, generator: Any = None, dtype: Any = None, requires_grad=False
) -> Tensor:
    """Integers drawn uniformly from [low, high): numpy's `randint(low, high, size)` or, as
    PyTorch, `randint(high, size)` (low 0). int64 by default (PyTorch's and numpy's), a constant.
    Bounds the dtype cannot hold are refused, as PyTorch refuses them (0 to 1000 in int8)."""
    if isinstance(high, tuple | list):  # PyTorch's randint(high, size)
        low, high, size = 0, low, high
    if high is None:  # numpy's randint(high)
        low, high = 0, low
    for bound in (low, high):
        if not is_int(bound):
            raise TypeError(f"randint: low and high are ints, got {repr_of(bound)}")
    low, high = int(low), int(high)  # Python's: numpy ints would wrap in high - 1
    if low >= high:
        raise ValueError(f"randint draws from [low, high): low {low} must be below high {high}")
    kind = dtype_of(dtype, "randint", default=np.int64)
    made = _integers_for(kind, low, high)
    source, shape = _source(generator, "randint"), shape_of((size,), "randint")
    check_made("randint", shape, kind, made)

    def draw() -> np.ndarray:
        return source().integers(low, high, shape, dtype=made).astype(kind, copy=False)

    return _random(draw, kind, requires_grad, "randint")


def _integers_for(kind: np.dtype, low: int, high: int) -> np.dtype:
    """The dtype to draw randint's integers in for `kind`: itself (no wider copy), or for floats
    an integer type holding every integer the float holds exactly (float16: up to 2048). Refuses
    [low, high) where `kind` cannot hold every integer of it, rather than wrap or round them."""
    if kind.kind == "b":
        smallest, largest, made = 0, 1, kind
    elif kind.kind in "iu":
        smallest, largest, made = int(np.iinfo(kind).min), int(np.iinfo(kind).max), kind
    else:  # beyond 2 ** (mantissa bits + 1) a float skips integers, so draws would round
        made = np.dtype(f"int{min(kind.itemsize, 8) * 8}")  # as wide as the float: int16 for float16
        largest = min(2 ** (np.finfo(kind).nmant + 1), int(np.iinfo(made).max))  # longdouble: int64's
        smallest = -largest
    if low < smallest or high - 1 > largest:
        raise ValueError(
            f"randint: [{low}, {high}) does not fit {kind}, which holds every integer from {smallest} to {largest} only"
        )
    return made


@takes_device
def rand_like(t: Any, *, generator: Any = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """rand of t's shape, in t's dtype (or `dtype`)."""
    shape, kind = _like(t, dtype, "rand_like")
    _as_generator(generator, "rand_like")  # checked here, so that its refusals name rand_like
    checked_requires_grad(requires_grad, kind, "rand_like")
    return rand(shape, generator=generator, dtype=kind, requires_grad=requires_grad)


@takes_device
def randn_like(t: Any, *, generator: Any = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """randn of t's shape, in t's dtype (or `dtype`)."""
    shape, kind = _like(t, dtype, "randn_like")
    _as_generator(generator, "randn_like")  # checked here, so that its refusals name randn_like
    checked_requires_grad(requires_grad, kind, "randn_like")
    return randn(shape, generator=generator, dtype=kind, requires_grad=requires_grad)


def _like(t: Any, dtype: Any, name: str) -> tuple[tuple[int, ...], np.dtype]:
    """creation's `like` (t refused as Tensor() refuses it), drawn in a floating-point dtype only."""
    shape, kind = like(t, dtype, name)
    return shape, float_dtype(kind, name)
