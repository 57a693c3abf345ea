"""What a compiled step's guards compare: a setting as a snapshot (`settled`), so that a dict or an
array changed in place later is seen as changed, and a NaN as equal to itself; compile_settings takes
the guards of modules' settings and of the attributes a step reads with them."""

from __future__ import annotations

import array
import collections
import enum
import functools
import types
from typing import Any

import numpy as np

from .compile_containers import (
    _AS_IS,
    _CLASS,
    SCALARS,
    TABLE_NUMBERS,
    Items,
    Same,
    Scalars,
    TooLarge,
    TooLargeError,
    _copied,
    _of_scalars,
    _same_items,
    all_scalars,
    table,
)
from .compile_exact_numbers import bits, typed
from .compile_fields import fields, has_fields
from .compile_kept import KEPT, plain
from .graph import Node
from .type_names import type_name

MISSING = object()  # an attribute deleted since: a changed setting
# a tuple, list or dict costing more than this many items to compare (`_cost`) is no setting either (a table,
# a vocabulary): each item's snapshot is made in Python, on every replay (about 0.5 us a number)
SETTING_COST = 32
_AS_IS_SET = frozenset(_AS_IS)  # settled's test of a tuple's items, in C


def _plain(items: tuple) -> bool:
    """Whether every item is of a class in _AS_IS (a set lookup in C; an item whose class cannot be
    hashed, its metaclass defining __eq__ alone, is not)."""
    try:
        return all(map(_AS_IS_SET.__contains__, map(_CLASS, items)))
    except TypeError:
        return False


# functions a module's attribute may hold (its activation), a setting compared by identity
_FUNCTIONS = (types.FunctionType, types.BuiltinFunctionType, types.MethodType, functools.partial, np.ufunc)


# Python's own arrays of numbers, read through as lists are (compile_names.Names.read_through) and compared by bytes
BUFFERS = (array.array, bytearray, memoryview)


class Flag:
    """settled's snapshot of a bool: one of two objects (FLAGS), each equal to itself alone, where True kept as it is
    equals 1: `self.flag = 1` in place of True (a step testing `flag is True`, or `np.array([flag])`'s dtype) replayed
    the recorded branch."""

    __slots__ = ("value",)

    def __init__(self, value: bool) -> None:
        self.value = value


FLAGS = (Flag(False), Flag(True))  # by the bool's value as an index


def settled(value: Any) -> Any:
    """`value` as a guard keeps it and compares it: numbers, text and None as they are (a float by its
    bits: NaN is NaN, -0.0 not 0.0, -nan not nan; a bool as a Flag, unequal to 1), an array or numpy scalar
    by dtype, shape and bytes, tuples, lists and dicts by their items (a table, `Items`, by a copy compared in
    C); an array or a table too large to compare on every replay as TooLarge (a recording that keeps one runs
    eagerly); anything else (an object, a function) by identity (`Same`)."""
    if value.__class__ in _AS_IS:
        return value
    if value.__class__ is bool:
        return FLAGS[value]
    if value.__class__ in KEPT:  # a number a step keeps, watched while it is recorded (compile_kept)
        return settled(plain(value))
    if value.__class__ is tuple and _plain(value):
        return value  # immutable, compared as it is: its snapshot is itself, which a replay tells at once
    if value.__class__ is float:
        return ("float", bits(value))
    if isinstance(value, np.ndarray | np.generic):
        return (
            ("array", value.dtype.str, np.shape(value), value.tobytes())
            if value.size <= TABLE_NUMBERS
            else TooLarge(value)
        )
    if isinstance(value, set | frozenset):  # its items hashable, compared in C, as a set compares
        return ("set", typed(value))
    if isinstance(value, types.MappingProxyType):  # `MappingProxyType(settings)`: the dict it shows, as a dict's
        shown = settled(dict(value))
        if shown.__class__ is Items or shown.__class__ is TooLarge:  # a table's: of the proxy, not of dict() made anew
            shown.obj = value
        return ("mappingproxy", shown)
    if isinstance(value, collections.deque):  # a queue the step pops sizes off: its items, as a list's
        listed = list(value)  # a table's as a copy of its items, not an Items of this list made anew (never equal)
        return ("deque", settled(listed) if _cost(listed, SETTING_COST) <= SETTING_COST else _table_items(value))
    if isinstance(value, BUFFERS):  # Python's arrays of numbers (`array.array("i", [4])`, a bytearray): by bytes
        return (value.__class__, bytes(value)) if memoryview(value).nbytes <= 8 * TABLE_NUMBERS else TooLarge(value)
    if isinstance(value, tuple | list | dict) and _cost(value, SETTING_COST) > SETTING_COST:
        # a table of data (a list of images, a vocabulary), not a setting: a copy compared in C (`table`)
        config = _config_in(value)
        if config is not None:  # by identity, its field set in place would replay the recorded number
            return Unguarded(config)
        return table(value)
    if isinstance(value, tuple | list):
        return _of_scalars((value.__class__.__name__, *map(settled, value)), value)
    if isinstance(value, dict):
        return _of_scalars(("dict", *((key, settled(item)) for key, item in value.items())), value)
    return _config(value) or Same(value)


