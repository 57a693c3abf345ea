"""`Kept`: the number a step keeps as its own state (`self.count`), watched while the step is recorded, which
notes a use of its value (compile_settings.guard_attributes): a replay does not run the step's Python, so a count
the step only advances replays (`self.calls += 1`), but one it branches on or computes numbers from would be
taken as recorded."""

from __future__ import annotations

import operator
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


def kept_number(value: Any) -> Any:
    """`value` watched for uses, where it is a plain int or float; None otherwise."""
    if value.__class__ is int:
        return KeptInt(value)
    return KeptFloat(value) if value.__class__ is float else None


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
            return KeptInt(out, flags[0])
        return KeptFloat(out, flags[0]) if out.__class__ is float else out

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
