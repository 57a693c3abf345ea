"""The generators a compiled step's draws (`autograd.drawn`) move, found while it is recorded, so that a replay
that stops after its draws (ReplayStopped, or an error in its forward pass) can put them back where they stood:
the call then runs eagerly from the same generator states as an uncompiled run, and draws what it draws.

A draw's generators are sought among Python's random module, numpy's global generator, autograd's default
generator (as it is when the replay runs: `manual_seed` between calls swaps it), the generators the step holds
(compile_random.Spans.held), those the draw function reaches: its closure cells, bound object, defaults and
the globals its code names, and those of the functions among them (a dropout layer's `self._rng`), and every other
generator the process holds (every_generator: a class attribute's, beside one the step reaches). Those it moved
are snapshotted by each replay before its draws. A draw that moved none of them and gave other data on the two
recordings draws from something else (a counter of its own, another library's generator): a stopped replay says
its random numbers move ahead (compile_schedule.with_draws)."""

from __future__ import annotations

import functools
import gc
import random
import sys
import sysconfig
import threading
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from .compile_changes import replayed_code
from .compile_random import GENERATORS, HELPER_DEPTH, Spans, comparable, held_generators, read_state


class Source:
    """A generator a replay may put back: `take()` its state, `put(state)` it back. `key` tells sources apart."""

    def __init__(self, key: Any, take: Callable[[], Any], put: Callable[[Any], None]) -> None:
        self.key, self.take, self.put = key, take, put

    def reading(self) -> Any:
        """Its state, to compare with `==` (compile_random.read_state)."""
        return read_state(self.take)


def _of(generator: Any) -> Source:
    """A generator's own Source."""
    if isinstance(generator, np.random.Generator):
        bits = generator.bit_generator
        return Source(id(generator), lambda: bits.state, lambda state: setattr(bits, "state", state))
    if isinstance(generator, np.random.RandomState):
        return Source(id(generator), generator.get_state, generator.set_state)
    return Source(id(generator), generator.getstate, generator.setstate)  # random.Random


def _default_source() -> Source:
    """autograd's default generator as it is when read (random_tensors imports this module's parent: late)."""
    from .random_tensors import default_generator

    return Source(
        "default",
        lambda: default_generator().bit_generator.state,
        lambda state: setattr(default_generator().bit_generator, "state", state),
    )


_GLOBAL = (
    Source("random", random.getstate, random.setstate),
    Source("numpy", np.random.get_state, np.random.set_state),
)


def candidates(draw: Callable[[], Any], held: tuple[Any, ...], existing: list[Any]) -> list[Source]:
    """The sources a draw may move: the global generators, autograd's default one, `held`, those `draw` reaches
    and the `existing` ones (every_generator)."""
    found = {id(g): g for g in (*held, *held_generators(_reached(draw)), *existing)}
    for g in _global_generators():
        found.pop(id(g), None)  # the sources above, which take the default generator as it is when read
    return [*_GLOBAL, _default_source(), *map(_of, found.values())]


def every_generator() -> list[Any]:
    """Every generator the process holds, wherever it is kept (a class attribute, a module's global, deep in an
    object): the garbage collector tracks them all, as each holds an object (its bit generator, its dict). A draw
    may move one that no name of the step reaches, beside one that it does (`rng.random() + Box.rng.random()`): a
    stopped replay must put that one back too, or the eager run draws from it again, silently. One scan per
    recording that draws, none per replay: of the whole heap (0.33 s at 2 million objects) the first time and after
    the collector has moved objects into its oldest generation, else of its two young generations alone (where
    every object made since the last scan still is: some 0.1 ms), with the generators the last scans found. Not
    random.SystemRandom's, which read the system's entropy and keep no state to put back. Nor those gc.freeze() set
    aside, which gc.get_objects does not list (frozen)."""
    with _HEAP.lock:
        if _HEAP.scanned == _aged() and YOUNG_SCANS:
            young = _generators(gc.get_objects(0)) + _generators(gc.get_objects(1))
            # unless a collection between the two listings (started by the second's list) aged generation 1
            if _HEAP.scanned == _aged():
                known = {id(x) for x in _HEAP.found}
                _HEAP.found += [x for x in young if id(x) not in known]
                return list(_HEAP.found)
        _HEAP.scanned = _aged()  # read before the scan: a collection during or after it makes the next one whole
        _HEAP.found = []  # not kept alive by us through the scan: one that died is not found
        _HEAP.found = _generators(gc.get_objects())
        return list(_HEAP.found)


def frozen() -> int:
    """How many objects gc.freeze() has set aside: gc.get_objects lists none of them, so a generator made before
    the freeze (at import, a class attribute's) is out of every_generator's sight, and no other listing reaches
    them short of gc.unfreeze(), which would move the user's objects. A recording's draws then cannot know they
    moved none of them: a stopped replay says its random numbers may move ahead (compile_tape, with_draws)."""
    return gc.get_freeze_count()


