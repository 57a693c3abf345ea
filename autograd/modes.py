"""The modes: no_grad, enable_grad, set_grad_enabled and detect_anomaly, thread-local so that they never leak
across threads; how a `grad` tells an inner one that it is tracing; and gc_paused. Also the checks of
arguments every module shares, here at the bottom of autograd's imports: a flag, a real number, a
function, a value shown short in a message."""

from __future__ import annotations

import contextlib
import gc
import math
import numbers
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .type_names import repr_of, type_name


def short(x: Any) -> str:
    """A value as an error message shows it: an array by its shape, a long repr (a 400-digit
    int) by its ends and length."""
    shape = getattr(x, "shape", None)
    if shape:
        return f"array of shape {shape}"
    text = repr_of(x)
    return text if len(text) <= 40 else f"{text[:20]}...{text[-8:]} ({len(text)} characters)"


def too_large(x: Any, where: str = "") -> OverflowError:
    """The error for a number no float can hold (an int of 400 digits), Python's own type, naming it:
    numpy's and math's say only "int too large to convert to float"."""
    return OverflowError(f"{where}{type_name(x)} {short(x)} is too large for a float (at most 1.8e308)")


def flag(value: Any, what: str) -> bool:
    """`value` as a bool: True or False (numpy's too). Anything else is a TypeError naming `what`:
    its truth would be a guess ("no" and "False" are true, 0 may be a slip, an array's is ambiguous).
    The one rule for every flag autograd takes (keepdims, create_graph, has_aux, strict, modes)."""
    if type(value) is bool:  # the common case, without importing numpy
        return value
    import numpy as np  # here, as in is_finite: the modes themselves need no numpy

    if not isinstance(value, np.bool_):
        raise TypeError(f"{what} takes True or False, got {type_name(value)} {short(value)}")
    return bool(value)


def choice(value: Any, choices: Sequence[str], what: str) -> str:
    """`value` if it is one of the names `choices`; a TypeError naming `what` for what is no str (an array's `in`
    is numpy's "truth value of an array is ambiguous", a list's "unhashable"), a ValueError for another name."""
    listed = ", ".join(choices)
    if not isinstance(value, str):
        raise TypeError(f"{what} must be one of {listed}, got {type_name(value)} {short(value)}")
    if value not in choices:
        raise ValueError(f"{what} must be one of {listed}, got {value!r}")
    return value


def is_number(x: Any) -> bool:
    """Whether x is a real number (a bool among them): numbers.Real, but not numpy's timedelta64, which numpy
    makes an np.integer and so a numbers.Integral: a duration would be taken as its count of units."""
    if x.__class__ in (float, int, bool):  # the common cases, without importing numpy
        return True
    import numpy as np  # here, as in flag: the modes themselves need no numpy

    return isinstance(x, numbers.Real) and not isinstance(x, np.timedelta64)


def is_real(x: Any) -> bool:
    """Whether x is a real-number argument (a tolerance, ddof, an op's parameter): a Python or numpy real
    number, an int among them, not a bool (True is no number) or a numpy duration (is_number)."""
    return is_number(x) and not isinstance(x, bool)


def require_callable(f: Any, what: str) -> None:
    """Refuse a function argument that is not callable when it is given (a transform made of None),
    not later at its first call, with Python's words that name neither the transform nor the argument."""
    if not callable(f):
        raise TypeError(f"{what} must be a function (callable), got {type_name(f)} {short(f)}")


class _Modes(threading.local):
    grad_enabled = True
    anomaly = False
    # per `grad` running its function in this thread: the ids of the leaves it differentiates, and the
    # nodes found not to depend on them (empty: no grad is tracing)
    lifted: tuple[tuple[set[int], dict[int, Any]], ...] = ()
    tangents = False  # a jvp is differentiating rules in their g: a user's must keep g a node (graph_errors.keeps_g)


current = _Modes()
entered = 0  # mode blocks open in any thread: while 0, op hot paths skip the thread-local lookup
_entered_lock = threading.Lock()


@contextmanager
def _mode(name: str, value: bool) -> Iterator[None]:
    global entered
    before = getattr(current, name)
    with _entered_lock:
        entered += 1
    setattr(current, name, value)
    try:
        yield
    finally:
        setattr(current, name, before)
        with _entered_lock:
            entered -= 1


def tangents() -> contextlib.AbstractContextManager[None]:
    """The block in which jvp differentiates the rules of a backward pass in their g."""
    return _mode("tangents", True)


@contextmanager
def tracing() -> Iterator[set[int]]:
    """Within this block a `grad` is tracing its function: an inner `grad` keeps its result
    differentiable, since it may depend on the outer one's variables. The block adds the ids of
    the leaves it differentiates to the set it gives (read by graph_order.refuse_number_of_lifted)."""
    lifted: set[int] = set()
    current.lifted += ((lifted, Clean()),)
    try:
        yield lifted
    finally:
        current.lifted = current.lifted[:-1]


class Clean(dict):
    """The nodes a running `grad` found independent of what it differentiates, by id (kept alive, so
    that no id is another's meanwhile); `limit`: the size at which those nothing else holds are let go."""

    limit = 1024


def no_grad() -> contextlib.AbstractContextManager[None]:
    """Within this block ops build no graph: results are leaves (evaluation, optimizer steps)."""
    return _mode("grad_enabled", False)


