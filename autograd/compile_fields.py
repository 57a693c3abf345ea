"""An object's own attributes as a compiled step's guards read them: its `__dict__` and its `__slots__`
(a `@dataclass(slots=True)` config has no `__dict__`, and its fields changed between calls must record
again as a plain object's do)."""

from __future__ import annotations

import functools
from typing import Any

from .compile_kept import WATCHED, plain

_NOT_FIELDS = frozenset(("__dict__", "__weakref__"))


def fields(owner: Any) -> dict[str, Any]:
    """owner's attributes by name: its `__dict__`'s (a class's namespace for a class), then the slots of its
    class and bases that are set (an unset slot is no attribute, as getattr has it). Read as the object
    itself keeps them (`_own`), without its class's __getattr__, which may raise anything for a name it lacks."""
    found = dict(_own(owner, "__dict__", {}))
    if not isinstance(owner, type):
        for name in _slots_of(type(owner)):
            value = _own(owner, name, _UNSET)
            if value is not _UNSET:
                found[name] = value
    if WATCHED[0]:  # a number a step keeps, watched while it is recorded (compile_kept), as the number it is
        return {name: plain(value) for name, value in found.items()}
    return found


def has_fields(owner: Any) -> bool:
    """Whether owner keeps attributes of its own that a step may read as settings: a `__dict__`, or slots
    its class declares; not an object of an `unguarded` class."""
    if _UNGUARDED in type(owner).__dict__ or (isinstance(owner, type) and _UNGUARDED in owner.__dict__):
        return False  # an unguarded class's object, or the class itself (its class attributes: `_Runs.count`)
    return _own(owner, "__dict__", None) is not None or bool(_slots_of(type(owner)))


_UNGUARDED = "__compile_unguarded__"


def unguarded(cls: type) -> type:
    """Class decorator: `compile` neither guards its objects' attributes nor looks into them, for state a step
    reads only to say where it is (an epoch and batch for an error message), never into its numbers. Every
    other object a step reads is guarded by all its settings, so a count the caller keeps on it would record the
    step again on every call; a replay sees no change to an unguarded object's attributes."""
    setattr(cls, _UNGUARDED, True)
    return cls


_UNSET = object()


def _own(owner: Any, name: str, default: Any) -> Any:
    """owner's attribute `name` as object's lookup finds it (its slot, its __dict__), or `default`:
    hasattr and getattr would call the class's __getattr__ for a name that is not there (KeyError, say)."""
    try:
        return object.__getattribute__(owner, name)
    except AttributeError:
        return default


def _slots_of(kind: type) -> tuple[str, ...]:
    """`_slots`, cached, but for a class that cannot be a cache's key (its metaclass defines __eq__ alone)."""
    try:
        return _slots(kind)
    except TypeError:
        return _slots.__wrapped__(kind)


@functools.cache
def _slots(kind: type) -> tuple[str, ...]:
    """The slot names a class and its bases declare, as getattr takes them (`__x` mangled to `_Class__x`)."""
    names: list[str] = []
    for cls in kind.__mro__:
        declared = cls.__dict__.get("__slots__", ())
        for name in (declared,) if isinstance(declared, str) else declared:
            if name in _NOT_FIELDS:
                continue
            if name.startswith("__") and not name.endswith("__"):
                name = f"_{cls.__name__.lstrip('_')}{name}"
            if name not in names:
                names.append(name)
    return tuple(names)
