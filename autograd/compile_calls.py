"""The user's functions a compiled step runs while it is recorded, seen as they start (a trace hook on this
thread, sys.settrace's, which no C call and no line reaches): compile_helpers finds a step's helpers by reading
code and the objects it holds, within bounds (three levels of dicts and lists, tables of at most 32 items), so a
helper held deeper (`NEST["a"]["b"]["c"]["d"]()`) or in a larger table went unread, and what it read (a global
count, a size for autograd.rand) was replayed as recorded. Each function the step runs whose code is the user's
(not autograd's, nn's, viz's, Python's or an installed package's) is followed as the statically found ones are
(Names.follow). Also noted: reads of the environment (`os.environ`, `os.getenv`), and the user's functions that
run naming the clock (the time or datetime module, `perf_counter`) or next() outside a draw (compile_iterators
watches the iterators the step's names hold three levels down; one held deeper moved unseen:
`next(a.b.c.d.sizes)`): a replay would read or advance none of them again."""

from __future__ import annotations

import builtins
import datetime
import functools
import gc
import os
import sys
import sysconfig
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .compile_outside import Outside

# where code is not the user's: this library's packages, Python's own and the installed packages, as their paths
# resolve (symbolic links followed: a project linked into site-packages is the user's)
_PLACES = [Path(__file__).parent.parent / package for package in ("autograd", "nn", "viz")]
_PLACES += [Path(sysconfig.get_paths()[kind]) for kind in ("stdlib", "platstdlib", "purelib")]
_LIBRARIES = tuple({str(place.resolve()) + os.sep for place in _PLACES})
# Python code that reads the process's environment, by its code object
_ENVIRONMENT = {os._Environ.__getitem__.__code__: "os.environ"}  # os.getenv and os.environ.get go through it

READ_OUTSIDE = (
    "the step read {what} while it ran, which a replay would not read again (it runs none of the step's Python): "
    "a size or a branch taken from it would stay as recorded. Read it outside the compiled step and pass what the "
    "step needs as an argument (a 0-d array, which a replay reads)"
)