def _generators(objects: list[Any]) -> list[Any]:
    # by type(x), not isinstance: that asks x.__class__, which a recording's hooks may route through Python
    return [x for x in objects if issubclass(kind := type(x), GENERATORS) and not issubclass(kind, random.SystemRandom)]


# CPython up to 3.13 puts each new object in generation 0, moves the survivors of a collection of generation 0 to
# generation 1, and only a collection of generation 1 or 2 moves objects into generation 2: until one, every object
# made since a scan is in generations 0 and 1. Elsewhere (3.14's incremental collector, a build without the GIL)
# every scan is whole.
YOUNG_SCANS = sys.version_info < (3, 14) and not sysconfig.get_config_var("Py_GIL_DISABLED")


class _Heap:
    """The scans' state: the count of collections of generation 1 or 2 at the last scan, and the generators found
    since the last whole scan (held until the next whole one)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.scanned = (-1, -1)
        self.found: list[Any] = []


def _aged() -> tuple[int, int]:
    """The collections of generations 1 and 2 so far (each may have moved objects into generation 2), and the
    objects frozen: gc.unfreeze() moves them into generation 2 with no collection (they went unfound until one)."""
    stats = gc.get_stats()
    return stats[1]["collections"] + stats[2]["collections"], gc.get_freeze_count()


_HEAP = _Heap()


def _global_generators() -> tuple[Any, ...]:
    from .random_tensors import default_generator

    return random._inst, np.random.mtrand._rand, default_generator()  # type: ignore[attr-defined]


def _reached(draw: Any) -> list[Any]:
    """What a draw function reaches, HELPER_DEPTH functions deep: the values of its closure cells, its defaults,
    its bound object, a partial's arguments and the globals its code names (held_generators looks into those)."""
    values: list[Any] = []
    pending, seen = [(draw, HELPER_DEPTH)], set()
    while pending:
        fn, depth = pending.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        if isinstance(fn, functools.partial):  # partial(rng.random, (4, 3)): its function, the arguments it binds
            values += [*fn.args, *fn.keywords.values()]
            pending.append((fn.func, depth))
            continue
        if isinstance(fn, types.MethodType):
            values.append(fn.__self__)
            fn = fn.__func__
        if not isinstance(fn, types.FunctionType):
            values.append(fn)  # a callable object, a generator itself
            continue
        cells = []
        for cell in fn.__closure__ or ():
            try:
                cells.append(cell.cell_contents)
            except ValueError:  # an empty cell
                pass
        named = [fn.__globals__[name] for name in fn.__code__.co_names if name in fn.__globals__]
        for x in (*cells, *named, *(fn.__defaults__ or ())):
            if isinstance(x, types.FunctionType | types.MethodType) and depth > 0:
                pending.append((x, depth - 1))
            elif isinstance(x, GENERATORS) or not isinstance(x, types.ModuleType | type):
                values.append(x)
    return values


def moved(sources: list[Source], before: list[str]) -> list[Source]:
    """The sources whose readings differ from `before` (taken before a draw)."""
    return [s for s, was in zip(sources, before) if s.reading() != was]


MOVED_BY_ANOTHER_THREAD = (
    "another thread drew from a generator the replay's draws moved after them (numpy's global one, Python's random), "
    "so it was left where that thread left it, and the eager run of the call draws on from there: from this call on "
    "its random numbers are not those of an uncompiled run (keep the step's draws on a generator of its own)"
)


def put_back(sources: list[Source], before: list[Any], after: list[Any] | None) -> list[Source]:
    """Put `sources` back where they stood before a replay's draws (`before`, as taken), but those another thread
    moved since the draws (their states then, `after`; None for a replay stopped among its draws), which are
    returned: putting one back would undo that thread's draws, which would then be drawn again (the same numbers
    twice). The states are made comparable only here, by a replay that stops."""
    left = []
    for k, (source, state) in enumerate(zip(sources, before)):
        if after is not None and source.reading() != comparable(after[k]):
            left.append(source)
        else:
            source.put(state)
    return left


def union(per_draw: list[tuple[Source, ...]]) -> list[Source]:
    """The sources of all draws, each once (by key)."""
    return list({s.key: s for sources in per_draw for s in sources}.values())


def draw_in(spans: Spans | None, draw: Callable[[], Any]) -> Any:
    """`draw()`, its span and the generators it moved noted while a step is recorded (`spans`)."""
    if spans is None:
        return draw()
    from .compile_record import current  # late: compile_record imports this module's parent

    sources = candidates(draw, spans.held, spans.existing(every_generator))
    before = [s.reading() for s in sources]
    with spans.drawing(), replayed_code(current(), draw):  # what the draw changes (a queue of sizes), a replay does too
        data = draw()
    spans.moves.append(tuple(moved(sources, before)))
    return data