CONFIG_DEPTH = 4  # configs held in configs (`cfg.optim.schedule.warmup`) are guarded down to this depth


class Unguarded:
    """settled's snapshot of a config it cannot compare cheaply on every replay (configs nested deeper than
    CONFIG_DEPTH, or more than SETTING_COST fields in all, or a table of configs): equal to nothing, and a
    recording that takes one runs the step eagerly, saying why (`unguardable`), where its identity alone
    replayed a stale field."""

    __slots__ = ("obj",)

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def __eq__(self, other: object) -> bool:
        return False

    def __ne__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return id(self.obj)


def _table_items(value: collections.deque) -> Any:
    """A large deque's items, copied as a table's (compile_containers._copied), or TooLarge."""
    try:
        return _copied(list(value))
    except TooLargeError:
        return TooLarge(value)


def _config(value: Any, depth: int = CONFIG_DEPTH, room: list[int] | None = None) -> tuple | Unguarded | None:
    """An object whose attributes are all settings (`_field`: numbers, text, None, enum members, functions,
    numeric arrays, containers of those) or such objects in turn (a config a dict or list holds, a dataclass's
    fields, `cfg.inner.scale`, `cfg.layers = [64, 64]`): itself and their snapshots, so that
    `CONFIGS["a"].inner.scale` set between calls is a changed setting, where its identity alone went on
    replaying the recorded number; Unguarded past CONFIG_DEPTH or SETTING_COST fields in all (`room`, shared
    by the nested ones); None for any other object (a module, an optimizer, a function, an object holding
    others: by identity)."""
    held = _fields_of_object(value)
    if held is None:
        return None
    if depth <= 0:  # not looked into (a long chain, a cycle): whether it is a config is not known either
        return Unguarded(value)
    room = [SETTING_COST] if room is None else room
    room[0] -= len(held)
    snapshot: list[Any] = ["object", Same(value)]
    too_large = False
    for name, item in held.items():
        inner = _field(item, depth, room)
        if inner is _NO_SETTING:  # it holds something other than settings: no config, however large
            return None
        too_large |= inner.__class__ is Unguarded
        snapshot.append((name, inner))
    return Unguarded(value) if too_large or room[0] < 0 else tuple(snapshot)


# what a config's field may hold that settled keeps by identity, as it is right to: an immutable choice (an
# enum member, a class: `optimizer=SGD`) or a function (an activation)
_BY_IDENTITY = (enum.Enum, type, *_FUNCTIONS)
_NO_SETTING = object()  # `_field`'s answer for what is no setting (None is a setting: its own snapshot)


def _field(item: Any, depth: int, room: list[int]) -> Any:
    """A field of a config `depth` levels from the top, as settled keeps it (a guard compares a field on its own
    too: compile_settings), or _NO_SETTING where it is no setting (a Tensor, a generator: the object is then no
    config), Unguarded past the bounds. Numbers, text, None, enum members, classes, functions, numeric arrays and
    containers of numbers and text as settled has them; other containers (a list of configs) item by item, each
    a level down and a field of `room`; objects as configs (`_config`)."""
    if _scalar(item) or isinstance(item, _BY_IDENTITY) or (item.__class__ is tuple and _plain(item)):
        return settled(item)
    if isinstance(item, np.ndarray):
        return settled(item) if item.dtype.kind in "biufc" else _NO_SETTING
    if not isinstance(item, tuple | list | dict):
        inner = _config(item, depth - 1, room)
        return _NO_SETTING if inner is None else inner
    items = list(item.values()) if isinstance(item, dict) else item
    if all_scalars(items):
        return settled(item)  # numbers and text: settled's snapshot, by value or, a table, by its items
    if depth <= 0:
        return Unguarded(item)
    room[0] -= len(items)
    inner = [_field(x, depth - 1, room) for x in items]
    if any(x is _NO_SETTING for x in inner):
        return _NO_SETTING
    if any(x.__class__ is Unguarded for x in inner):
        return Unguarded(item)
    return ("dict", *zip(item, inner)) if isinstance(item, dict) else (item.__class__.__name__, *inner)


