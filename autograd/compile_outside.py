"""The code that runs in a recorded step's thread but not from the step: the collector's callbacks (gc.callbacks,
a gc-monitoring tool's) and the finalizers a collection runs, a `__del__`, a weakref's callback or
weakref.finalize's function when an object dies, a signal's handler. The recording's trace hook (compile_calls)
sees their frames start as it sees the step's, so a gc callback that read the clock made compile refuse the step
("the step read the clock") whenever a collection happened to run while it was recorded: at random. What they
read is not the step's (a replay has no numbers of theirs to read again), so they, and all they call, are set
aside. Other threads are not traced at all (sys.settrace is the recording thread's)."""

from __future__ import annotations

import functools
import gc
import signal
import sys
import threading
import types
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_FINALIZE = weakref.finalize.__call__.__code__  # calls its function: given the dead weakref when its object dies
# a code that always enters from outside, ones that may (checked at each call, as the step may call them too)
_ENTRY, _CALLBACK, _HANDLER = "entry", "weakref callback", "signal handler"
_EITHER = "weakref callback or signal handler"  # a function of the user's that may be called as either
_CALLBACKS, _HANDLERS = (_CALLBACK, _EITHER), (_HANDLER, _EITHER)
# the kinds of the codes seen so far (_kind), once a process: reading a frame's arguments for each code that each
# recording met cost a fifth of its instructions
_KINDS: dict[types.CodeType, str] = {_FINALIZE: _CALLBACK}
_KINDS_KEPT = 16384


class Outside:
    """Whether each frame that starts while a step is recorded runs from outside the step (`entered`)."""

    def __init__(self, users: Callable[[types.CodeType, dict[str, Any]], bool]) -> None:
        self.thread = threading.get_ident()
        self.users = users  # whether a code is the user's (compile_calls)
        self.collecting = False  # the collector runs, started in the recording's thread
        self.requeued = False  # _stopped moved itself last in this collection's "stop" calls
        # once it has collected: the frame it interrupted, and the codes of the callbacks it now calls ("stop")
        self.stopping: tuple[Any, set[types.CodeType | None]] | None = None
        self.entry: Any = None  # the frame where outside code was entered, while it runs
        self.kinds = _KINDS.copy()  # with this recording's signal handlers, which may change between recordings
        for handler in map(signal.getsignal, signal.valid_signals()):
            if (code := _code_of(handler)) is not None:
                self.kinds[code] = _HANDLER

    @contextmanager
    def watching(self) -> Iterator[None]:
        """Around the recorded call: a gc callback first in line marks where a collection starts, one last where
        it ends (gc calls them all with "start", collects, then all with "stop")."""
        # the end mark in first: a collection between the two (made due by binding them: on 3.11 it runs there and
        # then, on 3.12 after the next call) finds it alone, which ends nothing; the start mark alone made the whole
        # call read as that collection's, and the step's code went unseen (recorded once more: the CI-only flake of
        # tests counting replays; unguarded where both recordings missed it)
        started, stopped = self._started, self._stopped
        gc.callbacks.append(stopped)
        gc.callbacks.insert(0, started)
        try:
            yield
        finally:
            for callback in (started, stopped):
                if callback in gc.callbacks:  # the user may have cleared the list meanwhile
                    gc.callbacks.remove(callback)
            self.entry = self.stopping = None  # frames held no longer

    def _started(self, phase: str, info: dict[str, Any]) -> None:
        if threading.get_ident() != self.thread:
            return
        if phase == "start":
            self.collecting = True
        else:  # gc calls the callbacks by their place in the list: one that takes itself off skips _stopped
            self.stopping = sys._getframe(1), {_code_of(callback) for callback in gc.callbacks}

    def _stopped(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "stop" and threading.get_ident() == self.thread:
            if not self.requeued and gc.callbacks[-1] != self._stopped:  # one added since, after it: still gc's
                gc.callbacks.remove(self._stopped)  # gc calls the list by place, so the next one is not skipped,
                gc.callbacks.append(self._stopped)  # and reads its length anew: this one is called again, last
                self.requeued = True  # once a collection: a callback that moves itself last too cannot loop with it
                return
            self.collecting, self.stopping, self.requeued = False, None, False

    def entered(self, frame: Any) -> bool:
        """Whether `frame`, starting now, runs from outside the step: in a collection, in code entered from
        outside (a frame it called), or entering it (a `__del__`, a signal's handler, weakref.finalize's call, a
        function called with a dead weakref: its callback)."""
        if self.collecting:
            stopping = self.stopping  # the step resumed (a frame from where it was interrupted, not a callback's)
            if stopping is None or frame.f_back is not stopping[0] or frame.f_code in stopping[1]:
                return True
            self.collecting, self.stopping = False, None
        if self.entry is not None:
            f = frame.f_back
            while f is not None:
                if f is self.entry:
                    return True
                f = f.f_back
            self.entry = None  # it returned
        code = frame.f_code
        kind = self.kinds.get(code)
        if kind is None:
            if len(_KINDS) >= _KINDS_KEPT:  # codes made anew without end (exec'd code): bounded memory
                _KINDS.clear()
                _KINDS[_FINALIZE] = _CALLBACK
            kind = self.kinds[code] = _KINDS[code] = _kind(code, frame, self.users)
        if (
            kind == _ENTRY
            or (kind in _CALLBACKS and _takes_dead_weakref(frame))
            or (kind in _HANDLERS and _given_own_caller(frame))
        ):
            self.entry = frame
            return True
        return False


def _kind(code: types.CodeType, frame: Any, users: Callable[[types.CodeType, dict[str, Any]], bool]) -> str:
    """A code's kind when first seen: a `__del__` enters from outside; one first called with a dead weakref may (a
    weakref's callback: checked at each call, as the step may call it too); and so may any function of the user's
    that takes one or two arguments (checked at each call as a weakref's callback and as a signal's handler): one
    the step first called itself, then used as a weakref's callback or installed as a handler while it ran, was
    taken for the step's own code ever after, and its clock read refused the step. Only the user's code has its
    reads noted (compile_calls), so no other is checked on each call."""
    if code.co_name == "__del__":
        return _ENTRY
    if 1 <= code.co_argcount <= 2 and not code.co_cellvars and users(code, frame.f_globals):
        return _EITHER
    return _CALLBACK if _takes_dead_weakref(frame) else ""


def _takes_dead_weakref(frame: Any) -> bool:
    code = frame.f_code  # callback(ref), or a bound method's (self, ref); not one with cells, not made yet
    if not 1 <= code.co_argcount <= 2 or code.co_cellvars:
        return False
    given = frame.f_locals
    arguments = [given.get(name) for name in code.co_varnames[: code.co_argcount]]
    return any(isinstance(x, weakref.ReferenceType) and x() is None for x in arguments)


def _given_own_caller(frame: Any) -> bool:
    """Whether a signal's handler was called as Python calls it, (signum, frame) with frame the one it interrupted,
    not by the step (which may call the same function, and whose clock read through it is its own)."""
    code, given = frame.f_code, frame.f_locals
    return any(given.get(name) is frame.f_back for name in code.co_varnames[: code.co_argcount])


def _code_of(handler: Any) -> types.CodeType | None:
    """The code a callback (a signal's handler, a gc callback) starts running (a function, a bound method, a partial,
    a callable object)."""
    while isinstance(handler, functools.partial):
        handler = handler.func
    if isinstance(handler, types.MethodType):
        handler = handler.__func__
    if not isinstance(handler, types.FunctionType):
        handler = type(handler).__call__ if callable(handler) else None
    return handler.__code__ if isinstance(handler, types.FunctionType) else None
