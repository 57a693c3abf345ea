"""The random generators a compiled step must not draw from outside `autograd.drawn`: Python's `random`
module, numpy's legacy one (`np.random.rand`, `np.random.shuffle`), and those the step's global names and
closure cells hold (`rng = np.random.default_rng(0)`), a compiled bound method's object (`self.rng`), its
arguments, or a module it calls (a forward's `self.rng`, watched from that call on: `Spans.watch`). A
replay runs none of the step's Python, so a branch on `random.random()` (an augmentation taken or not) goes
on as it went when recorded, and numbers drawn as data stay the recorded ones. A draw made by `autograd.drawn` is
made again by each replay, in its order: what it takes from these generators is its own."""

from __future__ import annotations

import functools
import itertools
import random
import types
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from .compile_fields import fields, has_fields
from .compile_iterators import moved_names, positions
from .graph import Node

DREW_OUTSIDE = (
    "the step drew from Python's random module, numpy's global generator or a generator its names, its "
    "object, its arguments or a module it calls hold, or an object those hold (random.random(), np.random.rand, "
    "rng.random(), self.rng.random() or self.noise.rng.random() in a step's method or a module's forward) "
    "outside autograd.drawn: a replay runs none of the step's Python, so a branch on such a draw would go "
    "as recorded, and numbers drawn as data would stay the recorded ones. Draw inside autograd.drawn (or "
    "with autograd.rand), or run the step eagerly"
)


GENERATORS = (random.Random, np.random.Generator, np.random.RandomState)
# how far `held_generators` looks into the objects a step reaches for generators: `self.noise.rng` of a module,
# `self.augs[0].rng`, three levels down, at most HELPER_OBJECTS objects in all (a recording's cost, not a replay's)
HELPER_DEPTH, HELPER_OBJECTS = 3, 256
_NO_HELPERS = (type, types.ModuleType, types.FunctionType, types.MethodType, Node, str, bytes, np.ndarray)


def held_generators(values: Iterable[Any]) -> list[Any]:
    """The generators among `values` and those held, HELPER_DEPTH levels down, by the plain objects, lists,
    tuples and dicts among them (a helper object's `self.noise.rng`): a replay keeps a branch on a draw from
    one as recorded, so each must be watched as the step's own `self.rng` is (`Spans.watch`)."""
    return held_among(values, lambda x: isinstance(x, GENERATORS))


def held_among(values: Iterable[Any], wanted: Callable[[Any], bool]) -> list[Any]:
    """The objects `wanted` takes among `values` and those held, as held_generators finds generators."""
    found: list[Any] = []
    pending, seen = [(x, HELPER_DEPTH) for x in values], set()
    while pending and len(seen) < HELPER_OBJECTS:
        x, depth = pending.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if wanted(x):
            found.append(x)
        elif depth > 0 and not isinstance(x, _NO_HELPERS):
            pending += [(item, depth - 1) for item in itertools.islice(_held(x), HELPER_OBJECTS)]
    return found


def _held(x: Any) -> Iterable[Any]:
    """What a list, tuple or dict holds, or the attributes of an object that keeps some (none for another)."""
    if isinstance(x, dict):
        return x.values()
    if isinstance(x, list | tuple):
        return x
    try:
        return fields(x).values() if has_fields(x) else ()
    except TypeError:  # a class that cannot be hashed (compile_fields' cache of slots)
        return ()


def states(held: tuple[Any, ...] = ()) -> tuple[Any, ...]:
    """Where Python's and numpy's global generators stand, and the generators `held` (those the step's
    names hold): equal to an earlier reading where nothing drew."""
    kind, keys, position, *rest = np.random.get_state()
    return random.getstate(), kind, keys.tobytes(), position, *rest, *map(_state, held)


def _state(generator: Any) -> Any:
    if isinstance(generator, np.random.Generator):
        return read_state(lambda: generator.bit_generator.state)
    if isinstance(generator, np.random.RandomState):
        return read_state(functools.partial(generator.get_state, legacy=False))
    return read_state(generator.getstate)


# the reading of a generator whose state cannot be read (a subclass of random.Random that draws the system's
# entropy, as SystemRandom does): equal to itself, so never seen to move, and never put back
NO_STATE = object()


def read_state(take: Callable[[], Any]) -> Any:
    """The state `take()` gives, `comparable`; NO_STATE where it refuses to give one (one such generator anywhere
    in the process made every recording that draws raise its NotImplementedError)."""
    try:
        return comparable(take())
    except (NotImplementedError, TypeError, AttributeError, ValueError):
        return NO_STATE


def comparable(state: Any) -> Any:
    """A generator's state (a dict or tuple that may hold arrays) as a value `==` compares: its arrays as their
    bytes. Not its text: repr of a RandomState's 624 keys took 5 ms, and a recording reads every generator of the
    process around each draw (compile_generators: 10 s a recording of two draws where 1,000 RandomStates live)."""
    if isinstance(state, np.ndarray):
        return state.dtype.str, state.shape, state.tobytes()
    if isinstance(state, dict):
        return {key: comparable(value) for key, value in state.items()}
    if isinstance(state, tuple):  # a legacy RandomState state; Random's tuple of ints is compared as it is
        return tuple(comparable(value) if isinstance(value, np.ndarray | dict) else value for value in state)
    return state


class Spans:
    """A recording's readings of the global generators: at its start, around each `autograd.drawn`
    draw, and at its end. They chain (each reading equal to the one before it, a draw's own span
    aside) exactly when nothing but the draws moved the generators."""

    def __init__(self, held: tuple[Any, ...] = (), iterators: tuple[Any, ...] = ()) -> None:
        self.held = held  # the generators the step's names hold (`rng = np.random.default_rng()`)
        self.readings = [states(held)]
        self.iterators = iterators  # and the iterators (compile_iterators), their positions read alike
        self.places = [positions(iterators)]
        self.moves: list[tuple[Any, ...]] = []  # per draw, the generators it moved (compile_generators.draw_in)
        self._existing: list[Any] | None = None  # every generator when the first draw was made (existing)
        self.inside = 0  # draws running now (a next() the user's code calls there is the draw's: compile_calls)

    def existing(self, scan: Callable[[], list[Any]]) -> list[Any]:
        """The generators `scan()` finds (compile_generators.every_generator), scanned once per recording."""
        if self._existing is None:
            self._existing = scan()
        return self._existing

    def watch(self, values: Iterable[Any]) -> None:
        """Read the generators among `values` too from now on (a module's own, met at its call): where they
        stood before is not known, so every earlier reading takes where they stand now."""
        new = [g for g in values if isinstance(g, GENERATORS) and not any(g is h for h in self.held)]
        if new:
            now = tuple(map(_state, new))
            self.held = (*self.held, *new)
            self.readings = [(*reading, *now) for reading in self.readings]

    @contextmanager
    def drawing(self) -> Iterator[None]:
        self.readings.append(states(self.held))
        self.places.append(positions(self.iterators))
        self.inside += 1
        try:
            yield
        finally:
            self.inside -= 1
        self.readings.append(states(self.held))
        self.places.append(positions(self.iterators))

    def moved_outside_draws(self) -> bool:
        readings = [*self.readings, states(self.held)]
        return any(before != after for before, after in zip(readings[::2], readings[1::2]))

    def advanced_outside_draws(self) -> str:
        """The kinds of the iterators that moved outside the draws (compile_iterators.moved_names), or ""."""
        return moved_names(self.iterators, [*self.places, positions(self.iterators)])
