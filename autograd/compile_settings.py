"""The guards nn's modules take of all their settings at once (`guard_settings`), as torch.compile guards a
module's attributes, and those of the attributes a step's code reads (`guard_attributes`): a replay checks
them first and records again when one has changed (compile_guards: how each is compared)."""

from __future__ import annotations

import gc
import sys
import types
from collections.abc import Callable, Container, Iterable
from typing import Any

import numpy as np

from .compile_calls import _users
from .compile_changes import Changes, Contents
from .compile_containers import GUARDED_ENTRIES
from .compile_fields import _own, fields
from .compile_guards import (
    _AS_IS,
    _FUNCTIONS,
    MISSING,
    Same,
    _config,
    config_fields,
    settled,
    unchanged,
    unguardable,
)
from .compile_hooks import replays_itself
from .compile_kept import kept_and_used, kept_number, plain, watched
from .compile_methods import codes_of, is_method, looked_up
from .compile_random import held_generators
from .compile_record import current
from .graph import Node


def is_setting(value: Any) -> bool:
    """Whether a module's attribute is a setting its forward may read as Python: a number, text, None, a
    function (an activation chosen by the caller), a small array of numbers, or a tuple, list or dict of
    those, or a config object of them (`self.cfg.inner.scale`: compile_guards._config; not a Tensor, a module, a
    generator, nor an object holding one)."""
    if value.__class__ in _AS_IS or value.__class__ in (bool, float) or isinstance(value, (np.generic, *_FUNCTIONS)):
        return True
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "biuf" and value.size <= GUARDED_ENTRIES
    if isinstance(value, tuple | list):
        return all(map(is_setting, value))
    if isinstance(value, dict):
        return all(isinstance(key, str) and is_setting(item) for key, item in value.items())
    return _config(value) is not None


