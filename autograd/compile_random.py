"""The random generators a compiled step must not draw from outside `autograd.drawn`: Python's `random`
module, numpy's legacy one (`np.random.rand`, `np.random.shuffle`), and those the step's global names and
closure cells hold (`rng = np.random.default_rng(0)`), a compiled bound method's object (`self.rng`), its
arguments, or a module it calls (a forward's `self.rng`, watched from that call on: `Spans.watch`). A
replay runs none of the step's Python, so a branch on `random.random()` (an augmentation taken or not) goes
on as it went when recorded, and numbers drawn as data stay the recorded ones. A draw made by `autograd.drawn` is
made again by each replay, in its order: what it takes from these generators is its own."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

DREW_OUTSIDE = (
    "the step drew from Python's random module, numpy's global generator or a generator its names, its "
    "object, its arguments or a module it calls hold (random.random(), np.random.rand, rng.random(), "
    "self.rng.random() in a step's method or a module's forward) "
    "outside autograd.drawn: a replay runs none of the step's Python, so a branch on such a draw would go "
    "as recorded, and numbers drawn as data would stay the recorded ones. Draw inside autograd.drawn (or "
    "with autograd.rand), or run the step eagerly"
)


GENERATORS = (random.Random, np.random.Generator, np.random.RandomState)


def states(held: tuple[Any, ...] = ()) -> tuple[Any, ...]:
    """Where Python's and numpy's global generators stand, and the generators `held` (those the step's
    names hold): equal to an earlier reading where nothing drew."""
    kind, keys, position, *rest = np.random.get_state()
    return random.getstate(), kind, keys.tobytes(), position, *rest, *map(_state, held)


def _state(generator: Any) -> Any:
    if isinstance(generator, np.random.Generator):
        return repr(generator.bit_generator.state)  # a dict that may hold arrays: compared as text
    if isinstance(generator, np.random.RandomState):
        return repr(generator.get_state(legacy=False))
    return generator.getstate()


class Spans:
    """A recording's readings of the global generators: at its start, around each `autograd.drawn`
    draw, and at its end. They chain (each reading equal to the one before it, a draw's own span
    aside) exactly when nothing but the draws moved the generators."""

    def __init__(self, held: tuple[Any, ...] = ()) -> None:
        self.held = held  # the generators the step's names hold (`rng = np.random.default_rng()`)
        self.readings = [states(held)]

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
        yield
        self.readings.append(states(self.held))

    def moved_outside_draws(self) -> bool:
        readings = [*self.readings, states(self.held)]
        return any(before != after for before, after in zip(readings[::2], readings[1::2]))


def draw_in(spans: Spans | None, draw: Callable[[], Any]) -> Any:
    """`draw()`, its span noted while a step is recorded (`spans`)."""
    if spans is None:
        return draw()
    with spans.drawing():
        return draw()
