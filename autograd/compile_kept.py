"""`Kept`: the number a step keeps as its own state (`self.count`), watched while the step is recorded, which
notes a use of its value (compile_settings.guard_attributes): a replay does not run the step's Python, so a count
the step only advances replays (`self.calls += 1`), but one it branches on or computes numbers from would be
taken as recorded."""

from __future__ import annotations

import collections
import gc
import operator
import sys
import threading
import types
from collections.abc import Callable
from typing import Any

from .compile_watched import Watched, plain_array
from .trees import remade


class KeptInt(int):
    """An int attribute a step keeps (a count), while the step is recorded: arithmetic on it gives another, with its
    flag; any other use of its value (a comparison, bool(), int(), float(), an index or a size, a hash, an operand
    of a Tensor) sets the flag, `used`. (A use inside numpy's own functions, np.full(3, n), is not seen.)"""

    def __new__(cls, value: int, flag: list[bool] | None = None, made: list[Any] | None = None) -> KeptInt:
        self = super().__new__(cls, value)
        self.flag = flag if flag is not None else [False]
        self.made = made  # the recording's list of the kept numbers made (put_back_plain's)
        return self


class KeptFloat(float):
    """A float attribute a step keeps, while the step is recorded: as KeptInt."""

    __slots__ = ("flag", "made")

    def __new__(cls, value: float, flag: list[bool] | None = None, made: list[Any] | None = None) -> KeptFloat:
        self = super().__new__(cls, value)
        self.flag = flag if flag is not None else [False]
        self.made = made
        return self


KEPT = (KeptInt, KeptFloat)
SWAPPED = (*KEPT, Watched)  # put back plain where the step stored them: its kept numbers, its watched arrays


def kept_number(value: Any, made: list[Any]) -> Any:
    """`value` watched for uses, where it is a plain int or float (noted in `made`, the recording's list of the kept
    numbers made: those the step stored elsewhere, `log.append(self.count)`, are put back as plain numbers by
    `put_back_plain`, where a KeptInt stayed in the caller's list, equal, of another type); None otherwise. A list
    of each recording's own, so that two threads recording at once put back each its own numbers."""
    kind = KeptInt if value.__class__ is int else KeptFloat if value.__class__ is float else None
    if kind is None:
        return None
    kept = kind(value, None, made)
    made.append(kept)
    return kept


def plain(value: Any) -> Any:
    """A kept number as the plain int or float it is, a watched array as the step would hold it eagerly
    (compile_watched.plain_array); anything else as it is."""
    if value.__class__ is Watched:
        return plain_array(value)
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
_WATCHED_LOCK = threading.Lock()


def watched(change: int) -> None:
    """Add `change` to WATCHED, under a lock: threads recording at once each raise and lower it, and a `+=` of
    two of them could lose one's update (a read, the other's write, then this one's), leaving it off for good."""
    with _WATCHED_LOCK:
        WATCHED[0] += change


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
        made = next(x.made for x in (self, *other) if x.__class__ in KEPT)
        if len(flags) > 1:  # two kept numbers combined: one flag serves both from now on
            for flag in flags[1:]:
                flag[0] = flag[0] or flags[0][0]
            flags[0][0] = any(flag[0] for flag in flags)
        if out.__class__ is int:
            out = KeptInt(out, flags[0], made)
        elif out.__class__ is float:
            out = KeptFloat(out, flags[0], made)
        else:
            return out
        if WATCHED[0] and made is not None:
            made.append(out)
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


def put_back_plain(result: Any, made: list[Any], own: list[Any]) -> Any:
    """`result` (what the recorded call returned) with its kept numbers plain, and those the call stored elsewhere
    (`self.log.append(self.count)`, `STATS["n"] = self.count`, `rows.append((self.count, loss))`) plain there, in
    place: in a list, a deque, a dict (its keys too, in their order), a set, a tuple (a namedtuple, a tuple in a
    tuple) that one of them holds (made anew), a closure cell (`nonlocal last; last = self.count`), as eagerly. Where
    none is held elsewhere (the common case) no more than a count of references; else a pass of the collector's over
    the objects it tracks (gc.get_referrers), and one more for each level of tuples holding one, at a recording only.
    Called once the owners' numbers are put back (compile_settings._numbers_used), with the recording's `made`
    (kept_number's), which it empties, and `own`, the recording's lists of what it holds of the step's
    (autograd.validate's data, the copies ops keep of inputs), made plain first: held there alone, a number or view
    is not counted as stored elsewhere (each such view cost 2 passes over the heap, ~1 s each in a long test run)."""
    made[:], made = [], made[:]
    _plain_in(own, {})
    result = _plain_in(result, {})
    # held by `made`, the loop and getrefcount's argument alone (and, a watched array, as the base of its views
    # there): not stored anywhere
    bases = collections.Counter(id(x.base) for x in made if x.__class__ is Watched)
    escaped = [x for x in made if sys.getrefcount(x) > 3 + bases[id(x)]]
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
        elif isinstance(holder, types.CellType) and holder.cell_contents.__class__ in SWAPPED:  # a nonlocal name's
            holder.cell_contents = plain(holder.cell_contents)
    return result


_MUTABLE = (list, collections.deque, dict, set)  # changed in place by _plain_in


def _plain_in(x: Any, seen: dict[int, Any]) -> Any:
    """x with its kept numbers plain: a list, deque, dict or set changed in place, a tuple holding one made anew
    (`seen`: each container met, by id, as it comes back: a tuple two lists hold is made anew once). Walked with a
    stack of its own, each container after those it holds, so that nesting of any depth (lists in lists 1,200 deep:
    a RecursionError at the recording, walked by recursion) costs no frames of Python's."""
    if x.__class__ in SWAPPED:
        return plain(x)
    if not isinstance(x, _CONTAINERS):
        return x
    stack: list[tuple[Any, bool]] = [(x, False)]
    while stack:
        container, held_done = stack.pop()
        if held_done:
            _plain_items(container, seen)
            continue
        if id(container) in seen:
            continue
        seen[id(container)] = container
        stack.append((container, True))
        items = container.values() if isinstance(container, dict) else () if isinstance(container, set) else container
        stack += [(item, False) for item in items if isinstance(item, _CONTAINERS) and id(item) not in seen]
    return seen[id(x)]


_CONTAINERS = (*_MUTABLE, tuple)


def _plain_items(x: Any, seen: dict[int, Any]) -> None:
    """x's kept numbers plain, and the containers it holds as `seen` has them now (a tuple made anew): in place, or,
    for a tuple holding one, in `seen` as a tuple made anew."""

    def new(item: Any) -> Any:
        if item.__class__ in SWAPPED:
            return plain(item)
        return seen.get(id(item), item) if isinstance(item, _CONTAINERS) else item

    if isinstance(x, list | collections.deque):
        for i, item in enumerate(x):
            replaced = new(item)
            if replaced is not item:
                x[i] = replaced
    elif isinstance(x, dict):
        if any(key.__class__ in SWAPPED for key in x):
            items = list(x.items())
            x.clear()
            x.update((plain(key), value) for key, value in items)
        for key, item in x.items():
            replaced = new(item)
            if replaced is not item:
                x[key] = replaced
    elif isinstance(x, set):
        kept = [item for item in x if item.__class__ in SWAPPED]
        x.difference_update(kept)
        x.update(map(plain, kept))
    else:
        items = [new(item) for item in x]
        if any(replaced is not item for replaced, item in zip(items, x)):
            seen[id(x)] = remade(x, items)  # a namedtuple by _make, a tuple subclass of its own constructor too