class Calls:
    """What a recording saw run: the user's code objects with the globals they ran with, and the clock and
    environment reads made from the user's code."""

    def __init__(self, spans: Any, recording: Any = None) -> None:
        self.spans = spans  # the recording's (compile_random.Spans): whether a draw is running
        self.recording = recording  # whose `changes.depth` counts the replayed spans running (compile_changes)
        self.ran: set[types.CodeType] = set()  # the user's codes started outside those spans (`named`)
        self.advanced = False  # the user's code called next() outside a draw
        self.codes: dict[types.CodeType, dict[str, Any]] = {}
        self.library: set[types.CodeType] = set()  # the other codes seen: a library's methods (compile_methods)
        self.read: list[str] = []
        self.outside = Outside(_users)  # what runs in this thread not from the step (a gc callback): not noted

    def hook(self) -> Callable[[Any, str, Any], Any]:
        """The trace function (sys.settrace's: called as each Python frame starts, never for C calls nor each line,
        since it returns no tracer of its own), over locals: the user's code objects seen, with what they read."""
        codes, library, read, spans, outside, ran, rec = (
            self.codes,
            self.library,
            self.read,
            self.spans,
            self.outside,
            self.ran,
            self.recording,
        )
        kinds = outside.kinds  # "" for a code that never enters from outside: the common case, without a call
        scanned: dict[types.CodeType, tuple[str, bool]] = {}  # by code: the clock it names, whether it calls next

        def trace(frame: Any, event: str, arg: Any) -> None:
            code = frame.f_code
            if (outside.collecting or outside.entry is not None or kinds.get(code) != "") and outside.entered(frame):
                return
            found = scanned.get(code)
            if found is None:
                if code in _ENVIRONMENT:
                    read.append(_ENVIRONMENT[code])
                    return
                found = scanned[code] = ("", False, False)
                if _users(code, frame.f_globals):
                    codes[code] = frame.f_globals
                    found = scanned[code] = (*_names_read(code, frame.f_globals), True)
                else:
                    library.add(code)
            if found[0]:
                read.append(found[0])
            if found[1] and not spans.inside:
                self.advanced = True
            if found[2] and rec is not None and (rec.changes is None or not rec.changes.depth):
                ran.add(code)

        trace.follows = True  # unfollowed() may set it aside
        return trace

    def run(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """`fn(*args, **kwargs)`, noting what runs in this thread meanwhile (a tracer set before goes on being
        called: then the step's replayed spans are traced too)."""
        before, trace = sys.gettrace(), self.hook()

        def chained(frame: Any, event: str, arg: Any) -> Any:
            trace(frame, event, arg)
            return before(frame, event, arg)  # its own tracer for the frame (a debugger's, coverage's), as without us

        with self.outside.watching():
            sys.settrace(trace if before is None else chained)
            try:
                return fn(*args, **kwargs)
            finally:
                sys.settrace(before)

    def named(self) -> set[str]:
        """The names (global, attribute, closure) that the user's code run outside replayed spans (an optimizer's
        step, a check, a draw) takes, the code nested in it too: what the step's own Python may have read."""
        names: set[str] = set()
        pending = list(self.ran)
        while pending:
            code = pending.pop()
            names.update(code.co_names, code.co_freevars, code.co_cellvars)
            pending += [c for c in code.co_consts if isinstance(c, types.CodeType)]
        return names

    def texts(self) -> set[str]:
        """The strings the user's code run outside replayed spans holds as constants, the code nested in it too: the
        attribute names it may set by name (`setattr(box, "last", loss)`, `box.__dict__["last"] = loss`)."""
        texts: set[str] = set()
        pending = list(self.ran)
        while pending:
            code = pending.pop()
            consts = [*code.co_consts, *(c for t in code.co_consts if isinstance(t, tuple) for c in t)]  # keywords
            texts.update(c for c in consts if isinstance(c, str))
            pending += [c for c in code.co_consts if isinstance(c, types.CodeType)]
        return texts

    def functions(self, known: set[types.CodeType]) -> list[types.FunctionType]:
        """The functions behind the codes seen that are not `known`: a closure's from the heap (its cells are
        the function's own), another rebuilt from its code and globals (all a function without cells reads). The
        closures' in one pass of the collector over the objects it tracks for them all (gc.get_referrers): a pass a
        code cost a recording some 0.1 s each in a long test run, 442 passes in the compile tests."""
        codes = {code: namespace for code, namespace in self.codes.items() if code not in known}
        cells = [code for code in codes if code.co_freevars]
        closures: dict[int, list[types.FunctionType]] = {id(code): [] for code in cells}  # by identity: equal codes
        for f in gc.get_referrers(*cells) if cells else ():  # (alike lines elsewhere) are not the same function's
            if isinstance(f, types.FunctionType) and id(f.__code__) in closures:
                closures[id(f.__code__)].append(f)
        found = []
        for code, namespace in codes.items():
            found += closures[id(code)] if code.co_freevars else [types.FunctionType(code, namespace)]
        return found


def _users(code: types.CodeType, namespace: dict[str, Any]) -> bool:
    """Whether `code` is the user's (compiled from a file outside the libraries, or typed in): known by its file
    name once a process (`_USERS`), for resolving its path (os.path.realpath: a system call a part) cost more
    than the rest of a recording's hook together when each recording did it for every file it ran. Code compiled
    from text (`<string>`) is its module's, by the file of the namespace it runs in (`namespace`, its globals): a
    dataclass's generated __init__ in this library (compile_recording.MadeByOp's) was taken for the user's, so
    compile followed it and guarded every attribute it sets (`data`, `params`, `held`) on the step's objects."""
    name = code.co_filename
    if name.startswith("<") and isinstance(namespace.get("__file__"), str):
        name = namespace["__file__"]
    known = _USERS.get(name)
    if known is None:
        if len(_USERS) >= _USERS_KEPT:  # file names made anew without end (exec'd code): bounded memory
            _USERS.clear()
        # a name in angle brackets (exec's `<string>`, a notebook cell's `<ipython-input-3-abc>`) is no path
        known = not name.startswith("<frozen") and (name.startswith("<") or not _resolved(name).startswith(_LIBRARIES))
        _USERS[name] = known
    return known


_USERS: dict[str, bool] = {}
_USERS_KEPT = 4096


def _resolved(name: str) -> str:
    try:
        return str(Path(name).resolve())
    except (OSError, RuntimeError, ValueError):
        return name


_CLOCK_MODULES = (time, datetime)
_CLOCK_CLASSES = (datetime.datetime, datetime.date)


def _names_read(code: types.CodeType, namespace: dict[str, Any]) -> tuple[str, bool]:
    """What a function of the user's reads by the global names its code takes (not the code nested in it, a
    lambda given to autograd.drawn, which runs as it is called): the clock (the time or datetime module, a
    function of theirs, the datetime class: "the clock (time)"), or "" for none; and whether it calls next()."""
    clock = ""
    for name in code.co_names:
        value = namespace.get(name, _BUILTINS.get(name))
        if any(value is x for x in (*_CLOCK_MODULES, *_CLOCK_CLASSES)) or _is_clock(value):
            clock = f"the clock ({name})"
    return clock, "next" in code.co_names and namespace.get("next", next) is next


def _is_clock(value: Any) -> bool:
    return isinstance(value, types.BuiltinFunctionType) and value in _CLOCK_FUNCTIONS


_BUILTINS = vars(builtins)
_CLOCK_FUNCTIONS = frozenset(
    f for module in _CLOCK_MODULES for f in vars(module).values() if isinstance(f, types.BuiltinFunctionType)
)


@contextmanager
def unfollowed(*running: Any) -> Iterator[None]:
    """A span of code that each replay runs again (an optimizer's step, a check, a draw: compile_changes.replayed_code),
    which a replay reads anew, so not followed: the recording's trace hook is off there, where it alone is set (not
    chained to a debugger's). Python runs slower traced (Python 3.11: no specialised instructions, a line check at
    each): a hook doing nothing, on through all of 2 recordings and 1 replay of a 64-128-10 MLP step, cost 18 of
    their 47 million instructions. Followed still where what runs there (`running`: the function called, its
    object) may run the user's code: what it reads there it may leave where the step's own code reads it after
    (a check of theirs setting a size), which a replay would then read stale."""
    hook = sys.gettrace()
    if not getattr(hook, "follows", False) or any(map(_runs_users_code, running)):
        yield
        return
    sys.settrace(None)
    try:
        yield
    finally:
        sys.settrace(hook)


def _runs_users_code(x: Any, seen: set[int] | None = None) -> bool:
    """Whether calling `x` may run the user's Python: a function of theirs, a partial or bound method of one, a class
    of theirs or an object of one (an optimizer's subclass defining `update`, a callable object). `seen`: the ids
    looked at, for a function may be its own __wrapped__, through a method."""
    seen = set() if seen is None else seen
    if id(x) in seen:
        return False
    seen.add(id(x))
    while isinstance(x, functools.partial):
        x = x.func
    if isinstance(x, types.MethodType):
        return _runs_users_code(x.__func__, seen) or _runs_users_code(x.__self__, seen)
    if isinstance(x, types.FunctionType):  # or a decorated one of theirs (functools.wraps: `@autograd.replayed`)
        return _users(x.__code__, x.__globals__) or _runs_users_code(getattr(x, "__wrapped__", None), seen)
    classes = x.__mro__ if isinstance(x, type) else type(x).__mro__
    methods = (f for c in classes for f in vars(c).values() if isinstance(f, types.FunctionType))
    return any(_runs_users_code(f, seen) for f in methods)
