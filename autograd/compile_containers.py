"""The snapshots a compiled step's guards keep of a tuple, list or dict (compile_guards.settled): `Items`, a
large one (a table) by a copy of its items compared by value (within TABLE_ITEMS and TABLE_NUMBERS), and
`Scalars`, one of numbers and text, told unchanged at once where it still holds the very same items."""

from __future__ import annotations

import array
import collections
import operator
from itertools import chain
from operator import attrgetter
from typing import Any

import numpy as np

from .compile_exact_numbers import _Exact, _kinds, exact, rows, typed

_AS_IS = (int, str, bytes, type(None))  # a snapshot of itself: `==` holds only within each kind (True == 1: a Flag)
_CLASS = attrgetter("__class__")
# an array of up to this many entries is a setting (compile_settings.is_setting): cheap to compare
GUARDED_ENTRIES = 10_000
# a table (a tuple, list or dict that is no setting, an array) is compared by value on every replay up to
# TABLE_ITEMS items copied in Python (about 1 ms a recording and 10 us a replay each 1,000) and TABLE_NUMBERS
# numbers copied in C (its arrays', its flat lists'); a larger one is TooLarge: kept by identity alone, an item
# changed in place between calls would replay the number read when recorded
TABLE_ITEMS = 100_000
TABLE_NUMBERS = 1_000_000
SCALARS = frozenset((*_AS_IS, bool, float))  # immutable: the same object is the same number


class Items:
    """A guard's snapshot of a tuple, list or dict too large to snapshot item by item (a table, a list of
    batches, a history the caller appends to): that object, with a shallow copy of its items, compared in C
    (`==`, which takes an item that is the same object as equal at once). An item replaced, added, removed
    or moved (`random.shuffle(batches)`, `rewards.append(r)`) is a change; kept by identity alone, a replay
    went on with the number it read from it when recorded."""

    __slots__ = ("obj", "items")

    def __init__(self, obj: Any) -> None:
        self.obj, self.items = obj, _copied(obj)  # TooLargeError past TABLE_ITEMS or TABLE_NUMBERS

    def holds(self, value: Any, kinds: bool = True) -> bool:
        """Whether `value` is the object, holding the same items (of the same types, unless not `kinds`: where
        compile_changes looks for the step's own changes, around each replayed span)."""
        return value is self.obj and _alike(value, self.items, kinds)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is Items:
            return other.obj is self.obj and _alike(other.items, self.items)  # type: ignore[attr-defined]
        return self.holds(other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return id(self.obj)


def _copied(table: Any) -> Any:
    """A copy of a table that its caller may change in place: its lists and dicts, and those they hold (a table
    of lists, `ROWS[0][0] = 5`), copied, so that `==` compares them by value (a subclass's, an OrderedDict's, as
    its plain kind: `==` of the two compares items); each that holds no list, dict or tuple (numbers, arrays:
    replaced items are seen by identity) in one pass in C, so that `[list(range(300_000))]` costs 1 ms, where
    a Python pass over its numbers took 35 ms, on each of a recording's replayed spans (compile_changes).
    TooLargeError past TABLE_ITEMS items copied in Python or TABLE_NUMBERS in C."""
    return _deep(table, _DEPTH, [TABLE_ITEMS, TABLE_NUMBERS])


class TooLargeError(Exception):
    """A table costs more than TABLE_ITEMS or TABLE_NUMBERS to compare on every replay."""


_NESTED = (list, dict, tuple)
_DEPTH = 16  # nesting copied; deeper (a list holding itself) copies as an object equal to nothing: never unchanged


def _spend(room: list[int], which: int, cost: int) -> None:
    room[which] -= cost
    if room[which] < 0:
        raise TooLargeError


def _deep(x: Any, depth: int, room: list[int]) -> Any:
    """x's copy (`_copied`), spending `room`: [items left to copy in Python, numbers left to copy in C]."""
    if isinstance(x, _HELD):  # by value, as the numbers of an array or a flat list
        _spend(room, 1, x.size if isinstance(x, np.ndarray) else len(x))
        return _Held(x)
    if not isinstance(x, _NESTED):
        return x
    if depth == 0:
        return object()
    kind = InOrder if isinstance(x, dict) else list if isinstance(x, list) else tuple
    if _flat(x.values() if kind is InOrder else x):
        _spend(room, 1, len(x))
        # a pass in C (a plain tuple is its own copy); its numbers' types and zeros' signs, in more
        return exact(x if x.__class__ is tuple else kind(x))
    _spend(room, 0, len(x))
    if _rows(x.values() if kind is InOrder else x):  # a table of flat rows: their numbers' kinds and signs at once
        _spend(room, 1, sum(map(len, x.values() if kind is InOrder else x)))
        if kind is InOrder:
            return rows(InOrder((key, r if r.__class__ is tuple else list(r)) for key, r in x.items()))
        return rows(kind(r if r.__class__ is tuple else list(r) for r in x))
    if kind is InOrder:  # the kinds of its numbers beside the containers it holds too (`[array, 0.0]`: a zero's sign)
        return exact(InOrder((key, _deep(item, depth - 1, room)) for key, item in x.items()), x)
    return exact(kind(_deep(item, depth - 1, room) for item in x), x)


def _flat(items: Any) -> bool:
    """Whether no item is a list, dict or tuple, nor one that _Held keeps (their classes found in C; not where one
    cannot be hashed)."""
    try:
        return not any(issubclass(c, _NESTED + _HELD) for c in set(map(type, items)))
    except TypeError:
        return False


def _rows(x: Any) -> bool:
    """Whether every item of x (a list, a tuple or a dict's values) is a list or tuple (not a subclass's) and none of
    theirs is a container (their classes found in C)."""
    try:
        return bool(x) and set(map(type, x)) <= _ROWS and _flat(chain.from_iterable(x))
    except TypeError:
        return False


_ROWS = frozenset((list, tuple))


class InOrder(dict):
    """A dict's copy in a table's snapshot, equal to a dict with the same items in the same order, its keys of the
    same types: a step that iterates a table's dict takes its order (`{k: v}` popped and set again moves k last),
    which `==` of two dicts does not compare, and its keys (`t[39.0] = t.pop(39)`, last: `==` and order alike)."""

    __slots__ = ("kinds",)

    def __init__(self, *items: Any) -> None:
        super().__init__(*items)
        self.kinds = _kinds(self)  # None for text keys, which `==` tells from numbers

    def __eq__(self, other: object) -> bool:  # called first, before a plain dict's own, as a subclass's is
        if not (isinstance(other, dict) and dict.__eq__(self, other) is True and list(self) == list(other)):
            return False
        return self.kinds is None or list(map(type, other)) == self.kinds

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]


