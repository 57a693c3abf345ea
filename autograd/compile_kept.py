"""`Kept`: the number a step keeps as its own state (`self.count`), watched while the step is recorded, which
notes a use of its value (compile_settings.guard_attributes): a replay does not run the step's Python, so a count
the step only advances replays (`self.calls += 1`), but one it branches on or computes numbers from would be
taken as recorded."""

from __future__ import annotations

import collections
import gc
import operator
import sys
import types
from collections.abc import Callable
from typing import Any


class KeptInt(int):
    """An int attribute a step keeps (a count), while the step is recorded: arithmetic on it gives another, with its
    flag; any other use of its value (a comparison, bool(), int(), float(), an index or a size, a hash, an operand
    of a Tensor) sets the flag, `used`. (A use inside numpy's own functions, np.full(3, n), is not seen.)"""

    def __new__(cls, value: int, flag: list[bool] | None = None) -> KeptInt:
        self = super().__new__(cls, value)
        self.flag = flag if flag is not None else [False]
        return self


class KeptFloat(float):
    """A float attribute a step keeps, while the step is recorded: as KeptInt."""

    __slots__ = ("flag",)

    def __new__(cls, value: float, flag: list[bool] | None = None) -> KeptFloat:
        self = super().__new__(cls, value)
        self.flag = flag if flag is not None else [False]
        return self


KEPT = (KeptInt, KeptFloat)


# the kept numbers made while a step is recorded: those the step stored elsewhere (`log.append(self.count)`) are put
# back as plain numbers (`put_back_plain`), where a KeptInt stayed in the caller's list (equal, of another type)
MADE: list[Any] = []


def kept_number(value: Any) -> Any:
    """`value` watched for uses, where it is a plain int or float; None otherwise."""
    kept = KeptInt(value) if value.__class__ is int else KeptFloat(value) if value.__class__ is float else None
    if kept is not None:
        MADE.append(kept)
    return kept


def plain(value: Any) -> Any:
    """A kept number as the plain int or float it is; anything else as it is."""
    if value.__class__ is KeptInt:
        return int.__int__(value)
    return float.__float__(value) if value.__class__ is KeptFloat else value


def kept_and_used(owner: Any, name: str) -> str:
    """Why a step runs eagerly that changed a number it keeps and used its value."""
    where = owner.__name__ if isinstance(owner, type) else type(owner).__name__
    return (
        f"the step changes `{where}.{name}` (a number it keeps: a count, a step number) and computes with or "
        "branches on its value, which a replay would not do: the number would stay as recorded, and the branches "
        "and numbers taken from it would be the recorded ones. Keep it outside the compiled step and pass it as "
        "an argument (a 0-d array), or count outside the step"
    )


def _flags(*operands: Any) -> list[list[bool]]:
    return [x.flag for x in operands if x.__class__ in KEPT]


WATCHED = [0]  # kept numbers set in their owners now: compile_fields.fields reads them as plain numbers
REPLAYED = [0]  # replayed code running now (compile_changes.replayed_code): a replay runs its uses again


def _using(name: str) -> Callable[..., Any]:
    def method(self: Any, *other: Any) -> Any:
        for flag in _flags(self, *other) if not REPLAYED[0] else ():
            flag[0] = True
        return getattr(plain(self), name)(*map(plain, other))

    return method


def _arithmetic(name: str, reflected: bool = False) -> Callable[..., Any]:
    op = getattr(operator, f"__{name}__")

    def method(self: Any, *other: Any) -> Any:
        operands = [plain(x) for x in (self, *other)]
        out = op(*(operands[::-1] if reflected else operands))  # 1 + 2.5 as Python has it
        flags = _flags(self, *other)
        if len(flags) > 1:  # two kept numbers combined: one flag serves both from now on
            for flag in flags[1:]:
                flag[0] = flag[0] or flags[0][0]
            flags[0][0] = any(flag[0] for flag in flags)
        if out.__class__ is int:
            out = KeptInt(out, flags[0])
        elif out.__class__ is float:
            out = KeptFloat(out, flags[0])
        else:
            return out
        if WATCHED[0]:
            MADE.append(out)
        return out

    return method


