"""What a table snapshot's `==` cannot see of its numbers (compile_containers): their kinds (1 made 1.0, 2 made
np.int64(2), True made 1, 0.5 made np.float32(0.5): equal, where eager's `np.zeros(n)`, `np.array(labels)`, a float32
Tensor times it, or a branch on the type tells them apart) and their zeros' signs (0.0 made -0.0, a step reading it
with `1 / x` or `copysign`). A list, tuple or dict holding numbers is kept as `Exact`, and a table of flat rows (a
list or tuple of them) as one `Rows`, which a replay checks in passes in C: the types of all its items (one
`map(type, ...)`: 300,000 ints cost 3 ms, where `==` alone costs 0.2) and the bits of the numbers at the zeros'
places. One Python comparison per row holding a zero made a table of 50,000 rows `[k, 0.0]` cost 216 million
instructions a replay, 59 million in passes."""

from __future__ import annotations

import collections
import struct
from array import array
from itertools import chain, repeat
from operator import attrgetter, getitem
from typing import Any

import numpy as np

_NOT_NUMBERS = (TypeError, ValueError, OverflowError)  # array("d", ...) of what is no float
# the kinds of items a snapshot's `==` tells apart already: text and None equal only their own kind; a list, tuple or
# dict is copied and compared item by item (its numbers' kinds kept by its own copy), an array, deque or set by
# identity (compile_containers._Held)
_TOLD_APART = frozenset(
    (str, bytes, type(None), list, tuple, dict, np.ndarray, collections.deque, set, bytearray, array)
)
_PARTS = attrgetter("real", "imag")
bits = struct.Struct("<d").pack  # a float's bits: -0.0 is not 0.0, nor -nan nan (float.hex gives "nan" for both)


def number_bits(x: float | complex | np.generic) -> Any:
    """A number's value, every bit (a Python or numpy number; a numpy scalar of another kind by its bytes): -0.0 is
    not 0.0, nor one NaN another. A long double by its shortest repr (exact) and its parts' signs, as its bytes hold
    80 bits in 16 on x86, the rest whatever memory held (equal ones differ), and a double rounds 11 of its bits away."""
    if isinstance(x, float):  # np.float64 too
        return bits(x)
    if isinstance(x, complex):  # np.complex128 too
        return bits(x.real), bits(x.imag)
    if isinstance(x, np.longdouble | np.clongdouble):
        return repr(x), bits(x.real), bits(x.imag)
    return x.tobytes()


def typed(items: set | frozenset | collections.deque) -> Any:
    """A set's items, or a deque's, as a value to compare: with their types (`{2}` and `{2.0}` are equal sets, where a
    step sizing arrays with them, `for n in sizes: np.ones(n)`, tells them apart) and their zeros' signs (`{-0.0}`
    equals `{0.0}`; a deque's items are kept as a table's list's, `exact`)."""
    if isinstance(items, collections.deque):
        return exact(list(items))
    kept = frozenset(zip(map(type, items), items))
    try:
        if 0 in items:  # found by hash, at once: a set holds one zero at most
            return kept, [_seen(_PARTS(x)) for x in items if x == 0]
    except (*_NOT_NUMBERS, AttributeError):  # an item whose == refuses 0, a zero with no real and imaginary parts
        pass
    return kept


def _places(items: Any) -> list[Any]:
    """The places of the zeros among `items`, a list or tuple (`0 in` first, in C: no zero, no place)."""
    try:
        if 0 not in items:
            return []
    except _NOT_NUMBERS:  # an item whose == refuses 0
        return []
    places, i = [], -1
    while True:  # each zero's place, found in C
        try:
            i = items.index(0, i + 1)
        except (ValueError, TypeError):
            break
        places.append(i)
    return places


def _seen(at: tuple[Any, ...]) -> bytes | None:
    """The bits as doubles of the items at the zeros' places (None where one is no number); of their real and
    imaginary parts where one is complex (which array("d") refuses: `0j == complex(-0.0, 0)`)."""
    try:
        return array("d", at).tobytes()
    except _NOT_NUMBERS:
        pass
    try:
        return array("d", chain.from_iterable(map(_PARTS, at))).tobytes()
    except (*_NOT_NUMBERS, AttributeError):
        return None


def _kinds(items: Any) -> list[type] | None:
    """The types of `items` (an iterable), in order, or None where `==` tells all of them apart (_TOLD_APART)."""
    kinds = list(map(type, items))
    try:
        return None if _TOLD_APART.issuperset(kinds) else kinds
    except TypeError:  # a class that cannot be hashed (its metaclass defines __eq__ alone)
        return kinds


