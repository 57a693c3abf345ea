"""The hooks of `autograd.compile` that modules and optimizers call, nn's and users' own alike: a method a
replay calls again (`replayed`), an attribute the step's graph depends on (`guard`), and a check each replay
runs again (`validate`); what cannot be replayed says `compile_record.eager_only`. Outside a recording each is
the plain call or read; while a step is recorded it notes what the replays need (compile_record.current)."""

from __future__ import annotations

import functools
import numbers
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from .compile_changes import replayed_code
from .compile_guards import settled, unguardable
from .compile_made import input_array
from .compile_record import current
from .modes import require_callable, short
from .type_names import type_name


def replayed(method: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a method that a compiled step replays by calling it again, with the same arguments (an
    optimizer's step and zero_grad): it must act on arrays in place and build no graph."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        rec = current()
        if rec is None or rec.replaying:  # one called by another is replayed by it
            return method(self, *args, **kwargs)
        return rec.call(self, method, args, kwargs)

    wrapper.replayed = True  # type: ignore[attr-defined]  (compile_keys: its owners are known by identity)
    return wrapper


def replays_itself(kind: type) -> bool:
    """Whether the class has a method a compiled step replays by calling it again (`autograd.replayed`)."""
    try:
        return _replays_itself(kind)
    except TypeError:  # a class that cannot be a cache's key (its metaclass defines __eq__ alone)
        return _replays_itself.__wrapped__(kind)


@functools.cache
def _replays_itself(kind: type) -> bool:
    methods = (v for cls in kind.__mro__ for v in vars(cls).values() if isinstance(v, types.FunctionType))
    return any(v.__dict__.get("replayed") is True for v in methods)


def guard(owner: Any, name: str) -> Any:
    """`owner.name`, read by a step whose graph depends on it (nn's modules: their training mode;
    Dropout: its p). Outside a recording that is all. A compiled step notes it while it records,
    and its replays check it first: when it has changed they record again, since the step would
    now build another graph."""
    try:
        value = getattr(owner, name)
    except (AttributeError, TypeError):  # checked only here, off the path every module's forward takes
        _refuse_unguardable(owner, name)
        raise  # an attribute a module or optimizer lacks (or its property failed): Python's words say which
    rec = current()
    if rec is not None:
        snapshot = settled(value)
        rec.guards.setdefault((id(owner), name), (owner, name, snapshot))
        if unguardable(snapshot):
            rec.problems.append(unguardable(snapshot))
    return value


def _refuse_unguardable(owner: Any, name: Any) -> None:
    """TypeError for a guard(owner, name) whose name is no str, or whose owner is a plain value (None, a
    number, text, an array): no module or optimizer, whose attribute a step's graph could depend on."""
    if not isinstance(name, str):
        raise TypeError(f"guard: name must be the attribute's name (a str), got {type_name(name)} {short(name)}")
    if owner is None or isinstance(owner, numbers.Number | str | bytes | np.ndarray | np.generic):
        raise TypeError(
            "guard: owner must be the module or optimizer whose attribute the step's graph depends on, got "
            f"{type_name(owner)} {short(owner)}"
        )


def validate(check: Callable[[Any], None], data: Any) -> None:
    """`check(data)`, which raises on bad data (a loss's targets out of range). A compiled step runs
    no Python of its own on a replay, so while one is recorded the check is noted, and each replay
    runs it before anything changes, as the step would eagerly: on that call's input where `data` is
    one of the inputs (given as an array), on the array the replay computed where the step computed
    it (a loss's probabilities: after the forward pass, before backward), on the object itself where
    it is the same on both recorded calls (the caller's weights); else the step runs eagerly
    (compile_compare.difference)."""
    require_callable(check, "validate: check")
    rec = current()
    if rec is None:
        check(data)
        return
    checked = rec.validating  # its reads of `data` are not noted (each replay runs it again); of others, they are
    rec.validating = checked | {id(data), id(input_array(data))}
    try:
        with replayed_code(rec, check):  # each replay runs the check again: what it changes, a replay changes
            check(data)
    finally:
        rec.validating = checked
    rec.checks.append((check, data, len(rec.draws)))  # the draws made before it, which a replay makes first
