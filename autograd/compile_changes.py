"""What a compiled step's own objects hold, watched while it is recorded (compile_settings.guard_attributes): the
dicts, lists, sets, deques and arrays its names hold (`Contents`), for changes that its own Python makes
(`COUNT[0] += 1`, `history.append(x)`, `queue.popleft()`): a replay runs none of that Python, so the container would
stay as recorded, and what the step reads from it (a size for autograd.rand, a branch) would be stale. Changes made
by code that a replay runs again are the replay's: an optimizer's step and other `@replayed` methods,
autograd.validate's checks, autograd.drawn's draws. The recording marks those spans (`replayed_code`), and only
changes made between them are the step's. But what a replayed span changes that the step reads (a scheduler's
`last_epoch`, a list its lr_lambda appends to) may move on each call, while a replay reads it as recorded: it is
guarded as the call found it (`read_after`)."""

from __future__ import annotations

import contextlib
import itertools
import reprlib
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from .compile_calls import unfollowed
from .compile_containers import a_kind
from .compile_exact_numbers import number_bits
from .compile_fields import _own, _slots_of
from .compile_guards import MISSING, settled, unchanged
from .compile_kept import REPLAYED
from .type_names import type_name


class Contents:
    """A dict, list, set, deque, numpy array or Python one (compile_guards.BUFFERS) a step's names hold
    (`Names.read_through`), as an owner whose one attribute, `held`, is it: guarded by value as a module's settings
    are (by identity where that would cost)."""

    def __init__(self, held: Any, name: str) -> None:
        self.held = held
        self.name = name  # where the step's names hold it (`history`, `self.cfg.sizes`), for a warning


class Changes:
    """The attributes watched (owner, name: a Contents' `held`, and the others guard_attributes guards), their
    snapshots as the step's own code last found them, and the problems found: one per container the step's own
    code changed; and the attributes a replayed span changed (`stale`)."""

    def __init__(self, watched: list[tuple[Any, str, Any]], owners: Any = ()) -> None:
        self.watched = [(owner, name) for owner, name, _ in watched]
        # every attribute of the step's objects (their __dict__'s, by identity): one the step's own code sets
        # (`self.last = loss`, `self.phase = "b"`) would stay as recorded on every replay (`set_by_step`)
        objects = [o for o in owners if not isinstance(o, Contents)]  # a module too: `logbook.last = loss`
        classes = [type(o) for o in objects if not isinstance(o, type) and type(o).__module__ != "builtins"]
        self.owners = list({id(o): o for o in (*objects, *classes)}.values())  # `type(self).last = loss` too
        self.held = [_attributes(o) for o in self.owners]
        self.set_by_step: dict[tuple[int, str], tuple[Any, str, Any]] = {}  # (owner, name, the value it found)
        self.snapshots = [snapshot for _, _, snapshot in watched]  # guard_attributes' own, taken before the call
        self.depth = 0  # replayed code running now
        self.problems: list[str] = []
        self.stale: list[tuple[Any, str]] = []  # (owner, name) a replayed span changed
        self._changed: set[int] = set()

    def look(self, kinds: bool = False) -> None:
        """Note each container changed since its snapshot (by the step's own code), once; another attribute so
        changed is the step's own state (a count it keeps), taken anew as the step left it. A table's numbers made
        equal ones of another type (`t[1] = 1.0`) are looked for only where `kinds`, once the call has returned,
        not around each span (a pass over 300,000 numbers costs 3-7 ms)."""
        for i, ((owner, name), snapshot) in enumerate(zip(self.watched, self.snapshots)):
            if i in self._changed or unchanged(owner, name, snapshot, kinds):
                continue
            if owner.__class__ is Contents:
                self._changed.add(i)
                self.problems.append(changed_in_place(owner))
            else:
                self.snapshots[i] = settled(getattr(owner, name, MISSING))
        for owner, held in zip(self.owners, self.held):
            now = _attributes(owner)
            for name in held.keys() | now.keys():
                old, new = held.get(name, MISSING), now.get(name, MISSING)
                if old is not new and not _counted(old, new):
                    self.set_by_step.setdefault((id(owner), name), (owner, name, old))

    @contextmanager
    def replayed_code(self) -> Iterator[None]:
        """A span of code that a replay runs again: what changes there is the replay's, but what the step reads
        from the state it changes is guarded as the call found it (`read_after`)."""
        if self.depth == 0:
            self.look()
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
            if self.depth == 0:  # those the span changed taken anew; the others compared only (in C), not copied
                for i, ((owner, name), snapshot) in enumerate(zip(self.watched, self.snapshots)):
                    if unchanged(owner, name, snapshot, kinds=False):
                        continue
                    if i not in self._changed:
                        self._changed.add(i)
                        self.stale.append((owner, name))
                    self.snapshots[i] = settled(getattr(owner, name, MISSING))
                self.held = [_attributes(o) for o in self.owners]  # what the span set is the replay's

    def set_by(self, names: set[str]) -> dict[tuple[int, str], tuple[Any, str, Any]]:
        """Of the attributes the step's own code set (`set_by_step`), those named in `names` (what its code takes:
        library code sets caches of its own) that the call did not leave as it found them (`model.eval()` in the
        step, then `model.train(was)`). Where its code sets attributes by a name it may build or read at run time
        (`setattr(box, f"last{k}", x)`, `vars(box)[NAME] = x`), every one it set counts."""
        by_any_name = not names.isdisjoint(BY_NAME)  # a module's by its name alone: library code keeps caches there
        return {
            k: (owner, name, old)
            for k, (owner, name, old) in self.set_by_step.items()
            if (name in names or by_any_name and not isinstance(owner, types.ModuleType))
            and not _same_value(_attributes(owner).get(name, MISSING), old)
        }

    def read_after(self, named: set[str]) -> set[tuple[int, str]]:
        """Of the attributes a replayed span changed, those whose name (its last, for a container: `told` of
        `opt.told`) is among those `named` by the step's own Python (compile_calls.Calls.named), by (id of the
        owner, name): not what the method alone reads (an optimizer's log of its own). guard_attributes guards
        them as the call found them: a replay of a call that starts from another value (a scheduler's
        `last_epoch`, a list its lr_lambda appends to) records again, where the step's reads of it, taken as
        recorded, went stale; one that a method sets from what is guarded (a size it reads) replays."""
        return {(id(owner), name) for owner, name in self.stale if _last_name(owner, name) in named}