class _Exact:
    """A copy in a table's snapshot holding numbers: equal to a container `==` takes as equal to the copy whose items
    have the same types (`kinds`, or None where `==` tells them apart) and whose numbers at the zeros' places (`at`)
    have the same bits, read in C."""

    __slots__ = ("copy", "places", "kinds", "seen")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, copy: Any, places: Any, kinds: list[type] | None) -> None:
        self.copy, self.places, self.kinds = copy, places, kinds
        self.seen = _seen(self.at(copy))

    def at(self, container: Any) -> tuple[Any, ...]:
        raise NotImplementedError

    def kinds_of(self, container: Any) -> list[type] | None:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:  # two recordings' snapshots
            mine, theirs = (self.places, self.kinds, self.seen), (other.places, other.kinds, other.seen)  # type: ignore[attr-defined]
            return self.copy == other.copy and mine == theirs  # type: ignore[attr-defined]
        return self.alike(other)

    def alike(self, other: Any, kinds: bool = True) -> bool:
        """Whether the container `other` equals the copy, its zeros with the same bits, and (unless not `kinds`: a
        pass that costs ten times `==`'s) its items of the same types."""
        if not (self.copy == other and _seen(self.at(other)) == self.seen):
            return False
        return not kinds or self.kinds is None or self.kinds_of(other) == self.kinds

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __len__(self) -> int:
        return len(self.copy)


class Exact(_Exact):
    """A list, tuple or dict holding numbers in a table's snapshot (`places`: the indices or keys of its zeros; None
    for every item, where zeros are many)."""

    __slots__ = ()

    def at(self, container: Any) -> tuple[Any, ...]:
        if self.places is None:  # zeros in more than one item in _MANY: every item, in one pass
            return tuple(container)
        return tuple(map(container.__getitem__, self.places))

    def kinds_of(self, container: Any) -> list[type]:
        return list(map(type, container.values() if isinstance(container, dict) else container))


class Rows(_Exact):
    """A list, tuple or dict of flat lists and tuples (a table of rows) holding numbers, in a table's snapshot
    (`places`: the rows' indices or keys and the columns' of its zeros, two tuples): read at once, where each row's
    own check was a Python call (a dict of 10,000 rows: 11 ms a replay, 0.8 now)."""

    __slots__ = ()

    def at(self, container: Any) -> tuple[Any, ...]:
        rows, columns = self.places
        return tuple(map(getitem, map(getitem, repeat(container), rows), columns))

    def kinds_of(self, container: Any) -> list[type]:
        return list(map(type, chain.from_iterable(container.values() if isinstance(container, dict) else container)))


def exact(copy: Any, original: Any = None) -> Any:
    """`copy`, the copy of a list, tuple or dict in a table's snapshot (a tuple itself), as Exact where it holds
    numbers (`original`: the container copied, whose items' types are kept, where the copy's are copies of them)."""
    source = copy if original is None else original
    kinds = _kinds(source.values() if isinstance(source, dict) else source)
    if isinstance(copy, dict):
        keys = list(copy)
        places: list[Any] | None = [keys[i] for i in _places(list(copy.values()))]
    elif _many_zeros(copy) and _seen(copy) is not None:  # `[0.0] * n`: every item read, not each zero's place found
        places = None
    else:
        places = _places(copy)
    return copy if places == [] and kinds is None else Exact(copy, places, kinds)


_MANY = 16  # zeros in more than one item in this many: every item of a flat list or tuple is read


def _many_zeros(items: list[Any] | tuple[Any, ...]) -> bool:
    try:
        return items.count(0) * _MANY > len(items)
    except _NOT_NUMBERS:
        return False


def rows(copy: Any) -> Any:
    """`copy`, the copy of a list, tuple or dict of flat lists and tuples in a table's snapshot, as Rows where they
    hold numbers."""
    listed = copy.values() if isinstance(copy, dict) else copy
    kinds = _kinds(chain.from_iterable(listed))
    try:
        zeros = 0 in chain.from_iterable(listed)
    except _NOT_NUMBERS:
        zeros = False
    each = copy.items() if isinstance(copy, dict) else enumerate(copy)
    at = [(r, c) for r, row in each for c in _places(row)] if zeros else []
    if not at and kinds is None:
        return copy
    return Rows(copy, (tuple(r for r, _ in at), tuple(c for _, c in at)), kinds)
