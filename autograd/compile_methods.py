"""The library methods a compiled step ran while recorded, guarded as the classes of its objects resolve them:
`nn.Linear.forward = other`, `Tensor.__mul__ = other` or `nn.SGD.step = other` set between calls is other code,
where a replay went on with the graph (and the optimizer calls) the old code made, silently (eager's losses
-1935.4, -11804.2 after `nn.Linear.forward` was swapped to `* 20`; the replays' -96.8, -121.4). The user's own
methods are guarded as settings of their classes (compile_settings._is_setting_of); a library's are many (Tensor's
hundreds), so only those whose code a recording saw run (compile_calls.Calls.library) are kept, and a replay checks
them all at once, in C."""

from __future__ import annotations

import operator
import types
from collections.abc import Callable
from typing import Any

from .compile_changes import Contents
from .tensor_class import Tensor

# what a class's namespace holds that runs code when the step looks it up or calls it: the code it runs
_DESCRIPTORS = (staticmethod, classmethod)


def codes_of(raw: Any) -> tuple[types.CodeType, ...]:
    """The code objects behind a class attribute as its namespace holds it: a function's, a staticmethod's or a
    classmethod's function's, a property's getter, setter and deleter; () for anything else (a setting)."""
    if isinstance(raw, _DESCRIPTORS):
        raw = raw.__func__
    if isinstance(raw, types.FunctionType):
        return (raw.__code__,)
    if isinstance(raw, property):
        return tuple(f.__code__ for f in (raw.fget, raw.fset, raw.fdel) if isinstance(f, types.FunctionType))
    return ()


def is_method(raw: Any) -> bool:
    """Whether a class attribute is code the class's objects run (a function, staticmethod, classmethod, property)."""
    return bool(codes_of(raw))


def looked_up(owner: type, name: str) -> Any:
    """What `owner.name` gives, as a replay compares it: a function, a staticmethod's function, a property
    itself, a classmethod bound to owner (made anew each time: equal, by ==, while its function is the same)."""
    return getattr(owner, name)


def _classes_in_play(owners: list[Any]) -> list[type]:
    """The classes of the objects a recording guarded or called (modules, optimizers, the user's objects), and
    Tensor's: those whose methods the step's code and nn's looked up."""
    found: dict[int, type] = {id(Tensor): Tensor}
    for owner in owners:
        if owner.__class__ is Contents or isinstance(owner, type | types.ModuleType):
            continue
        found.setdefault(id(type(owner)), type(owner))
    return list(found.values())


MethodGuard = tuple[type, tuple[str, ...], Callable[[type], Any], Any]


def library_methods(owners: list[Any], ran: set[types.CodeType]) -> list[MethodGuard]:
    """The guards of the library methods a recording ran (`ran`: their codes), on each class in play that resolves
    them (`Linear.__call__` is `Module.__call__`, which `nn.Module.__call__ = other` or `nn.Linear.__call__ = other`
    changes), a class's at once: (the class, the names, an attrgetter of them, what it gave: `looked_up`'s, a tuple
    of them where more than one), which a replay compares with `!=` (a pass in C, an `is` a function)."""
    guards = []
    for cls in _classes_in_play(owners):
        namespace: dict[str, Any] = {}
        for base in reversed(cls.__mro__[:-1]):  # the nearest definition of each name last, as lookup finds it
            namespace.update(vars(base))
        names = tuple(name for name, raw in namespace.items() if any(code in ran for code in codes_of(raw)))
        if names:
            get = operator.attrgetter(*names)
            guards.append((cls, names, get, get(cls)))
    return guards
