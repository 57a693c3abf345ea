"""What a table snapshot's `==` cannot see of its zeros (compile_containers): a sign or a kind (0.0 made -0.0, a
step reading it with `1 / x` or `copysign`; 0.0 made 0, or 0 made 0.0). A flat list, tuple or dict holding a zero is
kept as `Exact`, and a table of flat rows (a list or tuple of them) holding zeros as one `Rows`, which a replay checks
in passes in C: the bits and types of the numbers at the zeros' places. One Python comparison per row holding a zero
made a table of 50,000 rows `[k, 0.0]` cost 216 million instructions a replay, 59 million now (8.6 without zeros)."""

from __future__ import annotations

from array import array
from itertools import chain, repeat
from operator import getitem
from typing import Any

_NOT_NUMBERS = (TypeError, ValueError, OverflowError)  # array("d", ...) of what is no float


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


def _seen(at: tuple[Any, ...]) -> tuple[bytes | None, tuple[type, ...]]:
    """The bits as doubles (None where one is no number) and the types of the items at the zeros' places."""
    try:
        bits: bytes | None = array("d", at).tobytes()
    except _NOT_NUMBERS:
        bits = None
    return bits, tuple(map(type, at))


class _Zeros:
    """A copy in a table's snapshot holding zeros: equal to a container `==` takes as equal to the copy whose items at
    the zeros' places (`at`) have the same bits and types, read in C."""

    __slots__ = ("copy", "places", "seen")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, copy: Any, places: Any) -> None:
        self.copy, self.places = copy, places
        self.seen = _seen(self.at(copy))

    def at(self, container: Any) -> tuple[Any, ...]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:  # two recordings' snapshots
            return self.copy == other.copy and (self.places, self.seen) == (other.places, other.seen)  # type: ignore[attr-defined]
        return self.copy == other and _seen(self.at(other)) == self.seen

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __len__(self) -> int:
        return len(self.copy)


class Exact(_Zeros):
    """A flat list, tuple or dict holding zeros in a table's snapshot (`places`: their indices or keys; None for
    every item, where zeros are many)."""

    __slots__ = ()

    def at(self, container: Any) -> tuple[Any, ...]:
        if self.places is None:  # zeros in more than one item in _MANY: every item, in one pass
            return tuple(container)
        return tuple(map(container.__getitem__, self.places))


class Rows(_Zeros):
    """A list or tuple of flat lists and tuples (a table of rows) holding zeros, in a table's snapshot (`places`: the
    rows' indices and the columns', two tuples): read at once, where each row's own check was a Python call."""

    __slots__ = ()

    def at(self, container: Any) -> tuple[Any, ...]:
        rows, columns = self.places
        return tuple(map(getitem, map(getitem, repeat(container), rows), columns))


def exact(copy: Any) -> Any:
    """`copy`, the flat copy of a list, tuple or dict in a table's snapshot (a tuple itself), as Exact where it holds
    a zero."""
    if isinstance(copy, dict):
        keys = list(copy)
        places: list[Any] | None = [keys[i] for i in _places(list(copy.values()))]
    elif _many_zeros(copy):  # a list made as [0.0] * n: all its items read, not each zero's place found
        places = None
    else:
        places = _places(copy)
    return copy if places == [] else Exact(copy, places)


_MANY = 16  # zeros in more than one item in this many: every item of a flat list or tuple is read


def _many_zeros(items: list[Any] | tuple[Any, ...]) -> bool:
    try:
        return items.count(0) * _MANY > len(items)
    except _NOT_NUMBERS:
        return False


def rows(copy: Any) -> Any:
    """`copy`, the copy of a list or tuple of flat lists and tuples in a table's snapshot, as Rows where they hold a
    zero."""
    try:
        if 0 not in chain.from_iterable(copy):
            return copy
    except _NOT_NUMBERS:
        return copy
    at = [(r, c) for r, row in enumerate(copy) for c in _places(row)]
    return Rows(copy, (tuple(r for r, _ in at), tuple(c for _, c in at))) if at else copy
