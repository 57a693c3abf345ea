"""`Watched`: an array input of a compiled step as the step sees it while it is recorded, a view of the input that
notes the step's own code reading its numbers with numpy (`t >= 0`, np.where, np.clip, `int(y[0])`, y.tolist(),
t.mean() as a float, t[t > 0]): a replay runs none of the step's Python, so what it made of them (a mask, a slice's
start, a branch) would be replayed as recorded, even where it came out the same on both recordings while the input
did not. Views of it (`y[1:]`, y.reshape, y.T) are watched too; reads by autograd's and nn's own code (Tensor(y),
a loss's labels, nn's checks) are not noted, and get plain arrays. After the recording the step's stored and
returned arrays are plain again (compile_kept.put_back_plain), and watched ones it kept elsewhere note nothing.
Not seen: np.asarray(y), np.array(y) and what calls them (np.ascontiguousarray, as_strided), y.base, another array
indexed by it (weights[y]), the buffer protocol (memoryview, bytes, np.frombuffer), np.nditer, ndarray's methods
called through the class (np.ndarray.tolist(y)), str and repr, another array filled with it (m[:] = y, m.put),
which numpy and Python do without asking."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from . import compile_record  # (as a module: it imports this one, through compile_kept)


class Watch:
    """What every watched view of one input shares: the recording it notes in, the input's index and array."""

    __slots__ = ("rec", "index", "original")

    def __init__(self, rec: Any, index: int, original: np.ndarray) -> None:
        self.rec, self.index, self.original = rec, index, original


class Watched(np.ndarray):
    """An array input (or a view of one) while a step is recorded: see the module's docstring."""

    _watch: Watch | None = None

    def __array_finalize__(self, obj: Any) -> None:
        self._watch = getattr(obj, "_watch", None)
        watch = self._watch
        if watch is not None and watch.rec is not None:
            watch.rec.kept.append(self)  # put back plain where the step stores it (compile_kept.put_back_plain)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if any(_foreign(type(x)) for x in inputs):
            return NotImplemented  # a Tensor operand (`y - t`): the Tensor's op, which takes y as a constant
        out = kwargs.get("out")
        result = getattr(ufunc, method)(*_plains(inputs), **_plains(kwargs))
        _note([*inputs, *(out or ())], f"numpy's {ufunc.__name__}")
        if out is not None and len(out) == 1 and result is _plain(out[0]):
            return out[0]  # `y += 1`: y itself, as eagerly
        return result

    def __array_function__(self, func: Any, types: Any, args: tuple, kwargs: dict) -> Any:
        if any(_foreign(t) for t in types):
            return NotImplemented
        result = func(*_plains(args), **_plains(kwargs))
        if func in _SHAPES:
            return result
        return _viewed_or_read([*_leaves(args), *_leaves(kwargs)], result, f"np.{func.__name__}", "out" in kwargs)

    def __getitem__(self, index: Any) -> Any:
        result = np.ndarray.__getitem__(_plain(self), _plains(index))
        return _viewed_or_read([self, *_leaves(index)], result, "an element or a copy (y[0], y[mask])")

    def __iter__(self) -> Any:
        if self.ndim > 1:  # rows: views of it, watched in turn where the step's own code loops (told once)
            return _watched_rows(self) if _by_the_step([self]) else iter(_plain(self))
        if self.ndim:  # its numbers: a read, noted once, not per element (a loop over 10**5 took 6.4 s to record)
            _note([self], "a loop over it (for v in y)")
        return iter(_plain(self))  # (0-d: numpy's TypeError)

    def __repr__(self) -> str:
        return repr(_plain(self))

    def __str__(self) -> str:
        return str(_plain(self))


def _watched_rows(x: Watched) -> Iterator[np.ndarray]:
    """The rows of a watched array, each a watched view of it (noted, to be put back plain where stored); plain,
    as eagerly, those taken once its recording is over (a generator over them that the step returned)."""
    watch = x._watch
    for row in _plain(x):
        rec = watch.rec
        if rec is None:
            yield row
            continue
        view = row.view(Watched)
        view._watch = watch
        rec.kept.append(view)
        yield view


# numpy's functions that read an array's shape, dtype or memory alone: no reads of its numbers
_SHAPES = {np.shape, np.ndim, np.size, np.result_type, np.may_share_memory, np.shares_memory}
_SHAPES |= {np.empty_like, np.zeros_like, np.ones_like}


def _reading(name: str) -> Any:
    def method(self: Watched, *args: Any, **kwargs: Any) -> Any:
        result = getattr(np.ndarray, name)(_plain(self), *_plains(args), **_plains(kwargs))
        return _viewed_or_read([self, *_leaves(args), *_leaves(kwargs)], result, how)

    how = f"{name.strip('_')}(y)" if name.startswith("__") else f"y.{name}()"

    method.__name__ = name
    return method


# ndarray's methods that read numbers, copy them or may (a reshape of a slice copies it) without asking numpy's
# protocols (the rest do: y.sum(), y.clip); a view they give is watched in turn, as `y[1:]` is
for _name in (
    "reshape ravel squeeze swapaxes transpose diagonal view "
    "astype copy tolist item argmax argmin argsort argpartition sort partition nonzero searchsorted take put "
    "compress choose repeat flatten dot tobytes tofile dump dumps fill byteswap round cumsum cumprod trace "
    "__bool__ __int__ __float__ __index__ __complex__ __contains__ __copy__ __deepcopy__ __format__"
).split():
    setattr(Watched, _name, _reading(_name))