_HELD = (np.ndarray, collections.deque, set, bytearray, array.array)  # mutable, but no list, dict or tuple


class _Held:
    """A table's array, deque, set or Python buffer in its snapshot: equal to that very object while it holds what
    it held (`TABLE[3][0] = 5` on an array the table holds is a change, where its identity alone replayed the
    recorded number)."""

    __slots__ = ("obj", "held")
    __array_ufunc__ = None  # an array's == defers to this one's
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, obj: Any) -> None:
        self.obj, self.held = obj, _contents(obj)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is _Held:
            return other.obj is self.obj and other.held == self.held  # type: ignore[attr-defined]
        return other is self.obj and _contents(other) == self.held

    def __ne__(self, other: object) -> bool:
        return not self == other


def _contents(obj: Any) -> Any:
    """What an array, a deque, a set or a Python buffer holds, as a value to compare."""
    if isinstance(obj, np.ndarray):
        return (obj.dtype.str, obj.shape, obj.tobytes())
    if isinstance(obj, set | collections.deque):  # their items' types too (compile_exact_numbers)
        return typed(obj)
    return bytes(obj)


def _alike(a: Any, b: Any, kinds: bool = True) -> bool:
    """Whether two tuples, lists or dicts hold the same items (the same objects, or equal ones: numbers; the kinds of
    the numbers a table holds itself unless not `kinds`)."""
    if len(a) != len(b):
        return False
    try:
        if not kinds and isinstance(b, _Exact):
            return b.alike(a, kinds=False)
        return bool(b == a)  # the copy's == first: an OrderedDict's own ignores a plain dict's order
    except (ValueError, TypeError):  # an item replaced by an array, which == answers elementwise
        return False