def inference_mode(mode: Any = True) -> Any:
    """PyTorch's inference_mode: `no_grad` here (chainrule has no separate kind of inference tensor),
    and `inference_mode(False)` is `enable_grad`, as PyTorch's turns grad mode back on. A block
    (`with`) or a decorator, `@inference_mode()` or bare `@inference_mode`."""
    if callable(mode):  # the bare decorator: PyTorch's takes the function as its argument
        return _mode("grad_enabled", False)(mode)
    return _mode("grad_enabled", not flag(mode, "inference_mode: mode"))


def enable_grad() -> contextlib.AbstractContextManager[None]:
    """Record the graph again inside a `no_grad` block."""
    return _mode("grad_enabled", True)


def is_grad_enabled() -> bool:
    return current.grad_enabled


class set_grad_enabled:  # noqa: N801 (PyTorch's name; a class, since it is also a context manager)
    """PyTorch's switch: recording on or off in this thread from now on (`set_grad_enabled(False)` at
    the top of an evaluation script), or for a block, `with set_grad_enabled(phase == "train"):`
    (entering it sets its mode again, leaving it restores the one before it was made). Once any call
    has switched recording off, ops look at the thread's modes for good (a few tens of ns each)."""

    def __init__(self, mode: bool) -> None:
        mode = flag(mode, "set_grad_enabled")
        self.before, self.mode = current.grad_enabled, mode
        _switch(mode)

    def __enter__(self) -> None:
        _switch(self.mode)

    def __exit__(self, *exc: object) -> None:
        _switch(self.before)


_switched_off = False  # whether a set_grad_enabled has ever switched recording off (then `entered` keeps 1)


def _switch(mode: bool) -> None:
    """Recording on or off in this thread, outside any block: so that the op hot paths, which skip the
    thread's modes while `entered` is 0, see it off, `entered` keeps one more from the first switch off."""
    global entered, _switched_off
    if not mode and not _switched_off:
        with _entered_lock:
            if not _switched_off:
                entered += 1
                _switched_off = True
    current.grad_enabled = mode


def detect_anomaly() -> contextlib.AbstractContextManager[None]:
    """Raise `AnomalyError` at the first op whose result or gradient is NaN or infinite, and check
    the shape of every gradient a tensor op's rule gives (outside it only users' ops are checked:
    the built-in rules' shapes are tested, and checking them costs every backward pass)."""
    return _mode("anomaly", True)


class AnomalyError(FloatingPointError):
    """A NaN or infinity appeared in the forward or backward pass under `detect_anomaly`."""


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block, then restore the caller's setting.

    A graph has no reference cycles (nodes point to their inputs only, and backward makes none), so
    while one is built or differentiated the collector finds nothing, yet it rescans the growing
    graph again and again: most of a large step's time (`benchmarks/scalar.py`). Backward passes
    and `nn.fit`'s steps run inside it; wrap your own training step in it for the same gain. Cycles
    your code makes meanwhile are collected once the block ends. The setting is process-wide:
    a thread that collects by itself during the block waits for its end. Blocks open in several
    threads at once are counted under a lock: the first to open saves the setting, the last to
    close restores it (each saving its own could leave the collector off for good)."""
    pause_collector()
    try:
        yield
    finally:
        resume_collector()


def pause_collector() -> None:
    """gc_paused's entry, for a block of the engine's own that is no generator (a backward pass's scratch
    space: two generator context managers a pass cost more than its ordering): each call is matched by one
    `resume_collector`."""
    with _PAUSE_LOCK:
        if not _pauses[0]:
            _pauses[1] = gc.isenabled()
            gc.disable()
        _pauses[0] += 1


def resume_collector() -> None:
    """gc_paused's exit: the last block open restores the setting the first found."""
    with _PAUSE_LOCK:
        _pauses[0] -= 1
        if not _pauses[0] and _pauses[1]:
            gc.enable()


_PAUSE_LOCK = threading.Lock()
_pauses: list[Any] = [0, False]  # the blocks open in any thread, and whether the collector ran before the first


def is_finite(x: Any) -> bool:
    try:
        return math.isfinite(x)
    except TypeError:  # arrays
        import numpy as np

        return bool(np.isfinite(x).all())


def check_forward(op: Any, out: Any, inputs: Sequence[Any]) -> None:
    if not is_finite(out):
        # an elementwise op's inputs at the place of the first NaN are its cause (broadcast ones are told too)
        elementwise = getattr(op, "broadcasts", False)
        shown = not_finite(out, inputs if elementwise else ())
        raise AnomalyError(f"{op.show(inputs)} gave {shown} in the forward pass (detect_anomaly)")


def not_finite(x: Any, inputs: Sequence[Any] = ()) -> str:
    """A value that is not finite, as an anomaly's message shows it: a number as it is; an array by its
    first NaN or infinity, where it is, and how many there are, with the `inputs` (an elementwise op's,
    broadcast to its shape) there."""
    if not getattr(x, "shape", None):
        return short(x.item() if hasattr(x, "item") else x)
    import numpy as np

    bad = ~np.isfinite(x)
    at = tuple(int(i) for i in np.argwhere(bad)[0])
    try:
        there = [short(np.broadcast_to(a, x.shape)[at].item()) for a in inputs]
    except ValueError:  # inputs that do not broadcast to the output's shape: not the elementwise case
        there = []
    given = f", where the input{'s are' if len(there) > 1 else ' is'} {' and '.join(there)}" if there else ""
    return f"{x[at].item()} at {list(at)}{given} ({int(bad.sum())} of {x.size} elements not finite, shape {x.shape})"
