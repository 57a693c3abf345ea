"""The iterators a compiled step reaches through its names (`sizes = iter([4, 4, 5])`, a generator, an
itertools.count, in a dict or on an object those hold): a replay runs none of the step's Python, so `next(sizes)`
in the step would not advance them, and what they gave when recorded (a size for autograd.rand, a scale) would stay
while the eager step would take the next. Their positions are read with the generators' (compile_random.Spans):
one that moved outside a draw (a draw that reads one when called is made again by each replay) runs the step
eagerly. A builtin iterator's position is what its `__reduce__` gives (a list iterator's index, a count's
number); an iterator class of one's own, its attributes, read without running its code, where they are numbers, text
and lists, tuples, dicts and iterators of those; any other place reads as moved, never the same: a generator's (its
loop's iterator is on its frame's stack), `iter(f, sentinel)`'s (f's state), an object or an array an iterator class
changes in place (a deque it pops)."""

from __future__ import annotations

import io
import types
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

from .compile_fields import fields

ADVANCED = (
    "the step's names (or a dict, list or object they hold) hold an iterator or a generator ({kinds}) that moved "
    "while the step ran, outside autograd.drawn (next(sizes), a count), or whose place cannot be read (a generator, "
    "iter(f, sentinel), an iterator class keeping it in an object or an array): a replay runs none of the step's "
    "Python, so it would not advance it, and what it gave when recorded (a size for autograd.rand, a number) would "
    "stay where the eager step takes the next. Pass what it yields as an argument of the step (an array, whose "
    "numbers a replay reads; a new shape records again)"
)
_DEPTH = 3  # how deep a position looks into the iterators an iterator holds (map(f, iter(xs)))


def holds_iterator(x: Any) -> bool:
    """Whether `x` is an iterator or a method of one (`sizes.__next__`); not a file, whose lines are data the step
    reads, not a position a replay would keep. By type(x): no ABC's isinstance, which hashes classes that may
    refuse it, nor x.__class__, which a recording's hooks may route through Python."""
    kind = type(_owner(x))
    return hasattr(kind, "__next__") and hasattr(kind, "__iter__") and not issubclass(kind, io.IOBase)


_METHODS = (types.MethodWrapperType, types.BuiltinMethodType)


def _owner(x: Any) -> Any:
    """The object a method of a builtin type is bound to (`sizes.__next__`'s iterator), else x itself."""
    return x.__self__ if issubclass(type(x), _METHODS) else x


def iterators_among(values: Iterable[Any]) -> list[Any]:
    """The iterators of the values holds_iterator takes (compile_random.held_among finds them), each once."""
    found = {}
    for x in map(_owner, values):
        found[id(x)] = x
    return list(found.values())


def positions(iterators: tuple[Any, ...]) -> tuple[Any, ...]:
    """Where each of `iterators` stands, as values `same_positions` compares."""
    return tuple(_position(it, _DEPTH) for it in iterators)


_CALLABLE_ITERATOR = type(iter(int, 0))  # iter(f, sentinel): its place is f's state
_HEAP_TYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class made by a class statement, not a builtin type
# what an iterator class's attributes may hold to be read as its place: values that cannot change in place
_VALUES = (int, float, complex, str, bytes, type(None), range, np.number, np.bool_)
_PLAIN = object.__basicsize__


def _position(it: Any, depth: int) -> Any:
    kind = type(it)
    if isinstance(it, types.GeneratorType) or kind is _CALLABLE_ITERATOR or depth == 0:
        return object()  # unreadable: never the same, so it reads as moved (never replayed on a guess)
    if kind.__flags__ & _HEAP_TYPE:  # a class of one's own: its attributes, none of its code run (__reduce__)
        if any(not base.__flags__ & _HEAP_TYPE and base.__basicsize__ > _PLAIN for base in kind.__mro__):
            return object()  # a builtin base's own state (a count's number): no attribute shows it
        return _flat(fields(it), depth, strict=True)
    try:
        with warnings.catch_warnings():  # Python 3.12 deprecates pickling itertools' objects
            warnings.simplefilter("ignore", DeprecationWarning)
            reduced = it.__reduce__()
    except Exception:  # noqa: BLE001 (any refusal: unreadable)
        return object()
    if not isinstance(reduced, tuple):
        return object()
    return _flat(reduced, depth)


def _flat(value: Any, depth: int, strict: bool = False) -> Any:
    """A reduction's parts, or an iterator class's attributes (`strict`: each a value that cannot change in place,
    else unreadable), the iterators among them read as positions in turn (map's over a list iterator)."""
    if isinstance(value, tuple | list):
        return tuple(_flat(v, depth, strict) for v in value)
    if isinstance(value, dict):
        return tuple((k, _flat(v, depth, strict)) for k, v in value.items())
    if holds_iterator(value) and _owner(value) is value:
        return _position(value, depth - 1)
    if strict and not isinstance(value, _VALUES):
        return object()  # a deque it pops, an array it counts in, a closure's cell: seen by identity, never moved
    return value


def same_positions(a: Any, b: Any) -> bool:
    """Whether two readings are one position: numbers and text equal, everything else the same object."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(same_positions(x, y) for x, y in zip(a, b))
    if isinstance(a, int | float | str | bytes | range | type(None)) and type(a) is type(b):
        return a == b
    return a is b


def moved_names(iterators: tuple[Any, ...], readings: list[tuple[Any, ...]]) -> str:
    """The kinds of the iterators whose readings (at the start, before and after each draw, at the end) moved
    between two draws, or "" for none."""
    moved = {
        type(it).__name__
        for before, after in zip(readings[::2], readings[1::2])
        for it, a, b in zip(iterators, before, after)
        if not same_positions(a, b)
    }
    return ", ".join(sorted(moved))
