"""The library methods a compiled step ran while recorded, guarded as the classes of its objects resolve them:
`nn.Linear.forward = other`, `Tensor.__mul__ = other` or `nn.SGD.step = other` set between calls is other code,
where a replay went on with the graph (and the optimizer calls) the old code made, silently (eager's losses
-1935.4, -11804.2 after `nn.Linear.forward` was swapped to `* 20`; the replays' -96.8, -121.4). The user's own
methods are guarded as settings of their classes (compile_settings._is_setting_of); a library's are many (Tensor's
hundreds), so only those whose code a recording saw run (compile_calls.Calls.library) are kept, and a replay checks
them all at once, in C. A method set on one object, not its class (`model.forward = other`, `helper.apply = other`),
shadows either kind: each object's `__dict__` is checked to hold none of those its class's ran."""

from __future__ import annotations

import operator
import types
from collections.abc import Callable, Iterable
from typing import Any

from .compile_changes import Contents
from .compile_fields import _own
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


def _in_play(owners: list[Any]) -> tuple[list[type], list[Any]]:
    """The classes of the objects a recording guarded or called (modules, optimizers, the user's objects), and
    Tensor's: those whose methods the step's code and nn's looked up; and those of the objects that keep their
    attributes in a `__dict__`, where one set on the object itself shadows its class's method."""
    classes: dict[int, type] = {id(Tensor): Tensor}
    objects: dict[int, Any] = {}
    for owner in owners:
        if owner.__class__ is Contents or isinstance(owner, type | types.ModuleType):
            continue
        classes.setdefault(id(type(owner)), type(owner))
        if isinstance(_own(owner, "__dict__", None), dict):  # not through a __getattr__ of the class's
            objects.setdefault(id(owner), owner)
    return list(classes.values()), list(objects.values())


def _namespace(cls: type) -> dict[str, Any]:
    """What cls's lookup finds of each name its classes define: the nearest definition of each, as getattr does."""
    namespace: dict[str, Any] = {}
    for base in reversed(cls.__mro__[:-1]):
        namespace.update(vars(base))
    return namespace


MethodGuard = tuple[Any, tuple[str, ...], Callable[[Any], Any], Any]


def library_methods(owners: list[Any], ran: set[types.CodeType], users: Iterable[types.CodeType]) -> list[MethodGuard]:
    """The guards of the library methods a recording ran (`ran`: their codes), on each class in play that resolves
    them (`Linear.__call__` is `Module.__call__`, which `nn.Module.__call__ = other` or `nn.Linear.__call__ = other`
    changes), a class's at once: (the class, the names, an attrgetter of them, what it gave: `looked_up`'s, a tuple
    of them where more than one), which a replay compares with `!=` (a pass in C, an `is` a function). And, for each
    object in play, that its `__dict__` holds none of the methods the recording ran that an attribute of the object
    would shadow, its library's or the user's (`users`: `model.forward = other`, `helper.apply = other`, as PyTorch's
    users patch one module): one guard for them all, (the dicts, a name beside each, their check, False)."""
    classes, objects = _in_play(owners)
    namespaces = {id(cls): _namespace(cls) for cls in [*classes, *map(type, objects)]}  # by id: a class's metaclass
    # may define __eq__ alone (unhashable)
    guards: list[MethodGuard] = []
    for cls in classes:
        names = tuple(name for name, raw in namespaces[id(cls)].items() if any(code in ran for code in codes_of(raw)))
        if names:
            get = operator.attrgetter(*names)
            guards.append((cls, names, get, get(cls)))
    ran_too = ran | set(users)
    dicts, shadowed = [], []  # each object's dict beside each name it must not hold: a pair a name
    for obj in objects:  # an operator's dunder is looked up on the class alone, a property is found before the dict
        held = _own(obj, "__dict__", None)  # what it holds already is its own attribute, guarded as one
        for name, raw in namespaces[id(type(obj))].items():
            if name.startswith("__") or name in held or isinstance(raw, property):
                continue
            if any(code in ran_too for code in codes_of(raw)):
                dicts.append(held)
                shadowed.append(name)
    if shadowed:
        guards.append((tuple(dicts), tuple(shadowed), _shadowing(tuple(shadowed)), False))
    return guards


def _shadowing(names: tuple[str, ...]) -> Callable[[tuple[dict[str, Any], ...]], bool]:
    """Whether any of the dicts holds the name beside it (`names`), the pairs taken in one pass in C: 16 for the
    benchmarks' MLP step (its layers' forward and zero_grad, its ReLUs' function, its optimizer's step...)."""

    def shadowing(dicts: tuple[dict[str, Any], ...]) -> bool:
        return any(map(dict.__contains__, dicts, names))

    return shadowing