def guard_settings(owner: Any, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`call(*args, **kwargs)`; while a step is being compiled, every setting of `owner` (is_setting: its
    attributes holding numbers, text, small arrays, containers of them, or config objects of them) that the
    call left as it found it is guarded (`guard`): a replay records again once one has changed (a loss's class
    weights changed in place, a convolution's stride, a pooling size, `self.cfg.inner.scale`). What the call
    changed is its own state (a count of batches, running statistics), not a setting. The class attributes of
    owner's own classes (`_own_classes`) are its settings too. A generator it holds (`self.rng`, or a helper of
    its holds: `self.noise.rng`) must be drawn from by `autograd.drawn` alone from then on
    (compile_random.Spans.watch). nn's modules call their forward so."""
    rec = current()
    if rec is None:  # not compiling: the call alone (its classes were worked out on each eager call: 6 a step)
        return call(*args, **kwargs)
    rec.random.watch(held_generators(fields(owner).values()))
    return _guarded([owner, *_own_classes(owner)], _is_setting_of, call, args, kwargs)


def _is_setting_of(owner: Any, name: str, value: Any) -> bool:
    """Whether owner's attribute `name`, `value`, is a setting: of a class or a module, its settings (not Python's
    own, __doc__) and the functions of the user's code, by identity: one swapped between calls (`Net.forward = other`,
    `Helper.__call__`) is other code, where a replay went on with the graph the old one made. Not a library's
    (Tensor's 150 methods, guarded on every replay, would cost it 20 us)."""
    if not isinstance(owner, type | types.ModuleType):
        return is_setting(value)
    if is_method(value):  # a staticmethod's, classmethod's or property's too (compile_methods.codes_of)
        namespace = vars(owner) if isinstance(owner, types.ModuleType) else vars(sys.modules.get(owner.__module__, sys))
        return any(_users(code, namespace) for code in codes_of(value))
    return not name.startswith("__") and not isinstance(value, _FUNCTIONS) and is_setting(value)


def _own_classes(owner: Any) -> list[type]:
    """The classes of owner's that its library's do not cover: those from another package than the class
    its class derives from last (`Net.temperature` of a `Net(nn.Module)`, read as `self.temperature`). A
    library's own classes (nn's layers) have none, so their settings cost a replay nothing more."""
    mro = type(owner).__mro__[:-1]  # without object
    library = mro[-1].__module__.partition(".")[0] if mro else ""
    return [c for c in mro if c.__module__.partition(".")[0] != library]


def _read(names: Callable[[Any], Container[str]]) -> Callable[[Any, str, Any], bool]:
    """Which attributes of an owner guard_attributes guards: a Contents' one, and those in `names(owner)`;
    of a module (`config.SCALE`), its settings and functions (`helpers.scaled`), not its classes. Of an object
    (a compiled method's `self`, its `self.cfg`), every setting too, named or not: code of another module that
    the step calls (`helpers.scaled(out, self.cfg)`) reads attributes the step's own code never names, and
    a replay would go on with the recorded number. A count the caller keeps there records again on each
    call, then runs eagerly with a CompileWarning: loud, where leaving it out could be silently stale. But of
    an object with `@replayed` methods (an optimizer, a scheduler: `replays_itself`), the named ones alone:
    those methods read its settings anew on each replay, and a scheduler stepped between calls sets its lr."""

    of: dict[int, Container[str]] = {}  # names(owner), once an owner

    def read(owner: Any, name: str, value: Any) -> bool:
        if owner.__class__ is Contents:
            return name == "held"  # not its name, which is for messages
        if value is gc.callbacks:  # the collector's: compile's own callbacks go in while it records (compile_outside)
            return False
        if id(owner) not in of:
            of[id(owner)] = names(owner)
        if isinstance(owner, types.ModuleType):  # its functions too: `helpers.scaled = other` is other code, and
            # so is `F.mse_loss = other` or `np.exp = np.sin` of a library's module, where the step's code names it
            named = name in of[id(owner)]
            return named and (isinstance(value, _MODULE_FUNCTIONS) or _is_setting_of(owner, name, value))
        if name in of[id(owner)]:
            return True
        if isinstance(owner, Node):  # a Value: its data where the code names it, not its grad (its own graph's)
            return False
        if isinstance(owner, type):  # an object's class (`Config.scale`, read as `cfg.scale`)
            return _is_setting_of(owner, name, value)
        return not name.startswith("__") and not replays_itself(type(owner)) and is_setting(value)

    return read


def guard_attributes(
    owners: Iterable[Any], names: Callable[[Any], Container[str]], call: Callable[..., Any], *args: Any, **kwargs: Any
) -> Any:
    """`call(*args, **kwargs)`, guarding, as `guard_settings` does, the attributes of each owner in `names(owner)`
    (those the step's code may read from it) that the call left as it found them: the object behind a compiled bound
    method (`compile(trainer.step)`, its `self`) or a compiled callable object, whose attributes its code
    reads as a step's globals. Settings by value, other objects by identity (an optimizer made anew, a model
    replaced; a table too large to compare, compile_guards.TooLarge). The dicts, lists and arrays among them that the
    step's own Python changes run it eagerly (compile_changes)."""
    return _guarded(owners, _read(names), call, args, kwargs, watched=True)


def _guarded(
    owners: Iterable[Any],
    chosen: Callable[[Any, str, Any], bool],
    call: Callable[..., Any],
    args: tuple,
    kwargs: dict,
    watched: bool = False,
) -> Any:
    """`call(*args, **kwargs)`; while a step is recorded, the `chosen` attributes of each owner that the call
    left as they were are guarded; where `watched`, what changes them meanwhile is watched (compile_changes)."""
    rec = current()
    if rec is None:
        return call(*args, **kwargs)
    read_through = {id(owner) for owner in owners}
    before = [
        (
            owner,
            {
                name: _snapshot(owner, name, value, read_through)
                for name, value in fields(owner).items()
                if chosen(owner, name, value)
            },
        )
        for owner in owners
    ]
    rec.problems += filter(None, (unguardable(s) for _, snapshots in before for s in snapshots.values()))
    if watched:
        watched_now = [(owner, name, s) for owner, snapshots in before for name, s in snapshots.items()]
        rec.changes = Changes(watched_now, owners)
    moved: set[tuple[int, str]] = set()  # what a @replayed method changed that the step's own code may read
    numbers = _watch_numbers(before, rec.kept)
    stale: set[tuple[int, str]] = set()  # what a @replayed method changed: read_after's, not the step's own
    try:
        out = call(*args, **kwargs)
    finally:
        if watched:
            rec.changes.look(kinds=True)  # once a recording: the types of a table's numbers too
            rec.problems += rec.changes.problems
            named = rec.calls.named() if rec.calls is not None else set()
            moved = rec.changes.read_after(named)
            by_name = named | rec.calls.texts() if rec.calls is not None else named  # setattr(box, "last", x)
            rec.set_by_step.update(rec.changes.set_by(by_name))
            rec.moved |= moved
            stale = {(id(owner), name) for owner, name in rec.changes.stale}
            rec.changes = None
        rec.problems += _numbers_used(numbers, stale)
    for owner, snapshots in before:
        for name, snapshot in snapshots.items():
            if (id(owner), name) in moved:  # as the call found it: one a replay finds otherwise records again
                rec.guards.setdefault((id(owner), name), (owner, name, snapshot))
            else:
                _guard_unchanged(rec, owner, name, snapshot)
    return out


def _watch_numbers(before: list[tuple[Any, dict[str, Any]]], made: list[Any]) -> list[tuple[Any, str, Any, Any]]:
    """The plain ints and floats among the attributes about to be guarded, each set, as its owner keeps it (in its
    `__dict__`, a class's namespace), to a number that notes uses of its value (compile_kept), noted in `made`, the
    recording's: (owner, name, the number, the one set)."""
    numbers = []
    for owner, snapshots in before:
        held = _own(owner, "__dict__", {})
        for name in snapshots:
            number = held.get(name)
            kept = kept_number(number, made)
            if kept is not None and _set_own(owner, name, kept):
                numbers.append((owner, name, number, kept))
    watched(len(numbers))
    return numbers


def _numbers_used(numbers: list[tuple[Any, str, Any, Any]], stale: set[tuple[int, str]]) -> list[str]:
    """Each watched number put back as a plain one; why the step runs eagerly, for one the step changed whose
    value it used (`self.count += 1`, then `if self.count < 4`, or `loss * self.count`): a replay runs none of
    the step's Python, so it would neither advance the number nor take the step's branches and numbers anew. A
    number the step only advances (a count of its calls) replays, and one a `@replayed` method changes (`stale`: a
    scheduler's `last_epoch`) is compile_changes.read_after's."""
    problems = []
    watched(-len(numbers))
    for owner, name, number, kept in numbers:
        now = _own(owner, "__dict__", {}).get(name, MISSING)
        if now is not MISSING:  # deleted by the step: left so
            _set_own(owner, name, number if now is kept else plain(now))
        if kept.flag[0] and now is not kept and (id(owner), name) not in stale:
            problems.append(kept_and_used(owner, name))
    return problems


def _set_own(owner: Any, name: str, value: Any) -> bool:
    """Set owner's own attribute `name` as it keeps it, without its class's __setattr__ (a module's, a class's, or
    in an object's `__dict__`); False where it keeps none (slots) or cannot be set (a builtin class)."""
    if isinstance(owner, type):
        try:
            type.__setattr__(owner, name, value)
        except (TypeError, AttributeError):
            return False
        return True
    held = _own(owner, "__dict__", None)
    if held.__class__ is not dict:
        return False
    held[name] = value
    return True


def _guard_unchanged(rec: Any, owner: Any, name: str, snapshot: Any) -> None:
    """Guard `owner.name` if the call left it as `snapshot` has it; where the call changed a config it holds
    (a count its forward keeps on `self.cfg`), the config's fields that the call left as they were, each on
    the config itself: the count is the call's own state, and `self.cfg.scale` set between calls still
    records again (dropped with the count, a replay went on with the recorded scale)."""
    if unchanged(owner, name, snapshot):
        rec.guards.setdefault((id(owner), name), (owner, name, snapshot))
        return
    config = config_fields(snapshot)
    if config is not None and getattr(owner, name, None) is config[0]:
        for field, inner in config[1]:
            _guard_unchanged(rec, config[0], field, inner)


# a module's functions, guarded by identity where the step's code names them: Python's, a builtin (`math.exp`), a ufunc
# (`np.exp`), numpy's dispatcher (`np.sum`)
_MODULE_FUNCTIONS = (types.FunctionType, types.BuiltinFunctionType, np.ufunc, type(np.sum))
_LOOKED_UP = (staticmethod, classmethod, property)  # class attributes a replay's getattr gives as other objects


def _snapshot(owner: Any, name: str, value: Any, read_through: set[int]) -> Any:
    """settled's snapshot of an owner's attribute, but an object that is itself one of the owners by identity
    (`self.cfg` of a compiled method, which the step's names read through: Names.read_through): the attributes
    its code reads (`self.cfg.scale`) are guarded on it by value, where all of them compared here would record
    again on every call for one the step never reads (a count the caller keeps there). A config no names read
    through (a module's `self.cfg`, one a dict or list holds) is compared by its attributes (`settled`). A function
    (`Net.forward`, `helpers.scaled`) is its own snapshot: a replay's `is` tells it unchanged at once, where Same's
    call to kept() cost 4,000 instructions a guard (a step's user classes: 7 guards, 30,000 a replay)."""
    if value.__class__ is types.FunctionType or (
        isinstance(owner, types.ModuleType) and isinstance(value, _MODULE_FUNCTIONS)
    ):
        return value  # by identity: one `is` a replay
    if isinstance(owner, type) and value.__class__ in _LOOKED_UP:  # what a replay's getattr gives: equal while
        return looked_up(owner, name)  # the same function (a classmethod's is bound anew each time: by ==)
    return Same(value) if id(value) in read_through else settled(value)