BY_NAME = frozenset({"setattr", "__setattr__", "vars", "__dict__"})  # what sets an attribute by a name held as data


def _attributes(owner: Any) -> dict[str, Any]:
    """owner's own attributes as it keeps them (its `__dict__`, a class's namespace, its slots that are set), not
    made plain (compile_fields.fields): compared by identity."""
    held = _own(owner, "__dict__", None)
    found = dict(held) if isinstance(held, dict | types.MappingProxyType) else {}
    for name in () if isinstance(owner, type) else _slots_of(type(owner)):
        value = _own(owner, name, MISSING)
        if value is not MISSING:
            found[name] = value
    return found


def _same_value(now: Any, old: Any) -> bool:
    """The same object, or an equal immutable value of the same type (text, flags, None, numbers by their bits, numpy
    scalars, tuples and frozensets of them: a shape, a set of names): what a replay leaves is the recorded call's end,
    equal to what eager sets."""
    if now is old:
        return True
    if type(now) is not type(old):
        return False
    if isinstance(now, tuple):
        return len(now) == len(old) and all(map(_same_value, now, old))
    if isinstance(now, frozenset):
        return all(isinstance(x, _PLAIN) and not isinstance(x, float | complex) for x in now) and now == old
    if isinstance(now, str | bytes | bool | int | type(None)):
        return now == old
    if isinstance(now, float | complex | np.generic):
        return number_bits(now) == number_bits(old)
    return False


_PLAIN = (str, bytes, bool, int, type(None), float, complex, np.generic)


def _counted(old: Any, new: Any) -> bool:
    """Whether a change is a number the step keeps moved to another (`self.count += 1`: compile_kept's, which
    replays by design, left where the recorded calls left it, and runs eagerly where its value is used)."""
    numbers = (int, float)
    return isinstance(old, numbers) and isinstance(new, numbers) and bool not in (type(old), type(new))