def _config_in(table: tuple | list | dict) -> Any:
    """A config among the items of a table settled would keep by their identity (a list of 40 dataclasses), or
    None: one item of each class looked at, after a pass in C that finds the classes (a list of numbers costs
    no more)."""
    items = table.values() if isinstance(table, dict) else table
    try:
        kinds = set(map(_CLASS, items)) - SCALARS
    except TypeError:  # a class that cannot be hashed (its metaclass defines __eq__ alone): no config
        return None
    for item in items if kinds else ():
        if item.__class__ in kinds:
            kinds.discard(item.__class__)
            if _config(item) is not None:
                return item
            if not kinds:
                break
    return None


def config_fields(snapshot: Any) -> tuple[Any, tuple] | None:
    """The object and its fields' snapshots (name, snapshot), where `snapshot` is a config's (`_config`); else None."""
    if snapshot.__class__ is tuple and len(snapshot) > 1 and snapshot[0] == "object" and snapshot[1].__class__ is Same:
        return snapshot[1].obj, snapshot[2:]
    return None


def _fields_of_object(value: Any) -> dict[str, Any] | None:
    """The attributes of a plain object that keeps some (`compile_fields`), or None for anything else: a
    class, a module, a function, an enum member (compared by identity), a Tensor (whose numbers a replay reads
    as they are then), an object without attributes of its own, or one whose class (or an attribute's) cannot
    be hashed."""
    if isinstance(value, (type, types.ModuleType, Node, enum.Enum, *_FUNCTIONS)):
        return None
    try:
        return (fields(value) or None) if has_fields(value) else None
    except TypeError:
        return None


def unguardable(snapshot: Any) -> str:
    """Why a recording that took `snapshot` cannot be replayed (it holds an Unguarded config), or ""."""
    if snapshot.__class__ is Unguarded:
        return (
            f"it reads a {type_name(snapshot.obj)} config whose fields a replay could not compare cheaply on "
            f"every call (configs nested more than {CONFIG_DEPTH} deep, or more than {SETTING_COST} fields in all; or "
            f"a table of more than {SETTING_COST} items holding configs): kept by identity alone, a field changed "
            "between calls would replay its recorded number. Pass the numbers the step reads as arguments (0-d "
            "arrays), or keep that config smaller"
        )
    if isinstance(snapshot, tuple):
        return next(filter(None, map(unguardable, snapshot)), "")
    return ""


def _scalar(value: Any) -> bool:
    """Whether a config's attribute is a number, text or None: numpy's scalars too (`np.float32(0.5)`, a
    number read out of an array), which settled compares by their bytes."""
    return value.__class__ in SCALARS or isinstance(value, np.generic)


def _cost(value: Any, budget: int) -> int:
    """What comparing a snapshot of `value` on every replay costs, in Python items: 1 for a number or an
    object, 1 per 1,024 numbers of an array (compared as bytes, in C), a container its items' sum; counted
    until it passes `budget`."""
    if isinstance(value, np.ndarray):
        return 1 + value.size // 1024
    if not isinstance(value, tuple | list | dict):
        return 1
    count = 0
    for item in value.values() if isinstance(value, dict) else value:
        count += _cost(item, budget - count)
        if count > budget:
            break
    return count


def unchanged(owner: Any, name: str, snapshot: Any, kinds: bool = True) -> bool:
    """Whether `owner.name` still equals the guard's snapshot of it (at once when it is the snapshot
    itself: a flag, a count, a name, a tuple of them; or the object a snapshot by identity holds); a table's numbers
    of the same types too unless not `kinds` (`kept`)."""
    value = getattr(owner, name, MISSING)
    return value is snapshot or kept(value, snapshot, kinds) or settled(value) == snapshot


def kept(value: Any, snapshot: Any, kinds: bool = True) -> bool:
    """Whether `snapshot` is `value` kept by identity (`Same`, `TooLarge`; a classmethod bound anew, by ==), or a
    table's copy it still equals: without settled's copy of a large container's entries, which would cost a pass
    over a list of 10,000 numbers; its items' types not compared where not `kinds` (compile_changes)."""
    if snapshot.__class__ is Flag:  # first: a module's `training`, on every replay
        return value is snapshot.value
    if snapshot.__class__ is Items:
        return snapshot.holds(value, kinds)
    if snapshot.__class__ is Scalars:
        return _same_items(value, snapshot.held)
    if snapshot.__class__ is types.MethodType:  # a classmethod, bound anew by each lookup: equal while its function is
        return value == snapshot
    return (snapshot.__class__ is Same or snapshot.__class__ is TooLarge) and snapshot.obj is value