_USES = ("lt", "le", "gt", "ge", "eq", "ne", "bool", "int", "float", "index", "hash", "round", "trunc", "floor")
_USES += ("ceil", "divmod", "rdivmod", "complex")
_ARITHMETIC = ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow")
_INT_ONLY = ("and", "or", "xor", "lshift", "rshift")
for _cls in KEPT:
    for _name in _USES:
        if hasattr(_cls, f"__{_name}__"):
            setattr(_cls, f"__{_name}__", _using(f"__{_name}__"))
    for _name in _ARITHMETIC + (_INT_ONLY if _cls is KeptInt else ()):
        setattr(_cls, f"__{_name}__", _arithmetic(_name))
        setattr(_cls, f"__r{_name}__", _arithmetic(_name, reflected=True))
    for _name in ("neg", "pos", "abs") + (("invert",) if _cls is KeptInt else ()):
        setattr(_cls, f"__{_name}__", _arithmetic(_name))


def put_back_plain(result: Any) -> Any:
    """`result` (what the recorded call returned) with its kept numbers plain, and those the call stored elsewhere
    (`self.log.append(self.count)`, `STATS["n"] = self.count`, `rows.append((self.count, loss))`) plain there, in
    place: in a list, a deque, a dict (its keys too, in their order), a set, a tuple (a namedtuple, a tuple in a
    tuple) that one of them holds (made anew), a closure cell (`nonlocal last; last = self.count`), as eagerly. Where
    none is held elsewhere (the common case) no more than a count of references; else a pass of the collector's over
    the objects it tracks (gc.get_referrers), and one more for each level of tuples holding one, at a recording only.
    Called once the owners' numbers are put back (compile_settings._numbers_used)."""
    made, MADE[:] = MADE[:], []
    result = _plain_in(result, {})
    # held by `made`, the loop and getrefcount's argument alone: not stored anywhere
    escaped = [x for x in made if sys.getrefcount(x) > 3]
    del made
    if not escaped:
        return result
    holders = [h for h in gc.get_referrers(*escaped) if h is not escaped]
    tuples = [h for h in holders if isinstance(h, tuple)]
    while tuples:  # what holds them, a level at a time (`rows.append(((self.count,),))`): tuples hold no cycle alone
        more = [h for h in gc.get_referrers(*tuples) if h is not tuples and h is not holders]
        holders += more
        tuples = [h for h in more if isinstance(h, tuple)]
    seen: dict[int, Any] = {}
    for holder in holders:
        if isinstance(holder, _MUTABLE):
            _plain_in(holder, seen)
        elif isinstance(holder, types.CellType) and holder.cell_contents.__class__ in KEPT:  # a nonlocal name's
            holder.cell_contents = plain(holder.cell_contents)
    return result


_MUTABLE = (list, collections.deque, dict, set)  # changed in place by _plain_in


def _plain_in(x: Any, seen: dict[int, Any]) -> Any:
    """x with its kept numbers plain: a list, deque, dict or set changed in place, a tuple holding one made anew
    (`seen`: each container met, by id, as it comes back: a tuple two lists hold is made anew once)."""
    if x.__class__ in KEPT:
        return plain(x)
    if not isinstance(x, (*_MUTABLE, tuple)):
        return x
    if id(x) in seen:
        return seen[id(x)]
    seen[id(x)] = x
    if isinstance(x, list | collections.deque):
        for i, item in enumerate(x):
            new = _plain_in(item, seen)
            if new is not item:
                x[i] = new
    elif isinstance(x, dict):
        if any(key.__class__ in KEPT for key in x):
            items = list(x.items())
            x.clear()
            x.update((plain(key), value) for key, value in items)
        for key, item in x.items():
            new = _plain_in(item, seen)
            if new is not item:
                x[key] = new
    elif isinstance(x, set):
        kept = [item for item in x if item.__class__ in KEPT]
        x.difference_update(kept)
        x.update(map(plain, kept))
    else:
        items = [_plain_in(item, seen) for item in x]
        if any(new is not item for new, item in zip(items, x)):
            seen[id(x)] = getattr(x, "_make", type(x))(items)  # a namedtuple is made by _make
    return seen[id(x)]
