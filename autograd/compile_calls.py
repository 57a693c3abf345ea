"""The user's functions a compiled step runs while it is recorded, seen as they run (a profile hook on this
thread): compile_helpers finds a step's helpers by reading code and the objects it holds, within bounds (three
levels of dicts and lists, tables of at most 32 items), so a helper held deeper (`NEST["a"]["b"]["c"]["d"]()`) or
in a larger table went unread, and what it read (a global count, a size for autograd.rand) was replayed as
recorded. Each function the step runs whose code is the user's (not autograd's, nn's, viz's, Python's or an
installed package's) is followed as the statically found ones are (Names.follow). Also noted: reads of the clock
and of the environment (`time.perf_counter()`, `os.environ`) from the user's code, which a replay would not make
again, and its calls of next() outside a draw: compile_iterators watches the iterators the step's names hold three
levels down, and one held deeper moved unseen (`next(a.b.c.d.sizes)`)."""

from __future__ import annotations

import gc
import os
import sys
import sysconfig
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parent.parent
# where code is not the user's: this library's packages, Python's own and the installed packages
_LIBRARIES = tuple(
    {str(_ROOT / package) + os.sep for package in ("autograd", "nn", "viz")}
    | {str(Path(sysconfig.get_paths()[kind]).resolve()) + os.sep for kind in ("stdlib", "platstdlib", "purelib")}
)
# Python code that reads the process's environment, by its code object
_ENVIRONMENT = {os._Environ.__getitem__.__code__: "os.environ"}  # os.getenv and os.environ.get go through it
_CLOCKS = ("time", "datetime")  # modules whose builtins read the clock (time.time(), datetime.now())

READ_OUTSIDE = (
    "the step read {what} while it ran, which a replay would not read again (it runs none of the step's Python): "
    "a size or a branch taken from it would stay as recorded. Read it outside the compiled step and pass what the "
    "step needs as an argument (a 0-d array, which a replay reads)"
)


class Calls:
    """What a recording saw run: the user's code objects with the globals they ran with, and the clock and
    environment reads made from the user's code."""

    def __init__(self, spans: Any) -> None:
        self.spans = spans  # the recording's (compile_random.Spans): whether a draw is running
        self.advanced = False  # the user's code called next() outside a draw
        self.codes: dict[types.CodeType, dict[str, Any]] = {}
        self.read: list[str] = []
        self._users: dict[str, bool] = {}  # by file name: whether it is the user's

    def users(self, code: types.CodeType) -> bool:
        """Whether `code` is the user's (compiled from a file outside the libraries, or typed in)."""
        name = code.co_filename
        known = self._users.get(name)
        if known is None:
            known = self._users[name] = not name.startswith("<frozen") and not _resolved(name).startswith(_LIBRARIES)
        return known

    def profile(self, frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            code = frame.f_code
            if code in _ENVIRONMENT:
                self.read.append(_ENVIRONMENT[code])
            elif code not in self.codes and self.users(code):
                self.codes[code] = frame.f_globals
        elif event == "c_call" and _clock(arg) and self.users(frame.f_code):
            self.read.append(f"the clock ({_clock(arg)})")
        elif event == "c_call" and arg is next and not self.spans.inside and self.users(frame.f_code):
            self.advanced = True

    def functions(self, known: set[types.CodeType]) -> list[types.FunctionType]:
        """The functions behind the codes seen that are not `known`: a closure's from the heap (its cells are
        the function's own), another rebuilt from its code and globals (all a function without cells reads)."""
        found = []
        for code, namespace in self.codes.items():
            if code in known:
                continue
            if code.co_freevars:
                found += [f for f in gc.get_referrers(code) if isinstance(f, types.FunctionType) and f.__code__ is code]
            else:
                found.append(types.FunctionType(code, namespace))
        return found


def _resolved(name: str) -> str:
    try:
        return str(Path(name).resolve())
    except (OSError, RuntimeError, ValueError):
        return name


def _clock(fn: Any) -> str:
    """`module.name` of a builtin that reads the clock, else ""."""
    if not isinstance(fn, types.BuiltinFunctionType):
        return ""
    owner = getattr(fn, "__self__", None)
    module = fn.__module__ or getattr(owner, "__module__", None)
    if module not in _CLOCKS:
        return ""
    prefix = owner.__name__ if isinstance(owner, type) else module
    return f"{prefix}.{fn.__name__}"


@contextmanager
def watching(spans: Any) -> Iterator[Calls]:
    """Note what runs in this thread during the block (a profiler set before goes on being called); `spans`, the
    recording's generator readings, tell whether a draw is running."""
    calls, before = Calls(spans), sys.getprofile()

    def hook(frame: Any, event: str, arg: Any) -> None:
        calls.profile(frame, event, arg)
        if before is not None:
            before(frame, event, arg)

    sys.setprofile(hook)
    try:
        yield calls
    finally:
        sys.setprofile(before)