def _way_out(name: str, attribute: bool) -> Any:
    """A method or attribute of ndarray's that gives a plain array or the raw memory (y.__array__(), pickle's
    __reduce__, y.flat, y.data, y.ctypes), numbers read without asking the watched view: taken as a read of them
    by the step's own code, given as numpy gives it."""
    how = f"y.{name}" if attribute else "pickling y (y.__reduce__())" if name == "__reduce__" else f"y.{name}()"
    given = getattr(np.ndarray, name)

    def method(self: Watched, *args: Any, **kwargs: Any) -> Any:
        _note([self], how)
        return given(_plain(self), *_plains(args), **_plains(kwargs))

    def read(self: Watched) -> Any:
        _note([self], how)
        return given.__get__(_plain(self))

    if attribute:
        return property(read, given.__set__, doc=given.__doc__)  # (y.flat = 0 writes as eagerly)
    method.__name__ = name
    return method


for _name in ("__array__", "__reduce__"):
    setattr(Watched, _name, _way_out(_name, attribute=False))
for _name in ("flat", "data", "ctypes"):
    setattr(Watched, _name, _way_out(_name, attribute=True))


def watched(x: np.ndarray, rec: Any, index: int) -> Watched:
    """Input `index`, the array `x`, as a step being recorded (`rec`) is given it."""
    view = x.view(Watched)
    view._watch = Watch(rec, index, x)
    rec.kept.append(view)
    return view


def plain_array(x: Watched) -> np.ndarray:
    """A watched array as the step would hold it eagerly: the input itself, or a plain view of the same memory."""
    watch = x._watch
    if watch is not None and same_layout(x, watch.original):
        return watch.original
    return np.ndarray.view(x, np.ndarray)


def same_layout(x: np.ndarray, y: np.ndarray) -> bool:
    return (x.__array_interface__["data"][0], x.shape, x.strides, x.dtype) == (
        y.__array_interface__["data"][0],
        y.shape,
        y.strides,
        y.dtype,
    )


def _foreign(kind: type) -> bool:
    """Whether operands of this type answer numpy's protocols themselves (a Tensor), not as an array does."""
    return not issubclass(kind, np.ndarray | np.generic) and hasattr(kind, "__array_ufunc__")


def _plain(x: Any) -> Any:
    return np.ndarray.view(x, np.ndarray) if isinstance(x, Watched) else x


def _plains(x: Any) -> Any:
    """x with its watched arrays plain views, in lists, tuples and dicts too (np.concatenate([x, y]))."""
    if isinstance(x, Watched):
        return _plain(x)
    if isinstance(x, list | tuple):
        items = [_plains(v) for v in x]
        return type(x)(items) if type(x) in (list, tuple) else x
    if isinstance(x, dict):
        return {k: _plains(v) for k, v in x.items()}
    return x


def _leaves(x: Any) -> list[Any]:
    if isinstance(x, Watched):
        return [x]
    if isinstance(x, list | tuple):
        return [leaf for v in x for leaf in _leaves(v)]
    if isinstance(x, dict):
        return [leaf for v in x.values() for leaf in _leaves(v)]
    return []


def _viewed_or_read(operands: list[Any], result: Any, how: str, wrote: bool = False) -> Any:
    """`result` of a numpy operation on watched `operands`: a view of one of them, taken by the step's own code,
    watched in turn; anything else (numbers, a copy) a read of their inputs, noted, given plain."""
    watches = [x for x in operands if isinstance(x, Watched)]
    if not wrote and type(result) is np.ndarray and _by_the_step(watches):
        for x in watches:
            if np.may_share_memory(result, _plain(x)):
                view = result.view(Watched)
                view._watch = x._watch
                x._watch.rec.kept.append(view)
                return view
    _note(watches, how)
    return result


def _by_the_step(watches: list[Any]) -> bool:
    """Whether the code using these watched arrays now is the step's own, while their recording runs: not
    autograd's or nn's (a loss's labels, Tensor(y)), nor a replayed method or autograd.validate's checks."""
    rec = compile_record.current()
    if rec is None or rec.replaying or rec.validating:
        return False
    if not any(isinstance(x, Watched) and x._watch is not None and x._watch.rec is rec for x in watches):
        return False
    frame = sys._getframe(1)
    while frame is not None and _package(frame) in ("numpy", __name__):
        frame = frame.f_back
    return frame is None or _package(frame) not in ("autograd", "nn")


def _package(frame: Any) -> str:
    """The top package of the module whose code a frame runs (this module by its own name): by the package's name
    whole, not its start (a user's module `numpy_losses` or `nn_extra` is the user's)."""
    module = frame.f_globals.get("__name__", "")
    return module if module == __name__ else module.partition(".")[0]


def _note(operands: list[Any], how: str) -> None:
    """Note that the step's own code read the numbers of the inputs of these watched arrays (`how`: with what);
    of inputs already noted, nothing to look up (an element read in a loop costs no walk of the frames)."""
    rec = compile_record.current()
    if rec is None:
        return
    fresh = [x for x in operands if isinstance(x, Watched) and x._watch is not None and x._watch.rec is rec]
    fresh = [x for x in fresh if x._watch.index not in rec.numpy_reads]
    if fresh and _by_the_step(fresh):
        for x in fresh:
            rec.numpy_reads.setdefault(x._watch.index, how)


@contextmanager
def watching(rec: Any, inputs: list[Any]) -> Iterator[list[Any]]:
    """The inputs as a step being recorded (`rec`) is given them: each plain array as a watched view, which
    notes the step's reads of its numbers in `rec.numpy_reads` until the block ends (a view of another class, or
    a Tensor, as it is)."""
    handed = [watched(x, rec, k) if x.__class__ is np.ndarray else x for k, x in enumerate(inputs)]
    watches = [x._watch for x in handed if isinstance(x, Watched)]  # (put_back_plain makes `handed` plain again)
    try:
        yield handed
    finally:
        for watch in watches:  # their views, and those the step kept, note nothing more
            watch.rec = None
