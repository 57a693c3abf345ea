"""`Read`: a float a recorded step read from a tensor's data, which notes the branches taken on it
(compile_record returns one from `t.item()` while a step is recorded)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Read(float):
    """A float read from a tensor's data while a step is recorded (`t.item()`), which notes a branch
    on it: comparing it, bool(), int() or round() of it, or of a number computed from it by arithmetic,
    sets `branched`. A replay returns such a read anew, but would not take a branch on it again. (A
    branch through math or numpy functions, or on float(v), is not seen.)"""

    __slots__ = ("origins",)  # the flags of the reads it was computed from, each a list [branched]

    def __new__(cls, value: float, origins: tuple[list[bool], ...] = ()) -> Read:
        self = super().__new__(cls, value)
        self.origins = origins or ([False],)
        return self

    @property
    def branched(self) -> bool:
        return any(flag[0] for flag in self.origins)

    __hash__ = float.__hash__  # defining __eq__ would otherwise unset it


def _branching(name: str) -> Callable[..., Any]:
    op = getattr(float, name)

    def method(self: Read, *other: Any) -> Any:
        for x in (self, *other):
            for flag in getattr(x, "origins", ()):
                flag[0] = True
        return op(self, *other)

    return method


def _arithmetic(name: str) -> Callable[..., Any]:
    op = getattr(float, name)

    def method(self: Read, *other: Any) -> Any:
        out = op(self, *other)
        if out.__class__ is not float:  # NotImplemented: the other operand's method decides
            return out
        return Read(out, self.origins + tuple(flag for x in other if isinstance(x, Read) for flag in x.origins))

    return method


_BRANCHING = ("lt", "le", "gt", "ge", "eq", "ne", "bool", "int", "round", "trunc", "floor", "ceil", "divmod", "rdivmod")
for _name in _BRANCHING:
    setattr(Read, f"__{_name}__", _branching(f"__{_name}__"))
for _op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow"):
    for _name in (f"__{_op}__", f"__r{_op}__"):
        setattr(Read, _name, _arithmetic(_name))
for _name in ("__neg__", "__pos__", "__abs__"):
    setattr(Read, _name, _arithmetic(_name))