def set_by_step(owner: Any, name: str, value: Any) -> str:
    """Why a step runs eagerly that set an attribute of its objects to another object on each recorded call."""
    return (
        f"the step sets `{_owner_name(owner)}.{name}` (to {type_name(value)}) on each call, which a replay would not "
        "do: it runs none of the step's Python, so the attribute would keep what the recorded call left there (a "
        "stored loss Tensor its numbers, a flag or phase its value). Return it from the step and store it outside"
    )


def _owner_name(owner: Any) -> str:
    """How a message names an object whose attribute it names: a module or a class by its name, others by class."""
    return owner.__name__ if isinstance(owner, type | types.ModuleType) else type(owner).__name__


def _last_name(owner: Any, name: str) -> str:
    """The name the step's code takes an attribute by: its own, or, for a container, the last of where it is held
    (`told` of `opt.told`, `LOG`)."""
    return owner.name.rpartition(".")[2].strip("`") if owner.__class__ is Contents else name


def setting_where(owner: Any, name: str) -> str:
    """How a message names a guarded setting: `Linear.training`, `SCALE`, an item of `cfg["sizes"]`."""
    return named_where(owner.name) if owner.__class__ is Contents else f"`{_owner_name(owner)}.{name}`"


def moved_on(owner: Any, name: str) -> str:
    """Why a step runs eagerly that reads what code a replay runs again changes on each call (`read_after`)."""
    what = setting_where(owner, name)
    return (
        f"the step reads {what}, which code each replay runs again changes on every call (a scheduler's step: its "
        "last_epoch, the optimizer's lr, what its lr_lambda keeps; an optimizer's step): a replay would read it as "
        "it was when recorded. Read it outside the compiled step and pass it as an argument (a 0-d array), or keep "
        "such state apart from what the step reads"
    )


def changed_in_place(contents: Any) -> str:
    """Why a step that changed a container its names hold (compile_settings.Contents) runs eagerly."""
    held, where = contents.held, named_where(contents.name)
    return (
        f"the step changed {where} in place ({a_kind(type(held).__name__)}: {_preview(held)}; a counter it increments,"
        " a history it appends to, a queue it pops), which a replay would not do: the container would "
        "stay as recorded, and what the step reads from it (a size, a branch) would be stale. Keep such state "
        "outside the compiled step (update it from what the step returns), or pass the number as an argument"
    )


def named_where(where: str) -> str:
    """Where the step's names hold a container, in code quotes, at most NAME_SHOWN characters of it."""
    shown = where if len(where) <= NAME_SHOWN else where[: NAME_SHOWN - 3] + "..."
    item = "an item of "
    return f"{item}`{shown[len(item) :]}`" if shown.startswith(item) else f"`{shown}`"


NAME_SHOWN = 80


def _preview(held: Any) -> str:
    """A short description of a container: its size and first keys or items (at most 60 characters of them, each
    shortened before it is written: the repr of a list of 300,000 numbers took 13 ms)."""
    if isinstance(held, np.ndarray | memoryview):  # a memoryview of 2 or more dimensions iterates no items
        return f"shape {held.shape}"
    items = list(itertools.islice(held, 3))
    more = ", ..." if len(held) > 3 else ""
    what = "keys " if isinstance(held, dict) else ""
    shown = ", ".join(map(reprlib.repr, items))[:60]
    return f"{len(held)} {'item' if len(held) == 1 else 'items'}, {what}{shown}{more}"


@contextmanager
def replayed_code(rec: Any, *running: Any) -> Iterator[None]:
    """A span of code that a replay runs again, in the recording `rec`: `Changes.replayed_code` where it watches
    changes, and not followed where `running` (the
    function called there, its object) is not the user's (compile_calls.unfollowed)."""
    changes = getattr(rec, "changes", None)
    watched = contextlib.nullcontext() if changes is None else changes.replayed_code()
    REPLAYED[0] += 1
    try:
        with unfollowed(*running), watched:
            yield
    finally:
        REPLAYED[0] -= 1