class Same:
    """A guard's snapshot of an object (an optimizer, a function, a Tensor): equal to that object alone,
    never compared by ==, which a Tensor or an array answers elementwise."""

    __slots__ = ("obj",)

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def __eq__(self, other: object) -> bool:
        same_kind = other.__class__ is self.__class__  # a TooLarge is no Same of the object
        return other is self.obj or (same_kind and other.obj is self.obj)  # type: ignore[attr-defined]

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return id(self.obj)


class TooLarge(Same):
    """settled's snapshot of a table too large to compare on every replay (`_copied`'s TooLargeError, an array of
    more than TABLE_NUMBERS): equal to that object alone, as Same, while a step is recorded; a recording that keeps
    one but as a buffer (data a replay reads as it is then) runs the step eagerly (compile_buffers.too_large_read),
    where its identity alone replayed an item changed in place."""

    __slots__ = ()


def table(value: Any) -> Items | TooLarge:
    """A table's snapshot: Items, or TooLarge where comparing it would cost more than the bounds."""
    try:
        return Items(value)
    except TooLargeError:
        return TooLarge(value)


class Scalars(tuple):
    """settled's snapshot of a list or dict of numbers and text (a config): its items' snapshots, compared
    as any tuple, and the items themselves (`held`), so that a replay tells the container unchanged at once
    where it holds the very same items (`kept`: about 20 ns an item, where settling each costs 0.8 us).
    compile_buffers makes one of a container holding a buffer, known by identity alone."""

    held: list | dict | tuple


def _of_scalars(snapshot: tuple, value: Any) -> tuple:
    """`snapshot` as Scalars holding value's items, where value is a list or dict whose items are all
    immutable scalars (one changed is then a new object: no nested list changed in place hides there)."""
    if value.__class__ not in (list, dict):
        return snapshot
    items = value.values() if value.__class__ is dict else value
    if not all_scalars(items):
        return snapshot
    kept_snapshot = Scalars(snapshot)
    kept_snapshot.held = value.copy()
    return kept_snapshot


def all_scalars(items: Any) -> bool:
    """Whether every item is an immutable scalar (a set lookup of its class, in C); not where an item's class
    cannot be hashed (its metaclass defines __eq__ alone)."""
    try:
        return all(map(SCALARS.__contains__, map(_CLASS, items)))
    except TypeError:
        return False


def _same_items(value: Any, held: list | dict) -> bool:
    """Whether the list or dict `value` holds the very same items as `held`, in order (identity, in C)."""
    if value.__class__ is not held.__class__ or len(value) != len(held):
        return False
    if value.__class__ is dict:
        return value.keys() == held.keys() and all(map(operator.is_, value.values(), held.values()))
    return all(map(operator.is_, value, held))


def too_large(snapshot: Any) -> Any:
    """The table a snapshot keeps as TooLarge (itself, or in a tuple of snapshots), or None."""
    if snapshot.__class__ is TooLarge:
        return snapshot.obj
    if isinstance(snapshot, tuple):
        return next((x for x in map(too_large, snapshot) if x is not None), None)
    return None


def a_kind(kind: str) -> str:
    """`kind` (a type's name) with its article, as a message names it: "a list", "an int"."""
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def too_large_why(obj: Any, where: str) -> str:
    """Why a recording that reads `obj`, a table TooLarge keeps, found as `where`, runs the step eagerly."""
    if isinstance(obj, np.ndarray):
        what = f"an array of {obj.size:,} numbers"
    else:
        what = f"{a_kind(type(obj).__name__)} of {len(obj):,} items"
    return (
        f"the step reads {where} ({what}), a table too large to compare on every replay (more than {TABLE_ITEMS:,} "
        f"items, or {TABLE_NUMBERS:,} numbers in all): kept by identity alone, an item changed in place between "
        "calls would replay the number read from it when recorded. Pass what the step reads from it as arguments "
        "(a batch, 0-d arrays), or make it a Tensor's data, which a replay reads as it is then"
    )
